"""Piecewise-linear response curves as the LP reads them: breakpoint tables, made concave and
non-decreasing, cut at the fixed spend so fixed money sits at the bottom of each curve."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from budgetopt.errors import InputError

CURVE_COLUMNS = ("unit", "period", "spend", "incremental_kpi")


def concave_envelope(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least concave majorant of the points (x, y), made non-decreasing: values at each x."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    hull: list[int] = []
    for i in range(len(x)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            # drop b when it lies on or below the chord from a to i
            if (y[b] - y[a]) * (x[i] - x[a]) <= (y[i] - y[a]) * (x[b] - x[a]):
                hull.pop()
            else:
                break
        hull.append(i)
    env = np.interp(x, x[hull], y[hull])
    return np.maximum.accumulate(env)


@dataclass(frozen=True)
class Segments:
    """One unit × period curve above its fixed spend: value at the fixed spend, then segments."""

    fixed: float
    value_at_fixed: float
    lengths: np.ndarray
    slopes: np.ndarray
    max_spend: float

    def value(self, spend: float) -> float:
        """Incremental KPI at total spend ≥ fixed, read off the piecewise-linear curve."""
        extra = max(spend - self.fixed, 0.0)
        taken = np.clip(extra - np.concatenate([[0.0], np.cumsum(self.lengths)[:-1]]),
                        0.0, self.lengths)
        return float(self.value_at_fixed + np.dot(taken, self.slopes))

    def marginal(self, spend: float, tol: float = 1e-6) -> float:
        """Slope of the next unit of money at `spend` (0 past the last breakpoint)."""
        ends = self.fixed + np.cumsum(self.lengths)
        idx = int(np.searchsorted(ends, spend + tol * max(1.0, spend), side="right"))
        return float(self.slopes[idx]) if idx < len(self.slopes) else 0.0


def segments_above(x: np.ndarray, y: np.ndarray, fixed: float) -> Segments:
    """Cut a concave curve at `fixed`; the segments above it are what dynamic money buys."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if fixed > x[-1] + 1e-9:
        raise ValueError(f"fixed spend {fixed} beyond the curve's last breakpoint {x[-1]}")
    at_fixed = float(np.interp(fixed, x, y))
    above = x > fixed + 1e-9
    xs = np.concatenate([[fixed], x[above]])
    ys = np.concatenate([[at_fixed], y[above]])
    lengths = np.diff(xs)
    slopes = np.diff(ys) / np.where(lengths > 0, lengths, 1.0)
    return Segments(fixed, at_fixed, lengths, slopes, float(x[-1]))


@dataclass(frozen=True)
class CurveArrays:
    """A checked curve table as flat arrays: breakpoints of curve i are rows starts[i]:starts[i+1]."""

    keys: list[tuple[str, int]]
    starts: np.ndarray
    spend: np.ndarray
    kpi: np.ndarray
    concave: np.ndarray          # per curve: concave and non-decreasing as given


def curve_arrays(curves: pd.DataFrame) -> CurveArrays:
    """Check the curve-table contract and lay the curves out as arrays, in one vectorized pass
    (breakpoints start at spend 0 with KPI 0 and increase within each unit × period)."""
    missing = [c for c in CURVE_COLUMNS if c not in curves.columns]
    if missing:
        raise InputError("E1101", columns=", ".join(missing), needed=", ".join(CURVE_COLUMNS),
                         where="curves")
    codes, uniques = pd.MultiIndex.from_frame(curves[["unit", "period"]]).factorize()
    order = np.argsort(codes, kind="stable")
    codes = codes[order]
    x = curves["spend"].to_numpy(float)[order]
    y = curves["incremental_kpi"].to_numpy(float)[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    starts = np.r_[starts, len(codes)]
    keys = [(str(u), int(p)) for u, p in uniques]
    first = starts[:-1]
    bad = np.flatnonzero((x[first] != 0) | (np.abs(y[first]) > 1e-9))
    if len(bad):
        unit, period = keys[bad[0]]
        raise InputError("E1102", unit=unit, period=period, where="curves")
    inner = np.ones(len(x), bool)
    inner[first] = False                  # a diff at a curve's first row spans two curves
    dx, dy = np.diff(x), np.diff(y)
    step_ok = inner[1:]
    out_of_order = step_ok & (dx <= 0)
    if out_of_order.any():
        unit, period = keys[int(codes[np.flatnonzero(out_of_order)[0] + 1])]
        raise InputError("E1103", unit=unit, period=period, where="curves")
    slopes = np.where(step_ok, dy / np.where(dx > 0, dx, 1.0), 0.0)
    scale = np.maximum.reduceat(np.abs(y), first)[codes[1:]] if len(y) > 1 else np.ones(0)
    falling = step_ok & (dy < -1e-9 * np.maximum(scale, 1.0))
    rising = np.zeros(len(slopes), bool)   # slope increases from one segment to the next
    both = step_ok[1:] & step_ok[:-1]
    tol = 1e-9 * (np.abs(slopes[1:]) + np.abs(slopes[:-1]) + 1e-12)
    rising[1:] = both & (slopes[1:] - slopes[:-1] > tol)
    curve_of_step = codes[1:]
    not_concave = np.zeros(len(keys), bool)
    np.logical_or.at(not_concave, curve_of_step, falling | rising)
    return CurveArrays(keys, starts, x, y, ~not_concave)


def check_curve_table(curves: pd.DataFrame) -> None:
    """The curve-table contract: breakpoints per unit × period start at spend 0 with KPI 0 and increase."""
    curve_arrays(curves)
