"""A world: a synthetic history together with the true curves that generated it, which can be
queried for any date and any spend, past or future."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from budgetopt.datasets.truth import (ChannelTruth, SEASON_PEAK, WEEKDAY_PATTERN, EPOCH, YEAR_DAYS,
                                      as_days, calendar_arrays)




@dataclass(eq=False)
class World:
    """A synthetic history together with the true curves that generated it."""

    channels: tuple[ChannelTruth, ...]
    history: pd.DataFrame
    start: date
    end: date
    seed: int
    noise: float
    freq: str
    _daily_spend: dict[tuple[str, str | None], pd.Series] = field(default_factory=dict,
                                                                   repr=False)

    # -- lookup -----------------------------------------------------------------------------
    @property
    def units(self) -> list[tuple[str, str | None]]:
        """(channel, market) of every unit, in generation order."""
        return [c.key for c in self.channels]

    @property
    def has_markets(self) -> bool:
        return any(c.market is not None for c in self.channels)

    def truth(self, channel) -> ChannelTruth:
        """The unit named by a ChannelTruth, a channel name (when it has one market only) or a
        (channel, market) tuple."""
        if isinstance(channel, ChannelTruth):
            if channel in self.channels:
                return channel
            channel = channel.key
        if isinstance(channel, tuple):
            for c in self.channels:
                if c.key == tuple(channel):
                    return c
            raise KeyError(f"no unit {channel!r}; units: {self.units}")
        hits = [c for c in self.channels if c.name == channel]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise KeyError(f"no channel {channel!r}; channels: "
                           f"{sorted({c.name for c in self.channels})}")
        raise KeyError(f"channel {channel!r} exists in several markets "
                       f"{[c.market for c in hits]}: pass (channel, market)")

    # -- truth ------------------------------------------------------------------------------
    @property
    def trend_anchor(self) -> date:
        """The day where every unit's trend is 1: the middle day of [start, end]."""
        return self.start + timedelta(days=(self.end - self.start).days // 2)

    def _trend(self, c: ChannelTruth, idx: pd.DatetimeIndex) -> np.ndarray:
        years = (idx - pd.Timestamp(self.trend_anchor)).days.to_numpy(dtype=float) / 365.25
        if c.trend_break is None:
            return (1.0 + c.trend_per_year) ** years
        brk = (pd.Timestamp(c.trend_break) - pd.Timestamp(self.trend_anchor)).days / 365.25
        before, after = math.log1p(c.trend_per_year), math.log1p(c.trend_after)

        def log_level(y):
            return before * np.minimum(y, brk) + after * np.maximum(y - brk, 0.0)
        return np.exp(log_level(years) - log_level(0.0))

    def demand_index(self, channel, dates) -> np.ndarray:
        """D_c(t) = trend × yearly season × weekday × promotion multiplier, per day."""
        c = self.truth(channel)
        idx = as_days(dates)
        y = (idx - EPOCH).days.to_numpy(dtype=float) / YEAR_DAYS
        season = 1.0 + c.season_amplitude * np.cos(2 * np.pi * (y - SEASON_PEAK))
        weekday = WEEKDAY_PATTERN[idx.day_of_week.to_numpy()]
        promo, _ = calendar_arrays(idx)
        return self._trend(c, idx) * season * weekday * promo

    def response_index(self, channel, dates) -> np.ndarray:
        """How the response moves with the season and promotions: D_c(t)^ρ (ρ = 1: as the
        baseline does); with a promotion coupling ρₚ, (D_c(t)/promo(t))^ρ · promo(t)^ρₚ."""
        c = self.truth(channel)
        d = self.demand_index(c, dates)
        if c.promo_coupling is not None and c.promo_coupling != c.response_coupling:
            promo, _ = calendar_arrays(as_days(dates))
            return (d / promo) ** c.response_coupling * promo ** c.promo_coupling
        return d if c.response_coupling == 1.0 else d ** c.response_coupling

    def baseline(self, channel, dates) -> np.ndarray:
        """True zero-spend KPI per day."""
        c = self.truth(channel)
        return c.baseline * self.demand_index(c, dates)

    def incremental(self, channel, dates, daily_spend) -> np.ndarray:
        """True incremental KPI per day at `daily_spend` (array, or scalar broadcast against
        the dates; one date broadcasts against many spends)."""
        c = self.truth(channel)
        d = self.response_index(c, dates)
        d, x = np.broadcast_arrays(d, np.asarray(daily_spend, dtype=float))
        return d * c.beta * c.saturation(x)

    def adstock(self, channel, daily_spend, initial: float | None = None) -> np.ndarray:
        """Geometric carryover of consecutive days' spend: a_t = θ·a_(t−1) + (1 − θ)·x_t,
        starting from `initial` (default: steady state at the first day's spend). Constant
        spend x gives a = x, so the half-saturation keeps its meaning."""
        c = self.truth(channel)
        x = np.asarray(daily_spend, dtype=float)
        theta = c.carryover
        if theta == 0 or len(x) == 0:
            return x.copy()
        out = np.empty_like(x)
        state = x[0] if initial is None else float(initial)
        for i, value in enumerate(x):
            state = theta * state + (1.0 - theta) * value
            out[i] = state
        return out

    def simulated_incremental(self, channel, dates, daily_spend,
                              initial: float | None = None) -> np.ndarray:
        """True incremental KPI per consecutive day when `daily_spend` is spent on those days,
        with carryover (the spend's adstock) from `initial` onwards."""
        c = self.truth(channel)
        return self.response_index(c, dates) * c.beta * c.saturation(
            self.adstock(c, daily_spend, initial))

    def plan_incremental(self, channel, start, daily_spend, tail_days: int = 0,
                         initial: float = 0.0) -> float:
        """True incremental KPI caused by spending `daily_spend` on consecutive days from
        `start`, counted over those days and `tail_days` after (the carryover tail): the KPI
        with the plan minus the KPI with zero spend, both from the adstock state `initial`."""
        x = np.concatenate([np.asarray(daily_spend, float), np.zeros(int(tail_days))])
        days = pd.date_range(pd.Timestamp(start).normalize(), periods=len(x), freq="D")
        with_plan = self.simulated_incremental(channel, days, x, initial)
        without = self.simulated_incremental(channel, days, np.zeros(len(x)), initial)
        return float(np.sum(with_plan - without))

    def expected_revenue(self, channel, dates, daily_spend) -> np.ndarray:
        """True expected KPI per day (baseline + incremental), before noise."""
        c = self.truth(channel)
        d = self.demand_index(c, dates)
        r = self.response_index(c, dates)
        d, r, x = np.broadcast_arrays(d, r, np.asarray(daily_spend, dtype=float))
        return d * c.baseline + r * c.beta * c.saturation(x)

    def period_incremental(self, channel, start, end, total_spend: float) -> float:
        """True incremental KPI over the days [start, end] inclusive when `total_spend` is
        spread evenly over them."""
        if total_spend < 0 or not math.isfinite(total_spend):
            raise ValueError("total_spend must be finite and ≥ 0")
        days = pd.date_range(pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize(),
                             freq="D")
        if len(days) == 0:
            raise ValueError(f"period end {end} is before its start {start}")
        return float(self.incremental(channel, days, total_spend / len(days)).sum())

    def historical_daily_spend(self, channel) -> pd.Series:
        """The spend per day that generated the history (daily even for weekly worlds)."""
        c = self.truth(channel)
        return self._daily_spend[c.key].copy()
