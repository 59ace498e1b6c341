"""Spend breakpoints for the response curves the LP reads (incremental KPI over a period as a
function of the period's total spend, spread evenly over its days, starting at spend 0)."""
from __future__ import annotations

import numpy as np

from forecasts.model import saturate
from forecasts.response import inverse_saturation

BREAKPOINTS = 40


def period_breakpoints(scale_per_period: float, max_spend: float,
                       count: int = BREAKPOINTS) -> np.ndarray:
    """Spend breakpoints evenly spaced in saturation, 0 … `max_spend`: dense where the curve bends,
    sparse where it is flat."""
    s_max = float(saturate(max_spend, scale_per_period))
    s_levels = np.linspace(0.0, s_max, count + 1)[1:-1]
    inner = -scale_per_period * np.log1p(-s_levels)
    points = np.concatenate([[0.0], inner, [max_spend]])
    return np.unique(np.round(points, 6))


def response_breakpoints(response, per_step: float, max_spend: float,
                         count: int = BREAKPOINTS) -> np.ndarray:
    """Period spend breakpoints 0 … `max_spend`, evenly spaced in the response's saturation
    (`per_step` turns period spend into spend per model step)."""
    top = float(response.saturate(max_spend * per_step))
    levels = np.linspace(0.0, top, count + 1)[1:-1]
    inner = inverse_saturation(response.shape, levels, response.scale, response.hill_n) / per_step
    inner = inner[(inner > 0) & (inner < max_spend)]
    return np.unique(np.round(np.concatenate([[0.0], inner, [max_spend]]), 6))
