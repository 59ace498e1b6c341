"""The value of information on a two-unit toy whose every hypothetical is solved independently,
by enumerating the budget's splits between the units (a concave piecewise-linear optimum lies
at a breakpoint of one unit's curve): EVPI against that, EVPI ≥ 0 and 0 for a unit with one
curve, EVSI ≤ EVPI with its limits in the test's standard error."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from budgetopt.optimizer.lp.allocate import curve_segments
from budgetopt.optimizer.lp.objectives import MaxProfit, MaxRevenue
from budgetopt.optimizer.lp.risk import SampleCurves
from budgetopt.optimizer.lp.swaps import SwapModel
from budgetopt.optimizer.plan.information import Information, plan_money
from budgetopt.optimizer.plan.experiment_design import unit_prior
from budgetopt.optimizer.rules.bounds import DynamicBudget
from budgetopt.units import Unit

BUDGET = 100_000.0
GRID = np.concatenate([[0.0], np.geomspace(100.0, 1.2 * BUDGET, 60)])
UNITS = [Unit("a"), Unit("b")]


def _curve(gain: float, scale: float) -> np.ndarray:
    return gain * np.log1p(GRID / scale)


def _world(gains_a, gain_b=90_000.0):
    """Sample curves: unit a with one curve per gain, unit b the same curve in every sample."""
    rows = []
    for s, g in enumerate(gains_a):
        rows.append(pd.DataFrame({"unit": "a", "period": 0, "sample": s, "spend": GRID,
                                  "incremental_kpi": _curve(g, 20_000.0)}))
        rows.append(pd.DataFrame({"unit": "b", "period": 0, "sample": s, "spend": GRID,
                                  "incremental_kpi": _curve(gain_b, 30_000.0)}))
    samples = pd.concat(rows, ignore_index=True)
    point = samples[samples["sample"] == 0].drop(columns="sample")
    return SampleCurves(samples), point


def _setup(gains_a, objective=None, gain_b=90_000.0):
    curves, point = _world(gains_a, gain_b)
    segments, _, _ = curve_segments(point, {})
    per_sample = {k: curves.cut(k, s.fixed) for k, s in segments.items()}
    means = {k: (float(v[0].mean()), v[1].mean(axis=0)) for k, v in per_sample.items()}
    model = SwapModel(UNITS, [0], segments, [DynamicBudget("budget", "==", amount=BUDGET)],
                      objective or MaxRevenue(), means)
    base = model.solve()
    return curves, per_sample, model, base


def _best_split(value_a, value_b):
    """max over x_a + x_b = BUDGET of value_a(x_a) + value_b(x_b), by enumeration."""
    xa = np.unique(np.clip(np.concatenate([GRID, BUDGET - GRID]), 0.0, BUDGET))
    total = value_a(xa) + value_b(BUDGET - xa)
    i = int(np.argmax(total))
    return xa[i], total[i]


def _brute_evpi(gains_a, gain_b=90_000.0):
    """EVPI with one group per sample (every sample a different curve), solved by enumeration."""
    ya = [_curve(g, 20_000.0) for g in gains_a]
    yb = _curve(gain_b, 30_000.0)
    vb = lambda x: np.interp(x, GRID, yb)             # noqa: E731
    mean_a = np.mean(ya, axis=0)
    x0, _ = _best_split(lambda x: np.interp(x, GRID, mean_a), vb)
    gains = []
    for y in ya:
        va = lambda x, y=y: np.interp(x, GRID, y)    # noqa: E731
        _, best = _best_split(va, vb)
        gains.append(best - (va(x0) + vb(BUDGET - x0)))
    return float(np.mean(gains)), x0


def test_evpi_matches_an_enumeration_of_every_hypothetical():
    gains = [30_000.0, 60_000.0, 120_000.0, 200_000.0]
    curves, per_sample, model, base = _setup(gains)
    prior, members = unit_prior(per_sample, "a", base, groups=len(gains))
    assert [len(m) for m in members] == [1, 1, 1, 1]
    info = Information(model, base, prior, plan_money(model, base.spend(model.fixed)))
    expected, x0 = _brute_evpi(gains)
    assert base.spend(model.fixed) == pytest.approx(BUDGET)
    assert base.x[("a", 0)].sum() == pytest.approx(x0, rel=1e-6)
    assert expected > 1.0                      # the toy is one where knowing pays
    assert info.evpi() == pytest.approx(expected, rel=1e-6)


def test_evpi_is_zero_when_the_unit_has_one_curve():
    curves, per_sample, model, base = _setup([80_000.0] * 6)
    prior, _ = unit_prior(per_sample, "a", base)
    info = Information(model, base, prior, plan_money(model, base.spend(model.fixed)))
    assert info.evpi() == 0.0
    prior_b, _ = unit_prior(per_sample, "b", base)
    assert Information(model, base, prior_b,
                       plan_money(model, base.spend(model.fixed))).evpi() == 0.0


@pytest.mark.parametrize("seed", range(4))
def test_evpi_is_never_negative_and_groups_are_quantiles(seed):
    rng = np.random.default_rng(seed)
    gains = rng.uniform(20_000.0, 250_000.0, size=40)
    curves, per_sample, model, base = _setup(gains)
    prior, members = unit_prior(per_sample, "a", base, groups=8)
    assert prior.probs.sum() == pytest.approx(1.0)
    at_plan = per_sample[("a", 0)][0] + per_sample[("a", 0)][1] @ base.x[("a", 0)]
    # each group holds the next-higher slice of the samples' value at the plan
    for lower, upper in zip(members[:-1], members[1:]):
        assert at_plan[lower].max() <= at_plan[upper].min()
    info = Information(model, base, prior, plan_money(model, base.spend(model.fixed)))
    assert info.evpi() >= 0.0


def test_evpi_under_max_profit_is_valued_in_profit():
    gains = [30_000.0, 60_000.0, 120_000.0, 200_000.0]
    _, per_sample, model, base = _setup(gains, objective=MaxProfit(margin=0.5))
    prior, _ = unit_prior(per_sample, "a", base, groups=4)
    info = Information(model, base, prior, plan_money(model, base.spend(model.fixed)))
    # the budget row holds spend fixed, so profit gains are margin × the KPI gains
    expected, _ = _brute_evpi(gains)
    assert info.evpi() == pytest.approx(0.5 * expected, rel=1e-6)


def _lifts(prior):
    """A test's predicted lift per group: each group's curve slope sum at the plan (distinct)."""
    return np.array([float(g[("a", 0)][1].sum()) for g in prior.curves])


def test_evsi_lies_between_zero_and_evpi_and_reaches_both_limits():
    gains = [30_000.0, 60_000.0, 120_000.0, 200_000.0]
    _, per_sample, model, base = _setup(gains)
    prior, _ = unit_prior(per_sample, "a", base, groups=4)
    info = Information(model, base, prior, plan_money(model, base.spend(model.fixed)))
    lifts = _lifts(prior)
    assert len(np.unique(np.round(lifts, 6))) == 4
    spread = float(np.ptp(lifts))
    evpi = info.evpi()
    sharp = info.evsi(lifts, spread * 1e-6)
    vague = info.evsi(lifts, spread * 1e6)
    assert sharp == pytest.approx(evpi, rel=1e-6)
    assert vague == pytest.approx(0.0, abs=1e-6 * evpi)
    middle = [info.evsi(lifts, spread * f) for f in (0.05, 0.3, 1.0, 3.0)]
    assert all(0.0 <= v <= evpi for v in middle)
    # a noisier test is worth no more than a sharper one
    assert all(a >= b - 1e-9 * evpi for a, b in zip(middle, middle[1:]))
    exact = [info.evsi(lifts, spread * f, exact=True) for f in (0.3, 1.0)]
    assert all(e >= m - 1e-9 * evpi and e <= evpi for e, m in zip(exact, middle[1:3]))


def test_swapped_solves_match_the_enumeration_for_each_curve():
    gains = [30_000.0, 200_000.0]
    _, per_sample, model, base = _setup(gains)
    yb = _curve(90_000.0, 30_000.0)
    for s, g in enumerate(gains):
        at, slopes = per_sample[("a", 0)]
        point = model.solve({("a", 0): (float(at[s]), slopes[s])})
        y = _curve(g, 20_000.0)
        xa, best = _best_split(lambda x: np.interp(x, GRID, y), lambda x: np.interp(x, GRID, yb))
        assert point.x[("a", 0)].sum() == pytest.approx(xa, rel=1e-6)
        assert model.kpi(point, {**model.values, ("a", 0): (float(at[s]), slopes[s])}) == \
            pytest.approx(best, rel=1e-9)


def test_a_pinned_unit_keeps_its_spend_and_the_rest_reoptimizes():
    _, per_sample, model, base = _setup([80_000.0] * 2)
    pinned = model.pinned({("a", 0): 25_000.0})
    assert pinned.ok
    assert pinned.x[("a", 0)].sum() == pytest.approx(25_000.0)
    assert pinned.x[("b", 0)].sum() == pytest.approx(BUDGET - 25_000.0)
    assert model.kpi(pinned) <= model.kpi(base) + 1e-6
    assert not model.pinned({("a", 0): 1.1 * BUDGET}).ok    # more than the budget allows
    again = model.solve()                                    # bounds restored afterwards
    assert again.x[("a", 0)].sum() == pytest.approx(base.x[("a", 0)].sum())
