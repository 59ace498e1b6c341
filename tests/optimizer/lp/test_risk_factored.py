"""The risk LP on candidate curves × per-sample multipliers (one row per unit and candidate,
sample rows over units) against the same samples written out one curve per sample (every
sample's slopes in its own row): same optimum, the measure and the guard recomputed from the
plan's spend with numpy, shadow prices still worded."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from budgetopt.forecasts.curves.breakpoints import period_breakpoints
from budgetopt.optimizer.lp.allocate import allocate
from budgetopt.optimizer.lp.bulk import ArrayRows, materialize
from budgetopt.optimizer.lp.model import PlanModel
from budgetopt.optimizer.lp.risk import RiskTerms, SampleCurves, cvar, sample_rows
from budgetopt.optimizer.lp.allocate import curve_segments
from budgetopt.optimizer.rules.bounds import ChannelBound, DynamicBudget
from budgetopt.optimizer.rules.guard import HistoryGuard
from budgetopt.optimizer.results.tables import binding_rules
from budgetopt.units import SpendContext, Unit

ALPHA = 0.2


def world(n_units: int, n_periods: int = 13, samples: int = 100, seed: int = 0):
    """Units with four candidate shapes each (scale and gain differ), a seasonal period factor,
    and per sample a drawn candidate and a lognormal multiplier: point curves, the factors,
    and the same samples as one table row per sample and breakpoint."""
    rng = np.random.default_rng(seed)
    units = [Unit(f"u{i:02d}") for i in range(n_units)]
    budget = 200_000.0 * n_units * n_periods
    point, cands, draws, rows = [], [], [], []
    for u in units:
        beta, scale = rng.uniform(2e5, 2e6), rng.uniform(5e4, 5e5)
        shapes = [(beta * g, scale * m) for g, m in ((1.0, 1.0), (0.7, 0.5), (1.3, 2.0),
                                                     (0.9, 1.4))]
        pick = rng.choice(4, size=samples, p=[0.4, 0.3, 0.2, 0.1])
        mult = np.exp(0.25 * rng.standard_normal(samples))
        draws.append(pd.DataFrame({"unit": u.key, "sample": np.arange(samples),
                                   "candidate": pick, "multiplier": mult}))
        for p in range(n_periods):
            season = 1 + 0.3 * np.sin(2 * np.pi * p / 52) + 0.1 * rng.random()
            x = period_breakpoints(scale, budget)
            y = np.stack([season * b * (1 - np.exp(-x / s)) for b, s in shapes])
            point.append(pd.DataFrame({"unit": u.key, "period": p, "spend": x,
                                       "incremental_kpi": y.mean(axis=0)}))
            for c in range(4):
                cands.append(pd.DataFrame({"unit": u.key, "period": p, "candidate": c,
                                           "spend": x, "incremental_kpi": y[c]}))
            k = len(x)
            rows.append(pd.DataFrame({"unit": u.key, "period": p,
                                      "sample": np.repeat(np.arange(samples), k),
                                      "spend": np.tile(x, samples),
                                      "incremental_kpi": (mult[:, None] * y[pick]).ravel()}))
    fixed = {(u.key, p): 0.6 * budget / (n_units * n_periods) for u in units
             for p in range(n_periods)}
    return (units, list(range(n_periods)), pd.concat(point, ignore_index=True), fixed,
            budget, (pd.concat(cands, ignore_index=True), pd.concat(draws, ignore_index=True)),
            pd.concat(rows, ignore_index=True))


@pytest.fixture(scope="module", params=[8, 50])
def built(request):
    return world(request.param)


def _mix_values(w, curves):
    """The samples' values of a mix unlike the plan (units weighted 1, 1.5, 2 in turn)."""
    fixed, budget = w[3], w[4]
    mix = {k: v * (1.0 + 0.5 * (i % 3)) for i, (k, v) in enumerate(fixed.items())}
    total = sum(mix.values())
    return curves.values({k: v * budget / total for k, v in mix.items()})


def _solve(w, curves, measure, guard, solver="highs", extra=(), history=None):
    units, periods, point, fixed, budget, _, _ = w
    if guard and history is None:
        history = _mix_values(w, curves)
    rules = [DynamicBudget("budget", "==", amount=0.4 * budget), *extra]
    risk = RiskTerms(curves, measure, ALPHA, history,
                     guard_rule=HistoryGuard.over if guard else None)
    run = allocate(point, units, periods, fixed, rules, solver=solver, risk=risk)
    assert run.solution.status == "Optimal"
    return run, history


@pytest.mark.parametrize("measure,guard", [("mean", False), ("cvar", False), ("mean", True),
                                           ("cvar", True)])
