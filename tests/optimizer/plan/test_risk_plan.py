"""The plan's risk stage end to end on the demo: plausible curves on the LP's breakpoints, the
outcome in summary.json checked against the sample curves, the guard held on the solution, and
reruns identical."""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from rich.console import Console

import pandas as pd

from budgetopt.optimizer.cli.console import print_plan
from budgetopt.optimizer.results.files import plan_files
from budgetopt.optimizer.results.workbook import summary_rows
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.lp.risk import SampleCurves
from budgetopt.optimizer.rules.guard import HistoryGuard
from budgetopt.risk_measures import cvar

pytestmark = pytest.mark.slow


def _with_risk(inputs, **risk):
    scenario = inputs.scenario
    return replace(inputs, scenario=scenario.model_copy(
        update={"risk": scenario.risk.model_copy(update=risk)}))


@pytest.fixture(scope="module")
def planned(demo_fit):
    inputs, fitted_curves = demo_fit
    return inputs, fitted_curves, plan_with(inputs, fitted_curves)


def test_outcome_in_summary_matches_the_sample_curves_at_the_planned_spend(planned):
    inputs, fitted_curves, result = planned
    out = result.summary["outcome"]
    assert out["samples"] == inputs.scenario.risk.samples == 100
    # the defaults: the mean over the plausible curves, guarded by the historical mix
    assert out["alpha"] == 0.2 and out["measure"] == "mean" and out["guard"] == "history"
    for key in ("incremental_kpi", "roi", "uplift_vs_history"):
        stats = out[key]
        assert set(stats) == {"p10", "p50", "p90", "mean", "cvar"}
        assert stats["cvar"] <= stats["p10"] + 1e-9 <= stats["p50"] + 2e-9 <= stats["p90"] + 3e-9
    # recompute from the curve table the LP read and the plausible draws
    curves = result.curves.merge(inputs.periods[["period", "period_start"]], on="period_start")
    curves = curves.assign(unit=curves["channel"])
    risk = inputs.scenario.risk
    samples = SampleCurves(fitted_curves.samples(curves[["unit", "period", "spend",
                                                         "incremental_kpi"]],
                                                 risk.samples, risk.seed))
    alloc = result.allocation.merge(inputs.periods[["period", "period_start"]], on="period_start")
    spend = {(r.channel, int(r.period)): float(r.total_spend) for r in alloc.itertuples()}
    values = samples.values(spend)
    assert out["incremental_kpi"]["mean"] == pytest.approx(values.mean(), rel=1e-6)
    assert out["incremental_kpi"]["p10"] == pytest.approx(np.quantile(values, 0.1), rel=1e-6)
    assert out["roi"]["cvar"] == pytest.approx(cvar(values, 0.2) / sum(spend.values()), rel=1e-6)
    # the point curve's plan value lies inside the plausible range
    inc = result.summary["totals"]["incremental_kpi"]
    assert out["incremental_kpi"]["p10"] * 0.9 <= inc <= out["incremental_kpi"]["p90"] * 1.1


def ru_cvar(values: np.ndarray, alpha: float) -> float:
    """CVaR_α as Rockafellar and Uryasev define it, max over t of t − E[(t − v)⁺]/α, whose
    maximum lies at one of the values (a concave piecewise-linear function of t)."""
    t = values[:, None]
    return float(np.max(t[:, 0] - np.maximum(t - values[None, :], 0.0).mean(axis=1) / alpha))


def test_the_outcome_is_recomputed_from_the_run_folder_alone(planned, tmp_path):
    """What finance can do without the package: value allocation.csv's spend on every sample of
    plausible_curves.csv (np.interp per unit × period; the curves already hold each period's
    carryover), then take P10/P50/P90, mean and CVaR of the totals."""
    _, _, result = planned
    for name, text in plan_files(result).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    alloc = pd.read_csv(tmp_path / "allocation.csv")
    curves = pd.read_csv(tmp_path / "plausible_curves.csv")
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert list(curves.columns) == ["channel", "period_start", "sample", "spend",
                                    "incremental_kpi"]
    samples = int(curves["sample"].max()) + 1
    assert samples == summary["outcome"]["samples"] == 100
    cells = {key: g for key, g in curves.groupby(["channel", "period_start"])}
    assert len(cells) == len(alloc) > 0
    values = np.zeros(samples)
    for row in alloc.itertuples():
        cell = cells[(row.channel, row.period_start)]
        for s, g in cell.groupby("sample"):
            assert g["spend"].is_monotonic_increasing and g["spend"].iloc[0] == 0.0
            assert g["spend"].iloc[-1] >= row.total_spend
            values[s] += np.interp(row.total_spend, g["spend"], g["incremental_kpi"])
    spend = float(alloc["total_spend"].sum())
    alpha = summary["outcome"]["alpha"]
    p10, p50, p90 = np.quantile(values, [0.1, 0.5, 0.9])
    expected = {"incremental_kpi": {"p10": p10, "p50": p50, "p90": p90, "mean": values.mean(),
                                    "cvar": ru_cvar(values, alpha)}}
    expected["roi"] = {k: v / spend for k, v in expected["incremental_kpi"].items()}
    for key, stats in expected.items():
        for stat, value in stats.items():
            assert summary["outcome"][key][stat] == pytest.approx(value, rel=2e-6), (key, stat)
    # byte-stable: the same plan writes the same file
    assert plan_files(plan_with(*planned[:2]))["plausible_curves.csv"] == \
        (tmp_path / "plausible_curves.csv").read_text(encoding="utf-8")


