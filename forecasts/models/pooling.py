"""Partial pooling of a channel's response across its markets (empirical Bayes).

Three size-free numbers describe a unit's response where it matters, at its typical spend x
(mean positive spend per model step):

    log_lift    log(gain · sat(x)) — the relative lift at typical spend (of the baseline in the
                multiplicative form, of the mean baseline in the additive form)
    elasticity  x · sat'(x) / sat(x) — how fast the return flattens there (1: still linear)
    carryover   θ, the share of a step's effect carried to the next

First pass: each unit's own profile search; its plausible set (candidate weights, each gain
normal with its standard error, cut at 0; plausible.py) gives the mean m_j and variance v_j of
each number. Driver: per channel and number, a random-effects model m_j ~ N(μ, τ² + v_j) with
τ² by DerSimonian–Laird (at least TAU_FLOOR²); unit j's prior is its siblings' precision-
weighted mean μ₋ⱼ (weights 1/(τ² + v_i), i ≠ j, so a unit never counts its own data twice) with
variance τ² + 1/Σᵢ≠ⱼ wᵢ. Second pass: the profile search again, each candidate's score carrying
the prior as a penalty (χ² units: Σ huber((φ − μ₋ⱼ)/s)), so the data decide where they are
strong and the siblings where they are not. The penalty is Huber beyond HUBER_Z standard
deviations: a market whose own evidence puts it far from its siblings keeps its curve.

Units whose first pass finds no effect of spend give no estimate (but receive their channel's
prior); a channel needs MIN_MARKETS markets with an estimate to be pooled.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

NUMBERS = ("log_lift", "elasticity", "carryover")
TAU_FLOOR = {"log_lift": 0.05, "elasticity": 0.02, "carryover": 0.02}
MIN_MARKETS = 3
HUBER_Z = 2.0
LIFT_FLOOR = 1e-4          # a lift this small reads as "none" on the log scale
_NODES, _NODE_WEIGHTS = np.polynomial.hermite_e.hermegauss(9)
_NODE_WEIGHTS = _NODE_WEIGHTS / _NODE_WEIGHTS.sum()


def response_numbers(r, level: float, base_level: float | None = None) -> dict[str, float]:
    """log lift, elasticity and carryover of a response at typical spend `level` per step."""
    sat = float(r.saturate(level))
    rel = 1.0 if r.multiplicative else 1.0 / max(base_level or r.base_level, 1e-12)
    lo, hi = (float(v) for v in r.saturate(np.array([0.99, 1.01]) * level))
    elasticity = (hi - lo) / 0.02 / sat if sat > 0 else 1.0
    return {"log_lift": math.log(max(r.gain * sat * rel, LIFT_FLOOR)),
            "elasticity": float(elasticity), "carryover": float(r.carryover)}


def unit_evidence(plausible: tuple, level: float) -> dict | None:
    """{number: [mean, variance]} over a unit's plausible set, or None when it found no
    effect (JSON-ready, so it travels from any backend unchanged)."""
    if not plausible or level <= 0 or all(r.gain <= 0 for r, _, _ in plausible):
        return None
    values = {k: [] for k in NUMBERS}
    weights = []
    for r, w, se in plausible:
        base = response_numbers(r, level)
        sat_rel = math.exp(base["log_lift"]) / r.gain if r.gain > 0 else None
        for z, wz in zip(_NODES, _NODE_WEIGHTS):
            gain = max(r.gain + se * z, 0.0)
            lift = gain * sat_rel if sat_rel is not None else 0.0
            values["log_lift"].append(math.log(max(lift, LIFT_FLOOR)))
            values["elasticity"].append(base["elasticity"])
            values["carryover"].append(base["carryover"])
            weights.append(w * wz)
    weights = np.asarray(weights) / np.sum(weights)
    out = {}
    for k in NUMBERS:
        v = np.asarray(values[k])
        mean = float(weights @ v)
        out[k] = [mean, float(weights @ (v - mean) ** 2)]
    return out


@dataclass(frozen=True)
class ChannelPrior:
    """A unit's prior from its siblings: mean and standard deviation per number, and how many
    sibling markets it was made from."""

    means: tuple[float, ...]
    sds: tuple[float, ...]
    siblings: int

    def chi2(self, response, level: float) -> float:
        """The prior's penalty on a candidate response, in χ² units (Huber in z)."""
        numbers = response_numbers(response, level)
        total = 0.0
        for k, mean, sd in zip(NUMBERS, self.means, self.sds):
            z = abs(numbers[k] - mean) / sd
            total += z * z if z <= HUBER_Z else 2 * HUBER_Z * z - HUBER_Z ** 2
        return total

    def describe(self) -> dict:
        return {"siblings": self.siblings,
                **{k: {"mean": m, "sd": s} for k, m, s in zip(NUMBERS, self.means, self.sds)}}


