"""How far the plan's inputs and its curve set travel: followed from `plan_with` call by call,
each enters at most 12 modules and no module more than three times (entered once, re-entered
at most twice), and no planning stage is handed a forecaster."""
from __future__ import annotations

import sys
from collections import Counter

import pytest

from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.scenario.loader import scenario_from_dict

CHANNELS = ("content_seo", "display_feed", "kol", "live_streaming", "private_domain",
            "search_ads", "short_video", "social")


def follow(call, *targets):
    """Per target: how often each project module was entered from another module by a call
    that passes the target as an argument (a method's own `self` does not count)."""
    entries = [Counter() for _ in targets]

    def profile(frame, event, arg):
        if event != "call":
            return
        module = frame.f_globals.get("__name__", "")
        caller = frame.f_back.f_globals.get("__name__", "") if frame.f_back else ""
        if not module.startswith("budgetopt") or module == caller:
            return
        code = frame.f_code
        names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
        values = [frame.f_locals.get(n) for n in names if n != "self"]
        for i, target in enumerate(targets):
            if any(v is target for v in values):
                entries[i][module] += 1

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return entries


@pytest.fixture(scope="module")
def inputs(demo_scenario):
    scenario = scenario_from_dict({
        "name": "flow", "history": "data/history.csv",
        "horizon": {"start": "2026-10-01", "end": "2026-12-31", "period": "week"},
        "budget": {"total": 7_000_000.0},
        "channels": {"search_ads": {"min": 500_000.0}},
        "solver": {"refine_rounds": 3}}, source=demo_scenario)
    return load_inputs(scenario)


def test_inputs_and_curve_set_stay_within_twelve_modules(inputs, toy_curves):
    units = {u.key: (u.channel, u.market, 20_000.0 + 5_000.0 * i, 8_000.0)
             for i, u in enumerate(inputs.units)}
    curves = toy_curves.build(units, inputs.periods)
    by_inputs, by_curves = follow(lambda: plan_with(inputs, curves), inputs, curves)
    assert by_inputs and by_curves                      # the tracer saw both travel
    assert "budgetopt.optimizer.plan.pipeline" in by_inputs
    assert len(by_inputs) <= 12, by_inputs
    assert len(by_curves) <= 12, by_curves
    assert max(by_inputs.values()) <= 3, by_inputs
    assert max(by_curves.values()) <= 3, by_curves
    # forecasting is not entered at all: the curve set's own reads are data
    assert not any(m.startswith("budgetopt.forecasts.models") for m in by_curves)
