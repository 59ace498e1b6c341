"""Coupling: how a unit's response moves with its baseline (season, promotions), as
response ∝ baseline^ρ — ρ 0 does not move at all, ρ 1 moves as the baseline does."""
from __future__ import annotations

import numpy as np


def coupling_weight(baseline, rho: float, multiplicative: bool, base_level: float) -> np.ndarray:
    """Factor on the gain per step from how the response moves with the baseline: the
    response is gain · B̄ · (B/B̄)^ρ · sat, i.e. B · (1 + gain · (B/B̄)^(ρ−1) · sat) in the
    multiplicative form and B + gain · (B/B̄)^ρ · sat in the additive one."""
    base = np.asarray(baseline, float)
    power = rho - 1.0 if multiplicative else rho
    if power == 0.0:
        return np.ones(np.shape(base))
    rel = np.maximum(base / max(base_level, 1e-300), 1e-3)
    return rel ** power
