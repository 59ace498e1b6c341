"""Every objective against an independent exact answer on separable log curves
a·ln(1 + x/b): bisection on the Lagrange multiplier (the `log_curves` fixture, tests/conftest.py)
or closed forms."""
from __future__ import annotations

import numpy as np
import pytest

from budgetopt.optimizer.lp.allocate import allocate
from budgetopt.optimizer.rules.bounds import ChannelBound, DynamicBudget
from budgetopt.optimizer.lp.objectives import (MaxProfit, MaxRevenue, MaxRoi, TargetRoi,
                                               make_objective)
from budgetopt.optimizer.rules.returns import FixedCommitted, ReturnHurdle
from budgetopt.optimizer.rules.returns import TargetRoi as TargetRoiRule

SOLVERS = ["highs", "cbc"]


def _x(solution, units, n_periods):
    return np.array([[solution.spend[(u.key, p)] for p in range(n_periods)] for u in units])


def _world(log_curves, seed, n_units=5, n_periods=3, budget=1_000_000.0):
    units, a, b = log_curves.world(n_units, n_periods, seed=seed)
    curves = log_curves.table(units, a, b, budget * 1.1, points=300)
    return units, a, b, curves, list(range(n_periods))


@pytest.mark.parametrize("seed", range(6))
def test_max_revenue_with_channel_caps_matches_bisection_within_0_1pct(log_curves, seed):
    units, a, b, curves, periods = _world(log_curves, seed)
    budget = 1_000_000.0
    rng = np.random.default_rng(seed)
    caps = rng.uniform(60_000, 400_000, size=len(units))
    caps *= max(1.0, 1.3 * budget / caps.sum())          # together they can absorb the budget
    rules = [DynamicBudget("budget", "==", amount=budget)]
    rules += [ChannelBound(f"max:{u.key}", "<=", channel=u.key, amount=float(caps[i]), label="max")
              for i, u in enumerate(units)]
    run = allocate(curves, units, periods, {}, rules)
    assert run.solution.status == "Optimal"
    x = _x(run.solution, units, len(periods))
    for i in range(len(units)):
        assert x[i].sum() <= caps[i] + 1e-3
    # independent optimum: per-channel caps on a channel's total are handled by bisecting λ
    # with an inner bisection per capped channel (a channel at its cap has its own multiplier)
    best = _exact_with_channel_caps(log_curves, a, b, budget, caps)
    achieved = float(np.sum(log_curves.value(x, a, b)))
    assert achieved >= best * (1 - 1e-3)
    assert achieved <= best * (1 + 1e-9)


def _exact_with_channel_caps(log_curves, a, b, budget, caps):
    def channel_spend(i, lam):
        return np.clip(a[i] / lam - b[i], 0, None)

    def capped(i, lam):
        x = channel_spend(i, lam)
        if x.sum() <= caps[i]:
            return x
        lo, hi = lam, float(np.max(a[i] / b[i])) * 10
        for _ in range(200):
            mid = np.sqrt(lo * hi)
            lo, hi = (mid, hi) if channel_spend(i, mid).sum() > caps[i] else (lo, mid)
        return channel_spend(i, hi)

    lo, hi = 1e-9, float(np.max(a / b))
    for _ in range(200):
        mid = np.sqrt(lo * hi)
        total = sum(capped(i, mid).sum() for i in range(len(a)))
        lo, hi = (mid, hi) if total > budget else (lo, mid)
    x = np.array([capped(i, hi) for i in range(len(a))])
    return float(np.sum(log_curves.value(x, a, b)))


@pytest.mark.parametrize("solver", SOLVERS)
def test_max_profit_spends_until_margin_times_slope_is_one(log_curves, solver):
    units, a, b, curves, periods = _world(log_curves, 11, budget=3_000_000.0)
    margin = 0.3
    rules = [DynamicBudget("budget", "<=", amount=3_000_000.0)]
    run = allocate(curves, units, periods, {}, rules, solver=solver,
                   objective=MaxProfit(margin=margin))
    x = _x(run.solution, units, len(periods))
    exact = np.clip(margin * a - b, 0, None)       # margin·a/(b + x) = 1
    assert exact.sum() < 3_000_000.0                # the budget is not what stops it
    best = float(np.sum(margin * log_curves.value(exact, a, b) - exact))
    got = float(np.sum(margin * log_curves.value(x, a, b) - x))
    assert got == pytest.approx(best, rel=1e-3)
    assert run.solution.objective == pytest.approx(best, rel=1e-3)
    budget_row = next(r for r in run.solution.rows if r.rule.name == "budget")
    assert budget_row.price == pytest.approx(0.0, abs=1e-9)   # unspent money is worth nothing


@pytest.mark.parametrize("solver", SOLVERS)
def test_max_roi_places_the_committed_pool_where_it_earns_most(log_curves, solver):
    # log curves earn less at the margin than on average, so the best ratio spends only the
    # committed fixed pool, placed optimally: ratio = exact(F) / F
    units, a, b, curves, periods = _world(log_curves, 5)
    fixed_pool = 400_000.0
    rules = [DynamicBudget("budget", "<=", amount=1_000_000.0, pool="the plan"),
             FixedCommitted("fixed_pool", ">=", amount=fixed_pool)]
    run = allocate(curves, units, periods, {}, rules, solver=solver, objective=MaxRoi())
    _, best, _ = log_curves.exact_optimum(a, b, fixed_pool)
    x = _x(run.solution, units, len(periods))
    assert x.sum() == pytest.approx(fixed_pool, rel=1e-6)
    assert run.solution.objective == pytest.approx(best / fixed_pool, rel=1e-3)