def test_candidate_rows_give_the_optimum_of_one_row_per_sample(built, measure, guard):
    candidates, draws = built[5]
    factored = SampleCurves(candidates=candidates, draws=draws)
    dense = SampleCurves(built[6])
    history = None
    if guard:    # a guard that binds: a mix's values shifted up to halfway between what the
        # plan without the guard and the plan best against the mix get over it in the worst
        # samples (the latter maximizes CVaR(v − h) on samples with h taken out of each curve)
        h = _mix_values(built, dense)
        free = cvar(dense.values(_solve(built, dense, measure, False)[0].solution.spend) - h,
                    ALPHA)
        table = built[6]
        cells = table.groupby(["unit", "period"]).ngroups
        less = table.assign(incremental_kpi=table["incremental_kpi"]
                            - h[table["sample"].to_numpy()] / cells)
        best = _solve(built, SampleCurves(less), "cvar", False)[0].solution.objective
        assert best > free + 1e-6 * abs(best)
        history = h + free + 0.5 * (best - free)
    run, _ = _solve(built, factored, measure, guard, history=history)
    ref, _ = _solve(built, dense, measure, guard, history=history)
    assert run.solution.objective == pytest.approx(ref.solution.objective, rel=1e-6)
    # the measure and the guard recomputed from the plan's spend on the sample table
    values = dense.values(run.solution.spend)
    assert np.allclose(factored.values(run.solution.spend), values, rtol=1e-12)
    direct = values.mean() if measure == "mean" else cvar(values, ALPHA)
    assert run.solution.objective == pytest.approx(direct, rel=1e-6)
    if guard:
        row = next(r for r in run.solution.rows if r.rule.name == "risk_guard")
        uplift = cvar(values - history, ALPHA)
        tol = 1e-6 * np.abs(history).max()
        assert uplift >= -tol and row.slack <= uplift + tol   # the row is a lower bound
        # binding, with a price: the row's CVaR is the samples' CVaR, at zero
        assert abs(row.price) > 1e-9 and abs(uplift) <= tol


def test_candidate_rows_are_units_times_candidates_not_samples(built):
    units, periods, point, fixed, budget, (candidates, draws), table = built
    segments, _, _ = curve_segments(point, fixed)
    sizes = {}
    for name, curves in (("factored", SampleCurves(candidates=candidates, draws=draws)),
                         ("dense", SampleCurves(table))):
        model = PlanModel(units, periods, segments)
        values = [model.prob.add_variable(f"v{s}") for s in range(100)]
        rows = sample_rows(curves, model, values)
        sizes[name] = len(rows.values)
    columns = sum(len(s.lengths) for s in segments.values())
    used = draws.groupby("unit")["candidate"].nunique().sum()
    # each candidate's slopes once (+1 for its w), each sample one term per unit (+1 for v_s)
    assert sizes["factored"] <= columns * used / len(units) + used + 100 * len(units) + 100
    assert 0.9 * columns * 100 <= sizes["dense"] <= columns * 100 + 100   # (zero slopes left out)
    assert sizes["factored"] < sizes["dense"] / 10


def test_shadow_prices_and_binding_rules_are_worded_under_candidate_rows():
    w = world(8, samples=100, seed=2)
    candidates, draws = w[5]
    factored = SampleCurves(candidates=candidates, draws=draws)
    floor = sum(v for (unit, _), v in w[3].items() if unit == "u01")   # its fixed money
    run, _ = _solve(w, factored, "cvar", False,
                    extra=[ChannelBound("max:u01", "<=", channel="u01", amount=floor + 1e4)])
    bumped, _ = _solve(w, factored, "cvar", False,
                       extra=[ChannelBound("max:u01", "<=", channel="u01", amount=floor + 1e4
                                           + 100.0)])
    price = next(r.price for r in run.solution.rows if r.rule.name == "max:u01")
    assert price > 0
    assert (bumped.solution.objective - run.solution.objective) / 100.0 == pytest.approx(
        price, rel=0.02)
    spend = SpendContext(sum(run.solution.spend.values()), {})
    words = binding_rules(run.solution.rows, "revenue", "CNY", spend, scale=1e6)
    entry = next(e for e in words if e["rule"] == "max:u01")
    assert "u01" in entry["description"] and "adds" in entry["explanation"]


def test_cbc_gets_the_array_rows_as_pulp_rows_and_agrees():
    w = world(3, n_periods=2, samples=20, seed=4)
    candidates, draws = w[5]
    factored = SampleCurves(candidates=candidates, draws=draws)
    highs, _ = _solve(w, factored, "cvar", True)
    cbc, _ = _solve(w, factored, "cvar", True, solver="cbc")
    assert cbc.solution.objective == pytest.approx(highs.solution.objective, rel=1e-5)


def test_array_rows_materialize_to_the_same_pulp_rows():
    import pulp
    prob = pulp.LpProblem("t", pulp.LpMaximize)
    a, b = prob.add_variable("a", 0, 4), prob.add_variable("b", 0, 4)
    prob += a + b
    rows = ArrayRows("r", [a, b], np.array([0, 2, 3]), np.array([0, 1, 1]),
                     np.array([1.0, 2.0, 1.0]), np.array([-np.inf, 1.0]), np.array([5.0, 1.0]))
    prob.__dict__["array_rows"] = [rows]
    materialize(prob)
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    assert (a.varValue, b.varValue) == pytest.approx((3.0, 1.0))


def test_draws_that_name_no_candidate_curve_are_refused():
    w = world(2, n_periods=1, samples=5)
    candidates, draws = w[5]
    bad = draws.assign(candidate=np.where(draws["sample"] == 0, 9, draws["candidate"]))
    with pytest.raises(ValueError, match="names a candidate it has no curve for"):
        SampleCurves(candidates=candidates, draws=bad)
    with pytest.raises(ValueError, match="finite and ≥ 0"):
        SampleCurves(candidates=candidates, draws=draws.assign(multiplier=-1.0))
