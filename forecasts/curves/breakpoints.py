"""Spend breakpoints for the response curves the LP reads (incremental KPI over a period as a
function of the period's total spend, spread evenly over its days, starting at spend 0).

Breakpoints adapt to the curve: a grid evenly spaced in saturation (dense where the curve bends)
is refined until the straight line between neighbouring breakpoints is within
`PWL_TOLERANCE` (0.08%) of the curve everywhere, relative to its value there. Because every
curve's chord error is then at most that fraction of its own value, the LP's objective (a sum of
curve values) is within the same fraction of the true one: 0.1% or better."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from budgetopt.forecasts.components.saturation import inverse_saturation, saturate

BREAKPOINTS = 16                 # the starting grid; refinement adds points where needed
PWL_TOLERANCE = 8e-4             # relative chord error allowed (under the 0.1% objective bar)
_PROBES = np.linspace(0.0, 1.0, 9)[1:-1]
_MAX_ROUNDS = 40
VALUE_FLOOR = 0.01   # below 1% of its top value a curve's error is judged against that 1%:
                     # a power-law start (Hill n < 1) has the same relative chord error at
                     # every scale, so it could never be refined to a relative tolerance


def refine_breakpoints(curve: Callable[[np.ndarray], np.ndarray], points: np.ndarray,
                       tolerance: float = PWL_TOLERANCE) -> np.ndarray:
    """Split every interval whose chord strays more than `tolerance` × the curve's value from a
    concave curve (checked at interior probes) at its middle, until none does."""
    x = np.unique(np.asarray(points, float))
    floor = VALUE_FLOOR * float(np.max(np.abs(curve(x))))
    for _ in range(_MAX_ROUNDS):
        a, b = x[:-1], x[1:]
        fa, fb = curve(a), curve(b)
        probe = a[:, None] + (b - a)[:, None] * _PROBES[None, :]
        fp = curve(probe)
        chord = fa[:, None] + (fb - fa)[:, None] * _PROBES[None, :]
        gap = (fp - chord) / np.maximum(np.abs(fp), max(floor, 1e-300))
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
    """Largest relative gap between a concave curve and its chords through `points` (relative
    to the curve's value, or to `VALUE_FLOOR` of its top value where it is lower)."""
    x = np.unique(np.asarray(points, float))
    grid = np.unique(np.concatenate([x, (x[:-1, None] + np.diff(x)[:, None]
                                         * np.linspace(0, 1, samples)[None, :]).ravel()]))
    grid = grid[grid > 0]
    exact = curve(grid)
    chords = np.interp(grid, x, curve(x))
    floor = max(VALUE_FLOOR * float(np.max(np.abs(exact))), 1e-300)
    return float(np.max((exact - chords) / np.maximum(np.abs(exact), floor)))


def response_breakpoints(response, per_step: float, max_spend: float,
                         count: int = BREAKPOINTS, tolerance: float = PWL_TOLERANCE) -> np.ndarray:
    """Period spend breakpoints 0 … `max_spend`, evenly spaced in the response's saturation
    (`per_step` turns period spend into spend per model step), then refined until every chord
    is within `tolerance` of the curve."""
    top = float(response.saturate(max_spend * per_step))
    levels = np.linspace(0.0, top, count + 1)[1:-1]
    inner = inverse_saturation(response.shape, levels, response.scale, response.hill_n) / per_step
    inner = inner[(inner > 0) & (inner < max_spend)]
    points = np.unique(np.round(np.concatenate([[0.0], inner, [max_spend]]), 6))
    refined = refine_breakpoints(lambda x: response.saturate(np.asarray(x) * per_step), points,
                                 tolerance)
    return np.unique(np.round(refined, 6))
