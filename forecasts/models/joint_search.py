"""The joint model's search (see `budgetopt.forecasts.models.joint`): backfitting by coordinate
profile search over each channel's shape, scale, carryover and coupling with all gains refitted
together, then the continuous polish and the joint refinement with the weak prior."""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import least_squares, lsq_linear, minimize, nnls

from budgetopt.forecasts.models.response import (CARRYOVER_GRID, COUPLING_GRID, HILL_EXPONENTS,
                                                 MAX_GAIN, SCALE_MULTIPLES, _Projector, adstock,
                                                 saturation)

MAX_PASSES = 6
MAX_THETA_PER_DAY = 0.95  # carryover's upper bound per day; per model step: max_theta()
NO_CARRY = 1e-9          # the carryover bound of a channel fitted without carryover
EDGE = 1e-3               # a parameter this close (relatively) to its bound sits at it
CONVERGED = 1e-6          # relative SSE improvement that ends the passes
# The weak prior (docs/wide.md): log(scale ÷ typical spend) ~ N(0, 1), the grid's range being
# about ±2 sd; log ROI_c ~ N(common mean, 1). ROI_FLOOR keeps the log finite at zero effect.
PRIOR_LOG_SCALE_SD = 1.0
PRIOR_LOG_ROI_SD = 1.0
ROI_FLOOR = 1e-3
# Hill exponents stay within the response grid's range: a flatter curve (smaller exponent)
# hardly varies with spend, so its level trades with the baseline's and is not identified
MIN_HILL = min(HILL_EXPONENTS)
# Saturation shapes the joint model tries: those of the long form. The Hill family (two
# parameters: scale and exponent) and a coupling ρ away from the form's own (1 multiplicative,
# 0 additive) must each pay a BIC penalty of log(n)·σ² in the total's fit: read through the
# total's noise, Hill and exponential curves that agree over the spends seen extrapolate to
# different levels at zero spend, so a Hill curve is taken only where the data ask for it
# (docs/wide.md).
JOINT_SHAPES = (("exp", 1.0),) + tuple(("hill", n) for n in HILL_EXPONENTS)


def _candidates(step_days: int):
    shapes = list(JOINT_SHAPES)
    return [(shape, n, m, theta) for theta in CARRYOVER_GRID[7 if step_days >= 7 else 1]
            for shape, n in shapes for m in SCALE_MULTIPLES]


