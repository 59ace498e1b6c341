"""End to end on the bundled demo: the plan written to files obeys every rule of its scenario,
checked by code that shares nothing with the solver."""
from __future__ import annotations

from dataclasses import replace

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.intake.fitting import fit_curves
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.scenario.loader import load_scenario

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_out(demo_scenario, cli, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "demo"
    assert cli("run", demo_scenario, "--out", out, "--quiet") == 0
    return out


@pytest.fixture(scope="module")
def fitted(demo_fit):
    return demo_fit


def test_run_writes_every_output_with_the_documented_columns(demo_out):
    assert sorted(p.name for p in demo_out.iterdir()) == [
        "allocation.csv", "channels.csv", "charts", "curves.csv", "forecast.csv", "plan.xlsx",
        "plausible_curves.csv", "report.html", "run.json", "scenario.yaml", "summary.json"]
    allocation = pd.read_csv(demo_out / "allocation.csv")
    assert list(allocation.columns) == [
        "channel", "period_start", "period_end", "fixed_spend", "dynamic_spend", "total_spend",
        "baseline_kpi", "incremental_kpi", "roi", "marginal_roi"]
    assert len(allocation) == 8 * 13
    curves = pd.read_csv(demo_out / "curves.csv")
    assert list(curves.columns) == ["channel", "period_start", "spend", "incremental_kpi"]
    forecast = pd.read_csv(demo_out / "forecast.csv")
    assert (forecast["forecast_lower"] <= forecast["forecast_kpi"]).all()
    assert (forecast["forecast_kpi"] <= forecast["forecast_upper"]).all()
    assert (forecast["baseline_lower"] <= forecast["baseline_upper"]).all()


def test_plan_obeys_every_rule_of_the_scenario(demo_scenario, demo_out):
    rules = yaml.safe_load(demo_scenario.read_text())
    allocation = pd.read_csv(demo_out / "allocation.csv")
    per_channel = allocation.groupby("channel")["total_spend"].sum()
    total = per_channel.sum()
    budget = rules["budget"]["total"]
    tol = 0.05  # the files carry 2 decimals
    assert total == pytest.approx(budget * (1 - rules["budget"]["reserve_share"]), abs=tol * 104)
    assert per_channel["search_ads"] >= rules["channels"]["search_ads"]["min"] - tol * 13
    assert per_channel["content_seo"] <= rules["channels"]["content_seo"]["max"] + tol * 13
    assert per_channel["live_streaming"] <= rules["channels"]["live_streaming"]["max_share"] * total + 1
    assert np.allclose(allocation["fixed_spend"] + allocation["dynamic_spend"],
                       allocation["total_spend"], atol=0.02)
    assert (allocation["dynamic_spend"] >= 0).all() and (allocation["fixed_spend"] >= 0).all()


def test_pool_adds_up_and_fixed_split_follows_last_years_mix(scenarios_dir, demo_out):
    summary = json.loads((demo_out / "summary.json").read_text())
    t = summary["totals"]
    assert t["fixed"] + t["dynamic"] + t["reserve"] - t["overspend"] == pytest.approx(t["budget"], abs=0.01)
    assert t["fixed"] == pytest.approx(0.6 * t["budget"], abs=0.01)
    allocation = pd.read_csv(demo_out / "allocation.csv", parse_dates=["period_start", "period_end"])
    # The reference window is the same quarter 52 weeks earlier, read straight from the CSV.
    history = pd.read_csv(scenarios_dir / "data" / "history.csv", parse_dates=["date"])
    shift = pd.Timedelta(days=364)
    window = history[(history["date"] >= pd.Timestamp("2026-10-01") - shift)
                     & (history["date"] <= pd.Timestamp("2026-12-31") - shift)]
    ref = window.groupby("channel")["spend"].sum()
    fixed = allocation.groupby("channel")["fixed_spend"].sum()
    assert np.allclose(fixed / fixed.sum(), ref / ref.sum(), atol=1e-6)
    # Pacing: each channel's fixed money per week follows its spend in the same week last year.
    for channel, grp in allocation.groupby("channel"):
        last_year = [window[(window["channel"] == channel)
                            & (window["date"] >= row.period_start - shift)
                            & (window["date"] <= row.period_end - shift)]["spend"].sum()
                     for row in grp.itertuples()]
        expected = fixed[channel] * np.array(last_year) / np.sum(last_year)
        assert np.allclose(grp["fixed_spend"], expected, atol=0.05)


def test_allocation_can_be_audited_from_curves_csv_alone(demo_out):
    allocation = pd.read_csv(demo_out / "allocation.csv")
    curves = pd.read_csv(demo_out / "curves.csv")
    assert len(allocation) == 8 * 13            # the demo: 8 channels × 13 weeks
    for row in allocation.itertuples():
        curve = curves[(curves["channel"] == row.channel) & (curves["period_start"] == row.period_start)]
        assert len(curve) >= 2 and curve["spend"].iloc[-1] >= row.total_spend
        assert curve["spend"].iloc[0] == 0 and curve["incremental_kpi"].iloc[0] == 0
        value = np.interp(row.total_spend, curve["spend"], curve["incremental_kpi"])
        assert value == pytest.approx(row.incremental_kpi, rel=1e-5, abs=1.0)


def test_forecast_equals_baseline_plus_incremental(demo_out):
    allocation = pd.read_csv(demo_out / "allocation.csv")
    forecast = pd.read_csv(demo_out / "forecast.csv")
    merged = allocation.merge(forecast, on=["channel", "period_start", "period_end"])
    assert np.allclose(merged["baseline_kpi_x"], merged["baseline_kpi_y"], atol=0.01)
    assert np.allclose(merged["forecast_kpi"], merged["baseline_kpi_x"] + merged["incremental_kpi"],
                       rtol=1e-3)


def test_rerun_is_byte_identical_and_existing_output_is_refused(demo_scenario, cli, demo_out,
                                                                tmp_path, capsys):
    again = tmp_path / "again"
    assert cli("run", demo_scenario, "--out", again, "--quiet") == 0
    for name in ("allocation.csv", "channels.csv", "forecast.csv", "curves.csv", "summary.json",
                 "report.html", "plan.xlsx", "charts/curves.png"):
        assert (again / name).read_bytes() == (demo_out / name).read_bytes(), name
    capsys.readouterr()
    assert cli("run", demo_scenario, "--out", again, "--quiet") == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--force" in err and "Traceback" not in err
    (again / "allocation.csv").write_text("stale")
    assert cli("run", demo_scenario, "--out", again, "--quiet", "--force") == 0
    assert (again / "allocation.csv").read_bytes() == (demo_out / "allocation.csv").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_highs_and_cbc_agree_on_the_demo(fitted):
    inputs, fitted_curves = fitted
    highs = plan_with(inputs, fitted_curves, solver="highs")
    cbc = plan_with(inputs, fitted_curves, solver="cbc")
    assert highs.summary["solver"]["objective"] == pytest.approx(
        cbc.summary["solver"]["objective"], rel=1e-6)
    # the risk-measure optimum may be reached by allocations with near-equal point-curve value
    assert highs.totals["incremental_kpi"] == pytest.approx(cbc.totals["incremental_kpi"], rel=1e-4)


def test_binding_rule_and_budget_dual_are_explained(fitted):
    inputs, fitted_curves = fitted
    result = plan_with(inputs, fitted_curves)
    binding = {r["rule"]: r for r in result.summary["binding_constraints"]}
    assert "max:content_seo" in binding
    assert binding["max:content_seo"]["explanation"].startswith("raising content_seo max by ¥1 adds ¥")
    # the plan maximizes its risk measure over the plausible curves: the shadow price of the max is
    # what ¥1 more of that max adds to the objective (checked by re-solving with ¥2,000 more)
    scenario = inputs.scenario
    rules = dict(scenario.channels)
    rules["content_seo"] = rules["content_seo"].model_copy(update={"max": 1_002_000})
    bumped = plan_with(replace(inputs, scenario=scenario.model_copy(update={"channels": rules})),
                       fitted_curves)
    gain = (bumped.summary["objective"]["value"] - result.summary["objective"]["value"]) / 2_000
    assert binding["max:content_seo"]["shadow_price"] == pytest.approx(gain, rel=0.1)
    assert result.summary["budget_dual"] > 1


def test_every_example_scenario_plans(example_scenario, fitted, demo_curves_for):
    demo_inputs, _ = fitted
    inputs = load_inputs(load_scenario(example_scenario))
    if inputs.scenario.history_path != demo_inputs.scenario.history_path:
        fitted_curves = fit_curves(inputs, n_jobs=1)   # its own history (markets, wide)
    else:
        fitted_curves = demo_curves_for(inputs)
    result = plan_with(inputs, fitted_curves)
    t = result.totals
    assert t["fixed"] + t["dynamic"] + t["reserve"] - t["overspend"] == pytest.approx(t["budget"], abs=0.01)
    assert result.status == "optimal"


def test_validate_names_unknown_keys_and_oversized_shares(scenarios_dir, demo_scenario, cli,
                                                          tmp_path, capsys):
    base = yaml.safe_load(demo_scenario.read_text())
    base["history"] = str(scenarios_dir / "data" / "history.csv")
    bad = dict(base, budgt={"total": 1})
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump(bad))
    assert cli("validate", path) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unknown key 'budgt'" in err and "did you mean 'budget'" in err
    shares = dict(base, budget=dict(base["budget"], fixed_rule="explicit", fixed={
        "search_ads": 0.20, "display_feed": 0.25, "short_video": 0.15, "kol": 0.10,
        "content_seo": 0.30, "social": 0.10}))
    path.write_text(yaml.safe_dump(shares))
    assert cli("validate", path) == 2
    err = capsys.readouterr().err
    assert "sum to 110%" in err and "content_seo 30%" in err and "typo.yaml" in err
    path.write_text(yaml.safe_dump(base))
    assert cli("validate", path) == 0
    assert "ok" in capsys.readouterr().out


