"""Plausible curves: the response parameter sets the data support, and curve tables read from
them at every spend the plan may choose.

The profile search already scores every candidate (shape, scale, Hill exponent, carryover,
coupling ρ; gain profiled out) by its residual sum of squares. Those scores are a profile
likelihood: candidate c gets weight exp(−κ · ΔSSE_c / (2σ²)), where κ = (1 − r₁)/(1 + r₁)
discounts the sample size for the residuals' lag-1 autocorrelation r₁ (autocorrelated residuals
carry less information than their count says). Each candidate's gain is then uncertain too:
its standard error from the linearized fit, σ / √κ / |J⊥| with J = ∂ fit / ∂ gain.

A parameter stuck at a bound — the gain at its cap, or a saturation scale beyond any spend
seen in history — means the likelihood's curvature does not measure the uncertainty (the data
cannot tell the candidates apart in the direction that matters). Such a unit is "not
identified": every candidate not rejected at 95% (κ · ΔSSE/σ² ≤ χ²₁(0.95)) gets the same
weight, so the plausible set is as wide as the data allow. (Likelihood weights were measured
instead, on the mixed and the family benchmarks: no better on the mixed worlds, and 29 points
of uplift worse on a world whose saturation the data cannot pin; BENCHMARKS.md.)

Draws: S samples per unit, seeded by the run's seed and the unit's name, each a candidate
(drawn by weight) with a gain drawn from its normal (cut at 0), and a level for the baseline
the response rides on: the response moves with the baseline^ρ, and the baseline's own
forecast error over the horizon — measured on the fit's internal rolling holdouts, not set by
hand — moves the response with it. The curve set reads curves from them (`CurveSet.samples`,
forecasts/curves/curveset.py).
"""
from __future__ import annotations

import zlib
from dataclasses import replace

import numpy as np

from budgetopt.messages import Msg, N_

MAX_CANDIDATES = 64        # the plausible set keeps at most this many candidates
MIN_WEIGHT = 1e-4          # … and only those within this share of the best one's weight
GAIN_CAP_SHARE = 0.98      # a gain this close to its cap is "at the bound"
CHI2_1_95 = 3.841
MIN_KAPPA = 0.05


def effective_share(resid: np.ndarray) -> float:
    """κ = (1 − r₁)/(1 + r₁) for lag-1 autocorrelation r₁ of the residuals, in [0.05, 1]."""
    r = np.asarray(resid, float)
    denom = float(r @ r)
    if len(r) < 3 or denom <= 0:
        return 1.0
    r1 = float(r[1:] @ r[:-1]) / denom
    return float(np.clip((1 - r1) / (1 + r1), MIN_KAPPA, 1.0))


def not_identified(best, spend: np.ndarray, max_gain: float | None) -> tuple[str, ...]:
    """Why the best fit sits at a bound (empty when it does not)."""
    out = []
    if best.gain <= 0:
        return ()
    if max_gain is not None and best.gain >= GAIN_CAP_SHARE * max_gain:
        out.append(Msg("gain at its cap ({cap})", cap=f"{max_gain:g}"))
    seen = float(np.max(spend)) if len(spend) else 0.0
    if seen > 0 and best.scale > seen:
        out.append(N_("saturation scale beyond any spend seen in history"))
    return tuple(out)


def plausible_set(results, scores, best, sigma: float, resid: np.ndarray, spend: np.ndarray,
                  weight_for, proj, target: np.ndarray, lift, multiplicative: bool,
                  max_gain: float | None, evidence: np.ndarray | None = None
                  ) -> tuple[tuple, tuple]:
    """(response, weight, gain standard error) per plausible candidate, weights summing to 1,
    and the reasons the unit is not identified (empty when it is); `max_gain` is the gain's
    cap in this form (None: uncapped). `evidence`: per candidate, minus twice the
    log-likelihood of evidence beyond the history (chi-square units), added to κ·SSE/σ²."""
    if best.gain <= 0 or sigma <= 0:
        return ((best, 1.0, 0.0),), ()
    kappa = effective_share(resid)
    loose = not_identified(best, spend, max_gain)
    score = np.asarray(scores, float)
    delta = kappa * (score - score.min()) / sigma ** 2
    if evidence is not None:
        delta = delta + np.asarray(evidence, float)
        delta = delta - delta.min()
    weights = (delta <= CHI2_1_95).astype(float) if loose else np.exp(-delta / 2)
    seen: dict[tuple, int] = {}
    for i, (r, _) in enumerate(results):
        key = (r.shape, round(r.scale, 6), r.hill_n, round(float(r.carryover), 6), r.rho)
        if key not in seen or weights[i] > weights[seen[key]]:
            seen[key] = i
    order = sorted(seen.values(), key=lambda i: (-weights[i], i))
    top = weights[order[0]]
    keep = [i for i in order if weights[i] >= MIN_WEIGHT * top and results[i][0].gain > 0]
    keep = keep[:MAX_CANDIDATES] or [order[0]]
    total = float(sum(weights[i] for i in keep))
    out = []
    for i in keep:
        r = results[i][0]
        eff = weight_for(r.rho) * r.saturate(r.adstock(spend))
        jac = eff / (1 + r.gain * eff) if multiplicative else eff
        jp = proj.resid(jac)
        norm = float(np.sqrt(jp @ jp))
        se = sigma / np.sqrt(kappa) / norm if norm > 0 else 0.0
        out.append((r, float(weights[i] / total), float(se)))
    return tuple(out), loose


def draw_responses(plausible: tuple, samples: int, seed: int, key: str) -> list:
    """`samples` responses drawn from a unit's plausible set (deterministic per seed and unit)."""
    rng = np.random.default_rng([int(seed), zlib.crc32(key.encode("utf-8"))])
    weights = np.array([w for _, w, _ in plausible], float)
    idx = rng.choice(len(plausible), size=samples, p=weights / weights.sum())
    z = rng.standard_normal(samples)
    out = []
    for i, zi in zip(idx, z):
        r, _, se = plausible[int(i)]
        out.append(replace(r, gain=max(float(r.gain + se * zi), 0.0)))
    return out


def baseline_level_draws(spread: float, samples: int, seed: int, key: str) -> np.ndarray:
    """Per sample, the log shift of the baseline level: normal with the horizon's relative
    level error `spread` (0: none)."""
    if spread <= 0:
        return np.zeros(samples)
    rng = np.random.default_rng([int(seed), zlib.crc32(key.encode("utf-8")), 1])
    return spread * rng.standard_normal(samples)