class _Backfit:
    """The coordinate profile search of the module docstring."""

    def __init__(self, target: np.ndarray, design: np.ndarray, spend: np.ndarray,
                 multiplicative: bool, step_days: int, use_prior: bool = True):
        self.centre = float(target.mean())
        self.t = target - self.centre
        self.proj = _Projector(design)
        self.x = spend
        self.mult = multiplicative
        self.levels = [float(np.mean(col[col > 0])) if np.any(col > 0) else 1.0
                       for col in spend.T]
        self.grid = _candidates(step_days)
        self.stocked = {}
        self.use_prior = use_prior
        self.prior_sigma: float | None = None
        self.y = np.exp(target) if multiplicative else None
        self.rho0 = 1.0 if multiplicative else 0.0
        self.rhos = [self.rho0] * spend.shape[1]
        self.rel: np.ndarray | None = None       # in-sample baseline ÷ its mean (for ρ)
        self.base_level = 1.0
        self.penalty = 0.0
        self.cap = MAX_GAIN[multiplicative]      # the long form's cap on the gain
        self.max_theta = max_theta(step_days)

    def weight(self, c: int, rho: float | None = None) -> np.ndarray | float:
        """The coupling weight (B/B̄)^(ρ − ρ₀) of channel c (1 at the form's own ρ₀)."""
        rho = self.rhos[c] if rho is None else rho
        if self.rel is None or abs(rho - self.rho0) < 1e-12:
            return 1.0
        return self.rel ** (rho - self.rho0)

    def column(self, c: int, shape: str, n: float, scale: float, theta: float,
               rho: float | None = None) -> np.ndarray:
        key = (c, round(float(theta), 12))
        if key not in self.stocked:
            if len(self.stocked) > 64:
                self.stocked.clear()
            self.stocked[key] = adstock(self.x[:, c], theta)
        return saturation(shape, self.stocked[key], scale, n) * self.weight(c, rho)

    def sat(self, c: int, shape: str, n: float, scale: float, theta: float) -> np.ndarray:
        return self.column(c, shape, n, scale, theta)

    def extra(self, shape: str, n: float, rho: float, theta: float = 0.0) -> int:
        """Parameters beyond the one-scale exponential at the form's own coupling (BIC-
        penalized): the Hill family's exponent (at 1 too: the family has two parameters), a
        coupling away from ρ₀ and a carryover above none."""
        return int(shape == "hill") + int(abs(rho - self.rho0) > 1e-12) + int(theta > 0)

    def _set_penalty(self, sse: float) -> None:
        k = self.x.shape[1]
        dof = max(len(self.t) - self.proj.p - 4 * k, 1)
        self.penalty = math.log(len(self.t)) * sse / dof

    def _weights(self, sats: np.ndarray, gains: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Linearization at the current lift: working target and column weights."""
        if not self.mult:
            return self.t, np.ones(len(self.t))
        u = sats @ gains
        w = 1.0 / (1.0 + u)
        return self.t - np.log1p(u) + u * w, w

    def solve(self, sats: np.ndarray, work: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:
        a = self.proj.resid(sats * w[:, None])
        b = self.proj.resid(work)
        gains, norm = nnls(a, b, maxiter=50 * a.shape[1])
        if self.cap is not None and np.any(gains > self.cap):
            res = lsq_linear(a, b, bounds=(0.0, self.cap), method="bvls")
            return res.x, float(2 * res.cost)
        return gains, float(norm ** 2)

    def exact_sse(self, sats: np.ndarray, gains: np.ndarray) -> float:
        u = sats @ gains
        return self.proj.sse(self.t - (np.log1p(u) if self.mult else u))

    def _passes(self, params, sats, gains, best, profiles):
        for _ in range(MAX_PASSES):
            before = best
            for c in range(len(params)):
                params[c], sats, gains, best, profiles[c] = self._visit(c, params, sats, gains)
            self._set_penalty(best)
            if before - best <= CONVERGED * max(before, 1e-12):
                break
        return params, sats, gains, best

    def run(self) -> tuple[list[tuple], np.ndarray, np.ndarray, float, dict]:
        k = self.x.shape[1]
        params = [("exp", 1.0, self.levels[c], CARRYOVER_GRID[1][0]) for c in range(k)]
        sats = np.column_stack([self.sat(c, *params[c][:2], params[c][2], params[c][3])
                                for c in range(k)])
        work, w = self._weights(sats, np.zeros(k))
        gains, _ = self.solve(sats, work, w)
        best = self.exact_sse(sats, gains)
        self._set_penalty(best)
        profiles: dict[int, list] = {}
        params, sats, gains, best = self._passes(params, sats, gains, best, profiles)
        if self._couplings(params, sats, gains):
            sats = np.column_stack([self.sat(c, *params[c][:2], params[c][2], params[c][3])
                                    for c in range(k)])
            work, w = self._weights(sats, gains)
            gains, _ = self.solve(sats, work, w)
            best = self.exact_sse(sats, gains)
            params, sats, gains, best = self._passes(params, sats, gains, best, profiles)
        for c in range(k):
            params[c], sats, gains, best = self._shape(c, params, sats, gains, best,
                                                       profiles.get(c, []))
        if self.use_prior:     # the noise scale the prior is measured in, from the data fit
            self.prior_sigma = math.sqrt(best / max(len(self.t) - self.proj.p - 4 * k, 1))
        params, sats, gains, best = self.refine(params, sats, gains)
        return params, sats, gains, self.exact_sse(sats, gains), profiles

    def _couplings(self, params, sats, gains) -> bool:
        """Each channel's coupling ρ chosen on COUPLING_GRID at its shape, scale and carryover
        (BIC-penalized away from ρ₀), against the baseline the ρ₀ fit implies; True when any
        channel moved."""
        lift = sats @ gains
        z = self.t - (np.log1p(lift) if self.mult else lift)
        fitted = z - self.proj.resid(z) + self.centre
        base = np.exp(fitted) if self.mult else fitted
        level = float(np.mean(base))
        if not level > 0:
            return False
        self.base_level = level
        self.rel = np.maximum(base / level, 1e-3)
        moved = False
        for c, (shape, n, scale, theta) in enumerate(params):
            if gains[c] <= 0:
                continue
            work, w = self._weights(sats, gains)
            current = self.exact_sse(sats, gains) + self.penalty * self.extra(
                shape, n, self.rhos[c], theta)
            trial = sats.copy()
            for rho in COUPLING_GRID:
                if abs(rho - self.rhos[c]) < 1e-12:
                    continue
                trial[:, c] = self.column(c, shape, n, scale, theta, rho)
                g, _ = self.solve(trial, work, w)
                score = self.exact_sse(trial, g) + self.penalty * self.extra(shape, n, rho, theta)
                if score < current:
                    current, self.rhos[c], moved = score, rho, True
                    sats, gains = trial.copy(), g
        return moved

    def refine(self, params, sats, gains):
        """All channels' scales, carryovers, Hill exponents and gains refined together by
        bounded least squares on the exact (not linearized) residuals and the prior's terms.
        Returns the parameters and the objective (SSE plus prior terms)."""
        vec = ParameterVector(self, params)
        start = vec.pack(params, gains)
        before = float(np.sum(vec.resid(start) ** 2))
        res = least_squares(vec.resid, start, bounds=(vec.lo, vec.hi), x_scale="jac",
                            max_nfev=60 * (len(params) + 1))
        after = float(np.sum(res.fun ** 2))
        if after >= before:
            return params, sats, gains, before
        ps, g = vec.unpack(res.x)
        return ps, vec.columns(ps), g, after

    def _visit(self, c, params, sats, gains):
        work, w = self._weights(sats, gains)
        trial = sats.copy()
        scored = []
        rho = self.rhos[c]
        for shape, n, m, theta in self.grid:
            scale = self.levels[c] * m
            trial[:, c] = self.sat(c, shape, n, scale, theta)
            g, _ = self.solve(trial, work, w)
            scored.append(((shape, n, scale, theta), g, self.exact_sse(trial, g)))
        choice, g, sse = min(scored, key=lambda item: item[2] + self.penalty
                             * self.extra(item[0][0], item[0][1], rho, item[0][3]))
        current = self.exact_sse(sats, gains)
        if (sse + self.penalty * self.extra(choice[0], choice[1], rho, choice[3])
                >= current + self.penalty * self.extra(params[c][0], params[c][1], rho,
                                                       params[c][3])):
            choice, g, sse = params[c], gains, current
        new = sats.copy()
        new[:, c] = self.sat(c, choice[0], choice[1], choice[2], choice[3])
        return choice, new, g, sse, [(p, float(gg[c]), s) for p, gg, s in scored]

    def _shape(self, c, params, sats, gains, best, profile):
        """The channel's shape chosen after polishing: the best grid candidate of each shape
        (exponential, Hill) is polished with the others held, and the
        polished fits compete on SSE plus the BIC penalty (at grid resolution the shapes'
        SSEs differ by the grid's coarseness, not by the data)."""
        rho = self.rhos[c]
        families: dict[tuple, tuple] = {}
        for cand, _, sse in profile:
            fam = cand[0]
            if fam not in families or sse < families[fam][1]:
                families[fam] = (cand, sse)
        if not families:
            return self._polish(c, params, sats, gains, best)
        winner, winner_score = None, math.inf
        for fam in sorted(families):
            cand = families[fam][0]
            trial_params = list(params)
            trial_params[c] = cand
            trial = sats.copy()
            trial[:, c] = self.sat(c, *cand[:2], cand[2], cand[3])
            work, w = self._weights(trial, gains)
            g, _ = self.solve(trial, work, w)
            sse = self.exact_sse(trial, g)
            got = self._polish(c, trial_params, trial, g, sse)
            score = got[3] + self.penalty * self.extra(got[0][0], got[0][1], rho, got[0][3])
            if score < winner_score:
                winner, winner_score = got, score
        polished = self._polish(c, params, sats, gains, best)
        own = polished[3] + self.penalty * self.extra(polished[0][0], polished[0][1], rho,
                                                      polished[0][3])
        return polished if own <= winner_score else winner

    def _polish(self, c, params, sats, gains, best):
        """Refine the channel's scale, carryover and (Hill) exponent continuously, the others
        held."""
        shape, n, scale, theta = params[c]
        level = self.levels[c]
        hill = shape == "hill"
        trial = sats.copy()

        carry = theta > 0          # no carryover chosen: it stays none (it must pay for itself)
        bound = self.max_theta if carry else 0.0

        def unpack(v):
            return (level * math.exp(_log_multiple(v[0])), _theta(v[1], bound),
                    min(max(float(v[2]), MIN_HILL), 1.0) if hill else n)

        def fit(v):
            sc, th, nn = unpack(v)
            trial[:, c] = self.column(c, shape, nn, sc, th)
            work, w = self._weights(trial, gains)
            g, _ = self.solve(trial, work, w)
            return g, self.exact_sse(trial, g)

        start = [math.log(scale / level), theta] + ([n] if hill else [])
        steps = [(0, 0.3)] + ([(1, 0.1)] if carry else []) + ([(2, -0.1)] if hill else [])
        simplex = [start] + [[x + (d if i == j else 0.0) for i, x in enumerate(start)]
                             for j, d in steps]
        free = [0] + ([1] if carry else []) + ([2] if hill else [])
        if len(free) < len(start):         # Nelder–Mead over the free coordinates only
            inner = fit

            def fit(v, inner=inner):
                full = list(start)
                for i, x in zip(free, v):
                    full[i] = x
                return inner(full)
            start_free = [start[i] for i in free]
            simplex = [[row[i] for i in free] for row in simplex]
            start_, expand = start_free, free
        else:
            start_, expand = start, None
        res = minimize(lambda v: fit(v)[1], start_, method="Nelder-Mead",
                       options={"xatol": 1e-3, "fatol": 1e-9 * best, "maxiter": 120,
                                "initial_simplex": simplex})
        g, sse = fit(res.x)
        if sse >= best:
            return params[c], sats, gains, best
        full = list(start)
        for i, x in zip(expand or range(len(start)), res.x):
            full[i] = x
        sc, th, nn = unpack(full)
        return (shape, nn, sc, th), trial.copy(), g, sse


class ParameterVector:
    """The joint model's continuous parameters as one vector — per channel log scale multiple,
    carryover, (Hill exponent), then the gains — with bounds and exact residuals; the
    shapes and couplings stay as chosen."""

    def __init__(self, search: _Backfit, params: list[tuple]):
        self.search = search
        self.shapes = [p[0] for p in params]
        self.fixed_n = [p[1] for p in params]
        self.free_n = [p[0] == "hill" for p in params]
        self.lo, self.hi = [], []
        for free, p in zip(self.free_n, params):
            # a channel fitted without carryover keeps none (NO_CARRY: least squares needs
            # lower < upper)
            carry = search.max_theta if p[3] > 0 else NO_CARRY
            self.lo += [math.log(SCALE_MULTIPLES[0]), 0.0] + ([MIN_HILL] if free else [])
            self.hi += [math.log(SCALE_MULTIPLES[-1]), carry] + ([1.0] if free else [])
        self.lo += [0.0] * len(params)
        cap = search.cap if search.cap is not None else np.inf
        self.hi += [cap] * len(params)
        self.lo, self.hi = np.array(self.lo), np.array(self.hi)

    def pack(self, params, gains) -> np.ndarray:
        v = []
        for c, (shape, n, scale, theta) in enumerate(params):
            v += [math.log(scale / self.search.levels[c]), theta] + ([n] if self.free_n[c] else [])
        v += [max(float(g), 0.0) for g in gains]
        return np.clip(np.array(v, float), self.lo, self.hi)

    def unpack(self, v) -> tuple[list[tuple], np.ndarray]:
        out, i = [], 0
        for c, shape in enumerate(self.shapes):
            free = self.free_n[c]
            out.append((shape, float(v[i + 2]) if free else self.fixed_n[c],
                        self.search.levels[c] * math.exp(v[i]), float(v[i + 1])))
            i += 3 if free else 2
        return out, np.asarray(v[i:], float)

    def columns(self, ps) -> np.ndarray:
        x = self.search.x
        return np.column_stack([saturation(p[0], adstock(x[:, c], p[3]), p[2], p[1])
                                * self.search.weight(c) for c, p in enumerate(ps)])

    def resid(self, v) -> np.ndarray:
        ps, g = self.unpack(v)
        sats = self.columns(ps)
        u = sats @ g
        s = self.search
        data = s.proj.resid(s.t - (np.log1p(u) if s.mult else u))
        if s.prior_sigma is None:
            return data
        return np.concatenate([data, s.prior_sigma * self.prior_terms(v, ps, sats, g, u)])

    def prior_terms(self, v, ps, sats, g, u) -> np.ndarray:
        """The weak prior, in units of the noise: each channel's scale within a factor e of
        its typical spend (one sd of log scale ÷ typical spend), and the channels' historical
        ROIs within a factor e of their common (geometric) mean (one sd of log ROI)."""
        s = self.search
        log_m = np.log([p[2] / s.levels[c] for c, p in enumerate(ps)])
        base = s.y / (1.0 + u) if s.mult else np.ones(len(u))
        contrib = (sats * g) * base[:, None]
        roi = contrib.sum(axis=0) / np.maximum(s.x.sum(axis=0), 1e-12)
        log_roi = np.log(roi + ROI_FLOOR * max(float(np.mean(roi)), 1e-12))
        if len(log_roi) < 2:
            return log_m / PRIOR_LOG_SCALE_SD
        return np.concatenate([log_m / PRIOR_LOG_SCALE_SD,
                               (log_roi - log_roi.mean()) / PRIOR_LOG_ROI_SD])


def max_theta(step_days: int) -> float:
    """The carryover bound in the model's steps: the share of a step's (evenly spread) spend
    effect carried past the step when the daily carryover is at its daily bound θ — the mean
    over the step's days j of θ^(step − j) — so weekly rows allow no longer a memory than
    daily ones (1 step: θ itself)."""
    theta = MAX_THETA_PER_DAY
    return float(np.mean([theta ** (step_days - j) for j in range(step_days)]))


def _theta(v: float, bound: float) -> float:
    return min(max(float(v), 0.0), bound)


def _log_multiple(v: float) -> float:
    """Scales stay within the grid's range of multiples of typical spend: beyond it the
    curve is a straight line (or a step), which the data cannot tell from the grid's edge."""
    return min(max(float(v), math.log(SCALE_MULTIPLES[0])), math.log(SCALE_MULTIPLES[-1]))
