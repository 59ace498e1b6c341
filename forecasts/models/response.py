"""The spend response of one unit and the profile search that finds it.

A unit's KPI per model step is modelled as

    multiplicative (default):  y = base(t) · (1 + gain · sat(adstock(spend)))
    additive:                  y = base(t) + gain · sat(adstock(spend))

where base(t) is the zero-spend KPI (trend, seasonality, promotions — Prophet's part),
adstock is geometric carryover a_t = θ·a_(t−1) + (1 − θ)·x_t, and sat is exponential
(1 − exp(−a/λ)) or Hill (aⁿ / (aⁿ + kⁿ), n ≤ 1). In the multiplicative form the response moves
with the season and promotions exactly as the baseline does, so a promotion lifts both and is
not credited to the channel.

The nonlinear parameters (shape, scale, Hill exponent, carryover, gain) are chosen by a
profile search: for each candidate, the KPI is adjusted for the response and the rest is fitted
by least squares on a design that mirrors Prophet's (piecewise-linear trend, yearly Fourier
terms, weekdays, promotion days), on the log scale for the multiplicative form. The grid's
near-best candidates give a band of plausible responses, which the diagnostics and the plan's
trust limits read.

Evidence beyond the unit's history (a lift test, a pooled prior) enters as an optional
`evidence(response) -> float`: minus twice its log-likelihood (chi-square units, e.g.
Σ ((predicted − measured) / standard error)² for Gaussian measurements). The search adds it to
each candidate's SSE as σ² · evidence, so it weighs exactly as a likelihood term beside
SSE/σ², and the plausible weights add it unscaled (not discounted for the residuals'
autocorrelation, which the history alone has).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from budgetopt.forecasts.components.carryover import TAIL_SHARE, adstock  # noqa: F401
from budgetopt.forecasts.components.response import Response
from budgetopt.forecasts.components.saturation import inverse_saturation, saturation  # noqa: F401
from budgetopt.forecasts.models.gain import GainSolver

SCALE_MULTIPLES = tuple(float(m) for m in np.exp(np.linspace(np.log(0.2), np.log(10.0), 13)))
HILL_EXPONENTS = (0.6, 0.8, 1.0)
CARRYOVER_GRID = {1: (0.0, 0.2, 0.4, 0.6, 0.75, 0.85), 7: (0.0, 0.15, 0.3, 0.45, 0.6)}
MAX_GAIN = {True: 20.0, False: None}
FOURIER_ORDER = 6
TREND_KNOTS = (0.2, 0.4, 0.6, 0.8)
COUPLING_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)   # ρ: 0 additive … 1 proportional
CHI2_1_95 = 3.841          # profile-likelihood band: ΔSSE/σ² ≤ χ²₁(0.95)


def base_design(ds: pd.Series, holidays: pd.DataFrame, step_days: int) -> np.ndarray:
    """Least-squares stand-in for Prophet's structure: piecewise-linear trend, yearly Fourier
    terms, weekdays (daily data), and promotion days (one column per day of each window)."""
    ds = pd.Series(pd.to_datetime(ds)).reset_index(drop=True)
    t = (ds - ds.iloc[0]).dt.days.to_numpy(float)
    t = t / max(t[-1], 1.0)
    cols = [np.ones_like(t), t] + [np.maximum(t - k, 0.0) for k in TREND_KNOTS]
    doy = 2 * np.pi * ds.dt.dayofyear.to_numpy(float) / 365.25
    for k in range(1, FOURIER_ORDER + 1):
        cols += [np.sin(k * doy), np.cos(k * doy)]
    if step_days == 1:
        cols += [(ds.dt.dayofweek == d).to_numpy(float) for d in range(6)]
    days = ds.to_numpy().astype("datetime64[D]").astype(np.int64)
    for _, grp in holidays.groupby("holiday", sort=True):
        by_offset = _window_days(grp)
        if step_days == 1:
            for off in sorted(by_offset):
                col = np.isin(days, by_offset[off]).astype(float)
                if col.any():
                    cols.append(col)
        else:
            window = np.unique(np.concatenate(list(by_offset.values())))
            inside = np.zeros(len(days))
            for k in range(step_days):
                inside += np.isin(days + k, window)
            if inside.any():
                cols.append(inside / step_days)
    return _independent(np.column_stack(cols))


def _window_days(grp: pd.DataFrame) -> dict[int, np.ndarray]:
    """One promotion's days (as day numbers) per offset from its date, over all its rows."""
    base = pd.to_datetime(grp["ds"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    low = grp["lower_window"].to_numpy().astype(int)
    high = grp["upper_window"].to_numpy().astype(int)
    out = {}
    for off in range(int(low.min()), int(high.max()) + 1):
        inside = (low <= off) & (off <= high)
        if inside.any():
            out[off] = np.unique(base[inside] + off)
    return out


def _independent(design: np.ndarray) -> np.ndarray:
    """Drop columns that add nothing (e.g. a promotion window outside the history)."""
    q, r = np.linalg.qr(design)
    strong = np.abs(np.diag(r)) > 1e-8 * np.abs(r).max()
    return design[:, strong]


@dataclass
class Profile:
    """The best response, the residual scale, the band of near-best candidates, the in-sample
    coupling weight of the best response and the plausible set (see plausible.py)."""

    response: Response
    sigma: float
    dof: int
    candidates: list[tuple[Response, float]]
    band: dict
    weight: np.ndarray | None = None
    plausible: tuple = ()
    not_identified: tuple = ()
    design: np.ndarray | None = None      # the least-squares design (the holdouts reuse it)


class _Projector:
    """Residual sums of squares after least squares on a fixed design (orthonormal basis Q:
    SSE = |z|² − |Qᵀz|², one product per evaluation)."""

    def __init__(self, design: np.ndarray):
        self.q, _ = np.linalg.qr(design)
        self.qt = np.ascontiguousarray(self.q.T)
        self.p = design.shape[1]

    def sse(self, z: np.ndarray) -> float:
        c = self.qt @ z
        return max(float(z @ z - c @ c), 0.0)

    def resid(self, z: np.ndarray) -> np.ndarray:
        return z - self.q @ (self.q.T @ z)


Evidence = Callable[[Response], float]


def profile_response(ds: pd.Series, y: np.ndarray, spend: np.ndarray, holidays: pd.DataFrame,
                     step_days: int, multiplicative: bool,
                     evidence: Evidence | None = None) -> Profile:
    """Grid search over shape × scale × carryover (gain profiled out) at the form's own
    coupling, then over the coupling ρ at the best shape and carryover, then a local polish.
    `evidence`: minus twice the log-likelihood of outside evidence per candidate (see above)."""
    from budgetopt.forecasts.models.plausible import plausible_set
    y = np.asarray(y, float)
    spend = np.asarray(spend, float)
    design = base_design(ds, holidays, step_days)
    proj = _Projector(design)
    target = np.log(y) if multiplicative else y
    centre = float(target.mean())
    target = target - centre             # the design has an intercept; keeps |z|² small
    level = float(np.mean(spend[spend > 0])) if np.any(spend > 0) else 1.0
    results: list[tuple[Response, float]] = []
    rho0 = 1.0 if multiplicative else 0.0

    def lift(g: float, eff: np.ndarray) -> np.ndarray:
        return np.log1p(g * eff) if multiplicative else g * eff

    solver = GainSolver(proj.q, target, multiplicative, MAX_GAIN[multiplicative])

    def best_gain(sat: np.ndarray, weight: np.ndarray | None = None,
                  start: float | None = None) -> tuple[float, float]:
        return solver.solve_one(sat if weight is None else weight * sat, start)

    def grid(thetas, shapes, rho, weight, base_level=1.0):
        """Every theta × shape × scale candidate's gain profiled out in one batch."""
        params, rows = [], []
        for theta in thetas:
            stocked = adstock(spend, theta)
            for shape, n in shapes:
                for m in SCALE_MULTIPLES:
                    sat = saturation(shape, stocked, level * m, n)
                    params.append((shape, level * m, n, theta))
                    rows.append(sat if weight is None else weight * sat)
        gains, sses = solver.solve(np.vstack(rows))
        for (shape, scale, n, theta), g, sse in zip(params, gains, sses):
            results.append((Response(shape, scale, n, theta, float(g), multiplicative, rho,
                                     base_level), float(sse)))

    shapes = [("exp", 1.0)] + [("hill", n) for n in HILL_EXPONENTS]
    thetas = CARRYOVER_GRID[7 if step_days >= 7 else 1]
    grid(thetas, shapes, rho0, None)
    dof = max(len(y) - proj.p - 4, 1)
    sigma2 = min(sse for _, sse in results) / dof
    penalty = math.log(len(y)) * sigma2          # BIC: one more parameter must pay for itself
    outside = _EvidenceCache(evidence)

    def history_score(item):
        return candidate_score(item[0], item[1], penalty, rho0)

    def score(item):
        return history_score(item) + sigma2 * outside(item[0])
    first, _ = min(results, key=score)
    # the baseline the first fit implies, in levels: what the coupling is relative to
    stocked = adstock(spend, first.carryover)
    fitted = target - lift(first.gain, first.saturate(stocked))
    base = (fitted - proj.resid(fitted)) + centre
    base = np.exp(base) if multiplicative else base
    base_level = float(np.mean(base)) if np.mean(base) > 0 else 1.0
    results[:] = [(replace(r, base_level=base_level), sse) for r, sse in results]
    probe = replace(first, base_level=base_level)

    def weight_for(rho: float) -> np.ndarray:
        return replace(probe, coupling=rho).coupling_weight(base)

    for rho in COUPLING_GRID:
        if abs(rho - rho0) > 1e-12:
            grid([first.carryover], [(first.shape, first.hill_n)], rho, weight_for(rho),
                 base_level)
    chosen, _ = min(results, key=score)
    if abs(chosen.rho - rho0) > 1e-12:        # the carryover grid again at the chosen ρ
        grid([t for t in thetas if t != chosen.carryover], [(chosen.shape, chosen.hill_n)],
             chosen.rho, weight_for(chosen.rho), base_level)
    best, best_sse = min(results, key=score)
    weight = weight_for(best.rho)
    best, best_sse = _polish(best, best_sse, spend, level,
                             lambda sat, start=None: best_gain(sat, weight, start),
                             lambda r: sigma2 * outside(r))
    results.append((best, best_sse))
    _neighbours(best, spend, weight_for, solver.solve, results)
    best_sse = min(best_sse, min(sse for _, sse in results))
    sigma = math.sqrt(best_sse / dof)
    chi2 = np.array([outside(r) for r, _ in results]) if evidence is not None else None
    if chi2 is None:
        band = _band(results, best, best_sse, sigma, level)
    else:   # near-best in the joint likelihood: SSE + σ² · evidence
        joint = [(r, sse + sigma ** 2 * c) for (r, sse), c in zip(results, chi2)]
        band = _band(joint, best, min(v for _, v in joint), sigma, level)
    resid = proj.resid(target - lift(best.gain, weight * best.saturate(best.adstock(spend))))
    plausible, loose = plausible_set(results, [history_score(item) for item in results], best,
                                     sigma, resid, spend, weight_for, proj, target, lift,
                                     multiplicative, MAX_GAIN[multiplicative], evidence=chi2)
    return Profile(best, sigma, dof, results, band, weight, plausible, loose, design)


def candidate_score(r: Response, sse: float, penalty: float, rho0: float) -> float:
    """What the profile search minimizes for one candidate response: its residual sum of
    squares plus `penalty` (BIC's price of one parameter) per parameter it frees beyond the
    form's own (a Hill exponent below 1, a coupling other than the form's); outside evidence
    (lift tests, pooling priors) is added to it by the search as σ² · its chi-square."""
    extra = (r.shape == "hill" and r.hill_n < 1) + (abs(r.rho - rho0) > 1e-12)
    return sse + penalty * extra


LOCAL_SCALES = (-0.45, -0.2, 0.2, 0.45)     # log-scale steps around the polished best
LOCAL_STEPS = 0.1                            # carryover ± this; coupling ± 0.25


def _neighbours(best: Response, spend, weight_for, gains, results: list) -> None:
    """Candidates around the polished best (scale, carryover and coupling one small step
    away), so the plausible set sees the likelihood's shape near its peak and not only the
    coarse grid."""
    thetas = sorted({best.carryover, max(best.carryover - LOCAL_STEPS, 0.0),
                     min(best.carryover + LOCAL_STEPS, 0.95)})
    rhos = sorted({best.rho, max(best.rho - 0.25, 0.0), min(best.rho + 0.25, 1.0)})
    params, rows = [], []
    for rho in rhos:
        weight = weight_for(rho)
        for theta in thetas:
            stocked = adstock(spend, theta)
            for step in (0.0, *LOCAL_SCALES):
                if step == 0.0 and theta == best.carryover and rho == best.rho:
                    continue
                scale = best.scale * math.exp(step)
                params.append((scale, theta, rho))
                rows.append(weight * saturation(best.shape, stocked, scale, best.hill_n))
    for (scale, theta, rho), g, sse in zip(params, *gains(np.vstack(rows))):
        results.append((replace(best, scale=scale, carryover=theta, coupling=rho,
                                gain=float(g)), float(sse)))


class _EvidenceCache:
    """The evidence term per candidate, computed once (0 without evidence)."""

    def __init__(self, evidence: Evidence | None):
        self.evidence = evidence
        self.seen: dict[Response, float] = {}

    def __call__(self, r: Response) -> float:
        if self.evidence is None:
            return 0.0
        if r not in self.seen:
            self.seen[r] = float(self.evidence(r))
        return self.seen[r]


def _polish(best: Response, best_sse: float, spend, level, best_gain,
            extra: Callable[[Response], float] = lambda r: 0.0) -> tuple[Response, float]:
    """Refine scale, carryover and (Hill) exponent continuously around the best grid point
    (by SSE plus `extra`, the evidence term in SSE units)."""
    def unpack(v):
        scale = level * math.exp(v[0])
        theta = min(max(v[1], 0.0), 0.95)
        n = min(max(v[2], 0.4), 1.0) if best.shape == "hill" and best.hill_n < 1 else best.hill_n
        return scale, theta, n

    def sse(v):
        scale, theta, n = unpack(v)
        g, value = best_gain(saturation(best.shape, adstock(spend, theta), scale, n),
                             best.gain)
        return value + extra(replace(best, scale=scale, hill_n=n, carryover=theta, gain=g))

    start = [math.log(best.scale / level), best.carryover, best.hill_n]
    simplex = [start, [start[0] + 0.3, *start[1:]], [start[0], start[1] + 0.1, start[2]]]
    if best.shape == "hill" and best.hill_n < 1:
        simplex.append([*start[:2], start[2] - 0.1])
    else:
        start, simplex = start[:2], [v[:2] for v in simplex[:3]]
    res = minimize(lambda v: sse([*v, best.hill_n][:3]), start, method="Nelder-Mead",
                   options={"xatol": 1e-3, "fatol": 1e-9 * best_sse, "maxiter": 150,
                            "initial_simplex": simplex})
    if res.fun >= best_sse + extra(best):
        return best, best_sse
    scale, theta, n = unpack([*res.x, best.hill_n][:3])
    g, value = best_gain(saturation(best.shape, adstock(spend, theta), scale, n), best.gain)
    return replace(best, scale=scale, hill_n=n, carryover=theta, gain=g), value


def _relative_response(r: Response, x: float) -> float:
    return r.gain * float(r.saturate(x))


def _relative_marginal(r: Response, x: float) -> float:
    """Slope of the relative response at x (numerical, 1% step)."""
    h = 0.01 * x
    return (_relative_response(r, x + h) - _relative_response(r, x - h)) / (2 * h)


def _band(results, best: Response, best_sse: float, sigma: float, level: float) -> dict:
    """Spread of the response among candidates within the 95% profile-likelihood region, at
    typical spend and at twice it, relative to the best fit."""
    limit = best_sse + CHI2_1_95 * sigma ** 2
    near = [r for r, sse in results if sse <= limit]
    out = {"candidates": len(near)}
    for name, x, read in (("typical", level, _relative_response),
                          ("double", 2 * level, _relative_response),
                          ("mroi_typical", level, _relative_marginal),
                          ("mroi_high", 1.5 * level, _relative_marginal)):
        ref = read(best, x)
        values = np.array([read(r, x) for r in near])
        if ref > 0:
            out[f"{name}_low"] = float(values.min() / ref)
            out[f"{name}_high"] = float(values.max() / ref)
        else:
            out[f"{name}_low"], out[f"{name}_high"] = 0.0, float("inf")
    return out
