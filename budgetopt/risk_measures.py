"""Measures of a distribution given as equally likely samples, shared by the plan's risk
objective and the outcome it reports (numpy only)."""
from __future__ import annotations

import numpy as np


def cvar(values, alpha: float) -> float:
    """CVaR_α of equally likely values: max_t t − (1/(αS)) Σ (t − v)⁺ (Rockafellar–Uryasev),
    i.e. the mean of the worst α share, splitting the boundary sample when αS is not whole."""
    v = np.sort(np.asarray(values, float))
    tail = alpha * len(v)
    whole = int(np.floor(tail + 1e-12))
    total = float(v[:whole].sum())
    if whole < len(v):
        total += (tail - whole) * float(v[whole])
    return total / tail


def distribution(values, alpha: float) -> dict:
    """p10, p50, p90 (linear interpolation between order statistics), mean and CVaR_α."""
    v = np.asarray(values, float)
    p10, p50, p90 = (float(q) for q in np.quantile(v, [0.1, 0.5, 0.9]))
    return {"p10": p10, "p50": p50, "p90": p90, "mean": float(v.mean()),
            "cvar": cvar(v, alpha)}
