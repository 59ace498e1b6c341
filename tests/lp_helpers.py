"""Curve tables with known analytic answers, and an exact optimum to check the LP against."""
from __future__ import annotations

import numpy as np
import pandas as pd

from budgetopt.units import Unit


def log_curve(x, a, b):
    """a · ln(1 + x/b): concave, slope a/(b + x)."""
    return a * np.log1p(np.asarray(x, float) / b)


def log_world(n_units: int, n_periods: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(50_000, 400_000, size=(n_units, n_periods))
    b = rng.uniform(5_000, 60_000, size=(n_units, n_periods))
    units = [Unit(f"ch{i:02d}") for i in range(n_units)]
    return units, a, b


def curve_table(units, a, b, max_spend: float, points: int = 400) -> pd.DataFrame:
    """Breakpoints dense near zero (geometric) up to max_spend, for every unit × period."""
    grid = np.concatenate([[0.0], np.geomspace(max_spend * 1e-5, max_spend, points)])
    frames = []
    for i, unit in enumerate(units):
        for p in range(a.shape[1]):
            frames.append(pd.DataFrame({"unit": unit.key, "period": p, "spend": grid,
                                        "incremental_kpi": log_curve(grid, a[i, p], b[i, p])}))
    return pd.concat(frames, ignore_index=True)


def exact_log_optimum(a, b, budget: float, upper=None):
    """Bisection on the Lagrange multiplier λ: x = clip(a/λ − b, 0, upper) with Σx = budget."""
    upper = np.full_like(a, np.inf) if upper is None else upper

    def spend(lam):
        return np.clip(a / lam - b, 0.0, upper)

    lo, hi = 1e-12, float(np.max(a / b))
    for _ in range(300):
        mid = np.sqrt(lo * hi)
        if spend(mid).sum() > budget:
            lo = mid
        else:
            hi = mid
    x = spend(np.sqrt(lo * hi))
    return x, float(np.sum(log_curve(x, a, b))), float(np.sqrt(lo * hi))
