"""Lift tests as evidence on a unit's response: the lift a response predicts for a test, the
test's likelihood term for the profile search, and the return a response implies at the
history's spend (what a test moves, for the report).

A test changed the unit's spend over a window of model steps: the history holds what was spent
(the test arm); the control arm spent `spend_change` less over the window, spread in proportion
to the history's spend there (evenly where the history spent nothing). The predicted lift is
the KPI difference between the arms from the window's first step until the carryover of the
window's spend has faded (the adstock tail after the window counts; carryover into the window
is the same in both arms and only sets the saturation level). Past the history's end the tail
is read at the last step's baseline and spend.

The baseline a response rides on is the history's KPI with that response taken out
(y / (1 + response) in the multiplicative form, y − response in the additive one): over a
multi-week window the day-to-day noise in it averages out, and it needs nothing but the history,
so the evidence is a plain function of the response (`profile_response`'s evidence hook).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from budgetopt.forecasts.components.response import Response
from budgetopt.forecasts.history.experiments import Z_95


@dataclass(frozen=True, eq=False)
class LiftWindow:
    """One lift test in model steps: the window's first and last step, the control arm's spend
    per window step, the measured lift (KPI units) and its standard error."""

    first: int
    last: int
    control: np.ndarray
    lift: float
    se: float
    label: str = ""


def control_spend(spend: np.ndarray, first: int, last: int, change: float) -> np.ndarray:
    """The control arm's spend per window step: `change` less than the history, in proportion
    to the history's spend (evenly where it spent nothing); may be negative if `change` is
    larger than what was spent (the caller refuses that)."""
    window = np.asarray(spend[first:last + 1], float)
    total = float(window.sum())
    share = window / total if total > 0 else np.full(len(window), 1.0 / len(window))
    return window - change * share


def implied_baseline(r: Response, y: np.ndarray, spend: np.ndarray) -> np.ndarray:
    """The zero-spend KPI the response implies: the history with the response taken out (the
    coupling weight read from the baseline itself, two fixed-point passes)."""
    sat = r.saturate(r.adstock(spend))
    base = y / (1 + r.gain * sat) if r.multiplicative else y - r.gain * sat
    for _ in range(2):
        w = r.coupling_weight(base)
        base = y / (1 + r.gain * w * sat) if r.multiplicative else y - r.gain * w * sat
    return base


def _kpi_response(r: Response, base: np.ndarray, stocked: np.ndarray) -> np.ndarray:
    """The KPI the response adds per step at carried-over spend `stocked`."""
    lift = r.gain * r.coupling_weight(base) * r.saturate(stocked)
    return base * lift if r.multiplicative else lift


def predicted_lift(r: Response, y: np.ndarray, spend: np.ndarray, test: LiftWindow,
                   base: np.ndarray | None = None) -> float:
    """The KPI the test's spend change earns under response `r`, carryover tail included."""
    y, spend = np.asarray(y, float), np.asarray(spend, float)
    base = implied_baseline(r, y, spend) if base is None else base
    stop = test.last + 1 + r.tail_steps()
    n = len(spend)
    if stop > n:                      # the tail runs past the history: last step's values
        spend = np.concatenate([spend, np.full(stop - n, spend[-1])])
        base = np.concatenate([base, np.full(stop - n, base[-1])])
    before = r.adstock(spend[:test.first])
    state = float(before[-1]) if len(before) else None
    treated = r.adstock(spend[test.first:stop], state)
    other = spend[test.first:stop].copy()
    other[:test.last + 1 - test.first] = test.control
    control = r.adstock(other, state)
    part = base[test.first:stop]
    return float(np.sum(_kpi_response(r, part, treated) - _kpi_response(r, part, control)))


@dataclass(frozen=True, eq=False)
class LiftEvidence:
    """A unit's lift tests as a likelihood term on its response: Σ ((predicted − measured) /
    s.e.)², minus twice the Gaussian log-likelihood (the profile search's evidence hook)."""

    y: np.ndarray
    spend: np.ndarray
    tests: tuple[LiftWindow, ...]

    def __call__(self, r: Response) -> float:
        if r.gain <= 0:
            return float(sum((t.lift / t.se) ** 2 for t in self.tests))
        base = implied_baseline(r, self.y, self.spend)
        return float(sum(((predicted_lift(r, self.y, self.spend, t, base) - t.lift) / t.se) ** 2
                         for t in self.tests))

    def predictions(self, r: Response) -> list[float]:
        base = implied_baseline(r, self.y, self.spend)
        return [predicted_lift(r, self.y, self.spend, t, base) for t in self.tests]


def returns_at_history(r: Response, y: np.ndarray, spend: np.ndarray) -> tuple[float, float]:
    """(ROI, marginal ROI) the response implies at the history's spend: the KPI it credits to
    the spend per unit spent, and the KPI one more unit spent in the same pattern adds (±1%)."""
    y, spend = np.asarray(y, float), np.asarray(spend, float)
    total = float(spend.sum())
    if total <= 0 or r.gain <= 0:
        return 0.0, 0.0
    base = implied_baseline(r, y, spend)

    def earned(k: float) -> float:
        return float(np.sum(_kpi_response(r, base, r.adstock(k * spend))))

    return earned(1.0) / total, (earned(1.01) - earned(0.99)) / (0.02 * total)


def plausible_range(plausible: tuple, evidence: LiftEvidence) -> list[tuple[float, float]]:
    """Per test, the range of lifts the history's plausible curves predict: over every
    plausible candidate, its prediction ± 1.96 times its gain's standard error (the lift is
    proportional to the gain)."""
    lows = [np.inf] * len(evidence.tests)
    highs = [-np.inf] * len(evidence.tests)
    for r, _, se in plausible:
        rel = Z_95 * se / r.gain if r.gain > 0 else 0.0
        for i, p in enumerate(evidence.predictions(r)):
            lows[i] = min(lows[i], p * (1 - rel) if p >= 0 else p * (1 + rel))
            highs[i] = max(highs[i], p * (1 + rel) if p >= 0 else p * (1 - rel))
    return list(zip(lows, highs))


def unit_windows(tests, dates: pd.Series, spend: np.ndarray) -> tuple[LiftWindow, ...]:
    """The tests of one unit in its model steps (`dates`: the unit's step dates)."""
    days = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
    out = []
    for t in tests:
        idx = np.flatnonzero(((days >= t.start) & (days <= t.end)).to_numpy())
        first, last = int(idx[0]), int(idx[-1])
        out.append(LiftWindow(first, last, control_spend(spend, first, last, t.spend_change),
                              t.lift, t.se, t.place))
    return tuple(out)
