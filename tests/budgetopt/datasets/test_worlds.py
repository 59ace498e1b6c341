"""Synthetic worlds: reproducibility, the bundled demo data, and the truth model checked against
formulas written out independently here."""
from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from budgetopt.datasets import (DEMO_HISTORY_PATH, ChannelTruth, demo_world, make_world,
                                world_from_truths, write_history)
from budgetopt.datasets.truth import SEASON_PEAK, WEEKDAY_PATTERN

DEMO_NAMES = ["search_ads", "display_feed", "short_video", "live_streaming", "kol",
              "content_seo", "social", "private_domain"]


@pytest.fixture(scope="module")
def demo():
    return demo_world()


# --- independent re-statement of the documented truth model --------------------------------

def sat(c: ChannelTruth, x):
    x = np.asarray(x, dtype=float)
    if c.shape == "exp":
        return 1.0 - np.exp(-x / c.half_saturation * math.log(2))
    return x ** c.hill_n / (x ** c.hill_n + c.half_saturation ** c.hill_n)


def ordinary_demand(world, c: ChannelTruth, day: date) -> float:
    """Demand index on a day outside every promotion window."""
    anchor = world.start + timedelta(days=(world.end - world.start).days // 2)
    trend = (1 + c.trend_per_year) ** ((day - anchor).days / 365.25)
    y = (day - date(2000, 1, 1)).days / 365.2425
    season = 1 + c.season_amplitude * math.cos(2 * math.pi * (y - SEASON_PEAK))
    return trend * season * WEEKDAY_PATTERN[day.weekday()]


# --- the bundled demo ------------------------------------------------------------------------

def test_demo_reproduces_bundled_history_byte_for_byte(demo, tmp_path):
    out = tmp_path / "history.csv"
    write_history(demo, out)
    bundled = Path(DEMO_HISTORY_PATH).read_bytes()
    assert out.read_bytes() == bundled
    text = bundled.decode("utf-8")
    assert b"\r" not in bundled
    assert text.startswith("date,channel,spend,revenue,conversions\n")
    assert len(text.splitlines()) == 1 + 8 * 1096


def test_demo_history_shape_and_order(demo):
    h = demo.history
    assert list(h.columns) == ["date", "channel", "spend", "revenue", "conversions"]
    assert sorted(h["channel"].unique()) == sorted(DEMO_NAMES)
    assert h["date"].min() == "2023-10-01" and h["date"].max() == "2026-09-30"
    assert h.groupby("channel").size().eq(1096).all()
    assert list(h.sort_values(["channel", "date"]).index) == list(h.index)
    assert not h.duplicated(["date", "channel"]).any()
    assert (h["spend"] > 0).all() and (h["revenue"] > 0).all() and (h["conversions"] >= 0).all()
    assert h["conversions"].dtype == np.int64
    assert np.allclose(h["spend"], h["spend"].round(2), atol=1e-9, rtol=0)


def test_demo_parameters_are_plausible(demo):
    chans = {c.name: c for c in demo.channels}
    assert [c.name for c in demo.channels] == DEMO_NAMES
    assert 100_000 <= sum(c.spend_level for c in demo.channels) <= 120_000
    by_spend = sorted(chans, key=lambda n: chans[n].spend_level, reverse=True)
    assert set(by_spend[:2]) == {"search_ads", "live_streaming"}
    assert set(by_spend[-3:]) == {"content_seo", "social", "private_domain"}
    rois = {n: c.beta * float(sat(c, c.spend_level)) / c.spend_level for n, c in chans.items()}
    assert all(1.8 <= r <= 9.5 for r in rois.values())
    assert min(rois[n] for n in ("content_seo", "social", "private_domain")) > max(
        rois[n] for n in ("search_ads", "display_feed", "live_streaming", "kol"))
    fill = {n: float(sat(c, c.spend_level)) for n, c in chans.items()}
    assert fill["search_ads"] > 0.75 and fill["private_domain"] > 0.75      # near saturation
    assert fill["short_video"] < 0.45 and fill["content_seo"] < 0.5       # room to grow
    assert {c.shape for c in demo.channels} == {"exp", "hill"}
    assert all(c.shape == "exp" or c.hill_n <= 1 for c in demo.channels)
    assert len({(c.beta, c.half_saturation) for c in demo.channels}) == 8
    daily = demo.history.groupby("date")[["spend", "revenue"]].sum()
    assert 1.0e6 <= daily["revenue"].mean() <= 1.5e6
    assert 100_000 <= daily["spend"].mean() <= 130_000


# --- reproducibility --------------------------------------------------------------------------

def test_same_seed_same_frame_different_seed_different(tmp_path):
    a = make_world(3, "2024-01-01", "2024-06-30", seed=7)
    b = make_world(3, "2024-01-01", "2024-06-30", seed=7)
    c = make_world(3, "2024-01-01", "2024-06-30", seed=8)
    pd.testing.assert_frame_equal(a.history, b.history)
    assert a.channels == b.channels
    write_history(a, tmp_path / "a.csv")
    write_history(b, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert a.channels != c.channels
    assert not np.array_equal(a.history["spend"].to_numpy(), c.history["spend"].to_numpy())
    assert not np.array_equal(a.history["revenue"].to_numpy(), c.history["revenue"].to_numpy())


def test_generic_names_and_parameter_mix():
    w = make_world(12, "2024-01-01", "2024-02-29", seed=1)
    assert [c.name for c in w.channels] == [f"ch{i:02d}" for i in range(1, 13)]
    assert {c.shape for c in w.channels} == {"exp", "hill"}
    assert all(c.concave for c in w.channels)
    assert all(1.4 <= c.typical_roi() <= 8.1 for c in w.channels)
    named = make_world(["brand", "perf"], "2024-01-01", "2024-01-31", seed=1)
    assert sorted(named.history["channel"].unique()) == ["brand", "perf"]
    with pytest.raises(ValueError):
        make_world(["a", "a"])


# --- truth model ------------------------------------------------------------------------------

def test_zero_spend_gives_zero_incremental(demo):
    days = pd.date_range("2023-10-01", "2027-12-31", freq="D")
    for c in demo.channels:
        inc = demo.incremental(c.name, days, 0.0)
        assert inc.shape == (len(days),)
        assert np.all(inc == 0.0)


def test_incremental_matches_formula_and_half_saturation(demo):
    days = pd.date_range("2026-10-01", "2026-12-31", freq="D")   # future, includes Double 11
    for c in demo.channels:
        d = demo.demand_index(c.name, days)
        half = demo.incremental(c.name, days, c.half_saturation)
        np.testing.assert_allclose(half, 0.5 * c.beta * d, rtol=1e-12)
        x = np.linspace(0, 4 * c.spend_level, len(days))
        np.testing.assert_allclose(demo.incremental(c.name, days, x), d * c.beta * sat(c, x),
                                   rtol=1e-12)
        np.testing.assert_allclose(demo.baseline(c.name, days), c.baseline * d, rtol=1e-12)


def test_incremental_is_non_decreasing_and_concave_for_concave_shapes(demo):
    grid = np.linspace(0, 200_000, 2001)
    for c in demo.channels + make_world(8, "2024-01-01", "2024-01-31", seed=4).channels:
        world = demo if c in demo.channels else None
        if world is None:
            world = world_from_truths([c], "2024-01-01", "2024-01-31", seed=0)
        y = world.incremental(c, "2025-11-11", grid)
        assert y.shape == grid.shape
        d1 = np.diff(y)
        d2 = np.diff(d1)
        assert np.all(d1 >= 0)
        assert np.all(d2 <= 1e-9 * y.max())
        assert y[-1] <= world.demand_index(c, "2025-11-11")[0] * c.beta * (1 + 1e-12)


def test_s_shaped_hill_is_allowed_and_not_concave():
    c = ChannelTruth("s_curve", baseline=1000, spend_level=1000, beta=5000, shape="hill",
                     half_saturation=2000, hill_n=2.5)
    assert not c.concave
    w = world_from_truths([c], "2024-03-01", "2024-03-31", seed=0, noise=0.0)
    y = w.incremental("s_curve", "2024-03-05", np.linspace(0, 8000, 801))
    assert np.all(np.diff(y) >= 0)
    assert np.diff(y, 2).max() > 0          # convex start
    assert np.diff(y, 2).min() < 0          # concave tail


def test_period_incremental_equals_sum_of_daily(demo):
    for name, total in [("search_ads", 3_000_000.0), ("private_domain", 250_000.0)]:
        days = pd.date_range("2026-10-01", "2026-12-31", freq="D")
        expected = demo.incremental(name, days, total / len(days)).sum()
        got = demo.period_incremental(name, "2026-10-01", "2026-12-31", total)
        assert got == pytest.approx(expected, rel=1e-12)
        assert got > 0
    assert demo.period_incremental("kol", date(2026, 11, 11), date(2026, 11, 11), 20_000) == \
        pytest.approx(float(demo.incremental("kol", "2026-11-11", 20_000)[0]), rel=1e-12)
    assert demo.period_incremental("kol", "2026-10-01", "2026-10-31", 0.0) == 0.0


def test_demand_index_components(demo):
    c = demo.truth("kol")
    for day in (date(2024, 3, 6), date(2025, 8, 20), date(2026, 10, 8), date(2027, 4, 2)):
        assert demo.demand_index("kol", day)[0] == pytest.approx(
            ordinary_demand(demo, c, day), rel=1e-12)
    # Double 11 peaks at ×2.5 on the day; 618 is ×1.6; Double 12 ×1.4; Spring Festival ×0.7.
    for day, mult in [(date(2025, 11, 11), 2.5), (date(2025, 6, 12), 1.6),
                      (date(2025, 12, 12), 1.4), (date(2025, 1, 29), 0.7),
                      (date(2026, 2, 17), 0.7)]:
        assert demo.demand_index("kol", day)[0] == pytest.approx(
            mult * ordinary_demand(demo, c, day), rel=1e-12)


def test_promotions_raise_demand_and_spring_festival_lowers_it(demo):
    for c in demo.channels:
        d11, ordinary = demo.demand_index(c.name, ["2025-11-11", "2025-11-25"])  # both Tuesdays
        assert d11 > 2.0 * ordinary
        days = pd.date_range("2025-11-01", "2025-11-13")
        window = demo.demand_index(c.name, days)
        promo = window / np.array([ordinary_demand(demo, c, d.date()) for d in days])
        # pre-sale ramp ×1.4 → ×2.0 on the eve, ×2.5 on the day, then ×1.6 and ×1.3
        np.testing.assert_allclose(promo, list(np.linspace(1.4, 2.0, 10)) + [2.5, 1.6, 1.3],
                                   rtol=1e-12)
        assert d11 == window.max()
        sf, before = demo.demand_index(c.name, ["2025-01-29", "2025-01-08"])  # Wednesdays
        assert sf < 0.8 * before
        p618, may = demo.demand_index(c.name, ["2025-06-18", "2025-05-21"])
        assert p618 > 1.4 * may


def test_double_11_is_the_peak_of_its_window_every_year(demo):
    for year in range(2023, 2031):
        days = pd.date_range(f"{year}-11-01", f"{year}-11-13")
        for c in demo.channels:
            window = demo.demand_index(c.name, days)
            assert int(np.argmax(window)) == 10, (year, c.name)


def test_weekday_pattern_weekends_higher():
    assert WEEKDAY_PATTERN.mean() == pytest.approx(1.0)
    assert WEEKDAY_PATTERN[5] > WEEKDAY_PATTERN[:5].max()
    assert WEEKDAY_PATTERN[6] > WEEKDAY_PATTERN[:5].max()


def test_observed_revenue_is_truth_plus_noise(demo):
    h = demo.history
    for c in demo.channels:
        rows = h[h["channel"] == c.name]
        spend = demo.historical_daily_spend(c.name)
        assert np.array_equal(spend.to_numpy(), rows["spend"].to_numpy())
        assert list(spend.index.strftime("%Y-%m-%d")) == rows["date"].tolist()
        truth = demo.baseline(c.name, spend.index) + demo.simulated_incremental(
            c.name, spend.index, spend.to_numpy())
        rel = rows["revenue"].to_numpy() / truth - 1
        assert abs(rel.mean()) < 0.006
        assert rel.std() == pytest.approx(0.05, abs=0.005)
        conv = rows["conversions"].to_numpy() * c.aov / rows["revenue"].to_numpy() - 1
        assert abs(conv.mean()) < 0.005
        assert conv.std() == pytest.approx(0.025, abs=0.005)


def test_noise_level_is_respected():
    loud = make_world(2, "2024-01-01", "2024-12-31", seed=2, noise=0.12)
    silent = make_world(2, "2024-01-01", "2024-12-31", seed=2, noise=0.0)
    for w, target in ((loud, 0.12), (silent, 0.0)):
        for c in w.channels:
            rows = w.history[w.history["channel"] == c.name]
            spend = w.historical_daily_spend(c.name)
            truth = w.expected_revenue(c.name, spend.index, spend.to_numpy())
            rel = rows["revenue"].to_numpy() / truth - 1
            assert rel.std() == pytest.approx(target, abs=0.012 if target else 1e-7)


def test_spend_model_flights_promotions_and_trend(demo):
    c = demo.truth("live_streaming")
    spend = demo.historical_daily_spend(c.name)
    days = [d.date() for d in spend.index]
    anchor = demo.trend_anchor
    trend = np.array([(1 + c.trend_per_year) ** ((d - anchor).days / 365.25) for d in days])
    promo = pd.Series(False, index=spend.index)
    for y in (2023, 2024, 2025, 2026):
        for lo, hi in ((f"{y}-06-08", f"{y}-06-20"), (f"{y}-11-01", f"{y}-11-13"),
                       (f"{y}-12-09", f"{y}-12-13")):
            promo[lo:hi] = True
    flight = spend.to_numpy() / (c.spend_level * trend * np.where(promo, c.promo_spend_lift, 1))
    weeks = np.arange(len(days)) // 7
    per_week = pd.Series(flight).groupby(weeks)
    assert (per_week.max() - per_week.min()).max() < 1e-5 * flight.max()  # one draw per week
    weekly = per_week.mean().to_numpy()
    assert weekly.mean() == pytest.approx(1.0, abs=0.1)
    assert np.log(weekly).std() == pytest.approx(0.35, abs=0.07)
    assert spend[promo].mean() > 1.5 * spend[~promo].mean()


# --- weekly and market worlds ---------------------------------------------------------------

def test_weekly_rows_are_seven_day_sums():
    args = dict(channels=3, start="2024-01-03", end="2024-05-31", seed=11)  # a Wednesday
    daily = make_world(**args, freq="D")
    weekly = make_world(**args, freq="W")
    assert daily.channels == weekly.channels
    ndays = (date(2024, 5, 31) - date(2024, 1, 3)).days + 1
    assert weekly.history.groupby("channel").size().eq(ndays // 7).all()
    starts = pd.date_range("2024-01-03", periods=ndays // 7, freq="7D").strftime("%Y-%m-%d")
    for c in weekly.channels:
        wk = weekly.history[weekly.history["channel"] == c.name].reset_index(drop=True)
        dy = daily.history[daily.history["channel"] == c.name].reset_index(drop=True)
        assert wk["date"].tolist() == list(starts)
        block = np.arange(len(dy)) // 7
        sums = dy.groupby(block)[["spend", "revenue", "conversions"]].sum().iloc[: len(wk)]
        np.testing.assert_allclose(wk["spend"], sums["spend"], atol=0.006)
        np.testing.assert_allclose(wk["revenue"], sums["revenue"], atol=0.006)
        assert wk["conversions"].tolist() == sums["conversions"].tolist()
        pd.testing.assert_series_equal(weekly.historical_daily_spend(c.name),
                                       daily.historical_daily_spend(c.name))
        assert float(wk["spend"].iloc[0]) == pytest.approx(
            weekly.historical_daily_spend(c.name).iloc[:7].sum(), abs=0.006)


def test_market_units():
    w = make_world(3, "2024-01-01", "2024-03-31", seed=5, markets=["north", "south", "west"])
    h = w.history
    assert list(h.columns) == ["date", "channel", "market", "spend", "revenue", "conversions"]
    units = set(map(tuple, h[["channel", "market"]].drop_duplicates().to_numpy().tolist()))
    assert units == {(c, m) for c in ("ch01", "ch02", "ch03") for m in ("north", "south", "west")}
    assert set(w.units) == units
    assert h.groupby(["channel", "market"]).size().eq(91).all()
    assert not h.duplicated(["date", "channel", "market"]).any()
    north, south = w.truth(("ch01", "north")), w.truth(("ch01", "south"))
    assert north.spend_level != south.spend_level
    assert north.shape == south.shape and north.hill_n == south.hill_n
    assert north.typical_roi() != pytest.approx(south.typical_roi(), rel=1e-3)
    spend_by_market = h[h["channel"] == "ch01"].groupby("market")["spend"].mean()
    assert spend_by_market.nunique() == 3
    with pytest.raises(KeyError, match="several markets"):
        w.truth("ch01")
    assert w.incremental(("ch02", "west"), "2024-02-01", 0.0)[0] == 0.0


# --- input errors ----------------------------------------------------------------------------

def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="freq"):
        make_world(2, freq="M")
    with pytest.raises(ValueError, match="before start"):
        make_world(2, "2024-02-01", "2024-01-01")
    with pytest.raises(ValueError, match="shape"):
        ChannelTruth("x", baseline=1, spend_level=1, beta=1, shape="linear", half_saturation=1)
    with pytest.raises(ValueError, match="channel name 'bad/name' contains the path separator"):
        ChannelTruth("bad/name", baseline=1, spend_level=1, beta=1, shape="exp",
                     half_saturation=1)
    with pytest.raises(ValueError, match="not in Unicode NFC form"):
        ChannelTruth("Cafe\u0301", baseline=1, spend_level=1, beta=1, shape="exp",
                     half_saturation=1)
    assert ChannelTruth("直播带货", baseline=1, spend_level=1, beta=1, shape="exp",
                        half_saturation=1).name == "直播带货"
    w = make_world(1, "2024-01-01", "2024-01-31")
    with pytest.raises(ValueError, match="spend"):
        w.incremental("ch01", "2024-01-05", -1.0)
    with pytest.raises(ValueError, match="before its start"):
        w.period_incremental("ch01", "2024-02-01", "2024-01-01", 100.0)
    with pytest.raises(KeyError, match="no channel"):
        w.baseline("nope", "2024-01-05")
