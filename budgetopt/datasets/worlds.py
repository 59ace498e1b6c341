"""Synthetic e-commerce worlds with a known ground truth.

A *world* is a set of units (channels, or channel × market) with hand-set or randomly drawn
true response curves, plus a history generated from them. Because the truth is known, it can be
queried for any date and any spend — past or future — which is what the bundled demo data, the
tests and the decision-quality benchmarks need.

Truth model
-----------
For unit ``c`` on day ``t``::

    D_c(t)        = trend_c(t) · season_c(t) · weekday(t) · promo(t)          (demand index)
    baseline_c(t) = baseline_c · D_c(t)                                      (zero-spend KPI)
    incr_c(t, x)  = D_c(t) · beta_c · sat_c(x)                               (incremental KPI)
    revenue_c(t)  = (baseline_c(t) + incr_c(t, spend_c(t))) · (1 + ε),  ε ~ N(0, noise)

* ``trend_c(t) = (1 + trend_per_year) ** ((t − anchor) / 365.25 days)`` where ``anchor`` is
  the middle day of the history (``World.trend_anchor``), so levels such as ``spend_level``
  and ``baseline`` are typical of the history as a whole rather than of its first day.
* ``season_c(t) = 1 + season_amplitude · cos(2π (y(t) − SEASON_PEAK))``, with ``y(t)`` the
  date in years (continuous, 365.2425-day years) and ``SEASON_PEAK`` the fraction of the year
  where the yearly cycle peaks (late November); the low is in late May.
* ``weekday(t)`` — ``WEEKDAY_PATTERN`` (Monday first, mean 1): weekends sell more.
* ``promo(t)`` — the Chinese e-commerce calendar of ``budgetopt.forecasts.history.calendar`` (its windows):
  618 ×1.6 over its window; Double 11 ramping from ×1.4 at the start of pre-sales to ×2.0
  on the eve, ×2.5 on the day, then ×1.6 and ×1.3 on the two days after; Double 12 ×1.4;
  Spring Festival ×0.7.
  Multipliers of overlapping windows multiply.
* Carryover: with ``carryover = θ > 0`` the response reads the spend's geometric adstock
  ``a_t = θ·a_(t−1) + (1 − θ)·x_t`` (steady state at the first day) instead of ``x_t``:
  ``incr_c(t) = D_c(t) · beta_c · sat_c(a_t)``. Constant spend x gives a = x, so
  ``incremental``/``period_incremental`` (spend held at a level) are unchanged by θ;
  ``simulated_incremental`` and ``plan_incremental`` follow a spend path day by day.
* Trend breaks: ``trend_break`` (a date) and ``trend_after`` switch the yearly growth rate
  at that date (the level is continuous).
* ``sat_c(x)`` — ``"exp"``: ``1 − exp(−x · ln2 / half_saturation)``; ``"hill"``:
  ``x^n / (x^n + half_saturation^n)``. Both are 0 at zero spend, ½ at ``half_saturation`` and
  tend to 1, so ``beta`` is the incremental KPI per day at saturation when ``D = 1``. The same
  demand index scales baseline and response, so the response curve moves with the season.

Spend (what a real advertiser would have done, confounded with demand as in real data)::

    spend_c(t) = spend_level · trend_c(t) · lift_c(t) · flight_c(week(t))

with ``lift_c = promo_spend_lift`` inside 618, Double 11 and Double 12 windows (1 elsewhere)
and ``flight`` a mean-1 lognormal (sigma ``flight_sigma``, default ``FLIGHT_SIGMA``) drawn independently per unit and per
7-day block counted from the world's start, so spend varies independently of the season and the
curves are learnable. Spend is rounded to 2 decimals and the *rounded* spend is what the truth
is evaluated at. Revenue is clipped at 0 and rounded to 2 decimals;
``conversions = round(revenue / aov · (1 + η))``, ``η ~ N(0, noise / 2)``, an integer ≥ 0.

Weekly worlds (``freq="W"``) are generated daily exactly as above and summed over complete
7-day blocks starting at ``start`` (the row's date is the block's first day; a trailing partial
block is dropped). The truth per day is unchanged.

With ``markets``, each channel becomes one unit per market: spend level and half-saturation
are scaled by a per-market size, baseline and beta by the size times a per-market efficiency,
so both levels and ROI differ by market.

Randomness comes from one ``numpy.random.default_rng(seed)``, consumed in a fixed order
(channel parameters, market scales, then per unit in order: flights, revenue noise,
conversion noise), so the same arguments give byte-identical output.

Run ``python -m budgetopt.datasets.worlds`` to rewrite the bundled demo history
(``scenarios/data/history.csv``).
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from budgetopt.forecasts.history.calendar import BUILTIN_WINDOWS, builtin_promotions
from budgetopt.names import check_name

__all__ = [
    "ChannelTruth", "World", "make_world", "world_from_truths", "demo_world", "write_history",
    "saturation", "DEMO_CHANNELS", "DEMO_START", "DEMO_END", "DEMO_SEED", "DEMO_HISTORY_PATH",
]

# ---------------------------------------------------------------------------------------------
# Constants of the truth model
# ---------------------------------------------------------------------------------------------

#: Fraction of the (continuous) year at which the yearly season peaks (≈ 24 November).
SEASON_PEAK = 0.9
_YEAR_DAYS = 365.2425
_EPOCH = pd.Timestamp("2000-01-01")

_WEEKDAY_RAW = np.array([0.96, 0.95, 0.96, 0.98, 1.01, 1.08, 1.06])  # Monday … Sunday
#: Weekday multipliers, Monday first, normalised to mean 1.
WEEKDAY_PATTERN = _WEEKDAY_RAW / _WEEKDAY_RAW.mean()

#: Flat demand multipliers over a promotion's whole window.
PROMO_MULTIPLIER = {"promo_618": 1.6, "double_12": 1.4, "spring_festival": 0.7}
#: Double 11: a pre-sale ramp from the window's first day to the eve, a jump on the day itself
#: (high enough that the day is the peak whatever its weekday), then the days after.
DOUBLE_11_START = 1.4
DOUBLE_11_EVE = 2.0
DOUBLE_11_PEAK = 2.5
DOUBLE_11_AFTER = (1.6, 1.3)
#: Promotions in whose windows advertisers raise spend (the demand peaks, not Spring Festival).
SPEND_PROMOTIONS = tuple(BUILTIN_WINDOWS)
#: Sigma of the weekly lognormal spend "flight" multiplier (mean 1).
FLIGHT_SIGMA = 0.35

SHAPES = ("exp", "hill")

DEMO_START = "2023-10-01"
DEMO_END = "2026-09-30"
DEMO_SEED = 1111
DEMO_NOISE = 0.05
DEMO_HISTORY_PATH = Path(str(resources.files("budgetopt.scenarios") / "data" / "history.csv"))


# ---------------------------------------------------------------------------------------------
# Truth of one unit
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChannelTruth:
    """The true parameters of one unit (a channel, or a channel in one market)."""

    name: str
    baseline: float          # organic KPI per day at demand index 1
    spend_level: float       # typical daily spend (before trend, promotions and flights)
    beta: float              # max incremental KPI per day at saturation (demand index 1)
    shape: str               # "exp" | "hill"
    half_saturation: float   # daily spend giving half of beta
    hill_n: float = 1.0      # hill exponent (<= 1 concave; > 1 S-shaped)
    season_amplitude: float = 0.15
    trend_per_year: float = 0.08
    promo_spend_lift: float = 1.8
    aov: float = 250.0       # KPI per conversion
    market: str | None = None
    carryover: float = 0.0   # geometric adstock decay per day (0 = no carryover)
    trend_break: str | None = None       # ISO date where the trend changes (None = no break)
    trend_after: float | None = None     # trend_per_year after the break
    flight_sigma: float = FLIGHT_SIGMA   # sigma of the weekly lognormal spend flights

    def __post_init__(self) -> None:
        for kind, value in (("channel", self.name), ("market", self.market)):
            if value is None:
                continue
            try:
                checked = check_name(value)
            except ValueError as err:
                raise ValueError(f"{kind} {err}") from None
            if checked != value:
                raise ValueError(f"{kind} name {value!r} is not in Unicode NFC form; "
                                 "normalize it (unicodedata.normalize('NFC', name))")
        if self.shape not in SHAPES:
            raise ValueError(f"{self.name}: shape must be one of {SHAPES}, got {self.shape!r}")
        for attr in ("baseline", "spend_level", "beta", "aov"):
            if not (math.isfinite(getattr(self, attr)) and getattr(self, attr) >= 0):
                raise ValueError(f"{self.name}: {attr} must be finite and ≥ 0")
        if not (self.half_saturation > 0 and math.isfinite(self.half_saturation)):
            raise ValueError(f"{self.name}: half_saturation must be > 0")
        if not self.hill_n > 0:
            raise ValueError(f"{self.name}: hill_n must be > 0")
        if not 0 <= self.season_amplitude < 1:
            raise ValueError(f"{self.name}: season_amplitude must be in [0, 1)")
        if not self.trend_per_year > -1:
            raise ValueError(f"{self.name}: trend_per_year must be > -1")
        if not self.promo_spend_lift >= 0:
            raise ValueError(f"{self.name}: promo_spend_lift must be ≥ 0")
        if self.aov <= 0:
            raise ValueError(f"{self.name}: aov must be > 0")
        if not 0 <= self.carryover < 1:
            raise ValueError(f"{self.name}: carryover must be in [0, 1)")
        if (self.trend_break is None) != (self.trend_after is None):
            raise ValueError(f"{self.name}: trend_break and trend_after go together")
        if self.trend_after is not None and not self.trend_after > -1:
            raise ValueError(f"{self.name}: trend_after must be > -1")
        if not self.flight_sigma >= 0:
            raise ValueError(f"{self.name}: flight_sigma must be ≥ 0")

    @property
    def key(self) -> tuple[str, str | None]:
        """(channel, market) — the unit's identity."""
        return (self.name, self.market)

    @property
    def concave(self) -> bool:
        return self.shape == "exp" or self.hill_n <= 1

    def saturation(self, spend) -> np.ndarray:
        """sat(x) in [0, 1): the share of beta reached at daily spend x (demand index 1)."""
        return saturation(self.shape, spend, self.half_saturation, self.hill_n)

    def typical_roi(self) -> float:
        """Incremental KPI ÷ spend at spend_level and demand index 1."""
        return float(self.beta * self.saturation(self.spend_level) / self.spend_level)

    def typical_marginal_roi(self) -> float:
        """Slope of the response curve at spend_level and demand index 1."""
        x, k, n = self.spend_level, self.half_saturation, self.hill_n
        if self.shape == "exp":
            return float(self.beta * math.log(2) / k * 2.0 ** (-x / k))
        return float(self.beta * n * x ** (n - 1) * k ** n / (x ** n + k ** n) ** 2)


