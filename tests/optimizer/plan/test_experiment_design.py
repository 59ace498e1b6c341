"""Which test to run next, planned on a curve set of known responses (no fit): the ranked rows
in summary.json, their bounds (EVSI ≤ EVPI, net = EVSI − cost), the screen, the study's
standard error against its formula, reruns identical, and the table absent unless asked."""
from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.plan.experiment_design import WEEKS, study_error
from budgetopt.optimizer.scenario.loader import scenario_from_dict

NOISE = 0.05
#: channel → (gain per day, saturation scale in daily spend)
TRUTH = {"content_seo": (40_000.0, 6_000.0), "display_feed": (60_000.0, 12_000.0),
         "kol": (30_000.0, 9_000.0), "live_streaming": (90_000.0, 15_000.0),
         "private_domain": (20_000.0, 3_000.0), "search_ads": (70_000.0, 20_000.0),
         "short_video": (50_000.0, 10_000.0), "social": (25_000.0, 5_000.0)}
CERTAIN = "kol"          # one plausible curve: nothing to learn


def _inputs(demo_scenario, **report):
    scenario = scenario_from_dict({
        "name": "known curves", "history": "data/history.csv",
        "horizon": {"start": "2026-10-01", "end": "2026-12-31", "period": "week"},
        "budget": {"total": 7_000_000.0, "fixed_share": 0.5},
        "channels": {"search_ads": {"min": 500_000.0}},
        "risk": {"samples": 40}, "report": report}, source=demo_scenario)
    return load_inputs(scenario)


@pytest.fixture(scope="module")
def inputs(demo_scenario):
    return _inputs(demo_scenario, test_suggestions=True)


@pytest.fixture(scope="module")
def curves(inputs, toy_curves):
    units = {u.key: (u.channel, u.market, *TRUTH[u.channel]) for u in inputs.units}
    built = toy_curves.build(units, inputs.periods, plausible_gains=(0.5, 1.0, 1.6))
    made = []
    for u in built.units:
        u = dataclasses.replace(u, noise=NOISE)
        if u.channel == CERTAIN:
            u = dataclasses.replace(u, plausible=((u.response, 1.0, 0.0),))
        made.append(u)
    return dataclasses.replace(built, units=tuple(made))


@pytest.fixture(scope="module")
def section(inputs, curves):
    return plan_with(inputs, curves).summary["test_suggestions"]


def test_rows_are_ranked_by_the_value_of_their_test(section):
    rows = section["rows"]
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    keys = [(-r["evsi"], -r["evpi"], r["unit"]) for r in rows]
    assert keys == sorted(keys)
    assert section["units"] == len(TRUTH) and section["screened_out"] == 0
    assert any(r["evsi"] > 0 for r in rows)


def test_each_row_keeps_its_bounds(section):
    for r in section["rows"]:
        assert 0.0 <= r["evsi"] <= r["evpi"] + 1e-9
        assert r["test_cost"] >= 0.0
        if r["spend_change"] is not None:
            assert r["net_value"] == pytest.approx(r["evsi"] - r["test_cost"])
            assert r["weeks"] in WEEKS
            assert r["worth_running"] == (r["net_value"] > 0)
            # the spend moved has the test's sign and at most its share of the window's plan
            assert np.sign(r["test_spend"]) == np.sign(r["spend_change"])


def test_a_unit_with_one_plausible_curve_is_worth_nothing_to_test(section):
    row = next(r for r in section["rows"] if r["unit"] == CERTAIN)
    assert row["evpi"] == 0.0 and row["evsi"] == 0.0 and row["spend_change"] is None
    assert row["rank"] == len(section["rows"])


def test_the_screen_values_only_the_widest_spread(demo_scenario, curves):
    inputs = _inputs(demo_scenario, test_suggestions=True, test_units=2)
    section = plan_with(inputs, curves).summary["test_suggestions"]
    assert len(section["rows"]) == 2 and section["screened_out"] == len(TRUTH) - 2
    assert CERTAIN not in {r["unit"] for r in section["rows"]}


def test_reruns_are_identical_and_the_table_is_opt_in(demo_scenario, inputs, curves, section):
    again = plan_with(inputs, curves).summary["test_suggestions"]
    assert json.dumps(again, sort_keys=True) == json.dumps(section, sort_keys=True)
    plain = plan_with(_inputs(demo_scenario), curves)
    assert "test_suggestions" not in plain.summary
    assert "test_suggestions" in plan_with(_inputs(demo_scenario), curves,
                                           suggest_tests=True).summary


def test_the_study_error_follows_the_two_arm_formula(curves):
    unit = curves.units[0]
    weeks = 4
    steps = 7 * weeks // unit.step_days + unit.response.tail_steps()
    # additive responses: √2 · noise · √steps
    assert study_error(unit, weeks) == pytest.approx(math.sqrt(2 * steps) * NOISE)
    relative = dataclasses.replace(unit, response=dataclasses.replace(unit.response,
                                                                      multiplicative=True))
    kpi = np.asarray(unit.baseline[:steps], float) + np.where(
        np.arange(steps) < 7 * weeks // unit.step_days, 100.0, 0.0)
    assert study_error(relative, weeks, 100.0) == pytest.approx(
        math.sqrt(2.0) * NOISE * math.sqrt(float(np.sum(kpi ** 2))))
