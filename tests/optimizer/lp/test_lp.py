"""The LP against exact answers: analytic optima, solver agreement, rules and duals."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from budgetopt.optimizer.lp.allocate import allocate, curve_segments
from budgetopt.optimizer.rules.bounds import ChannelBound, DynamicBudget, RoiFloor, ShareBound
from budgetopt.optimizer.lp.segments import concave_envelope, segments_above
from budgetopt.units import Unit


def _spend_matrix(solution, units, n_periods):
    return np.array([[solution.spend[(u.key, p)] for p in range(n_periods)] for u in units])


def test_lp_matches_the_analytic_log_optimum_within_half_a_percent(log_curves):
    units, a, b = log_curves.world(6, 4, seed=1)
    budget = 1_500_000.0
    _, best, _ = log_curves.exact_optimum(a, b, budget)
    curves = log_curves.table(units, a, b, budget)
    run = allocate(curves, units, list(range(4)), {}, [DynamicBudget("budget", "==", amount=budget)])
    assert run.solution.status == "Optimal"
    x = _spend_matrix(run.solution, units, 4)
    assert x.sum() == pytest.approx(budget, rel=1e-9)
    achieved = float(np.sum(log_curves.value(x, a, b)))   # the LP's plan valued on the true curves
    assert achieved >= best * (1 - 0.005)
    assert achieved <= best * (1 + 1e-9)
    assert run.solution.objective == pytest.approx(best, rel=0.005)


def test_lp_equalizes_marginal_roi_across_funded_units(log_curves):
    units, a, b = log_curves.world(5, 3, seed=2)
    budget = 900_000.0
    _, _, lam = log_curves.exact_optimum(a, b, budget)
    run = allocate(log_curves.table(units, a, b, budget), units, [0, 1, 2], {},
                   [DynamicBudget("budget", "==", amount=budget)])
    x = _spend_matrix(run.solution, units, 3)
    slopes = a / (b + x)
    funded = x > 1_000
    assert np.allclose(slopes[funded], lam, rtol=0.05)
    assert np.all(slopes[~funded] <= lam * 1.05)
    budget_row = next(r for r in run.solution.rows if r.rule.name == "budget")
    assert budget_row.price == pytest.approx(lam, rel=0.05)


def _ruled_problem(log_curves):
    units, a, b = log_curves.world(6, 3, seed=3)
    budget = 1_200_000.0
    curves = log_curves.table(units, a, b, budget * 1.2, points=120)
    fixed = {(u.key, p): 20_000.0 for u in units for p in range(3)}
    dynamic = budget - sum(fixed.values())
    rules = [DynamicBudget("budget", "==", amount=dynamic),
             ChannelBound("min:ch00", ">=", channel="ch00", amount=250_000, label="min"),
             ChannelBound("max:ch01", "<=", channel="ch01", amount=100_000, label="max"),
             ChannelBound("lock:ch02", "==", channel="ch02", amount=150_000, label="lock"),
             ShareBound("max_share:ch03", "<=", channels=("ch03",), share=0.15, label="max_share"),
             ShareBound("group_min_share:g", ">=", channels=("ch04", "ch05"), share=0.4,
                        label="min_share", group="g"),
             RoiFloor("roi_floor:ch00", ">=", channel="ch00", ratio=3.0)]
    return units, a, b, curves, fixed, rules, budget


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_every_rule_holds_on_the_solution(log_curves, solver):
    units, a, b, curves, fixed, rules, budget = _ruled_problem(log_curves)
    run = allocate(curves, units, [0, 1, 2], fixed, rules, solver=solver)
    assert run.solution.status == "Optimal"
    x = _spend_matrix(run.solution, units, 3)
    per_unit = x.sum(axis=1)
    total = x.sum()
    tol = 1e-8 * budget   # CBC reports values to about 10 significant digits
    assert total == pytest.approx(budget, abs=tol)
    assert np.all(x >= np.array([[fixed[(u.key, p)] for p in range(3)] for u in units]) - tol)
    assert per_unit[0] >= 250_000 - tol
    assert per_unit[1] <= 100_000 + tol
    assert per_unit[2] == pytest.approx(150_000, abs=tol)
    assert per_unit[3] <= 0.15 * total + tol
    assert per_unit[4] + per_unit[5] >= 0.4 * total - tol
    # ROI floor, valued on the piecewise-linear curves the LP used
    inc0 = sum(run.segments[("ch00", p)].value(x[0, p]) for p in range(3))
    assert inc0 >= 3.0 * per_unit[0] - 1e-3


def test_highs_and_cbc_agree_on_the_objective(log_curves):
    units, a, b, curves, fixed, rules, _ = _ruled_problem(log_curves)
    highs = allocate(curves, units, [0, 1, 2], fixed, rules, solver="highs").solution
    cbc = allocate(curves, units, [0, 1, 2], fixed, rules, solver="cbc").solution
    assert highs.objective == pytest.approx(cbc.objective, rel=1e-6)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_shadow_prices_match_finite_differences(log_curves, solver):
    units, a, b, curves, fixed, rules, budget = _ruled_problem(log_curves)
    base = allocate(curves, units, [0, 1, 2], fixed, rules, solver=solver).solution
    prices = {r.rule.name: r.price for r in base.rows}
    step = 1_000.0

    def resolve(name, new_rule):
        changed = [new_rule if r.name == name else r for r in rules]
        return allocate(curves, units, [0, 1, 2], fixed, changed, solver=solver).solution.objective

    more_budget = resolve("budget", DynamicBudget("budget", "==", amount=rules[0].amount + step))
    assert (more_budget - base.objective) / step == pytest.approx(prices["budget"], rel=0.02)
    looser_max = resolve("max:ch01", ChannelBound("max:ch01", "<=", channel="ch01",
                                                  amount=100_000 + step, label="max"))
    assert (looser_max - base.objective) / step == pytest.approx(prices["max:ch01"], rel=0.02)
    assert prices["max:ch01"] > 0


def test_infeasible_rules_are_reported_not_solved(log_curves):
    units, a, b = log_curves.world(2, 1)
    curves = log_curves.table(units, a, b, 200_000, points=20)
    rules = [DynamicBudget("budget", "==", amount=100_000),
             ChannelBound("min:ch00", ">=", channel="ch00", amount=80_000, label="min"),
             ChannelBound("min:ch01", ">=", channel="ch01", amount=80_000, label="min")]
    run = allocate(curves, units, [0], {}, rules)
    assert run.solution.status == "Infeasible"


def test_concave_envelope_of_an_s_curve_is_concave_and_above_it():
    x = np.linspace(0, 10, 41)
    y = 10 * x**3 / (27 + x**3)
    env = concave_envelope(x, y)
    assert np.all(env >= y - 1e-12)
    slopes = np.diff(env) / np.diff(x)
    assert np.all(np.diff(slopes) <= 1e-9)
    assert env[0] == 0 and env[-1] == pytest.approx(y[-1])
    assert np.max(env - y) > 0.5        # the convex start really was lifted


def test_envelope_leaves_concave_curves_alone_and_flags_s_curves():
    x = np.linspace(0, 10, 21)
    curves = pd.concat([
        pd.DataFrame({"unit": "concave", "period": 0, "spend": x, "incremental_kpi": np.sqrt(x)}),
        pd.DataFrame({"unit": "s_shape", "period": 0, "spend": x,
                      "incremental_kpi": x**3 / (27 + x**3)})])
    segments, reshaped, _ = curve_segments(curves, {})
    assert reshaped == ["s_shape"]
    assert segments[("concave", 0)].value(4.0) == pytest.approx(2.0)


def test_segments_value_and_marginal_read_the_curve():
    x = np.array([0.0, 10.0, 20.0, 40.0])
    y = np.array([0.0, 50.0, 80.0, 100.0])
    seg = segments_above(x, y, fixed=5.0)
    assert seg.value_at_fixed == pytest.approx(25.0)
    assert seg.value(15.0) == pytest.approx(65.0)
    assert seg.value(40.0) == pytest.approx(100.0)
    assert seg.marginal(15.0) == pytest.approx(3.0)     # inside the 10–20 segment
    assert seg.marginal(20.0) == pytest.approx(1.0)     # next money buys the 20–40 segment
    assert seg.marginal(40.0) == 0.0                    # past the last breakpoint


def test_curve_table_must_start_at_zero():
    from budgetopt.errors import InputError
    bad = pd.DataFrame({"unit": "a", "period": 0, "spend": [1.0, 2.0],
                        "incremental_kpi": [1.0, 2.0]})
    with pytest.raises(InputError, match="does not start at"):
        curve_segments(bad, {})


def test_units_with_markets_sum_into_channel_rules(log_curves):
    units = [Unit("search", "north"), Unit("search", "south"), Unit("social", None)]
    a = np.array([[200_000.0], [150_000.0], [300_000.0]])
    b = np.array([[10_000.0], [10_000.0], [10_000.0]])
    curves = log_curves.table(units, a, b, 500_000, points=100)
    rules = [DynamicBudget("budget", "==", amount=300_000),
             ChannelBound("max:search", "<=", channel="search", amount=50_000, label="max")]
    run = allocate(curves, units, [0], {}, rules)
    spend = run.solution.spend
    assert spend[("search/north", 0)] + spend[("search/south", 0)] == pytest.approx(50_000, abs=1e-4)
    assert spend[("social", 0)] == pytest.approx(250_000, abs=1e-4)
