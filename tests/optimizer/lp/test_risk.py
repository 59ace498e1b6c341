"""The risk-aware LP (mean / CVaR over plausible curves, the history guard) against
independent computations: scipy's linprog on the same sample curves, brute force on a grid,
and the guard checked on the solution."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from budgetopt.optimizer.lp.allocate import allocate
from budgetopt.optimizer.rules.guard import HistoryGuard
from budgetopt.units import Unit
from budgetopt.optimizer.lp.risk import RiskTerms, SampleCurves, cvar
from budgetopt.optimizer.rules.bounds import ChannelBound, DynamicBudget

GRID = np.linspace(0.0, 100.0, 11)


def log_curve(x, a, b):
    """a · ln(1 + x/b): concave, slope a/(b + x)."""
    return a * np.log1p(np.asarray(x, float) / b)


def _world(samples=12, seed=0):
    """Two units, one period: unit A is certain and saturating, unit B is a gamble whose
    curve is steep in some samples and flat in others."""
    rng = np.random.default_rng(seed)
    units = [Unit("A"), Unit("B")]
    point, rows = [], []
    a_a = np.full(samples, 60.0)
    a_b = np.where(rng.random(samples) < 0.5, 160.0, 10.0) * rng.uniform(0.8, 1.2, samples)
    for unit, amp, b in (("A", a_a, 20.0), ("B", a_b, 60.0)):
        point.append(pd.DataFrame({"unit": unit, "period": 0, "spend": GRID,
                                   "incremental_kpi": log_curve(GRID, float(amp.mean()), b)}))
        for s in range(samples):
            rows.append(pd.DataFrame({"unit": unit, "period": 0, "sample": s, "spend": GRID,
                                      "incremental_kpi": log_curve(GRID, amp[s], b)}))
    return units, pd.concat(point, ignore_index=True), pd.concat(rows, ignore_index=True)


def _linprog_cvar(table, budget, alpha, measure, history=None):
    """Independent formulation: spend of each unit as 10 segment variables, sample values by
    explicit slopes, Rockafellar–Uryasev with scipy's HiGHS."""
    units = ["A", "B"]
    S = int(table["sample"].nunique())
    slopes = {}
    for u in units:
        y = (table[table["unit"] == u].sort_values(["sample", "spend"])["incremental_kpi"]
             .to_numpy().reshape(S, -1))
        slopes[u] = np.diff(y, axis=1) / np.diff(GRID)
    K = len(GRID) - 1
    nx = 2 * K
    # variables: x (nx), t, u_s (S), [g, w_s (S)]
    guard = history is not None
    n = nx + 1 + S + (1 + S if guard else 0)
    c = np.zeros(n)
    V = np.hstack([slopes["A"], slopes["B"]])          # S × nx
    if measure == "mean":
        c[:nx] = -V.mean(axis=0)
    else:
        c[nx] = -1.0
        c[nx + 1:nx + 1 + S] = 1.0 / (alpha * S)
    A_ub, b_ub = [], []
    for s in range(S):                                  # t − v_s − u_s ≤ 0
        row = np.zeros(n)
        row[:nx] = -V[s]
        row[nx] = 1.0
        row[nx + 1 + s] = -1.0
        A_ub.append(row)
        b_ub.append(0.0)
    if guard:
        g = nx + 1 + S
        for s in range(S):                              # g − (v_s − h_s) − w_s ≤ 0
            row = np.zeros(n)
            row[:nx] = -V[s]
            row[g] = 1.0
            row[g + 1 + s] = -1.0
            A_ub.append(row)
            b_ub.append(-history[s])
        row = np.zeros(n)                               # −(g − Σw/(αS)) ≤ 0
        row[g] = -1.0
        row[g + 1:] = 1.0 / (alpha * S)
        A_ub.append(row)
        b_ub.append(0.0)
    A_eq = np.zeros((1, n))
    A_eq[0, :nx] = 1.0
    bounds = ([(0, d) for d in np.diff(GRID)] * 2 + [(None, None)] + [(0, None)] * S
              + ([(None, None)] + [(0, None)] * S if guard else []))
    res = linprog(c, A_ub=np.array(A_ub), b_ub=b_ub, A_eq=A_eq, b_eq=[budget], bounds=bounds,
                  method="highs")
    assert res.status == 0
    return res, V


