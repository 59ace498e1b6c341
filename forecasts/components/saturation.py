"""Saturation shapes: concave, non-decreasing maps from spend per model step to [0, 1)."""
from __future__ import annotations

import numpy as np


def saturation(shape: str, x, scale: float, hill_n: float = 1.0) -> np.ndarray:
    """Concave, non-decreasing saturation in [0, 1) of spend per step."""
    x = np.maximum(np.asarray(x, float), 0.0)
    if shape == "exp":
        return -np.expm1(-x / scale)
    xn = x ** hill_n
    return xn / (xn + scale ** hill_n)


def inverse_saturation(shape: str, s, scale: float, hill_n: float = 1.0) -> np.ndarray:
    """Spend per step giving saturation level s (0 ≤ s < 1)."""
    s = np.asarray(s, float)
    if shape == "exp":
        return -scale * np.log1p(-s)
    return scale * (s / (1.0 - s)) ** (1.0 / hill_n)


def saturate(spend, scale: float) -> np.ndarray:
    """Exponential saturation 1 − exp(−x/λ) of spend per model step (kept for callers)."""
    return 1.0 - np.exp(-np.asarray(spend, float) / scale)
