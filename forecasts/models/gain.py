"""The gain profiled out of the response fit: for many candidate rows at once, the gain that
minimizes the residual sum of squares after least squares on the baseline's design.

Additive form: the fit is linear in the gain, so the gain is the projected least-squares slope,
cut at 0. Multiplicative form: the log-KPI moves by log(1 + gain · eff), so each row is a
smooth one-dimensional problem on [0, cap], solved by Newton's method on its derivative inside a
bracket that bisection keeps (the derivative changes sign at an interior minimum). Every row
is solved together with matrix products, one per iteration, instead of one scalar search each.
"""
from __future__ import annotations

import numpy as np

NEWTON_TOL = 1e-7         # stop when a step would move the gain by less than this × (1 + gain)
NEWTON_MAX_STEPS = 100    # bisection halves [0, cap] below the tolerance well before this


class GainSolver:
    """Best gain and its SSE per row of `eff` (the response's saturated, coupling-weighted
    spend, one candidate per row) for a fixed target and baseline basis `q` (orthonormal)."""

    def __init__(self, q: np.ndarray, target: np.ndarray, multiplicative: bool,
                 cap: float | None):
        self.q = np.ascontiguousarray(q)
        self.target = np.asarray(target, float)
        self.multiplicative = multiplicative
        self.cap = cap
        self.q_target = self.target @ self.q
        self.null_sse = max(float(self.target @ self.target - self.q_target @ self.q_target),
                            0.0)

    @staticmethod
    def _dot(a: np.ndarray, qa: np.ndarray, b: np.ndarray, qb: np.ndarray) -> np.ndarray:
        """Per row, the inner product of the two rows' residuals after the design."""
        return np.einsum("ij,ij->i", a, b) - np.einsum("ij,ij->i", qa, qb)

    def solve(self, eff: np.ndarray, start: float | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
        """(gain, SSE) per row of `eff` (k × n; one row of n values is one candidate).
        `start`: where Newton starts (a nearby candidate's gain) instead of the linearized
        gain; it changes the path, not the minimum."""
        eff = np.atleast_2d(np.asarray(eff, float))
        qe = eff @ self.q
        lin = eff @ self.target - qe @ self.q_target     # −½ SSE'(0): the projected slope
        curv = self._dot(eff, qe, eff, qe)
        slope = np.where(curv > 0, lin / np.where(curv > 0, curv, 1.0), 0.0)
        if not self.multiplicative:
            gain = np.maximum(slope, 0.0)
            if self.cap is not None:
                gain = np.minimum(gain, self.cap)
            resid = self.target - eff * gain[:, None]
            return gain, np.maximum(self._dot(resid, resid @ self.q, resid, resid @ self.q),
                                    0.0)
        gain = np.zeros(len(eff))
        sse = np.full(len(eff), self.null_sse)
        rows = np.flatnonzero(lin > 0)           # SSE falls from 0: a minimum above it
        if rows.size:
            first = slope[rows] if start is None or start <= 0 else np.full(rows.size, start)
            gain[rows], sse[rows] = self._bracketed(eff[rows], first)
        better = sse < self.null_sse
        return np.where(better, gain, 0.0), np.where(better, sse, self.null_sse)

    def solve_one(self, eff: np.ndarray, start: float | None = None) -> tuple[float, float]:
        g, sse = self.solve(eff, start)
        return float(g[0]), float(sse[0])

    def _slope(self, eff: np.ndarray, g: np.ndarray):
        """SSE and its first and second derivative in the gain, per row (multiplicative)."""
        k = len(eff)
        rows = np.empty((3 * k, eff.shape[1]))
        r, d1, d2 = rows[:k], rows[k:2 * k], rows[2 * k:]
        x = np.multiply(eff, g[:, None], out=d2)
        np.subtract(self.target, np.log1p(x, out=r), out=r)
        np.add(x, 1.0, out=d1)
        np.divide(eff, d1, out=d1)            # ∂ log(1 + g·e) / ∂g
        np.multiply(d1, d1, out=d2)           # − ∂² log(1 + g·e) / ∂g²
        qall = rows @ self.q
        qr, qd1, qd2 = qall[:k], qall[k:2 * k], qall[2 * k:]
        sse = np.maximum(self._dot(r, qr, r, qr), 0.0)
        grad = -2.0 * self._dot(r, qr, d1, qd1)
        curv = 2.0 * self._dot(d1, qd1, d1, qd1) + 2.0 * self._dot(r, qr, d2, qd2)
        return sse, grad, curv

    def _bracketed(self, eff: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Newton on the derivative from `start` (the linearized gain), each row kept inside
        the bracket [low, high] where the derivative goes from negative to positive; a step
        past the cap goes to the cap first, where a still-falling SSE stops the row."""
        cap = float(self.cap)
        k = len(eff)
        low, high = np.zeros(k), np.full(k, np.inf)
        g = np.minimum(np.where(start > 0, start, 0.5 * cap), cap)
        sse = np.empty(k)
        active = np.arange(k)
        sub = eff
        for _ in range(NEWTON_MAX_STEPS):
            value, grad, curv = self._slope(sub, g[active])
            sse[active] = value
            ga = g[active]
            low[active] = np.where(grad < 0, ga, low[active])
            high[active] = np.where(grad > 0, ga, high[active])
            lo, hi = low[active], high[active]
            nxt = ga - np.where(curv > 0, grad / np.where(curv > 0, curv, 1.0), np.inf)
            nxt = np.where(np.isfinite(nxt) & (nxt > lo) & (nxt < hi), nxt,
                           np.where(np.isfinite(hi), 0.5 * (lo + hi), cap))
            nxt = np.minimum(nxt, cap)
            done = ((np.abs(nxt - ga) <= NEWTON_TOL * (1.0 + ga)) | (grad == 0)
                    | ((ga >= cap) & (grad <= 0)))
            g[active] = np.where(done, ga, nxt)
            if done.any():
                active = active[~done]
                if active.size == 0:
                    break
                sub = eff[active]
        return g, sse
