"""Geometric carryover (adstock): how spend in one step keeps earning in the steps after it."""
from __future__ import annotations

import math

import numpy as np
from scipy.signal import lfilter

TAIL_SHARE = 1e-3          # carryover beyond this share of an effect is ignored


def adstock(spend, theta: float, initial: float | None = None) -> np.ndarray:
    """Geometric carryover a_t = θ·a_(t−1) + (1 − θ)·x_t; starts at steady state by default."""
    x = np.asarray(spend, float)
    if theta <= 0 or len(x) == 0:
        return x.copy()
    start = x[0] if initial is None else float(initial)
    out, _ = lfilter([1.0 - theta], [1.0, -theta], x, zi=[theta * start])
    return out


def tail_steps(theta: float) -> int:
    """Steps after a step's spend until its remaining effect is below TAIL_SHARE."""
    if theta <= 0:
        return 0
    return int(math.ceil(math.log(TAIL_SHARE) / math.log(theta)))


def smear(factors: np.ndarray, theta: float) -> np.ndarray:
    """Carryover-weighted factor per step: Σ_k (1 − θ)θᵏ · factor(step + k) — the value of
    spend in a step counted over the days its effect lands on (steady-state saturation)."""
    a = np.asarray(factors, float)
    if theta <= 0:
        return a.copy()
    back = lfilter([1.0 - theta], [1.0, -theta], a[::-1], axis=0)
    return back[::-1]


def spread(impulse: np.ndarray, theta: float) -> np.ndarray:
    """Where a per-step impulse lands under geometric carryover (forward in time)."""
    if theta <= 0:
        return impulse
    return lfilter([1.0 - theta], [1.0, -theta], impulse)