def test_demo_command_prints_the_plan(cli, capsys):
    assert cli("demo") == 0
    out = capsys.readouterr().out
    for word in ("search_ads", "private_domain", "fixed", "dynamic", "mROI", "Pool: budget",
                 "Binding:"):
        assert word in out


def test_a_locked_channel_that_never_spent_is_planned_at_its_lock(tmp_path):
    from budgetopt.datasets import make_world
    from budgetopt.optimizer.results.outputs import write_outputs
    from budgetopt.optimizer.plan.pipeline import plan

    history = make_world(["a", "b", "c"], start="2024-01-01", end="2025-12-31", seed=2).history
    history.loc[history["channel"] == "c", "spend"] = 0.0
    history.to_csv(tmp_path / "history.csv", index=False)
    (tmp_path / "plan.yaml").write_text(
        "name: locked newcomer\nhistory: history.csv\n"
        "horizon: {start: 2026-01-01, end: 2026-03-31, period: month}\n"
        "budget: {total: 2000000, reserve_share: 0.1}\nchannels:\n  c: {lock: 100000}\n")
    result = plan(tmp_path / "plan.yaml", n_jobs=1)
    channels = result.channels.set_index("channel")
    assert channels.loc["c", "total_spend"] == pytest.approx(100_000, abs=0.01)
    assert channels.loc["c", "incremental_kpi"] == 0
    assert channels["total_spend"].sum() == pytest.approx(1_800_000, abs=0.01)
    assert any("c: never spent" in w for w in result.summary["warnings"])
    out = write_outputs(result, tmp_path / "out")
    allocation = pd.read_csv(out / "allocation.csv")
    assert allocation[allocation["channel"] == "c"]["total_spend"].sum() == pytest.approx(100_000, abs=0.05)
