"""The plausible samples as candidate curves times per-sample multipliers: reassembled, they are
the sample table `CurveSet.samples` makes, for responses with carryover (its tail past the
horizon), coupling to a seasonal, promoted baseline, a multiplicative form, an uncertain
baseline level, gain standard errors and a what-if shock."""
from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest

from budgetopt.forecasts.components.response import Response
from budgetopt.forecasts.curves.curveset import CurveSet, UnitCurves, frozen, period_rows

PERIODS = pd.DataFrame({"period": [0, 1, 2], "period_start": pd.to_datetime(
    ["2024-01-01", "2024-01-08", "2024-01-15"]), "days": [7, 7, 7]})


def _unit(key, multiplicative, level_error, rng):
    which = np.concatenate([np.repeat([0, 1, 2], 7), np.full(10, -1)])   # a carryover tail
    steps = np.arange(len(which))
    base = 1000.0 * (1 + 0.3 * np.sin(steps / 3.0))
    base[5:8] *= 1.8                                                     # a promotion
    candidates = []
    for c, (shape, carry, rho) in enumerate((("exp", 0.0, 0.0), ("hill", 0.4, 0.7),
                                             ("exp", 0.7, 1.0), ("hill", 0.2, 0.3))):
        r = Response(shape, 200.0 * (1 + c), 1.5, carry, 0.05 if multiplicative else 40.0,
                     multiplicative, coupling=rho, base_level=1000.0)
        candidates.append((r, [0.4, 0.3, 0.2, 0.1][c], r.gain * 0.3))
    factor = np.ones(len(which))
    return UnitCurves(key, key, None, 1, candidates[0][0], tuple(candidates), frozen(which),
                      frozen(base), frozen(factor), frozen(factor), False, None,
                      MappingProxyType({}), None, level_error=level_error)


@pytest.fixture(scope="module")
def curve_set():
    rng = np.random.default_rng(0)
    units = (_unit("a", False, 0.0, rng), _unit("b", True, 0.15, rng),
             _unit("c", False, 0.3, rng))
    return CurveSet(period_rows(PERIODS), units, (("locked", "locked", None),), 0.8, "known",
                    ())


def _reassembled(candidates, draws):
    merged = draws.merge(candidates, on=["unit", "candidate"])
    merged["incremental_kpi"] = merged["multiplier"] * merged["incremental_kpi"]
    return merged.set_index(["unit", "period", "sample", "spend"])["incremental_kpi"]


@pytest.mark.parametrize("shock", [None, ("b", 0.2, 0.1)])
def test_samples_are_candidate_curves_times_one_multiplier_per_unit_and_sample(curve_set, shock):
    curves = curve_set if shock is None else curve_set.shocked([shock[0]], shock[1], shock[2])
    table = curves.table(5000.0)
    samples = curves.samples(table, 60, seed=4)
    candidates, draws = curves.sample_factors(table, 60, seed=4)
    # one multiplier per unit and sample, the same in every period
    assert len(draws) == 60 * 4 and not draws.duplicated(["unit", "sample"]).any()
    assert (draws["multiplier"] >= 0).all()
    for unit in ("a", "b", "c"):      # a few candidates per unit, not one curve per sample
        assert candidates[candidates.unit == unit]["candidate"].nunique() <= 4
    got = _reassembled(candidates, draws).sort_index()
    want = samples.set_index(["unit", "period", "sample", "spend"])["incremental_kpi"].sort_index()
    assert got.index.equals(want.index)
    scale = np.abs(want.to_numpy()).max()
    assert np.max(np.abs(got.to_numpy() - want.to_numpy())) <= 1e-12 * scale
    # the samples really differ: level draws and gains move them
    b = samples[(samples.unit == "b") & (samples.period == 1)].groupby("sample")[
        "incremental_kpi"].max()
    assert b.nunique() > 30
