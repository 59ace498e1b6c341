"""End to end on the demo's forecasts: every objective and rule (docs/optimizer.md) shapes the
plan, and the plan's tables obey it (checked from the tables, not the LP); infeasible rules exit 1
with a diagnosis."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from budgetopt.optimizer.cli.main import main
from budgetopt.optimizer.intake.inputs import check_inputs
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.scenario.loader import scenario_from_dict

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fitted(demo_fit, demo_curves_for):
    return demo_fit[0], demo_curves_for


def plan(fitted, **changes):
    """The demo scenario with some keys changed (dotted paths), planned on the fitted demo."""
    inputs, curves_for = fitted
    demo = inputs.scenario.source
    data = yaml.safe_load(demo.read_text())
    for dotted, value in changes.items():
        node, parts = data, dotted.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    scenario = scenario_from_dict(data, source=demo)
    planned = check_inputs(scenario, inputs.history)
    return plan_with(planned, curves_for(planned))


@pytest.fixture(scope="module")
def revenue_plan(fitted):
    return plan(fitted)


def _adds_up(t):
    assert t["fixed"] + t["dynamic"] + t["reserve"] - t["overspend"] == pytest.approx(
        t["budget"], abs=0.01)


def test_max_profit_keeps_unprofitable_money_in_the_reserve(fitted, revenue_plan):
    margin = 0.3
    result = plan(fitted, objective="max_profit", margin=margin)
    t, r = result.totals, revenue_plan.totals
    _adds_up(t)
    assert t["returned_to_reserve"] > 0
    # the risk measure in force: margin × (its measure of incremental KPI over the plausible
    # curves) − spend, more than the revenue plan (feasible here too) reaches on it
    measure = result.summary["risk"]["measure"]
    ours, r_ours = (p.summary["outcome"]["incremental_kpi"][measure]
                    for p in (result, revenue_plan))
    assert margin * ours - t["spend"] > margin * r_ours - r["spend"]
    assert result.summary["objective"]["value"] == pytest.approx(margin * ours - t["spend"],
                                                                 rel=1e-6)
    # money was left unspent, so more budget is worth nothing, and the words say why
    assert result.summary["budget_dual"] == 0.0
    assert result.summary["budget_dual_explained"].startswith(
        "one more CNY of budget adds 0.0000 profit (the budget is not what limits the plan")


def test_max_roi_and_target_roi(fitted, revenue_plan):
    best = plan(fitted, objective="max_roi")
    # the ratio maximized is the risk measure of incremental KPI over the curves ÷ spend
    measure = best.summary["risk"]["measure"]
    best_roi = best.summary["outcome"]["roi"][measure]
    assert best_roi > revenue_plan.summary["outcome"]["roi"][measure]
    assert best.totals["fixed"] == pytest.approx(0.6 * best.totals["budget"], abs=0.01)
    assert best.summary["objective"]["value"] == pytest.approx(best_roi, rel=1e-6)
    target = (best.totals["roi"] + revenue_plan.totals["roi"]) / 2
    aimed = plan(fitted, objective="target_roi", target_roi=target)
    assert aimed.totals["roi"] >= target * (1 - 1e-6)
    assert best.totals["spend"] < aimed.totals["spend"] < revenue_plan.totals["spend"]


def test_optimized_fixed_split_is_committed_and_beats_the_historical_one(fitted, revenue_plan):
    result = plan(fitted, **{"budget.fixed_rule": "optimized"})
    t = result.totals
    _adds_up(t)
    assert t["fixed"] == pytest.approx(0.6 * t["budget"], abs=0.01)
    assert t["incremental_kpi"] >= revenue_plan.totals["incremental_kpi"]
    alloc = result.allocation
    share = alloc["fixed_spend"] / alloc["total_spend"].where(alloc["total_spend"] > 0)
    assert np.allclose(share.dropna(), 0.6, atol=1e-9)      # same share of every cell


def test_hurdle_returns_dynamic_money_to_the_reserve(fitted):
    hurdle = 5.0
    result = plan(fitted, **{"budget.dynamic_min_roi": hurdle})
    t = result.totals
    _adds_up(t)
    assert t["returned_to_reserve"] > 0
    assert t["dynamic"] + t["returned_to_reserve"] == pytest.approx(0.4 * t["budget"], abs=0.01)
    # each cell's dynamic money bought curve pieces that average at least the hurdle
    curves = result.curves
    for row in result.allocation[result.allocation["dynamic_spend"] > 1].itertuples():
        c = curves[(curves["channel"] == row.channel) & (curves["period_start"] == row.period_start)]
        at = lambda s: np.interp(s, c["spend"], c["incremental_kpi"])   # noqa: E731
        gained = at(row.total_spend) - at(row.fixed_spend)
        assert gained >= hurdle * row.dynamic_spend * (1 - 1e-6)


def test_overspend_stays_within_tolerance(fitted, revenue_plan):
    result = plan(fitted, **{"budget.overspend_tolerance": 0.08})
    t = result.totals
    _adds_up(t)
    assert 0 < t["overspend"] <= 0.08 * t["budget"] + 0.01
    assert t["incremental_kpi"] > revenue_plan.totals["incremental_kpi"]


def test_change_pacing_period_caps_and_cac_hold_in_the_tables(scenarios_dir, fitted):
    result = plan(fitted, **{"limits.max_change_vs_history": 0.4,
                             "limits.period_max_change": 0.5,
                             "limits.period_budget_max": 1_400_000,
                             "channels.kol": {"cac_cap": 85.0}})
    channels = result.channels
    assert (channels["change_vs_history"].abs() <= 0.4 + 1e-6).all()
    alloc = result.allocation.copy()
    alloc["days"] = (pd.to_datetime(alloc["period_end"]) - pd.to_datetime(alloc["period_start"])
                     ).dt.days + 1
    for _, grp in alloc.groupby("channel"):
        per_day = (grp["total_spend"] / grp["days"]).to_numpy()
        assert np.all(per_day[1:] <= per_day[:-1] * 1.5 * (1 + 1e-6) + 1e-6)
        assert np.all(per_day[1:] >= per_day[:-1] * 0.5 * (1 - 1e-6) - 1e-6)
    assert (alloc.groupby("period_start")["total_spend"].sum() <= 1_400_000 + 0.01).all()
    history = pd.read_csv(scenarios_dir / "data" / "history.csv")
    kol = history[history["channel"] == "kol"]
    per_kpi = kol["conversions"].sum() / kol["revenue"].sum()
    kol_plan = channels[channels["channel"] == "kol"].iloc[0]
    assert kol_plan["total_spend"] / (kol_plan["incremental_kpi"] * per_kpi) <= 85.0 + 1e-6
    words = " ".join(r["explanation"] for r in result.summary["binding_constraints"])
    assert "max_change_vs_history" in words or "period from" in words


def test_milp_option_is_reported(fitted):
    result = plan(fitted, **{"solver.nonconcave": "milp"})
    assert result.summary["curves"]["nonconcave_method"] == "milp"
    # the demo's fitted curves are concave: no binaries were needed, and the plan is the LP's
    assert result.summary["curves"]["nonconcave_units"] == []
    assert result.summary["solver"]["method"] == "lp"


def test_infeasible_group_floor_exits_1_with_the_relaxation(scenarios_dir, demo_scenario, tmp_path,
                                                            capsys):
    data = yaml.safe_load(demo_scenario.read_text())
    data["history"] = str(scenarios_dir / "data" / "history.csv")
    data["groups"] = {"high_efficiency": {"channels": ["content_seo", "social", "private_domain"],
                                          "min_share": 0.6}}
    path = tmp_path / "conflict.yaml"
    path.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        main(["run", str(path), "--out", str(out), "--quiet"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "infeasible: group high_efficiency takes at least 60% of planned spend conflicts " \
           "with the fixed commitments (fixed_rule: historical)" in err
    assert "lowering group high_efficiency min_share 60% to" in err
    assert "Traceback" not in err and not out.exists()


def test_refine_rounds_only_improve_the_plan(fitted, revenue_plan):
    refined = plan(fitted, **{"solver.refine_rounds": 2})
    base = revenue_plan.totals["incremental_kpi"]
    # refined breakpoints are a superset of the first grid: chords of a concave curve on more
    # points lie higher, so the optimum can only rise — and only a little (the first is ≤ 0.1%)
    assert base <= refined.totals["incremental_kpi"] <= base * 1.001
    assert len(refined.curves) > len(revenue_plan.curves)


def test_console_explains_objective_marginal_roi_and_returned_money(fitted):
    from io import StringIO

    from rich.console import Console

    from budgetopt.optimizer.cli.console import print_plan
    result = plan(fitted, objective="max_profit", margin=0.3)
    buffer = StringIO()
    print_plan(result, Console(file=buffer, width=240))
    out = buffer.getvalue()
    value = result.summary["objective"]["value"]
    measure = result.scenario.risk.measure
    quantity = "profit (0.3 × incremental revenue − spend)"
    words = {"mean": f"the mean of {quantity} over 100 plausible curves",
             "cvar": f"CVaR20% of {quantity} over 100 plausible curves (the mean of the worst "
                     "20%)"}[measure]
    assert f"Objective (max_profit): {words} = {value:,.0f}" in out
    # the value is the figure the words name: margin × (mean or CVaR) of incremental KPI − spend
    outcome, spend = result.summary["outcome"], result.totals["spend"]
    assert value == pytest.approx(0.3 * outcome["incremental_kpi"][measure] - spend, rel=1e-6)
    assert "Marginal ROI (return on the next unit of money): content_seo " in out
    assert "returned unspent" in out
    assert "Marginal value of the budget: one more CNY of budget adds" in out
    assert out.count("Binding: ") == len(result.summary["binding_constraints"])
