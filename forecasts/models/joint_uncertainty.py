"""How well the data pin a joint model: the parameters' joint sampling distribution and, from
it, each channel's band of plausible responses.

At the least-squares optimum the residuals' Jacobian J (by finite differences) gives the
parameters' covariance σ²·(JᵀJ)⁺ — all channels' scales, carryovers, Hill exponents and gains
together, so a channel whose effect the data cannot tell from another's gets the wide band it
deserves (a one-channel-at-a-time profile would not show that). Seeded normal draws from it,
clipped to the parameters' bounds (a parameter at a bound is not identified there, and its
draws pile up at the bound while the others spread), are the model's plausible parameter
sets; each channel's band reads its response and marginal response at typical spend, 1.5× and
2× it across the draws, relative to the fit, in the form the long form's band has (see
`budgetopt.forecasts.models.response`), so the diagnostics and pilot limits read it unchanged.
"""
from __future__ import annotations

import numpy as np

from budgetopt.forecasts.components.response import Response
from budgetopt.forecasts.models.plausible import effective_share

DRAWS = 200
BAND_QUANTILES = (0.025, 0.975)
PROPOSALS_PER_DRAW = 2     # normal proposals per kept draw (importance resampling)
WIDEN = 3.0                # a not-identified channel's proposal sd, in sd of the normal fit
MIN_ESS_SHARE = 0.1        # the weights must spread over at least this share of proposals