def saturation(shape: str, spend, half_saturation: float, hill_n: float = 1.0) -> np.ndarray:
    """The saturating transform of the truth model (0 at 0, ½ at half_saturation, → 1)."""
    x = np.asarray(spend, dtype=float)
    if np.any(x < 0) or not np.all(np.isfinite(x)):
        raise ValueError("spend must be finite and ≥ 0")
    if shape == "exp":
        return -np.expm1(-x / half_saturation * math.log(2))
    if shape == "hill":
        xn = x ** hill_n
        return xn / (xn + half_saturation ** hill_n)
    raise ValueError(f"shape must be one of {SHAPES}, got {shape!r}")


# ---------------------------------------------------------------------------------------------
# Calendar pieces of the demand index
# ---------------------------------------------------------------------------------------------

def _promo_profile(name: str, offset: int, lower: int, upper: int) -> float:
    if name == "double_11":
        if offset == 0:
            return DOUBLE_11_PEAK
        if offset > 0:
            return DOUBLE_11_AFTER[min(offset, len(DOUBLE_11_AFTER)) - 1]
        if lower == -1:
            return DOUBLE_11_EVE
        step = (DOUBLE_11_EVE - DOUBLE_11_START) / (-1 - lower)
        return DOUBLE_11_START + step * (offset - lower)
    return PROMO_MULTIPLIER.get(name, 1.0)