@pytest.mark.parametrize("measure", ["mean", "cvar"])
def test_risk_lp_matches_scipy_linprog_on_the_same_sample_curves(measure):
    units, point, table = _world()
    budget, alpha = 90.0, 0.25
    risk = RiskTerms(SampleCurves(table), measure=measure, alpha=alpha)
    run = allocate(point, units, [0], {}, [DynamicBudget("budget", "==", amount=budget)],
                   risk=risk)
    assert run.solution.status == "Optimal"
    res, _ = _linprog_cvar(table, budget, alpha, measure)
    assert run.solution.objective == pytest.approx(-res.fun, rel=1e-6)
    # the reported objective is the measure of the plan's own sample values
    values = SampleCurves(table).values(run.solution.spend)
    direct = values.mean() if measure == "mean" else cvar(values, alpha)
    assert run.solution.objective == pytest.approx(direct, rel=1e-6)


def test_cvar_plan_is_the_brute_force_best_on_the_grid_and_hedges_the_gamble():
    units, point, table = _world()
    budget, alpha = 90.0, 0.25
    curves = SampleCurves(table)
    best, best_split = -np.inf, None
    for a in np.linspace(0, budget, 181):               # every split, 0.5 apart
        value = cvar(curves.values({("A", 0): a, ("B", 0): budget - a}), alpha)
        if value > best:
            best, best_split = value, a
    run = allocate(point, units, [0], {}, [DynamicBudget("budget", "==", amount=budget)],
                   risk=RiskTerms(curves, measure="cvar", alpha=alpha))
    assert run.solution.objective >= best - 1e-6 * abs(best)
    assert run.solution.objective <= best + 0.01 * abs(best)   # the grid is 0.5 apart
    mean_run = allocate(point, units, [0], {}, [DynamicBudget("budget", "==", amount=budget)],
                        risk=RiskTerms(curves, measure="mean", alpha=alpha))
    # CVaR puts more on the certain unit than the mean does
    assert run.solution.spend[("A", 0)] > mean_run.solution.spend[("A", 0)] + 1.0
    assert abs(run.solution.spend[("A", 0)] - best_split) <= 5.0


def test_history_guard_holds_on_the_solution_and_matches_linprog():
    units, point, table = _world(seed=3)
    budget, alpha = 90.0, 0.25
    curves = SampleCurves(table)
    mix = {("A", 0): 75.0, ("B", 0): 15.0}
    history = curves.values(mix)
    # an objective that alone would gamble on B: the mean, with B forced to a large minimum
    # unless the guard pulls it back
    rules = [DynamicBudget("budget", "==", amount=budget)]
    free = allocate(point, units, [0], {}, rules,
                    risk=RiskTerms(curves, measure="mean", alpha=alpha))
    guarded = allocate(point, units, [0], {}, rules,
                       risk=RiskTerms(curves, measure="mean", alpha=alpha, history=history,
                                  guard_rule=HistoryGuard.over))
    assert guarded.solution.status == "Optimal"
    uplift = curves.values(guarded.solution.spend) - history
    assert cvar(uplift, alpha) >= -1e-6 * np.abs(history).max()
    res, _ = _linprog_cvar(table, budget, alpha, "mean", history)
    assert guarded.solution.objective == pytest.approx(-res.fun, rel=1e-6)
    assert guarded.solution.objective <= free.solution.objective + 1e-9
    row = next(r for r in guarded.solution.rows if r.rule.name == "risk_guard")
    assert "worst 25% of plausible" in row.rule.describe("CNY")


@pytest.mark.parametrize("measure", ["mean", "cvar"])
def test_a_guard_the_plan_meets_anyway_gives_the_guarded_optimum_without_its_rows(measure):
    """A mix far below the plan: the plan that ignores the guard meets it, so it is the guarded
    LP's optimum; the guard is checked on it and its sample rows are never written."""
    units, point, table = _world(seed=3)
    budget, alpha = 90.0, 0.25
    curves = SampleCurves(table)
    history = curves.values({("A", 0): 5.0, ("B", 0): 5.0})      # a plan spending 10 of 90
    rules = [DynamicBudget("budget", "==", amount=budget)]
    terms = RiskTerms(curves, measure=measure, alpha=alpha, history=history,
                      guard_rule=HistoryGuard.over)
    run = allocate(point, units, [0], {}, rules, risk=terms)
    assert run.solution.status == "Optimal"
    assert not any(r.rule.name == "risk_guard" for r in run.solution.rows)
    assert terms.guard_holds(run.solution.spend)
    assert cvar(curves.values(run.solution.spend) - history, alpha) > 0
    res, _ = _linprog_cvar(table, budget, alpha, measure, history)      # with the guard's rows
    assert res.status == 0
    assert run.solution.objective == pytest.approx(-res.fun, rel=1e-6)