def jacobian(fun, v: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Forward differences of the residual vector, stepping inward at a bound."""
    base = fun(v)
    cols = []
    for i in range(len(v)):
        h = 1e-4 * max(abs(v[i]), 1e-2)
        step = v.copy()
        if step[i] + h > hi[i]:
            h = -h
        step[i] += h
        cols.append((fun(step) - base) / h)
    return np.column_stack(cols)


class _Typical:
    """The parameters with each effective channel's gain replaced by the log of its response
    at typical spend (ψ = log(g · sat(level))): the quantity the data pin best is then one
    coordinate, so the normal approximation does not bend around the scale–gain ridge.
    Channels fitted with no effect keep gain 0 (their band is 0 to unbounded)."""

    def __init__(self, vec, params, gains):
        self.vec = vec
        self.params = params
        self.live = [i for i, g in enumerate(gains) if g > 0]
        self.k = len(params)
        self.split = len(vec.lo) - self.k      # where the gains start in vec's layout
        self.lo = np.concatenate([vec.lo[:self.split], np.full(len(self.live), -np.inf)])
        self.hi = np.concatenate([vec.hi[:self.split], np.full(len(self.live), np.inf)])

    def _sat_at_level(self, ps, i) -> float:
        shape, n, scale, _ = ps[i]
        return max(float(_sat(shape, self.vec.search.levels[i], scale, n)), 1e-300)

    def to_w(self, v) -> np.ndarray:
        ps, g = self.vec.unpack(v)
        psi = [np.log(g[i] * self._sat_at_level(ps, i)) for i in self.live]
        return np.concatenate([v[:self.split], psi])

    def to_v(self, w) -> np.ndarray:
        head = np.asarray(w[:self.split], float)
        ps, _ = self.vec.unpack(np.concatenate([head, np.zeros(self.k)]))
        gains = np.zeros(self.k)
        for j, i in enumerate(self.live):
            gains[i] = np.exp(min(w[self.split + j], 700.0)) / self._sat_at_level(ps, i)
        return np.concatenate([head, np.clip(gains, self.vec.lo[self.split:],
                                             self.vec.hi[self.split:])])

    def resid(self, w) -> np.ndarray:
        return self.vec.resid(self.to_v(w))

    def coordinates(self, c: int) -> list[int]:
        """Positions of channel c's coordinates (scale, carryover, exponent, ψ) in w."""
        i, out = 0, []
        for j, free in enumerate(self.vec.free_n):
            width = 3 if free else 2
            if j == c:
                out = list(range(i, i + width))
            i += width
        if c in self.live:
            out.append(self.split + self.live.index(c))
        return out


def parameter_draws(vec, params, gains, sigma: float, seed: int = 0, draws: int = DRAWS,
                    loose: tuple = ()) -> list[tuple[list[tuple], np.ndarray]]:
    """Plausible (params, gains) sets of a `joint.ParameterVector` around the fit: normal
    proposals from κ-discounted σ²(JᵀJ)⁺ (the coordinates of the channels in `loose`, not
    identified, WIDEN times wider), importance-weighted by the likelihood (with the prior's
    terms) over the proposal's density and resampled, so the set follows the likelihood where
    the normal approximation does not."""
    space = _Typical(vec, params, gains)
    w = space.to_w(vec.pack(params, gains))
    rows = len(vec.search.t)
    base_resid = space.resid(w)
    kappa = effective_share(base_resid[:rows])
    jac = jacobian(space.resid, w, space.lo, space.hi)
    cov = sigma ** 2 / kappa * np.linalg.pinv(jac.T @ jac, rcond=1e-10)
    cov = (cov + cov.T) / 2
    rng = np.random.default_rng(seed)
    values, vectors = np.linalg.eigh(cov)
    root = vectors * np.sqrt(np.clip(values, 0.0, None))
    spread = np.ones(len(w))
    for c in loose:
        spread[space.coordinates(c)] = WIDEN
    z = rng.standard_normal((PROPOSALS_PER_DRAW * draws, len(w)))
    proposals = np.clip(w + (z @ root.T) * spread, space.lo, space.hi)
    best = float(base_resid @ base_resid)
    score = np.array([float(np.sum(space.resid(x) ** 2)) for x in proposals])
    log_w = -kappa * (score - best) / (2 * sigma ** 2) + 0.5 * np.sum(z ** 2, axis=1)
    weights = _tempered(np.where(np.isfinite(log_w), log_w, -np.inf))
    picks = _systematic(weights, draws, rng)
    return [vec.unpack(space.to_v(proposals[i])) for i in picks]


def _tempered(log_w: np.ndarray) -> np.ndarray:
    """Normalized importance weights; if fewer than MIN_ESS_SHARE of the proposals carry them
    (effective sample size), the log weights are scaled down until they do — a guard against
    the set collapsing onto a few proposals when the normal approximation is poor."""
    def normalized(scale):
        lw = scale * log_w
        lw = lw - np.max(lw)
        p = np.exp(lw)
        return p / p.sum()

    def ess(p):
        return 1.0 / float(np.sum(p ** 2))

    target = MIN_ESS_SHARE * len(log_w)
    p = normalized(1.0)
    if ess(p) >= target:
        return p
    lo, hi = 0.0, 1.0
    for _ in range(30):
        mid = (lo + hi) / 2
        if ess(normalized(mid)) >= target:
            lo = mid
        else:
            hi = mid
    return normalized(lo)


def _systematic(weights: np.ndarray, draws: int, rng) -> np.ndarray:
    """Systematic resampling: `draws` indices, each proposal about weight × draws times."""
    edges = np.cumsum(weights)
    edges[-1] = 1.0
    points = (rng.random() + np.arange(draws)) / draws
    return np.searchsorted(edges, points)


def channel_band(c: int, draws, best: Response, level: float) -> dict:
    """The spread of channel c's response across the draws, relative to the fit."""
    def value(shape, n, scale, gain, x):
        return gain * float(np.squeeze(_sat(shape, x, scale, n)))

    def marginal(shape, n, scale, gain, x):
        h = 0.01 * x
        return (value(shape, n, scale, gain, x + h) - value(shape, n, scale, gain, x - h)) / (2 * h)

    out = {"candidates": len(draws)}
    ref_params = (best.shape, best.hill_n, best.scale, best.gain)
    for name, x, read in (("typical", level, value), ("double", 2 * level, value),
                          ("mroi_typical", level, marginal), ("mroi_high", 1.5 * level, marginal)):
        ref = read(*ref_params, x)
        got = np.array([read(ps[c][0], ps[c][1], ps[c][2], g[c], x) for ps, g in draws])
        if ref > 0:
            low, high = np.quantile(got / ref, BAND_QUANTILES)
            out[f"{name}_low"], out[f"{name}_high"] = float(min(low, 1.0)), float(max(high, 1.0))
        else:
            out[f"{name}_low"], out[f"{name}_high"] = 0.0, float("inf")
    return out


def plausible_responses(draws, channels: list[str], multiplicative: bool, rhos,
                        base_level: float) -> list[dict]:
    """The draws as {channel: Response} — the joint model's plausible curves."""
    return [{c: Response(ps[i][0], ps[i][2], ps[i][1], ps[i][3], float(g[i]), multiplicative,
                         float(rhos[i]), base_level)
             for i, c in enumerate(channels)} for ps, g in draws]


def _sat(shape, x, scale, n):
    from budgetopt.forecasts.components.saturation import saturation
    return saturation(shape, x, scale, n)
