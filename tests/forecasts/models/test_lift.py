"""A lift test's predicted lift against a step-by-step computation, the likelihood term, and
the simulated tests of the datasets against the world's truth."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from budgetopt.datasets import mixed_world, simulated_lift_test
from budgetopt.forecasts.components.response import Response
from budgetopt.forecasts.models.lift import (LiftEvidence, LiftWindow, control_spend,
                                             predicted_lift, returns_at_history)


def _by_hand(r, base, x_test, x_ctrl):
    """Both arms simulated one step at a time (additive form, no coupling)."""
    def kpi(x):
        a, out = x[0], []
        for v in x:
            a = r.carryover * a + (1 - r.carryover) * v
            out.append(base + r.gain * (1 - np.exp(-a / r.scale)))
        return np.array(out)
    return float(np.sum(kpi(x_test) - kpi(x_ctrl)))


def test_predicted_lift_counts_the_carryover_tail_after_the_window():
    r = Response("exp", 100.0, 1.0, 0.6, 500.0, False, 0.0)
    rng = np.random.default_rng(0)
    spend = rng.uniform(50, 150, 200)
    y = 1000 + r.gain * r.saturate(r.adstock(spend))
    first, last = 100, 127
    ctrl = control_spend(spend, first, last, 0.2 * spend[first:last + 1].sum())
    window = LiftWindow(first, last, ctrl, 0.0, 1.0)
    x_ctrl = spend.copy()
    x_ctrl[first:last + 1] = ctrl
    expected = _by_hand(r, 1000.0, spend, x_ctrl)
    # the tail is followed until 0.1% of the effect remains (TAIL_SHARE), the hand sum to the end
    assert predicted_lift(r, y, spend, window) == pytest.approx(expected, rel=1e-3)
    # the tail matters: the window's own days alone fall short of the whole lift
    inside = _by_hand(r, 1000.0, spend[:last + 1], x_ctrl[:last + 1])
    assert expected - inside > 0.03 * expected
    assert np.allclose(ctrl.sum(), 0.8 * spend[first:last + 1].sum())


def test_evidence_is_the_squared_standardized_miss():
    r = Response("exp", 100.0, 1.0, 0.3, 500.0, False, 0.0)
    spend = np.full(120, 100.0)
    y = 1000 + r.gain * r.saturate(r.adstock(spend))
    window = LiftWindow(60, 80, control_spend(spend, 60, 80, 420.0), 0.0, 50.0)
    pred = predicted_lift(r, y, spend, window)
    ev = LiftEvidence(y, spend, (LiftWindow(60, 80, window.control, pred + 100.0, 50.0),))
    assert ev(r) == pytest.approx(4.0, rel=1e-9)
    roi, mroi = returns_at_history(r, y, spend)
    assert roi == pytest.approx(r.gain * r.saturate(np.array([100.0]))[0] / 100.0, rel=1e-9)
    assert 0 < mroi < roi          # concave: the next unit earns less than the average


def test_simulated_lift_test_matches_the_truth_arm_by_arm():
    world = mixed_world(1)
    test = simulated_lift_test(world, "ch03", change=0.3, seed=2)
    c = world.truth("ch03")
    daily = world.historical_daily_spend(c)
    days = daily.index
    inside = (days >= pd.Timestamp(test["start"])) & (days <= pd.Timestamp(test["end"]))
    assert inside.sum() == 28
    control = daily.to_numpy().copy()
    control[inside] = control[inside] / 1.3
    both = [world.simulated_incremental(c, days, x) for x in (daily.to_numpy(), control)]
    # the simulation follows the tail until 0.01% remains; the arm-by-arm sum runs to the end
    assert test["true_lift"] == pytest.approx(float(np.sum(both[0] - both[1])), rel=1e-4)
    assert test["spend_change"] == pytest.approx(float(daily[inside].sum() * 0.3 / 1.3),
                                                 abs=0.01)
    assert test["std_error"] > 0 and test["lift"] > 0
    cut = simulated_lift_test(world, "ch03", change=-0.3, seed=2)
    assert cut["true_lift"] < 0 and cut["spend_change"] < 0
