"""Families of synthetic worlds for ground-truth benchmarks: each stresses one thing a
response-curve fit can get wrong (shape, carryover, spend confounded with promotions, a trend
break, noise, weekly history). Every world knows its true response in every future period."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from budgetopt.datasets.generate import draw_channel, world_from_truths
from budgetopt.datasets.worlds import World

FAMILIES = ("exp", "hill", "carryover", "confounded", "trend_break", "noisy", "quiet", "weekly",
            "promo_weak", "promo_strong", "promo_unpinned", "log", "sqrt_cap")
NOISE = {"noisy": 0.2, "quiet": 0.03}
DEFAULT_NOISE = 0.05


def family_world(family: str, seed: int, channels: int = 4, start: str = "2023-01-01",
                 end: str = "2025-12-31") -> World:
    """A world of `channels` units drawn for `family` with `seed` (deterministic)."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    rng = np.random.default_rng([FAMILIES.index(family), seed])
    truths = []
    for i in range(channels):
        name = f"ch{i + 1:02d}"
        truth = draw_channel(rng, name)
        if family in ("exp", "hill"):
            while truth.shape != family:
                truth = draw_channel(rng, name)
        if family in ("log", "sqrt_cap"):       # outside the fitted saturation families
            truth = _same_roi(truth, replace(truth, shape=family, hill_n=1.0))
        truths.append(_adjust(truth, family, rng, start, end))
    noise = NOISE.get(family, DEFAULT_NOISE)
    if family == "noisy":
        noise = float(rng.choice([0.15, 0.2]))
    return world_from_truths(truths, start, end, seed=seed, noise=noise,
                             freq="W" if family == "weekly" else "D")


def _adjust(truth, family: str, rng: np.random.Generator, start: str, end: str):
    if family == "carryover":
        return replace(truth, carryover=float(np.round(rng.uniform(0.3, 0.7), 2)))
    if family == "confounded":
        return replace(truth, promo_spend_lift=float(np.round(rng.uniform(2.5, 3.5), 2)),
                       flight_sigma=0.2)
    if family == "promo_weak":      # the response rises in promotions less than demand does
        return replace(truth, response_coupling=float(np.round(rng.uniform(0.2, 0.6), 2)))
    if family == "promo_strong":    # … or more
        return replace(truth, response_coupling=float(np.round(rng.uniform(1.3, 1.6), 2)))
    if family == "promo_unpinned":  # spend raised in promotions, little other variation, a
        # weakly coupled response that saturates within reach: saturation cannot be pinned
        return _same_roi(truth, replace(
            truth, promo_spend_lift=float(np.round(rng.uniform(2.5, 3.5), 2)), flight_sigma=0.08,
            response_coupling=float(np.round(rng.uniform(0.3, 0.7), 2)),
            half_saturation=float(np.round(truth.spend_level * rng.uniform(0.8, 1.6), -1))))
    if family == "trend_break":
        s, e = pd.Timestamp(start), pd.Timestamp(end)
        brk = (s + (e - s) * 2 / 3).normalize()
        after = float(np.round(truth.trend_per_year - rng.uniform(0.1, 0.25), 3))
        return replace(truth, trend_break=brk.strftime("%Y-%m-%d"), trend_after=max(after, -0.5))
    return truth


def _same_roi(before, after):
    """`after` with its beta rescaled so the ROI at typical spend is `before`'s."""
    ratio = float(before.saturation(before.spend_level) / after.saturation(after.spend_level))
    return replace(after, beta=float(np.round(after.beta * ratio, -1)))
