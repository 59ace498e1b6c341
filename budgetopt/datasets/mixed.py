"""The `mixed` family: worlds with every difficulty at once, as real histories have them.

Each world has 6–10 channels, and every channel draws its own saturation shape (exponential,
Hill, and the `log` and `sqrt_cap` shapes outside the fitted families), carryover (none, or
0.1–0.85 per day), coupling of its response to the season and, separately, to promotions,
spend raised in promotions, flight noise or pulsed on/off flighting; the world's noise is
3–15%. The same world comes as a daily or weekly long history (`mixed_world`) and in total-KPI
form (`mixed_wide_world`: the same truths and spend, one revenue column)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from budgetopt.datasets.generate import draw_channel, noise_free, world_from_truths
from budgetopt.datasets.wide import WideWorld, wide_from_world
from budgetopt.datasets.worlds import World

MIXED_CHANNELS = (6, 10)
MIXED_NOISE = (0.03, 0.15)
MAX_CARRYOVER = 0.85
SHAPE_ODDS = {"exp": 0.3, "hill": 0.3, "log": 0.2, "sqrt_cap": 0.2}


def _draw_mixed_channel(rng: np.random.Generator, name: str):
    truth = draw_channel(rng, name)
    shape = str(rng.choice(list(SHAPE_ODDS), p=list(SHAPE_ODDS.values())))
    hill_n = float(np.round(rng.uniform(0.5, 1.0), 2)) if shape == "hill" else 1.0
    carry = 0.0 if rng.random() < 0.3 else float(np.round(rng.uniform(0.1, MAX_CARRYOVER), 2))
    pulsed = rng.random() < 0.3
    drawn = replace(
        truth, shape=shape, hill_n=hill_n, carryover=carry,
        season_amplitude=float(np.round(rng.uniform(0.05, 0.3), 3)),
        response_coupling=float(np.round(rng.uniform(0.2, 1.4), 2)),
        promo_coupling=float(np.round(rng.uniform(0.0, 1.5), 2)),
        promo_spend_lift=float(np.round(rng.uniform(1.0, 3.0), 2)),
        flight_sigma=float(np.round(rng.uniform(0.1, 0.45), 2)),
        pulse_weeks=int(rng.integers(2, 7)) if pulsed else 0,
        pulse_phase=int(rng.integers(0, 6)) if pulsed else 0)
    # the ROI at typical spend stays as draw_channel drew it, whatever the shape
    ratio = float(truth.saturation(truth.spend_level) / drawn.saturation(drawn.spend_level))
    return replace(drawn, beta=float(np.round(drawn.beta * ratio, -1)))


def _mixed_truths(seed: int) -> tuple[tuple, float]:
    rng = np.random.default_rng([20, seed])
    count = int(rng.integers(MIXED_CHANNELS[0], MIXED_CHANNELS[1] + 1))
    truths = tuple(_draw_mixed_channel(rng, f"ch{i + 1:02d}") for i in range(count))
    noise = float(np.round(rng.uniform(*MIXED_NOISE), 3))
    return truths, noise


def mixed_noise(seed: int) -> float:
    """The world's revenue noise (a share; the same in every form of the world)."""
    return _mixed_truths(seed)[1]


def mixed_world(seed: int, freq: str = "D", start: str = "2023-01-01",
                end: str = "2025-12-31") -> World:
    """A `mixed` world in long form (one revenue column per channel), daily or weekly
    (`freq="W"`); the truths depend on the seed only, so both frequencies share them."""
    truths, noise = _mixed_truths(seed)
    return world_from_truths(truths, start, end, seed=seed, noise=noise, freq=freq)


def mixed_wide_world(seed: int, freq: str = "D", start: str = "2023-01-01",
                     end: str = "2025-12-31") -> WideWorld:
    """The same `mixed` world (truths and spend) in total-KPI form: one revenue column with the
    world's noise on the total, and the channels' over-counted attributed revenue."""
    world = mixed_world(seed, freq, start, end)
    return wide_from_world(noise_free(world), np.random.default_rng([21, seed]), world.noise)
