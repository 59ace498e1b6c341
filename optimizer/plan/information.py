"""What knowing one unit's curve is worth to the plan (docs/optimizer.md, "Which test to run
next"): the expected value of perfect information (EVPI) over a few groups of the unit's
plausible curves, and of the sample information a lift test would give (EVSI).

Under the mean of the plausible curves the plan's expected value is linear in each unit's
curve, so the plan under current knowledge is the LP on every cell's mean curve (x₀). With
unit u's curve = group g's mean curve and every other unit at its mean, x_g is the optimal
plan and V_g its value in money; EVPI = Σ_g p_g [V_g(x_g) − V_g(x₀)] ≥ 0 (x₀ obeys the same
rules: the rules read the point curves). A test measures lift y ~ N(lift_g, se) when group g
is true; the plan after the test is the best, under the posterior over the groups, of x₀, the
x_g and the plan on the posterior-mean curve, valued on the true group; EVSI is the expected
gain over x₀, by Gauss–Hermite quadrature in y. Every realized value is at most V_g(x_g), so
EVSI ≤ EVPI; as se → 0 the posterior finds the true group (EVSI → EVPI, where the groups'
lifts differ), as se → ∞ it stays the prior and x₀ is kept (EVSI → 0).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from budgetopt.optimizer.lp.swaps import Point, SwapModel, Values

QUADRATURE = 5            # Gauss–Hermite points per true group


@dataclass(frozen=True)
class Prior:
    """One unit's groups of plausible curves: their probabilities and, per group, the mean
    curve of its samples on the LP's segments (value at the fixed spend, slopes)."""

    key: str
    probs: np.ndarray
    curves: tuple[Values, ...]

    def mixture(self, weights: np.ndarray) -> Values:
        """The curve of a weighting of the groups (a posterior): per cell the weighted mean."""
        out: Values = {}
        for cell in self.curves[0]:
            fixed = float(sum(w * g[cell][0] for w, g in zip(weights, self.curves)))
            slopes = sum(w * g[cell][1] for w, g in zip(weights, self.curves))
            out[cell] = (fixed, np.asarray(slopes, float))
        return out


def plan_money(model: SwapModel, base_spend: float) -> Callable[[Point, Values], float]:
    """A plan's value in money under a swap: incremental KPI (money when the KPI is revenue);
    margin × KPI − spend under max_profit; under max_roi the plan's ROI × the spend of the plan
    under current knowledge (what that spend earns at the better ratio)."""
    name = model.objective.name

    def value(point: Point, swapped: Values) -> float:
        kpi = model.kpi(point, {**model.values, **swapped})
        if name == "max_profit":
            return float(model.objective.margin) * kpi - point.spend(model.fixed)
        if name == "max_roi":
            spend = point.spend(model.fixed)
            return kpi / spend * base_spend if spend > 1e-9 else 0.0
        return kpi
    return value


class Information:
    """EVPI and EVSI of one unit from its prior, on a SwapModel and the plan x₀ it solved."""

    def __init__(self, model: SwapModel, base: Point, prior: Prior,
                 value: Callable[[Point, Values], float]):
        self.model, self.prior, self.value = model, prior, value
        self.plans = [base] + [model.solve(g) for g in prior.curves]
        # M[g, k]: plan k valued with the unit's curve = group g's
        self.M = np.array([[value(p, g) if p.ok else -np.inf for p in self.plans]
                           for g in prior.curves])
        self._posterior_plans: dict[bytes, np.ndarray] = {}

    def evpi(self) -> float:
        gains = np.diag(self.M[:, 1:]) - self.M[:, 0]
        return float(self.prior.probs @ np.maximum(gains, 0.0))

    def evsi(self, lifts: np.ndarray, se: float, exact: bool = False) -> float:
        """The expected gain of planning after a test measuring lift ± `se` (lifts per group).
        `exact`: the plan on the posterior-mean curve joins the candidates (LP solves)."""
        p = self.prior.probs
        lifts = np.asarray(lifts, float)
        se = max(float(se), 1e-12 * max(1.0, float(np.max(np.abs(lifts)))))
        t, w = np.polynomial.hermite.hermgauss(QUADRATURE)
        w = w / np.sqrt(np.pi)
        base = float(p @ self.M[:, 0])
        total = 0.0
        for g, lift in enumerate(lifts):
            for y, wq in zip(lift + np.sqrt(2.0) * se * t, w):
                post = _posterior(p, lifts, y, se)
                scores = post @ self.M
                k = int(np.argmax(scores))
                realized = self.M[g, k]
                if exact:
                    column = self._posterior_plan(post)
                    if post @ column > scores[k] + 1e-9 * max(1.0, abs(scores[k])):
                        realized = column[g]
                total += p[g] * wq * realized
        gain = total - base
        return float(min(max(gain, 0.0), self.evpi()))

    def _posterior_plan(self, post: np.ndarray) -> np.ndarray:
        """The plan on the posterior-mean curve, valued on each group (solved once per
        posterior, rounded to 1e-4)."""
        rounded = np.round(post, 4)
        rounded = rounded / rounded.sum()
        key = rounded.tobytes()
        if key not in self._posterior_plans:
            point = self.model.solve(self.prior.mixture(rounded))
            self._posterior_plans[key] = np.array(
                [self.value(point, g) if point.ok else -np.inf for g in self.prior.curves])
        return self._posterior_plans[key]


def _posterior(p: np.ndarray, lifts: np.ndarray, y: float, se: float) -> np.ndarray:
    logs = np.log(np.maximum(p, 1e-300)) - 0.5 * ((y - lifts) / se) ** 2
    logs -= logs.max()
    post = np.exp(logs)
    return post / post.sum()
