"""Response curves per unit × plan period, as breakpoint tables the LP reads:
incremental KPI over a period as a function of the period's total spend (spread evenly over its
days), starting at spend 0.

Breakpoints adapt to the curve: a grid evenly spaced in saturation (dense where the curve bends)
is refined until the straight line between neighbouring breakpoints is within
`PWL_TOLERANCE` (0.08%) of the curve everywhere, relative to its value there. Because every
curve's chord error is then at most that fraction of its own value, the LP's objective (a sum of
curve values) is within the same fraction of the true one: 0.1% or better."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from forecasts.model import saturate

BREAKPOINTS = 16                 # the starting grid; refinement adds points where needed
PWL_TOLERANCE = 8e-4             # relative chord error allowed (under the 0.1% objective bar)
_PROBES = np.linspace(0.0, 1.0, 9)[1:-1]
_MAX_ROUNDS = 40


def refine_breakpoints(curve: Callable[[np.ndarray], np.ndarray], points: np.ndarray,
                       tolerance: float = PWL_TOLERANCE) -> np.ndarray:
    """Split every interval whose chord strays more than `tolerance` × the curve's value from a
    concave curve (checked at interior probes) at its middle, until none does."""
    x = np.unique(np.asarray(points, float))
    for _ in range(_MAX_ROUNDS):
        a, b = x[:-1], x[1:]
        fa, fb = curve(a), curve(b)
        probe = a[:, None] + (b - a)[:, None] * _PROBES[None, :]
        fp = curve(probe)
        chord = fa[:, None] + (fb - fa)[:, None] * _PROBES[None, :]
        gap = (fp - chord) / np.maximum(np.abs(fp), 1e-300)
        bad = np.max(gap, axis=1) > tolerance
        if not bad.any():
            break
        x = np.unique(np.concatenate([x, (a[bad] + b[bad]) / 2]))
    return x


def period_breakpoints(scale_per_period: float, max_spend: float,
                       count: int = BREAKPOINTS, tolerance: float = PWL_TOLERANCE) -> np.ndarray:
    """Spend breakpoints 0 … `max_spend`: evenly spaced in saturation, then refined so the
    piecewise-linear curve is within `tolerance` of the saturation curve (relative)."""
    s_max = float(saturate(max_spend, scale_per_period))
    s_levels = np.linspace(0.0, s_max, count + 1)[1:-1]
    inner = -scale_per_period * np.log1p(-s_levels)
    points = np.unique(np.round(np.concatenate([[0.0], inner, [max_spend]]), 6))
    refined = refine_breakpoints(lambda x: saturate(x, scale_per_period), points, tolerance)
    return np.unique(np.round(refined, 6))


def zoom_breakpoints(points: np.ndarray, chosen: float, count: int = 16) -> np.ndarray:
    """`points` plus `count` more spread over the two segments around `chosen` spend: a second
    pass for a plan that sits between breakpoints, where the curve's bend still costs a little."""
    x = np.unique(np.asarray(points, float))
    i = int(np.clip(np.searchsorted(x, chosen), 1, len(x) - 1))
    lo, hi = x[max(i - 2, 0)], x[min(i + 1, len(x) - 1)]
    return np.unique(np.round(np.concatenate([x, np.linspace(lo, hi, count + 2)]), 6))


def pwl_error(curve: Callable[[np.ndarray], np.ndarray], points: np.ndarray,
              samples: int = 200) -> float:
    """Largest relative gap between a concave curve and its chords through `points`."""
    x = np.unique(np.asarray(points, float))
    grid = np.unique(np.concatenate([x, (x[:-1, None] + np.diff(x)[:, None]
                                         * np.linspace(0, 1, samples)[None, :]).ravel()]))
    grid = grid[grid > 0]
    exact = curve(grid)
    chords = np.interp(grid, x, curve(x))
    return float(np.max((exact - chords) / np.maximum(np.abs(exact), 1e-300)))


def period_curve(factors: np.ndarray, period_days: int, step_days: int, scale: float,
                 spends: np.ndarray) -> np.ndarray:
    """Incremental KPI over a period at each total spend: Σ_steps a_step · s(spend · step / days)."""
    per_step = np.asarray(spends, float) * step_days / period_days
    return float(np.sum(factors)) * saturate(per_step, scale)