def test_guard_holds_on_the_solution(planned):
    """CVaR_0.2 of (plan − historical mix at the same spend) over the samples is ≥ 0."""
    _, _, result = planned
    assert result.summary["risk"]["guard_status"] == "applied"
    assert result.summary["outcome"]["uplift_vs_history"]["cvar"] >= -1e-6 * abs(
        result.summary["totals"]["incremental_kpi"])


def test_mean_and_cvar_plans_differ_as_they_should(planned):
    inputs, fitted_curves, _ = planned
    cvar_plan = plan_with(_with_risk(inputs, measure="cvar"), fitted_curves)
    mean_plan = plan_with(_with_risk(inputs, measure="mean", guard="off"), fitted_curves)
    a, b = mean_plan.summary["outcome"], cvar_plan.summary["outcome"]
    # each plan is best on its own measure (both solved exactly on the same samples)
    assert a["incremental_kpi"]["mean"] >= b["incremental_kpi"]["mean"] * (1 - 1e-6)
    assert b["incremental_kpi"]["cvar"] >= a["incremental_kpi"]["cvar"] * (1 - 1e-6)
    assert mean_plan.summary["risk"]["guard_status"] == "off"
    # the CVaR plan's objective is named as such, and its value is the outcome's CVaR
    objective = cvar_plan.summary["objective"]
    assert objective["in_words"] == ("CVaR20% of incremental revenue over 100 plausible curves "
                                     "(the mean of the worst 20%)")
    assert objective["value"] == pytest.approx(b["incremental_kpi"]["cvar"], rel=1e-6)


def test_reruns_give_identical_outcomes_and_another_seed_other_draws(planned):
    inputs, fitted_curves, result = planned
    again = plan_with(inputs, fitted_curves)
    assert json.dumps(again.summary["outcome"]) == json.dumps(result.summary["outcome"])
    other = plan_with(_with_risk(inputs, seed=7), fitted_curves)
    assert other.summary["outcome"]["incremental_kpi"] != result.summary["outcome"]["incremental_kpi"]


def test_outcome_shows_on_the_console_and_in_the_workbook(planned):
    _, _, result = planned
    console = Console(record=True, width=240)
    print_plan(result, console)
    text = console.export_text()
    lines = [l for l in text.splitlines() if l.startswith("outcome over 100")]
    assert len(lines) == 1 and "P10" in lines[0] and "CVaR20%" in lines[0]
    # the objective is named in words, and its value is the figure they name
    objective = result.summary["objective"]
    # the default measure is the mean over the plausible curves
    assert objective["in_words"] == "the mean of incremental revenue over 100 plausible curves"
    assert objective["value"] == pytest.approx(
        result.summary["outcome"]["incremental_kpi"]["mean"], rel=1e-6)
    assert f"Objective (max_revenue): {objective['in_words']} = {objective['value']:,.0f}" in text
    rows = summary_rows(result)
    assert any(section.startswith("Outcome over 100") and "P90" in item
               for section, item, _, _ in rows)


def test_fitted_samples_are_candidate_curves_times_multipliers_and_the_lp_agrees(planned):
    """On the fitted demo (carryover tails, coupling to the seasonal baseline, level draws):
    the factors reassemble the sample table, and the LP on them gives the optimum of one row
    per sample under every measure."""
    from budgetopt.optimizer.lp.allocate import allocate
    from budgetopt.optimizer.lp.risk import RiskTerms
    from budgetopt.optimizer.rules.bounds import DynamicBudget
    from budgetopt.units import Unit
    inputs, fitted_curves, result = planned
    risk = inputs.scenario.risk
    table = fitted_curves.table(float(inputs.scenario.budget.total))
    table = table[["unit", "period", "spend", "incremental_kpi"]]
    samples = fitted_curves.samples(table, risk.samples, risk.seed)
    candidates, draws = fitted_curves.sample_factors(table, risk.samples, risk.seed)
    merged = draws.merge(candidates, on=["unit", "candidate"])
    got = (merged["multiplier"] * merged["incremental_kpi"]).set_axis(
        pd.MultiIndex.from_frame(merged[["unit", "period", "sample", "spend"]])).sort_index()
    want = samples.set_index(["unit", "period", "sample", "spend"])["incremental_kpi"].sort_index()
    assert got.index.equals(want.index)
    assert np.max(np.abs(got.to_numpy() - want.to_numpy())) <= 1e-12 * np.abs(want).max()
    assert candidates.groupby("unit")["candidate"].nunique().max() < risk.samples
    units = [Unit(k) for k in sorted(table["unit"].unique())]
    periods = sorted(int(p) for p in table["period"].unique())
    rules = [DynamicBudget("budget", "==", amount=0.4 * inputs.scenario.budget.total)]
    dense = SampleCurves(samples)
    factored = SampleCurves(candidates=candidates, draws=draws)
    history = dense.values({(u.key, p): 0.3 * inputs.scenario.budget.total / len(units)
                            / len(periods) for u in units for p in periods})
    for measure, guard in (("mean", None), ("cvar", None), ("mean", history)):
        objectives = [allocate(table, units, periods, {}, rules,
                               risk=RiskTerms(c, measure, risk.alpha, guard,
                                              guard_rule=HistoryGuard.over)).solution
                      for c in (dense, factored)]
        assert objectives[0].status == objectives[1].status == "Optimal"
        assert objectives[1].objective == pytest.approx(objectives[0].objective, rel=1e-6)
