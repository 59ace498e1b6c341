"""Generate worlds: draw sensible random truths (or take given ones) and simulate their history
under the truth model of `truth`, deterministically from one seed."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from budgetopt.datasets.truth import ChannelTruth, calendar_arrays, saturation
from budgetopt.datasets.worlds import World


def draw_channel(rng: np.random.Generator, name: str) -> ChannelTruth:
    """Sensible random parameters: concave curves, ROI at typical spend ≈ 1.5–8."""
    spend_level = float(np.round(np.exp(rng.uniform(np.log(2_000), np.log(30_000))), -1))
    if rng.random() < 0.5:
        shape, hill_n = "exp", 1.0
    else:
        shape, hill_n = "hill", float(np.round(rng.uniform(0.6, 1.0), 2))
    half_saturation = float(np.round(spend_level * rng.uniform(0.4, 3.0), -1))
    roi = rng.uniform(1.5, 8.0)
    sat = float(saturation(shape, spend_level, half_saturation, hill_n))
    beta = float(np.round(roi * spend_level / sat, -1))
    return ChannelTruth(
        name=name,
        baseline=float(np.round(spend_level * rng.uniform(3.0, 12.0), -1)),
        spend_level=spend_level,
        beta=beta,
        shape=shape,
        half_saturation=half_saturation,
        hill_n=hill_n,
        season_amplitude=float(np.round(rng.uniform(0.05, 0.25), 3)),
        trend_per_year=float(np.round(rng.uniform(-0.02, 0.15), 3)),
        promo_spend_lift=float(np.round(rng.uniform(1.2, 2.4), 2)),
        aov=float(np.round(rng.uniform(80.0, 400.0), 0)),
    )


def _check_freq_dates(start, end, freq: str, noise: float) -> tuple[date, date]:
    if freq not in ("D", "W"):
        raise ValueError(f"freq must be 'D' or 'W', got {freq!r}")
    if not (noise >= 0 and math.isfinite(noise)):
        raise ValueError("noise must be finite and ≥ 0")
    s, e = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    if e < s:
        raise ValueError(f"end {e} is before start {s}")
    if freq == "W" and (e - s).days + 1 < 7:
        raise ValueError("a weekly world needs at least 7 days between start and end")
    return s, e


def world_from_truths(truths: Sequence[ChannelTruth], start, end, *, seed: int = 0,
                      noise: float = 0.05, freq: str = "D") -> World:
    """Generate the history of the given units (in that order) under the truth model."""
    truths = tuple(truths)
    if not truths:
        raise ValueError("a world needs at least one channel")
    keys = [c.key for c in truths]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate (channel, market) units")
    markets = {c.market is None for c in truths}
    if len(markets) != 1:
        raise ValueError("either every unit has a market or none does")
    s, e = _check_freq_dates(start, end, freq, noise)
    return _generate(truths, s, e, np.random.default_rng(seed), seed, noise, freq)


def _generate(truths: tuple[ChannelTruth, ...], s: date, e: date, rng: np.random.Generator,
              seed: int, noise: float, freq: str) -> World:
    idx = pd.date_range(s, e, freq="D")
    n = len(idx)
    week = np.arange(n) // 7
    n_weeks = int(week[-1]) + 1
    _, spend_promo = calendar_arrays(idx)
    world = World(channels=truths, history=pd.DataFrame(), start=s, end=e, seed=seed,
                  noise=noise, freq=freq)
    with_market = truths[0].market is not None

    frames = []
    for c in truths:
        flights = rng.lognormal(-c.flight_sigma ** 2 / 2, c.flight_sigma, n_weeks)
        eps = rng.normal(0.0, noise * c.noise_scale, n) if noise > 0 else np.zeros(n)
        eta = rng.normal(0.0, noise / 2, n) if noise > 0 else np.zeros(n)
        lift = np.where(spend_promo, c.promo_spend_lift, 1.0)
        pulses = c.pulse(np.arange(n_weeks))
        spend = np.round(c.spend_level * world._trend(c, idx) * lift * (flights * pulses)[week],
                         2)
        spend = np.maximum(spend, 0.0)
        if c.spend_start is not None:
            spend[idx < pd.Timestamp(c.spend_start)] = 0.0
        world._daily_spend[c.key] = pd.Series(spend, index=idx, name="spend")
        frames.append(_unit_history(world, c, idx, spend, eps, eta))
    world.history = _assemble(frames, with_market)
    return world


def _unit_history(world: World, c: ChannelTruth, idx: pd.DatetimeIndex, spend: np.ndarray,
                  eps: np.ndarray, eta: np.ndarray) -> pd.DataFrame:
    """One unit's history rows: revenue and conversions at `spend` with noises eps, eta."""
    n = len(idx)
    expected = world.expected_revenue(c, idx, world.adstock(c, spend))
    revenue = np.round(np.maximum(expected * (1.0 + eps), 0.0), 2)
    conversions = np.maximum(np.round(revenue / c.aov * (1.0 + eta)), 0).astype(np.int64)
    frame = {"date": idx.strftime("%Y-%m-%d").to_numpy(dtype=object),
             "channel": np.full(n, c.name, dtype=object)}
    if c.market is not None:
        frame["market"] = np.full(n, c.market, dtype=object)
    frame.update(spend=spend, revenue=revenue, conversions=conversions)
    frame = pd.DataFrame(frame)
    if world.freq == "W":
        frame = _weekly(frame, np.arange(n) // 7, c.market is not None)
    return frame


def _assemble(frames: list[pd.DataFrame], with_market: bool) -> pd.DataFrame:
    keys = ["channel", "market", "date"] if with_market else ["channel", "date"]
    hist = pd.concat(frames, ignore_index=True)
    hist = hist.sort_values(keys, kind="stable").reset_index(drop=True)
    hist["date"] = hist["date"].astype(str)
    hist["channel"] = hist["channel"].astype(str)
    if with_market:
        hist["market"] = hist["market"].astype(str)
    hist["conversions"] = hist["conversions"].astype(np.int64)
    return hist


def noise_free(world: World) -> World:
    """The same world (truths, spend) with its history at the expected KPI: no noise."""
    out = World(channels=world.channels, history=pd.DataFrame(), start=world.start,
                end=world.end, seed=world.seed, noise=0.0, freq=world.freq,
                _daily_spend=dict(world._daily_spend))
    idx = pd.date_range(world.start, world.end, freq="D")
    zeros = np.zeros(len(idx))
    out.history = _assemble([_unit_history(out, c, idx, out._daily_spend[c.key].to_numpy(),
                                           zeros, zeros) for c in world.channels],
                            world.has_markets)
    return out


def _weekly(frame: pd.DataFrame, week: np.ndarray, with_market: bool) -> pd.DataFrame:
    """Sum complete 7-day blocks; the row is dated by the block's first day."""
    complete = len(frame) // 7
    keep = week < complete
    f = frame.loc[keep].copy()
    f["_week"] = week[keep]
    agg = {"date": "first", "channel": "first", "spend": "sum", "revenue": "sum",
           "conversions": "sum"}
    if with_market:
        agg["market"] = "first"
    out = f.groupby("_week", sort=True).agg(agg).reset_index(drop=True)
    out["spend"] = out["spend"].round(2)
    out["revenue"] = out["revenue"].round(2)
    cols = ["date", "channel"] + (["market"] if with_market else []) + [
        "spend", "revenue", "conversions"]
    return out[cols]


def make_world(channels: int | Sequence[str] = 4, start="2023-01-01", end="2025-12-31", *,
               seed: int = 0, noise: float = 0.05, freq: str = "D",
               markets: Sequence[str] | None = None) -> World:
    """A random world: `channels` generic units (``ch01, ch02, …``) or the given names, with
    parameters drawn from sensible concave ranges; optionally one unit per channel × market."""
    if isinstance(channels, (int, np.integer)) and not isinstance(channels, bool):
        if channels < 1:
            raise ValueError("channels must be ≥ 1")
        width = max(2, len(str(int(channels))))
        names = [f"ch{i:0{width}d}" for i in range(1, int(channels) + 1)]
    elif isinstance(channels, str):
        raise ValueError("channels must be a count or a sequence of names, not one string")
    else:
        names = list(channels)
        if not names:
            raise ValueError("channels must name at least one channel")
    if len(set(names)) != len(names):
        raise ValueError("duplicate channel names")
    if markets is not None:
        if isinstance(markets, str):
            raise ValueError("markets must be a sequence of names, not one string")
        markets = list(markets)
        if not markets or len(set(markets)) != len(markets):
            raise ValueError("markets must be a non-empty sequence of distinct names")
    s, e = _check_freq_dates(start, end, freq, noise)

    rng = np.random.default_rng(seed)
    base = [draw_channel(rng, name) for name in names]
    if markets is None:
        truths = tuple(base)
    else:
        size = rng.uniform(0.4, 1.6, len(markets))
        efficiency = rng.uniform(0.8, 1.25, len(markets))
        truths = tuple(
            replace(c, market=m,
                    spend_level=float(np.round(c.spend_level * sz, 2)),
                    half_saturation=float(np.round(c.half_saturation * sz, 2)),
                    baseline=float(np.round(c.baseline * sz * ef, 2)),
                    beta=float(np.round(c.beta * sz * ef, 2)))
            for c in base for m, sz, ef in zip(markets, size, efficiency))
    return _generate(truths, s, e, rng, seed, noise, freq)
