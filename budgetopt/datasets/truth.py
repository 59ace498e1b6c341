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
curves are learnable. With ``pulse_weeks = k > 0`` the unit flights in pulses: blocks of k
weeks on (×``PULSE_ON``) and k weeks off (×``PULSE_OFF``) alternate, ``pulse_phase`` weeks into
the first cycle at the world's start (mean 1 over a cycle). With ``spend_start`` set the unit
spends nothing before that date (a market opened late); ``noise_scale`` multiplies the world's
revenue noise for that unit alone.

Coupling: the response reads ``D_c(t)^ρ`` (``response_coupling``); with ``promo_coupling`` = ρₚ
set, the promotion factor has its own exponent: ``(D_c(t) / promo(t))^ρ · promo(t)^ρₚ``, so a
response can follow the season closely and promotions hardly (or the other way round). Spend is rounded to 2 decimals and the *rounded* spend is what the truth
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

``python scenarios/data/regenerate.py`` rewrites the bundled demo history from `demo_world()`."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from budgetopt.forecasts.history.calendar import BUILTIN_WINDOWS, builtin_promotions
from budgetopt.names import check_name


#: Fraction of the (continuous) year at which the yearly season peaks (≈ 24 November).
SEASON_PEAK = 0.9


YEAR_DAYS = 365.2425


EPOCH = pd.Timestamp("2000-01-01")


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


#: Pulsed flighting: the spend multiplier in "on" and "off" blocks (mean 1 over a cycle).
PULSE_ON, PULSE_OFF = 1.85, 0.15


SHAPES = ("exp", "hill", "log", "sqrt_cap")   # log and sqrt_cap lie outside the fitted families




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
    response_coupling: float = 1.0       # response ∝ demand index^ρ (1: moves with the baseline)
    promo_coupling: float | None = None  # ρ for the promotion factor alone (None: as above)
    pulse_weeks: int = 0                 # pulsed flighting: on/off blocks of this many weeks
    pulse_phase: int = 0                 # weeks into the first cycle at the world's start
    spend_start: str | None = None       # ISO date before which the unit spent nothing
    noise_scale: float = 1.0             # the unit's revenue noise as a multiple of the world's

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
        if not (math.isfinite(self.response_coupling) and self.response_coupling >= 0):
            raise ValueError(f"{self.name}: response_coupling must be finite and ≥ 0")
        if self.promo_coupling is not None and not (math.isfinite(self.promo_coupling)
                                                    and self.promo_coupling >= 0):
            raise ValueError(f"{self.name}: promo_coupling must be finite and ≥ 0")
        if not (self.pulse_weeks >= 0 and self.pulse_phase >= 0):
            raise ValueError(f"{self.name}: pulse_weeks and pulse_phase must be ≥ 0")
        if not (math.isfinite(self.noise_scale) and self.noise_scale >= 0):
            raise ValueError(f"{self.name}: noise_scale must be finite and ≥ 0")

    @property
    def key(self) -> tuple[str, str | None]:
        """(channel, market) — the unit's identity."""
        return (self.name, self.market)

    def pulse(self, weeks: np.ndarray) -> np.ndarray:
        """The pulsed-flighting multiplier of each 7-day block (1 without pulses)."""
        if self.pulse_weeks == 0:
            return np.ones(len(weeks))
        on = ((np.asarray(weeks) + self.pulse_phase) // self.pulse_weeks) % 2 == 0
        return np.where(on, PULSE_ON, PULSE_OFF)

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
        if self.shape != "hill":
            h = 1e-4 * x
            return float(self.beta * (self.saturation(x + h) - self.saturation(x - h)) / (2 * h))
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
    if shape == "log":          # ½ at half_saturation, no ceiling
        return 0.5 * np.log2(1.0 + x / half_saturation)
    if shape == "sqrt_cap":     # ½ at half_saturation, flat from 4 × half_saturation on
        return np.minimum(0.5 * np.sqrt(x / half_saturation), 1.0)
    raise ValueError(f"shape must be one of {SHAPES}, got {shape!r}")


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


def calendar_arrays(idx: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
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


def as_days(dates) -> pd.DatetimeIndex:
    if isinstance(dates, (str, date, pd.Timestamp, np.datetime64)):
        dates = [dates]
    idx = pd.DatetimeIndex(pd.to_datetime(dates))
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    return idx.normalize()
