"""Market worlds: each channel runs in many markets whose true response parameters are drawn
around one channel-level value, and some markets have thin evidence — the worlds where pooling
a channel's response across its markets should help a thin market and leave a strong one alone.

Per channel: a channel-level truth (`draw_channel`, carryover none or 0.1–0.5 per day). Per
market: a size (spend level, half-saturation and baseline scale with it), and deviations from
the channel's value — the ROI at typical spend × exp(N(0, 0.15)), the half-saturation relative
to spend × exp(N(0, 0.2)), the carryover ± N(0, 0.05). A market is thin with probability
`thin_share`, of one kind drawn evenly: `low` (spends a fifth of its size's level), `flat`
(spend hardly varies: flights σ 0.04, no promotion lift), `short` (opened 3–4 months before the
end of history) or `noisy` (three times the world's revenue noise)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from budgetopt.datasets.generate import draw_channel, world_from_truths
from budgetopt.datasets.worlds import World

THIN_KINDS = ("low", "flat", "short", "noisy")
ROI_SPREAD, SCALE_SPREAD, CARRY_SPREAD = 0.15, 0.2, 0.05


def _channel(rng: np.random.Generator, name: str):
    truth = draw_channel(rng, name)
    carry = 0.0 if rng.random() < 0.4 else float(np.round(rng.uniform(0.1, 0.5), 2))
    return replace(truth, carryover=carry)


def _market(rng: np.random.Generator, c, market: str, kind: str, end: pd.Timestamp):
    size = float(np.exp(rng.normal(0.0, 0.4)))
    roi = c.typical_roi() * float(np.exp(rng.normal(0.0, ROI_SPREAD)))
    half = c.half_saturation * size * float(np.exp(rng.normal(0.0, SCALE_SPREAD)))
    carry = c.carryover
    if carry > 0:
        carry = float(np.clip(np.round(carry + rng.normal(0.0, CARRY_SPREAD), 3), 0.02, 0.9))
    level = c.spend_level * size
    m = replace(c, market=market, spend_level=float(np.round(level, 2)),
                half_saturation=float(np.round(half, 2)), carryover=carry,
                baseline=float(np.round(c.baseline * size, 2)))
    m = replace(m, beta=float(np.round(roi * m.spend_level / float(m.saturation(m.spend_level)),
                                       2)))
    opened = end - pd.Timedelta(days=int(rng.integers(90, 121)))
    if kind == "low":       # the same curve, spent at a fifth of its usual level
        m = replace(m, spend_level=float(np.round(level / 5, 2)))
    elif kind == "flat":
        m = replace(m, flight_sigma=0.04, promo_spend_lift=1.0)
    elif kind == "short":
        m = replace(m, spend_start=opened.strftime("%Y-%m-%d"))
    elif kind == "noisy":
        m = replace(m, noise_scale=3.0)
    return m


def _truths(seed: int, channels: int, markets: int, thin_share: float, last: pd.Timestamp):
    if not 1 <= channels <= 99 or not 2 <= markets <= 99:
        raise ValueError("channels must be 1–99 and markets 2–99")
    if not 0 <= thin_share <= 1:
        raise ValueError("thin_share must be in [0, 1]")
    rng = np.random.default_rng([31, seed])
    truths, kinds = [], {}
    for i in range(channels):
        c = _channel(rng, f"ch{i + 1:02d}")
        for j in range(markets):
            thin = rng.random() < thin_share
            kind = str(rng.choice(THIN_KINDS)) if thin else "strong"
            truths.append(_market(rng, c, f"m{j + 1:02d}", kind, last))
            kinds[truths[-1].key] = kind
    return truths, kinds


def market_world(seed: int, channels: int = 3, markets: int = 10, months: int = 15,
                 thin_share: float = 0.4, end: str = "2025-12-31", freq: str = "D",
                 noise: float = 0.05) -> World:
    """A world of `channels` channels × `markets` markets (units `chNN` × `mNN`) with
    `months` of history ending at `end`; deterministic in its arguments. `market_kinds` with
    the same arguments says which markets are thin and how."""
    if not 12 <= months <= 36:
        raise ValueError("months must be 12–36 (the fit needs a year of history)")
    last = pd.Timestamp(end)
    first = (last - pd.DateOffset(months=months) + pd.Timedelta(days=1)).normalize()
    truths, _ = _truths(seed, channels, markets, thin_share, last)
    return world_from_truths(truths, first.strftime("%Y-%m-%d"), last.strftime("%Y-%m-%d"),
                             seed=seed, noise=noise, freq=freq)


def market_kinds(seed: int, channels: int = 3, markets: int = 10, thin_share: float = 0.4,
                 end: str = "2025-12-31") -> dict[tuple[str, str], str]:
    """Each unit's evidence kind in `market_world(seed, …)`: `strong`, or its thin kind."""
    return _truths(seed, channels, markets, thin_share, pd.Timestamp(end))[1]
