"""frontier: the budget grid, the marks (mROI crossing, profit optimum) and real sweeps."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from budgetopt.errors import InputError
from budgetopt.optimizer.tools.frontier import _marks, budget_multiples, frontier, with_budget
from budgetopt.optimizer.scenario.loader import scenario_from_dict


def scenario(**extra):
    return scenario_from_dict({"name": "q", "history": "h.csv",
                               "horizon": {"start": "2026-10-01", "end": "2026-12-31"},
                               "budget": {"total": 1_000_000.0}, **extra})


def test_budget_multiples_include_the_scenario_budget():
    assert budget_multiples(0.5, 2.0, 4) == [0.5, 1.0, 1.5, 2.0]
    assert budget_multiples(0.5, 2.0, 3) == [0.5, 1.0, 1.25, 2.0]
    assert budget_multiples(1.5, 2.0, 2) == [1.5, 2.0]
    for bad in ((0, 2, 4), (2, 1, 4), (0.5, 2, 1)):
        with pytest.raises(InputError):
            budget_multiples(*bad)


def test_mroi_crossing_is_interpolated_and_profit_optimum_taken_from_points():
    points = pd.DataFrame({"budget": [1e6, 2e6, 3e6], "status": "optimal",
                           "marginal_roi": [2.0, 1.5, 0.5], "spend": [1e6, 2e6, 3e6],
                           "incremental_kpi": [5e6, 8e6, 9e6]})
    marks = _marks(scenario(margin=0.4), points)
    # 1.5 at 2M, 0.5 at 3M: mROI is 1 half way, at 2.5M
    assert marks["mroi_below_1_budget"] == pytest.approx(2.5e6)
    # profit = 0.4·KPI − spend: 1.0M, 1.2M, 0.6M
    assert marks["profit_optimal_budget"] == 2e6
    assert marks["profit_at_optimum"] == pytest.approx(1.2e6)
    never = _marks(scenario(), points.assign(marginal_roi=[3.0, 2.0, 1.0]))
    assert never["mroi_below_1_budget"] is None and "stays at or above 1" in never["mroi_below_1"]
    assert never["profit_optimal_budget"] is None


def test_with_budget_keeps_everything_else():
    s = scenario(channels={"a": {"min": 10.0}})
    t = with_budget(s, 5.0)
    assert t.budget.total == 5.0 and t.channels == s.channels and s.budget.total == 1_000_000


@pytest.mark.slow
def test_a_budget_too_small_for_the_rules_is_listed_as_failed(demo_fit):
    inputs, fitted_curves = demo_fit
    s = inputs.scenario.model_copy(update={"budget": inputs.scenario.budget.model_copy(update={
        "fixed_rule": "explicit", "fixed": {"kol": 2_000_000.0}})})
    front = frontier(s, start=0.1, stop=1.0, steps=2, curves=fitted_curves,
                     inputs=dataclasses.replace(inputs, scenario=s))
    small, full = front.points.iloc[0], front.points.iloc[1]
    # at 1.4M the 840k fixed pool cannot hold kol's 2M contract, and search_ads needs 1.5M
    assert small["status"] == "failed" and "budget.fixed amounts take 238%" in small["note"]
    assert full["status"] == "optimal" and np.isnan(small["incremental_kpi"])
    assert front.marks["mroi_below_1_budget"] is None


@pytest.mark.slow
def test_frontier_points_are_the_plans_at_each_budget(demo_fit):
    from budgetopt.optimizer.plan.pipeline import plan_with

    inputs, fitted_curves = demo_fit
    s = inputs.scenario.model_copy(update={"margin": 0.5})
    front = frontier(s, start=0.5, stop=3.0, steps=6, inputs=dataclasses.replace(
        inputs, scenario=s), curves=fitted_curves)
    pts = front.points
    assert pts["multiple"].tolist() == [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
    assert (pts["status"] == "optimal").all()
    assert np.allclose(pts["spend"], pts["budget"], rtol=1e-9)
    assert (np.diff(pts["incremental_kpi"]) > 0).all()      # more money, more return
    assert (np.diff(pts["marginal_roi"]) < 0).all()         # at a falling margin
    assert (np.diff(pts["roi"]) < 0).all()
    # each point is the plan at that budget
    direct = plan_with(dataclasses.replace(inputs, scenario=with_budget(s, 2 * s.budget.total)),
                       fitted_curves)
    at2 = pts[pts["multiple"] == 2.0].iloc[0]
    assert at2["incremental_kpi"] == pytest.approx(direct.totals["incremental_kpi"], rel=1e-9)
    assert at2["predicted_kpi"] == pytest.approx(direct.totals["predicted_kpi"], rel=1e-6)
    assert at2["marginal_roi"] == pytest.approx(direct.summary["budget_dual"], rel=1e-9)
    # extra budget returns at most the marginal ROI of dynamic money where it starts: fixed
    # money lands where mROI is at or below it, dynamic money at it, and curves are concave
    for lo, hi in zip(pts.index[:-1], pts.index[1:]):
        assert 0 < pts.loc[hi, "frontier_slope"] <= pts.loc[lo, "marginal_roi"] + 1e-6
    profit = 0.5 * pts["incremental_kpi"] - pts["spend"]
    assert front.marks["profit_optimal_budget"] == pts.loc[profit.idxmax(), "budget"]
    files = front.files()
    assert files["frontier.png"].startswith(b"\x89PNG")
    again = front.files()
    assert all(files[name] == again[name] for name in files)
    marks = json.loads(files["frontier.json"])["marks"]
    assert marks["scenario_budget"] == s.budget.total


@pytest.mark.slow
def test_frontier_command_writes_csv_chart_and_workbook(demo_scenario, tmp_path, capsys):
    from budgetopt.optimizer.cli.main import main

    out = tmp_path / "f"
    with pytest.raises(SystemExit) as code:
        main(["frontier", str(demo_scenario), "--from", "0.5", "--to", "1.5", "--steps", "3",
              "--out", str(out)])
    assert code.value.code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "frontier.csv", "frontier.json", "frontier.png", "frontier.xlsx"]
    table = pd.read_csv(out / "frontier.csv")
    assert table["multiple"].tolist() == [0.5, 1.0, 1.5]
    assert "1.00 *" in capsys.readouterr().out
    with pytest.raises(SystemExit) as code:
        main(["frontier", str(demo_scenario), "--from", "2", "--to", "1"])
    assert code.value.code == 2