def test_max_roi_shadow_price_is_the_derivative_of_the_ratio(log_curves):
    units, a, b, curves, periods = _world(log_curves, 6)
    step = 2_000.0

    def solve(pool):
        rules = [DynamicBudget("budget", "<=", amount=1_000_000.0, pool="the plan"),
                 FixedCommitted("fixed_pool", ">=", amount=pool)]
        return allocate(curves, units, periods, {}, rules, objective=MaxRoi()).solution

    base = solve(300_000.0)
    price = next(r.price for r in base.rows if r.rule.name == "fixed_pool")
    moved = (solve(300_000.0 + step).objective - base.objective) / step
    assert price < 0 and price == pytest.approx(moved, rel=0.05)


@pytest.mark.parametrize("solver", SOLVERS)
def test_target_roi_spends_as_much_as_keeps_roi_at_target(log_curves, solver):
    units, a, b, curves, periods = _world(log_curves, 7, budget=4_000_000.0)
    target = 3.0
    rules = [DynamicBudget("budget", "<=", amount=4_000_000.0),
             TargetRoiRule("target_roi", ">=", target=target)]
    run = allocate(curves, units, periods, {}, rules, solver=solver,
                   objective=TargetRoi(target=target))
    x = _x(run.solution, units, len(periods))
    # independent: the largest spend S whose optimal split still has ROI ≥ target (bisection)
    lo, hi = 1.0, 4_000_000.0
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if log_curves.exact_optimum(a, b, mid)[1] / mid >= target else (lo, mid)
    assert hi < 4_000_000.0
    assert x.sum() == pytest.approx(lo, rel=2e-3)
    assert float(np.sum(log_curves.value(x, a, b))) / x.sum() >= target * (1 - 1e-3)


@pytest.mark.parametrize("solver", SOLVERS)
def test_hurdle_keeps_dynamic_money_above_the_marginal_roi_and_returns_the_rest(log_curves, solver):
    units, a, b, curves, periods = _world(log_curves, 8, budget=5_000_000.0)
    hurdle = 4.0
    rules = [DynamicBudget("budget", "<=", amount=5_000_000.0),
             ReturnHurdle("dynamic_min_roi", "<=", threshold=hurdle, allowed=0.0)]
    run = allocate(curves, units, periods, {}, rules, solver=solver)
    x = _x(run.solution, units, len(periods))
    exact = np.clip(a / hurdle - b, 0, None)        # slope a/(b+x) = hurdle
    assert exact.sum() < 5_000_000.0
    assert x.sum() == pytest.approx(exact.sum(), rel=1e-2)
    slopes = a / (b + x)
    assert np.all(slopes[x > 1_000] >= hurdle * 0.97)
    # a segment is funded only when its whole chord earns the hurdle, so each cell stops at
    # the last breakpoint below the exact point: a little under the exact return, never over
    got = float(np.sum(log_curves.value(x, a, b)))
    best = float(np.sum(log_curves.value(exact, a, b)))
    assert best * (1 - 5e-3) <= got <= best * (1 + 1e-9)


def test_overspend_goes_only_where_it_earns_the_hurdle(log_curves):
    units, a, b, curves, periods = _world(log_curves, 9, budget=3_000_000.0)
    pool, extra, bar = 1_000_000.0, 200_000.0, 1.0
    rules = [DynamicBudget("budget", "<=", amount=pool + extra),
             ReturnHurdle("overspend", "<=", threshold=bar, allowed=pool, label="overspend")]
    run = allocate(curves, units, periods, {}, rules)
    x = _x(run.solution, units, len(periods))
    assert pool < x.sum() <= pool + extra + 1e-3
    # every cell above the pool's optimum is funded only where slope ≥ bar
    _, _, lam = log_curves.exact_optimum(a, b, x.sum())
    assert lam >= bar * 0.99
    no_extra = allocate(curves, units, periods, {},
                        [DynamicBudget("budget", "==", amount=pool)]).solution
    assert run.solution.objective > no_extra.objective


@pytest.mark.parametrize("name", ["max_revenue", "max_profit", "max_roi", "target_roi"])
def test_highs_and_cbc_agree_for_every_objective(log_curves, name):
    units, a, b, curves, periods = _world(log_curves, 10)
    objective = make_objective(name, margin=0.5, target=3.5)
    rules = [DynamicBudget("budget", objective.budget_sense, amount=900_000.0),
             ChannelBound("min:ch00", ">=", channel="ch00", amount=150_000.0, label="min")]
    if name == "target_roi":
        rules.append(TargetRoiRule("target_roi", ">=", target=3.5))
    results = [allocate(curves, units, periods, {}, rules, solver=s, objective=objective).solution
               for s in SOLVERS]
    assert all(r.status == "Optimal" for r in results)
    assert results[0].objective == pytest.approx(results[1].objective, rel=1e-6)


def test_objective_factory_reads_the_scenario_names():
    assert isinstance(make_objective("max_revenue"), MaxRevenue)
    assert make_objective("max_profit", margin=0.4).margin == 0.4
    assert make_objective("target_roi", target=4.0).budget_sense == "<="
    assert make_objective("max_roi").measure("revenue") == "ROI"