def test_guard_holds_reads_cvar_of_the_plan_against_the_mix():
    units, point, table = _world(seed=3)
    curves = SampleCurves(table)
    mix = {("A", 0): 75.0, ("B", 0): 15.0}
    terms = RiskTerms(curves, measure="mean", alpha=0.25, history=curves.values(mix))
    assert terms.guard_holds(mix)                                   # CVaR of 0 − 0 is 0
    gamble = {("A", 0): 0.0, ("B", 0): 90.0}
    below = cvar(curves.values(gamble) - curves.values(mix), 0.25)
    assert below < 0 and not terms.guard_holds(gamble)
    assert RiskTerms(curves, measure="mean", alpha=0.25).guard_holds(gamble)   # no guard


def test_guard_that_cannot_hold_makes_the_plan_infeasible():
    units, point, table = _world(seed=3)
    curves = SampleCurves(table)
    history = curves.values({("A", 0): 75.0, ("B", 0): 15.0}) + 1e6
    run = allocate(point, units, [0], {}, [DynamicBudget("budget", "==", amount=90.0)],
                   risk=RiskTerms(curves, measure="mean", alpha=0.25, history=history,
                                  guard_rule=HistoryGuard.over))
    assert run.solution.status == "Infeasible"


def test_rules_and_shadow_prices_keep_working_under_cvar():
    units, point, table = _world()
    curves = SampleCurves(table)
    rules = [DynamicBudget("budget", "==", amount=90.0),
             ChannelBound("max:A", "<=", channel="A", amount=35.0)]
    run = allocate(point, units, [0], {}, rules,
                   risk=RiskTerms(curves, measure="cvar", alpha=0.25))
    assert run.solution.spend[("A", 0)] == pytest.approx(35.0, abs=1e-6)
    price = next(r.price for r in run.solution.rows if r.rule.name == "max:A")
    bumped = allocate(point, units, [0], {},
                      [rules[0], ChannelBound("max:A", "<=", channel="A", amount=35.5)],
                      risk=RiskTerms(curves, measure="cvar", alpha=0.25))
    assert (bumped.solution.objective - run.solution.objective) / 0.5 == pytest.approx(price, rel=0.02)


def test_cvar_of_discrete_values_splits_the_boundary_sample():
    v = np.array([5.0, 1.0, 3.0, 2.0, 4.0])
    assert cvar(v, 0.4) == pytest.approx(1.5)
    assert cvar(v, 0.3) == pytest.approx((1.0 + 0.5 * 2.0) / 1.5)
    assert cvar(v, 0.999) == pytest.approx(v.mean(), rel=1e-3)
    # the Rockafellar–Uryasev maximum over t gives the same number
    for alpha in (0.2, 0.3, 0.5):
        ru = max(t - np.maximum(t - v, 0).sum() / (alpha * len(v)) for t in v)
        assert cvar(v, alpha) == pytest.approx(ru)


def test_cbc_and_highs_agree_on_the_guarded_cvar_plan():
    units, point, table = _world(seed=5)
    curves = SampleCurves(table)
    history = curves.values({("A", 0): 60.0, ("B", 0): 30.0})
    rules = [DynamicBudget("budget", "==", amount=90.0)]
    runs = [allocate(point, units, [0], {}, rules, solver=name,
                     risk=RiskTerms(curves, measure="cvar", alpha=0.2, history=history,
                                  guard_rule=HistoryGuard.over))
            for name in ("highs", "cbc")]
    assert all(r.solution.status == "Optimal" for r in runs)
    assert runs[0].solution.objective == pytest.approx(runs[1].solution.objective, rel=1e-6)
