"""Adaptive breakpoints: the piecewise-linear curve stays within 0.1% of the saturation curve
everywhere (so of the objective), with a modest number of points."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from budgetopt.forecasts.curves.breakpoints import (PWL_TOLERANCE, period_breakpoints, pwl_error,
                                                    refine_breakpoints)
from budgetopt.forecasts.components.saturation import saturate
from budgetopt.optimizer.lp.allocate import allocate
from budgetopt.optimizer.rules.bounds import DynamicBudget
from budgetopt.units import Unit


@pytest.mark.parametrize("scale,max_spend", [(1e3, 1e4), (1e4, 1e7), (5e4, 1.4e7),
                                             (1e6, 1e6), (2e5, 5e8), (3e4, 3e4)])
def test_chord_error_is_under_a_tenth_of_a_percent_of_the_curve(scale, max_spend):
    x = period_breakpoints(scale, max_spend)
    assert x[0] == 0 and x[-1] == pytest.approx(max_spend)
    assert pwl_error(lambda v: saturate(v, scale), x) <= 1e-3
    assert len(x) <= 90


def test_refinement_only_adds_points_where_the_chord_strays():
    curve = lambda v: np.log1p(v)                              # noqa: E731
    coarse = np.array([0.0, 10.0, 1000.0])
    fine = refine_breakpoints(curve, coarse, tolerance=1e-3)
    assert set(coarse) <= set(fine)
    assert pwl_error(curve, fine) <= 1.05e-3
    assert pwl_error(curve, coarse) > 0.1


def test_plan_on_adaptive_breakpoints_is_within_0_1pct_of_the_exact_optimum():
    rng = np.random.default_rng(4)
    n_units, n_periods, budget = 6, 3, 900_000.0
    beta = rng.uniform(2e5, 2e6, size=(n_units, n_periods))
    scale = rng.uniform(2e4, 2e5, size=(n_units, n_periods))
    units = [Unit(f"u{i}") for i in range(n_units)]
    frames = []
    for i, u in enumerate(units):
        for p in range(n_periods):
            x = period_breakpoints(scale[i, p], budget)
            frames.append(pd.DataFrame({"unit": u.key, "period": p, "spend": x,
                                        "incremental_kpi": beta[i, p] * saturate(x, scale[i, p])}))
    run = allocate(pd.concat(frames), units, list(range(n_periods)), {},
                   [DynamicBudget("budget", "==", amount=budget)])
    # exact optimum of Σ β(1 − e^{−x/s}) under Σx = B: slope β/s·e^{−x/s} = λ, bisect on λ
    def spend(lam):
        return np.clip(scale * np.log(beta / (scale * lam)), 0, None)
    lo, hi = 1e-9, float(np.max(beta / scale))
    for _ in range(200):
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if spend(mid).sum() > budget else (lo, mid)
    best = float(np.sum(beta * saturate(spend(hi), scale)))
    x = np.array([[run.solution.spend[(u.key, p)] for p in range(n_periods)] for u in units])
    achieved = float(np.sum(beta * saturate(x, scale)))
    assert achieved >= best * (1 - 1e-3)
    assert run.solution.objective >= best * (1 - PWL_TOLERANCE * 1.3)
    assert run.solution.objective <= best * (1 + 1e-9)