def between_variance(means: np.ndarray, variances: np.ndarray) -> float:
    """DerSimonian–Laird estimate of τ², the spread of the true values between markets."""
    w = 1.0 / np.maximum(variances, 1e-12)
    mbar = float(w @ means / w.sum())
    q = float(w @ (means - mbar) ** 2)
    denom = float(w.sum() - (w @ w) / w.sum())
    return max((q - (len(means) - 1)) / denom, 0.0) if denom > 0 else 0.0


def channel_priors(evidence: dict[tuple[str, str | None], dict | None]
                   ) -> dict[tuple[str, str | None], ChannelPrior]:
    """Per unit with a market, its prior from its channel's other markets (units of a channel
    with fewer than MIN_MARKETS estimates get none)."""
    by_channel: dict[str, list] = {}
    for unit in sorted(evidence, key=lambda u: (u[0], u[1] or "")):
        if unit[1] is not None:
            by_channel.setdefault(unit[0], []).append(unit)
    out = {}
    for units in by_channel.values():
        known = [u for u in units if evidence[u] is not None]
        if len(known) < MIN_MARKETS:
            continue
        stats = {}
        for k in NUMBERS:
            m = np.array([evidence[u][k][0] for u in known])
            v = np.array([evidence[u][k][1] for u in known])
            tau2 = max(between_variance(m, v), TAU_FLOOR[k] ** 2)
            stats[k] = (m, 1.0 / (tau2 + v), tau2)
        for unit in units:
            keep = np.array([u != unit for u in known])
            means, sds = [], []
            for k in NUMBERS:
                m, w, tau2 = stats[k]
                means.append(float(w[keep] @ m[keep] / w[keep].sum()))
                sds.append(math.sqrt(tau2 + 1.0 / w[keep].sum()))
            out[unit] = ChannelPrior(tuple(means), tuple(sds), int(keep.sum()))
    return out


def first_pass(unit, unit_frame, kpi, holidays, step_days, settings) -> dict | None:
    """One unit's own profile search, summarized for pooling (runs on a backend's worker)."""
    from budgetopt.forecasts.models.response import profile_response
    y = unit_frame[kpi].to_numpy(float)
    spend = unit_frame["spend"].to_numpy(float)
    multiplicative = settings.seasonality_mode == "multiplicative" and bool(np.all(y > 0))
    with threadpool_limits(limits=1):
        prof = profile_response(unit_frame["date"], y, spend, holidays, step_days,
                                multiplicative)
    level = float(np.mean(spend[spend > 0])) if np.any(spend > 0) else 0.0
    return unit_evidence(prof.plausible, level)


@dataclass(frozen=True)
class PooledEvidence:
    """The prior as the profile search's outside evidence on a unit's response (χ² units),
    read at the unit's typical spend per step; picklable, so it travels to any backend."""

    prior: ChannelPrior
    level: float

    def __call__(self, response) -> float:
        return self.prior.chi2(response, self.level)


@dataclass(frozen=True)
class EvidenceSum:
    """Two pieces of outside evidence on one response (independent: their χ² add)."""

    first: object
    second: object

    def __call__(self, response) -> float:
        return float(self.first(response)) + float(self.second(response))


def pooled_evidence(backend, tasks, kpi: str, holidays, step_days: int, settings,
                    evidence: dict | None = None) -> dict | None:
    """The units' outside evidence with each market's pooled prior added: the first pass (each
    unit's own profile) runs on `backend` like any fit, the priors are made here. Histories
    without markets, or `settings.pooling == "none"`, leave `evidence` as it is."""
    if getattr(settings, "pooling", "none") != "markets" or \
            not any(t.unit[1] is not None for t in tasks):
        return evidence
    found = backend.map_units(first_pass, tasks, (kpi, holidays, step_days, settings))
    priors = channel_priors({t.unit: e for t, e in zip(tasks, found)})
    out = dict(evidence or {})
    for t in tasks:
        if t.unit not in priors:
            continue
        spend = t.frame["spend"].to_numpy(float)
        level = float(np.mean(spend[spend > 0])) if np.any(spend > 0) else 0.0
        if level <= 0:
            continue
        term = PooledEvidence(priors[t.unit], level)
        out[t.key] = EvidenceSum(out[t.key], term) if t.key in out else term
    return out
