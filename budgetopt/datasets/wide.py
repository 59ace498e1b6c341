"""Total-KPI ("wide") worlds with a known truth, and the same world as channel platforms would
report it (over-counted attributed revenue in long form).

Truth model: the truth model of `budgetopt.datasets.worlds` with one demand index for the
whole business (every channel shares the season amplitude and trend), so

    revenue(t) = Σ_c (baseline_c · D(t) + D(t) · beta_c · sat_c(adstock_c(spend_c))) · ctrl(t) · (1 + ε)

with ε ~ N(0, noise) on the total (per row: per day, or per week for weekly worlds) and
ctrl(t) = exp(control_effect · discount(t)) when the world has a control: `discount` is a
known promotion-depth flag (0 on most weeks, a few random weeks at 0.1–0.3) that lifts the
whole business, spend and organic alike. In the future it is 0 unless given.

Over-counted attribution (long form): channel c reports

    attributed_c(t) = inflation_c · incr_c(t) · (1 + ε_c) + overlap · organic(t) · share_c(t)

where inflation_c (1.3–2.6, drawn per channel) is view-through and multi-touch credit for its
own orders, and the second term is organic orders that every platform touching the buyer
claims, split by spend share share_c(t) (overlap 0.8–1.4: an organic order is claimed by one or
more platforms) — so the channels' claims add up to more than the
total KPI and follow spend, as platform reports do.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from budgetopt.datasets.generate import draw_channel, world_from_truths
from budgetopt.datasets.worlds import World

__all__ = ["WideWorld", "make_wide_world", "wide_from_world", "write_wide_history",
           "write_attributed_history", "WIDE_FAMILIES", "wide_family_world"]

WIDE_FAMILIES = ("plain", "carryover", "weekly", "control")


@dataclass
class WideWorld:
    """A total-KPI history with the per-channel truth that generated it."""

    world: World                      # per-channel truths (for valuing plans on the truth)
    history: pd.DataFrame             # date, revenue, spend_<channel>..., [discount]
    attributed: pd.DataFrame          # long form: date, channel, spend, revenue (over-counted)
    spend_columns: dict[str, str]
    inflation: dict[str, float]
    overlap: float
    control_effect: float | None = None
    controls: list[str] = field(default_factory=list)
    # the total's expected parts per history row: date, baseline, one column per channel
    # (its incremental KPI, carryover simulated; the control's lift included)
    true_rows: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def channels(self) -> list[str]:
        return sorted(self.spend_columns)

    @property
    def freq(self) -> str:
        return self.world.freq

    def true_roi(self, channel: str) -> float:
        """True historical ROI: Σ incremental ÷ Σ spend over the history (carryover simulated)."""
        incr, spend = self._history_incremental(channel)
        return float(incr.sum() / spend.sum())

    def true_contribution_share(self, channel: str) -> float:
        """The channel's share of the total KPI over the history (expected values)."""
        total = float(self.history["revenue"].sum())
        return float(self._history_incremental(channel)[0].sum() / total)

    def _history_incremental(self, channel: str) -> tuple[np.ndarray, np.ndarray]:
        spend = self.world.historical_daily_spend(channel)
        incr = self.world.simulated_incremental(channel, spend.index, spend.to_numpy())
        if self.control_effect is not None:
            incr = incr * np.exp(self.control_effect * self._daily_discount(spend.index))
        if self.freq == "W":        # the history keeps complete weeks only
            keep = np.arange(len(spend)) < (len(spend) // 7) * 7
            return incr[keep], spend.to_numpy()[keep]
        return incr, spend.to_numpy()

    def _daily_discount(self, days: pd.DatetimeIndex) -> np.ndarray:
        return self._discount.reindex(days, fill_value=0.0).to_numpy()

    _discount: pd.Series = field(default_factory=lambda: pd.Series(dtype=float), repr=False)


def make_wide_world(channels: int = 4, start: str = "2023-01-01", end: str = "2025-12-31", *,
                    seed: int = 0, noise: float = 0.05, freq: str = "D",
                    carryover: bool = False, control: bool = False,
                    shape: str | None = None) -> WideWorld:
    """A random total-KPI world (deterministic for the arguments); `shape` ("exp" or "hill")
    redraws channels until every one has that saturation shape."""
    rng = np.random.default_rng([7, seed, channels])
    season = float(np.round(rng.uniform(0.08, 0.2), 3))
    trend = float(np.round(rng.uniform(0.0, 0.12), 3))
    truths = []
    for i in range(channels):
        t = draw_channel(rng, f"ch{i + 1:02d}")
        while shape is not None and t.shape != shape:
            t = draw_channel(rng, f"ch{i + 1:02d}")
        t = replace(t, season_amplitude=season, trend_per_year=trend)
        if carryover:
            t = replace(t, carryover=float(np.round(rng.uniform(0.2, 0.6), 2)))
        truths.append(t)
    world = world_from_truths(truths, start, end, seed=seed, noise=0.0, freq=freq)
    return wide_from_world(world, rng, noise, control)


def wide_from_world(world: World, rng: np.random.Generator, noise: float = 0.05,
                    control: bool = False) -> WideWorld:
    """The total-KPI form of a noise-free world (`generate.noise_free`): its units' KPI summed
    per row with noise on the total, optionally a control, and the over-counted attribution."""
    truths = list(world.channels)
    freq = world.freq
    start, end = world.start, world.end
    hist = world.history
    dates = pd.to_datetime(hist[hist["channel"] == truths[0].name]["date"]).to_numpy()
    n = len(dates)
    days = pd.date_range(start, end, freq="D")
    discount = pd.Series(0.0, index=days)
    effect = None
    if control:
        effect = float(np.round(rng.uniform(0.8, 1.5), 2))
        weeks = len(days) // 7
        chosen = rng.choice(weeks, size=max(weeks // 8, 1), replace=False)
        for w in chosen:
            discount.iloc[w * 7:(w + 1) * 7] = float(np.round(rng.uniform(0.1, 0.3), 2))
    row_discount = _row_values(discount, dates, freq)
    organic = np.zeros(n)
    total = np.zeros(n)
    spends, incrs = {}, {}
    for t in truths:
        rows = hist[hist["channel"] == t.name]
        spend = rows["spend"].to_numpy(float)
        daily = world.historical_daily_spend(t)
        incr_daily = world.simulated_incremental(t, daily.index, daily.to_numpy())
        incr = _row_sums(pd.Series(incr_daily, index=daily.index), dates, freq)
        base = rows["revenue"].to_numpy(float) - incr
        spends[t.name], incrs[t.name] = spend, incr
        organic += base
        total += base + incr
    lift = np.exp(effect * row_discount) if effect is not None else np.ones(n)
    eps = rng.normal(0.0, noise, n) if noise > 0 else np.zeros(n)
    revenue = np.round(np.maximum(total * lift * (1 + eps), 0.0), 2)
    wide = {"date": pd.DatetimeIndex(dates).strftime("%Y-%m-%d"), "revenue": revenue}
    spend_columns = {t.name: f"spend_{t.name}" for t in truths}
    for t in truths:
        wide[spend_columns[t.name]] = np.round(spends[t.name], 2)
    controls = []
    if control:
        wide["discount"] = row_discount
        controls = ["discount"]
    inflation = {t.name: float(np.round(rng.uniform(1.3, 2.6), 2)) for t in truths}
    overlap = float(np.round(rng.uniform(0.8, 1.4), 2))
    all_spend = np.sum([spends[c] for c in spends], axis=0)
    frames = []
    for t in truths:
        share = np.divide(spends[t.name], all_spend, out=np.zeros(n), where=all_spend > 0)
        noise_c = rng.normal(0.0, noise, n) if noise > 0 else np.zeros(n)
        claimed = (inflation[t.name] * incrs[t.name] * (1 + noise_c)
                   + overlap * organic * share) * lift
        frames.append(pd.DataFrame({"date": wide["date"], "channel": t.name,
                                    "spend": np.round(spends[t.name], 2),
                                    "revenue": np.round(np.maximum(claimed, 0.0), 2)}))
    attributed = pd.concat(frames, ignore_index=True)
    true_rows = pd.DataFrame({"date": wide["date"], "baseline": organic * lift,
                              **{t.name: incrs[t.name] * lift for t in truths}})
    out = WideWorld(world, pd.DataFrame(wide), attributed, spend_columns, inflation, overlap,
                    effect, controls, true_rows)
    out._discount = discount
    return out


def wide_family_world(family: str, seed: int, channels: int = 4) -> WideWorld:
    """A benchmark world of one family: plain daily, with carryover, weekly, with a control."""
    if family not in WIDE_FAMILIES:
        raise ValueError(f"family must be one of {WIDE_FAMILIES}, got {family!r}")
    return make_wide_world(channels, seed=100 * WIDE_FAMILIES.index(family) + seed,
                           freq="W" if family == "weekly" else "D",
                           carryover=family == "carryover", control=family == "control")


def _row_values(daily: pd.Series, dates: np.ndarray, freq: str) -> np.ndarray:
    if freq == "W":
        return np.array([float(daily.loc[pd.Timestamp(d):pd.Timestamp(d) + pd.Timedelta(days=6)]
                               .mean()) for d in dates])
    return daily.reindex(pd.DatetimeIndex(dates)).to_numpy()


def _row_sums(daily: pd.Series, dates: np.ndarray, freq: str) -> np.ndarray:
    if freq == "W":
        return np.array([float(daily.loc[pd.Timestamp(d):pd.Timestamp(d) + pd.Timedelta(days=6)]
                               .sum()) for d in dates])
    return daily.reindex(pd.DatetimeIndex(dates)).to_numpy()


def write_wide_history(world: WideWorld, path, future_until: str | None = None) -> None:
    """Write the total-KPI history as CSV; with `future_until`, future rows (KPI and spend
    empty) carry the controls (0: no promotion depth) up to that date."""
    frame = world.history.copy()
    if future_until and world.controls:
        step = 7 if world.freq == "W" else 1
        last = pd.Timestamp(frame["date"].iloc[-1])
        future = pd.date_range(last + pd.Timedelta(days=step), future_until, freq=f"{step}D")
        extra = pd.DataFrame({"date": future.strftime("%Y-%m-%d")})
        for c in world.controls:
            extra[c] = 0.0
        frame = pd.concat([frame, extra], ignore_index=True)
    _write(frame, path)


def write_attributed_history(world: WideWorld, path) -> None:
    """Write the over-counted attributed revenue in long form (what platform reports give)."""
    _write(world.attributed, path)


def _write(frame: pd.DataFrame, path) -> None:
    from pathlib import Path
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = frame.to_csv(index=False, float_format="%.2f", lineterminator="\n")
    path.write_bytes(text.encode("utf-8"))