def _day_numbers(idx: pd.DatetimeIndex) -> np.ndarray:
    return idx.to_numpy().astype("datetime64[D]").astype(np.int64)


@lru_cache(maxsize=None)
def _year_calendar(year: int) -> tuple[dict[int, float], frozenset[int]]:
    """For the built-in promotions of `year`: day number (days since 1970-01-01) → demand
    multiplier, and the day numbers inside spend-raising promotion windows."""
    demand: dict[int, float] = {}
    spend_days: set[int] = set()
    for promo in builtin_promotions([year]):
        for d in promo.days():
            key = int(np.datetime64(d, "D").astype(np.int64))
            offset = (d - promo.day).days
            mult = _promo_profile(promo.name, offset, promo.lower_window, promo.upper_window)
            demand[key] = demand.get(key, 1.0) * mult
            if promo.name in SPEND_PROMOTIONS:
                spend_days.add(key)
    return demand, frozenset(spend_days)


def _calendar_arrays(idx: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Promotion demand multiplier and spend-promotion flag for each day of `idx`."""
    if len(idx) == 0:
        return np.ones(0), np.zeros(0, dtype=bool)
    demand: dict[int, float] = {}
    spend_days: set[int] = set()
    first, last = int(idx.year.min()), int(idx.year.max())
    # Windows near New Year may belong to the neighbouring year's calendar.
    for year in range(first - 1, last + 2):
        try:
            year_demand, year_spend = _year_calendar(year)
        except ValueError:
            if first <= year <= last:
                raise ValueError(f"no promotion calendar for {year}: the Spring Festival "
                                 "date is known for 1950–2100 only") from None
            continue
        for key, m in year_demand.items():
            demand[key] = demand.get(key, 1.0) * m
        spend_days |= year_spend
    days = _day_numbers(idx)
    mult = np.array([demand.get(int(k), 1.0) for k in days], dtype=float)
    flag = np.isin(days, np.fromiter(spend_days, dtype=np.int64, count=len(spend_days)))
    return mult, flag


def _as_days(dates) -> pd.DatetimeIndex:
    if isinstance(dates, (str, date, pd.Timestamp, np.datetime64)):
        dates = [dates]
    idx = pd.DatetimeIndex(pd.to_datetime(dates))
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    return idx.normalize()


# ---------------------------------------------------------------------------------------------
# World
# ---------------------------------------------------------------------------------------------

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
        idx = _as_days(dates)
        y = (idx - _EPOCH).days.to_numpy(dtype=float) / _YEAR_DAYS
        season = 1.0 + c.season_amplitude * np.cos(2 * np.pi * (y - SEASON_PEAK))
        weekday = WEEKDAY_PATTERN[idx.day_of_week.to_numpy()]
        promo, _ = _calendar_arrays(idx)
        return self._trend(c, idx) * season * weekday * promo

    def baseline(self, channel, dates) -> np.ndarray:
        """True zero-spend KPI per day."""
        c = self.truth(channel)
        return c.baseline * self.demand_index(c, dates)

    def incremental(self, channel, dates, daily_spend) -> np.ndarray:
        """True incremental KPI per day at `daily_spend` (array, or scalar broadcast against
        the dates; one date broadcasts against many spends)."""
        c = self.truth(channel)
        d = self.demand_index(c, dates)
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
        return self.demand_index(c, dates) * c.beta * c.saturation(
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
        d, x = np.broadcast_arrays(d, np.asarray(daily_spend, dtype=float))
        return d * (c.baseline + c.beta * c.saturation(x))

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


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------

def _draw_channel(rng: np.random.Generator, name: str) -> ChannelTruth:
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
    _, spend_promo = _calendar_arrays(idx)
    date_str = idx.strftime("%Y-%m-%d").to_numpy(dtype=object)
    world = World(channels=truths, history=pd.DataFrame(), start=s, end=e, seed=seed,
                  noise=noise, freq=freq)
    with_market = truths[0].market is not None

    frames = []
    for c in truths:
        flights = rng.lognormal(-c.flight_sigma ** 2 / 2, c.flight_sigma, n_weeks)
        eps = rng.normal(0.0, noise, n) if noise > 0 else np.zeros(n)
        eta = rng.normal(0.0, noise / 2, n) if noise > 0 else np.zeros(n)
        lift = np.where(spend_promo, c.promo_spend_lift, 1.0)
        spend = np.round(c.spend_level * world._trend(c, idx) * lift * flights[week], 2)
        spend = np.maximum(spend, 0.0)
        world._daily_spend[c.key] = pd.Series(spend, index=idx, name="spend")
        expected = world.expected_revenue(c, idx, world.adstock(c, spend))
        revenue = np.round(np.maximum(expected * (1.0 + eps), 0.0), 2)
        conversions = np.maximum(np.round(revenue / c.aov * (1.0 + eta)), 0).astype(np.int64)
        frame = {"date": date_str, "channel": np.full(n, c.name, dtype=object)}
        if with_market:
            frame["market"] = np.full(n, c.market, dtype=object)
        frame.update(spend=spend, revenue=revenue, conversions=conversions)
        frame = pd.DataFrame(frame)
        if freq == "W":
            frame = _weekly(frame, week, with_market)
        frames.append(frame)

    keys = ["channel", "market", "date"] if with_market else ["channel", "date"]
    hist = pd.concat(frames, ignore_index=True)
    hist = hist.sort_values(keys, kind="stable").reset_index(drop=True)
    hist["date"] = hist["date"].astype(str)
    hist["channel"] = hist["channel"].astype(str)
    if with_market:
        hist["market"] = hist["market"].astype(str)
    hist["conversions"] = hist["conversions"].astype(np.int64)
    world.history = hist
    return world


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
    base = [_draw_channel(rng, name) for name in names]
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


# ---------------------------------------------------------------------------------------------
# Demo world
# ---------------------------------------------------------------------------------------------

#: The bundled demo's channels. Spend levels sum to 110,000 CNY/day; "typical ROI" is
#: incremental revenue ÷ spend at spend_level and demand index 1.
#:   search_ads      big, near saturation (ROI ≈ 3.5, marginal ≈ 1.3)
#:   display_feed    mid, weak and over-spent (ROI ≈ 2.2, marginal ≈ 1.0)
#:   short_video     mid, far from saturation (ROI ≈ 4.2, marginal ≈ 3.3)
#:   live_streaming  big, near saturation (ROI ≈ 3.0, marginal ≈ 0.8)
#:   kol             mid, weak (ROI ≈ 2.6, marginal ≈ 1.0); carryover 0.4 per day
#:   content_seo     small, high ROI with room to grow (ROI ≈ 7.0, marginal ≈ 5.2);
#:                   carryover 0.5 per day (content keeps working after it is paid for)
#:   social          small, high ROI (ROI ≈ 5.4, marginal ≈ 2.3)
#:   private_domain  small, highest ROI but a limited audience (ROI ≈ 8.4, marginal ≈ 2.9)
DEMO_CHANNELS: tuple[ChannelTruth, ...] = (
    ChannelTruth("search_ads", baseline=180_000, spend_level=30_000, beta=128_000,
                 shape="exp", half_saturation=12_000, season_amplitude=0.12,
                 trend_per_year=0.06, promo_spend_lift=1.8, aov=260),
    ChannelTruth("display_feed", baseline=60_000, spend_level=14_000, beta=72_000,
                 shape="hill", half_saturation=20_000, hill_n=0.8, season_amplitude=0.15,
                 trend_per_year=0.04, promo_spend_lift=1.6, aov=220),
    ChannelTruth("short_video", baseline=90_000, spend_level=16_000, beta=182_000,
                 shape="exp", half_saturation=24_000, season_amplitude=0.18,
                 trend_per_year=0.15, promo_spend_lift=2.0, aov=180),
    ChannelTruth("live_streaming", baseline=120_000, spend_level=25_000, beta=105_000,
                 shape="hill", half_saturation=9_000, hill_n=0.9, season_amplitude=0.20,
                 trend_per_year=0.18, promo_spend_lift=2.4, aov=200),
    ChannelTruth("kol", baseline=40_000, spend_level=12_000, beta=68_000,
                 shape="hill", half_saturation=15_000, hill_n=0.7, season_amplitude=0.15,
                 trend_per_year=0.10, promo_spend_lift=1.9, aov=240, carryover=0.4),
    ChannelTruth("content_seo", baseline=70_000, spend_level=5_000, beta=80_000,
                 shape="exp", half_saturation=6_000, season_amplitude=0.10,
                 trend_per_year=0.06, promo_spend_lift=1.2, aov=280, carryover=0.5),
    ChannelTruth("social", baseline=35_000, spend_level=4_000, beta=38_000,
                 shape="hill", half_saturation=3_000, hill_n=1.0, season_amplitude=0.12,
                 trend_per_year=0.08, promo_spend_lift=1.4, aov=210),
    ChannelTruth("private_domain", baseline=55_000, spend_level=4_000, beta=40_000,
                 shape="exp", half_saturation=1_500, season_amplitude=0.08,
                 trend_per_year=0.10, promo_spend_lift=1.5, aov=320),
)


def demo_world() -> World:
    """The bundled demo: 8 channels, daily, 2023-10-01 … 2026-09-30, noise 0.05, fixed seed."""
    return world_from_truths(DEMO_CHANNELS, DEMO_START, DEMO_END, seed=DEMO_SEED,
                             noise=DEMO_NOISE, freq="D")


def write_history(world: World, path) -> None:
    """Write the world's history as CSV: fixed column order, 2-decimal money, `\\n` endings."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    hist = world.history
    cols = ["date", "channel"] + (["market"] if "market" in hist.columns else []) + [
        "spend", "revenue", "conversions"]
    lines = [",".join(cols)]
    money = {"spend", "revenue"}
    columns = [hist[c].tolist() for c in cols]
    for row in zip(*columns):
        lines.append(",".join(
            f"{v:.2f}" if col in money else str(int(v)) if col == "conversions" else str(v)
            for col, v in zip(cols, row)))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


if __name__ == "__main__":
    write_history(demo_world(), DEMO_HISTORY_PATH)
    print(f"wrote {DEMO_HISTORY_PATH}")
