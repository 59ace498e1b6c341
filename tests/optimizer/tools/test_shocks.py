"""What-if shocks: scenario validation, the curve transforms, and real plans under shocks."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from budgetopt.errors import InputError
from budgetopt.optimizer.scenario.loader import scenario_from_dict
from budgetopt.optimizer.tools.shocks import describe, shocked

BASE = {"name": "q", "history": "h.csv", "horizon": {"start": "2026-10-01", "end": "2026-12-31"},
        "budget": {"total": 1_000_000.0}}


def shocks(*items):
    return scenario_from_dict({**BASE, "shocks": list(items)}).shocks


def test_shock_entries_are_validated_with_the_fix_in_the_message():
    with pytest.raises(InputError, match="changes nothing"):
        shocks({"name": "a"})
    with pytest.raises(InputError, match="only changes the budget"):
        shocks({"name": "a", "channels": ["x"], "budget_change": -0.1})
    with pytest.raises(InputError, match="used twice"):
        shocks({"name": "a", "demand_change": -0.1}, {"name": "a", "cost_change": 0.1})
    with pytest.raises(InputError, match="unknown key 'demand' in shocks.0"):
        shocks({"name": "a", "demand": -0.1})
    with pytest.raises(InputError, match="greater than -1"):
        shocks({"name": "a", "demand_change": -1.0})
    s = shocks({"name": "rival", "channels": ["live"], "demand_change": -0.22,
                "cost_change": 0.25}, {"name": "cut", "budget_change": -0.1})
    assert describe(s[0]) == "demand -22%, cost per result +25% on live"
    assert describe(s[1]) == "budget -10%"


PERIODS = pd.DataFrame({"period": [0], "period_start": pd.to_datetime(["2026-10-05"]),
                        "period_end": pd.to_datetime(["2026-10-11"]), "days": [7]})
UNITS = {"a": ("a", None, 2.0, 30.0), "b": ("b", None, 3.0, 20.0)}


def test_demand_scales_kpi_and_cost_stretches_the_spend_axis(toy_curves):
    shock = shocks({"name": "s", "channels": ["a"], "demand_change": -0.2,
                    "cost_change": 0.25})[0]
    inner = toy_curves.build(UNITS, PERIODS)
    seen = shocked(inner, shock)
    after = seen.table(100.0)
    a1 = after[after.unit == "a"]
    for s in (10.0, 40.0, 62.5, 90.0):
        expected = 0.8 * toy_curves.value(s / 1.25, 2.0, 30.0, 7)
        assert np.interp(s, a1["spend"], a1["incremental_kpi"]) == pytest.approx(expected,
                                                                                 rel=2e-3)
    before = inner.table(100.0)
    pd.testing.assert_frame_equal(before[before.unit == "b"].reset_index(drop=True),
                                  after[after.unit == "b"].reset_index(drop=True))
    table = seen.forecast_table({("a", 0): 50.0, ("b", 0): 50.0}).set_index("unit")
    assert table.loc["a", "baseline_kpi"] == pytest.approx(0.8 * 7000.0)
    assert table.loc["a", "forecast_kpi"] == pytest.approx(
        0.8 * (7000.0 + toy_curves.value(50.0 / 1.25, 2.0, 30.0, 7)))
    assert table.loc["b", "forecast_kpi"] == pytest.approx(7000.0 + toy_curves.value(50.0, 3.0,
                                                                                     20.0, 7))
    # the plausible curves are seen through the same shock
    samples = seen.samples(after, 4)
    a_samples = samples[(samples.unit == "a") & (samples["sample"] == 0)]
    assert np.allclose(a_samples["incremental_kpi"],
                       0.8 * toy_curves.value(a_samples["spend"] / 1.25, 2.0, 30.0, 7))
    assert inner.shock is None       # the shocked view leaves the curve set as it was


def test_a_cheaper_channel_keeps_a_curve_up_to_the_whole_budget(toy_curves):
    shock = shocks({"name": "s", "cost_change": -0.5})[0]
    curves = shocked(toy_curves.build(UNITS, PERIODS), shock).table(100.0)
    assert curves.groupby("unit")["spend"].max().min() >= 100.0


@pytest.fixture(scope="module")
def report(demo_fit):
    from budgetopt.optimizer.scenario.spec import Scenario
    from budgetopt.optimizer.tools.shocks import stress

    inputs, fitted_curves = demo_fit
    items = [{"name": "soft_market", "demand_change": -0.22},
             {"name": "search_cpc", "channels": ["search_ads"], "cost_change": 0.25},
             {"name": "cut", "budget_change": -0.10},
             {"name": "impossible", "budget_change": -0.95}]
    scenario = Scenario.model_validate({**inputs.scenario.model_dump(), "shocks": items})
    scenario = scenario.with_source(inputs.scenario.source)
    return stress(scenario, inputs=dataclasses.replace(inputs, scenario=scenario),
                  curves=fitted_curves)


@pytest.mark.slow
def test_demand_shock_everywhere_keeps_the_plan_and_scales_the_return(report):
    row = report.table.set_index("shock").loc["soft_market"]
    assert row["shocked_base_incremental_kpi"] == pytest.approx(
        0.78 * report.base.totals["incremental_kpi"], rel=1e-9)
    assert row["shocked_base_roi_retained"] == pytest.approx(0.78)
    # scaling every curve by the same factor does not move the optimum
    assert row["reoptimized_incremental_kpi"] == pytest.approx(
        row["shocked_base_incremental_kpi"], rel=1e-6)
    assert bool(row["meets_roi_floor"])
    detail = report.channels[report.channels["shock"] == "soft_market"]
    assert np.allclose(detail["reoptimized_total_spend"], detail["base_total_spend"], atol=1.0)


@pytest.mark.slow
def test_cost_shock_values_the_base_plan_on_stretched_curves(report):
    base = report.base
    expected = 0.0
    for row in base.allocation.itertuples():
        curve = base.curves[(base.curves.channel == row.channel)
                            & (base.curves.period_start == row.period_start)]
        spend = row.total_spend / 1.25 if row.channel == "search_ads" else row.total_spend
        expected += np.interp(spend, curve["spend"], curve["incremental_kpi"])
    row = report.table.set_index("shock").loc["search_cpc"]
    assert row["shocked_base_incremental_kpi"] == pytest.approx(expected, rel=1e-6)
    assert row["shocked_base_incremental_kpi"] < base.totals["incremental_kpi"]
    # re-optimizing maximizes the risk measure over the plausible curves, not the point
    # curve: its point value stays within 0.1% of the shocked base plan's, either way
    assert row["reoptimized_incremental_kpi"] == pytest.approx(
        row["shocked_base_incremental_kpi"], rel=1e-3)
    detail = report.channels.set_index(["shock", "channel"])
    others = detail.loc["search_cpc"].drop(index="search_ads")
    assert np.allclose(others["shocked_base_incremental_kpi"], others["base_incremental_kpi"])


@pytest.mark.slow
def test_budget_cut_comes_out_of_dynamic_money_and_is_replanned(report):
    base = report.base.totals
    row = report.table.set_index("shock").loc["cut"]
    assert row["shocked_base_spend"] == pytest.approx(0.9 * base["spend"], rel=1e-9)
    assert row["reoptimized_spend"] == pytest.approx(0.9 * base["spend"], rel=1e-9)
    assert row["reoptimized_incremental_kpi"] >= row["shocked_base_incremental_kpi"] - 1.0
    assert row["reoptimized_roi_retained"] == pytest.approx(row["reoptimized_roi"] / base["roi"])
    failed = report.table.set_index("shock").loc["impossible"]
    assert failed["reoptimized_status"] == "failed" and "search_ads" in failed["note"]
    files = report.files()
    data = json.loads(files["shocks.json"])
    assert [s["shock"] for s in data["shocks"]] == ["soft_market", "search_cpc", "cut",
                                                    "impossible"]


@pytest.mark.slow
def test_shocks_command_on_the_example_scenario(scenarios_dir, tmp_path, capsys):
    from budgetopt.optimizer.cli.main import main

    out = tmp_path / "s"
    with pytest.raises(SystemExit) as code:
        main(["shocks", str(scenarios_dir / "competitor_pressure.yaml"), "--out", str(out)])
    assert code.value.code == 0
    table = pd.read_csv(out / "shocks.csv")
    assert table["shock"].tolist() == ["rival_in_live", "soft_market", "search_cpc_up",
                                       "budget_cut"]
    printed = capsys.readouterr().out
    assert "keep ≥ 70% of base ROI" in printed and "rival_in_live" in printed
    with pytest.raises(SystemExit) as code:
        main(["shocks", str(scenarios_dir / "demo.yaml")])
    assert code.value.code == 2 and "no shocks" in capsys.readouterr().err


def test_shock_channels_must_be_in_the_history(scenarios_dir):
    from budgetopt.forecasts.history.loader import load_history
    from budgetopt.optimizer.intake.inputs import check_inputs

    history = load_history(scenarios_dir / "data" / "history.csv")
    scenario = scenario_from_dict({**BASE, "shocks": [
        {"name": "typo", "channels": ["serch_ads"], "cost_change": 0.25}]})
    with pytest.raises(InputError, match="shocks.typo.channels: channel 'serch_ads' is not in"):
        check_inputs(scenario, history)
