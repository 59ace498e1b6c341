"""The joint model beyond exponential curves: Hill shapes, carryover in weekly steps, a
response that does not move with the season (coupling ρ), bound diagnostics and the width of
the plausible set — each checked against a truth the test knows."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from budgetopt.datasets.wide import make_wide_world
from budgetopt.forecasts.history.calendar import holiday_frame
from budgetopt.forecasts.history.wide import validate_wide_history
from budgetopt.forecasts.models.fit import FitSettings
from budgetopt.forecasts.models.joint import fit_market, not_identified_joint
from budgetopt.forecasts.models.response import Response, saturation


def _fit(frame: pd.DataFrame, spend_columns: dict, controls=(), step_days: int = 1):
    history = validate_wide_history(frame, "revenue", spend_columns, list(controls))
    holidays = holiday_frame(history.start.date(), date(2026, 6, 30), [], True)
    joint, fits = fit_market(None, history.market_frame(None), "revenue", history.channels,
                             history.controls, holidays, set(), step_days, FitSettings())
    return history, joint, fits


def _rois(history, joint) -> dict[str, float]:
    return {c: float(joint.decomposition[c].sum() / history.wide[c].sum())
            for c in history.channels}


def _weekly_share_after(theta: float) -> float:
    """Share of a week's (evenly spread) spend effect landing after that week under daily
    geometric carryover θ: the mean over the week's days j of θ^(7−j) — what a weekly
    geometric carryover θ_w carries on by definition."""
    return float(np.mean([theta ** (7 - j) for j in range(7)]))


@pytest.fixture(scope="module")
def weekly():
    world = make_wide_world(3, seed=4, noise=0.0, freq="W", carryover=True, shape="exp")
    return (world, *_fit(world.history, world.spend_columns, step_days=7))


def test_weekly_world_recovers_each_channels_roi(weekly):
    """Noise-free weekly rows of a daily truth: what is left is the weekly model's own
    approximation (promotion profiles within a week, carryover in whole weeks)."""
    world, history, joint, _ = weekly
    rois = _rois(history, joint)
    errors = {c: abs(roi / world.true_roi(c) - 1) for c, roi in rois.items()}
    assert max(errors.values()) <= 0.15, errors
    fitted = sum(rois[c] * history.wide[c].sum() for c in history.channels)
    true = sum(world.true_roi(c) * history.wide[c].sum() for c in history.channels)
    assert abs(fitted / true - 1) <= 0.05, (fitted, true)


@pytest.fixture(scope="module")
def carried():
    """Three exponential channels with daily carryover none, 0.5 and 0.8, in weekly rows."""
    from dataclasses import replace

    from budgetopt.datasets.generate import draw_channel, world_from_truths
    from budgetopt.datasets.wide import wide_from_world
    rng = np.random.default_rng(11)
    truths = []
    for i, theta in enumerate((0.0, 0.5, 0.8)):
        t = draw_channel(rng, f"ch{i + 1:02d}")
        while t.shape != "exp":
            t = draw_channel(rng, f"ch{i + 1:02d}")
        truths.append(replace(t, carryover=theta, season_amplitude=0.15, trend_per_year=0.05))
    world = world_from_truths(truths, "2023-01-01", "2025-12-31", seed=11, noise=0.0, freq="W")
    wide = wide_from_world(world, np.random.default_rng(12), 0.0)
    return (wide, *_fit(wide.history, wide.spend_columns, step_days=7))


def test_weekly_carryover_is_the_daily_truths_share_carried_into_later_weeks(carried):
    world, history, joint, _ = carried
    for c in history.channels:
        expected = _weekly_share_after(world.world.truth(c).carryover)
        got = joint.responses[c].carryover
        assert abs(got - expected) <= 0.05, (c, got, expected)


def _season_world(rho_a: float, rho_b: float, noise: float, seed: int = 3) -> pd.DataFrame:
    """Two channels on a seasonal business: channel a's response ∝ baseline^rho_a, b's ∝
    baseline^rho_b (relative to the mean baseline); spend in weekly flights."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2023-01-01", "2025-12-31", freq="D")
    doy = days.dayofyear.to_numpy(float)
    base = 100_000.0 * np.exp(0.35 * np.sin(2 * np.pi * doy / 365.25))
    rel = base / base.mean()
    week = np.arange(len(days)) // 7
    spend = {}
    revenue = base.copy()
    for name, level, lam, beta, rho in (("a", 4_000.0, 6_000.0, 40_000.0, rho_a),
                                        ("b", 9_000.0, 15_000.0, 60_000.0, rho_b)):
        flights = rng.lognormal(0.0, 0.5, week[-1] + 1)[week]
        x = level * flights
        spend[name] = x
        revenue = revenue + beta * rel ** rho * saturation("exp", x, lam)
    revenue = revenue * (1 + rng.normal(0.0, noise, len(days)))
    return pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "revenue": np.round(revenue, 2),
                         "spend_a": np.round(spend["a"], 2), "spend_b": np.round(spend["b"], 2)})


def test_coupling_is_estimated_per_channel():
    frame = _season_world(rho_a=0.0, rho_b=1.0, noise=0.01)
    _, joint, fits = _fit(frame, {"a": "spend_a", "b": "spend_b"})
    assert joint.responses["a"].rho <= 0.25, joint.responses["a"]
    assert joint.responses["b"].rho >= 0.75, joint.responses["b"]
    assert fits["a"].describe()["coupling"] == joint.responses["a"].rho


def test_not_identified_names_each_parameter_at_its_bound():
    spend = np.array([1_000.0, 2_000.0, 3_000.0])
    level = float(spend.mean())
    ok = Response("exp", 2_500.0, 1.0, 0.3, 0.2, True)
    assert not_identified_joint(ok, spend, level) == ()
    assert not_identified_joint(Response("exp", 2_500.0, 1.0, 0.3, 0.0, True), spend, level) == ()
    beyond = not_identified_joint(Response("exp", 10 * level, 1.0, 0.3, 0.2, True), spend, level)
    assert any("beyond any spend seen" in r for r in beyond)
    low = not_identified_joint(Response("exp", 0.2 * level, 1.0, 0.3, 0.2, True), spend, level)
    assert any("lowest tried" in r for r in low)
    stuck = not_identified_joint(Response("exp", 2_500.0, 1.0, 0.95, 0.2, True), spend, level)
    assert any("carryover at its bound" in r for r in stuck)
    flat = not_identified_joint(Response("hill", 2_500.0, 0.6, 0.3, 0.2, True), spend, level)
    assert any("Hill exponent" in r for r in flat)


def test_a_channel_with_a_straight_response_is_not_identified_and_warned():
    # channel a's truth saturates at 100× its spend: a straight line over every spend seen
    rng = np.random.default_rng(5)
    frame = _season_world(1.0, 1.0, noise=0.01)
    x = frame["spend_a"].to_numpy(float)
    straight = 30.0 * x * (1 + rng.normal(0.0, 0.0, len(x)))
    frame["revenue"] = np.round(frame["revenue"] + straight, 2)
    _, joint, fits = _fit(frame, {"a": "spend_a", "b": "spend_b"})
    assert fits["a"].not_identified, joint.responses["a"]
    assert any("cannot pin" in w and w.startswith("a") for w in fits["a"].warnings)


def _spread(joint, fits, c: str) -> float:
    """Relative spread (sd of log) of channel c's response at typical spend across the
    plausible draws."""
    level = fits[c].spend_level
    values = [d[c].gain * float(d[c].saturate(level)) for d in joint.plausible]
    return float(np.std(np.log(np.maximum(values, 1e-300))))


def test_plausible_width_grows_with_the_noise():
    """Same world and same noise draws, noise doubled: the data pin each channel half as well,
    so its plausible response at typical spend spreads about twice as wide (the likelihood's
    curvature scales with 1/σ²)."""
    widths = {}
    for noise in (0.03, 0.06):
        world = make_wide_world(2, seed=2, noise=noise, shape="exp", start="2024-01-01")
        _, joint, fits = _fit(world.history, world.spend_columns)
        widths[noise] = {c: _spread(joint, fits, c) for c in world.channels}
    for c in widths[0.03]:
        ratio = widths[0.06][c] / widths[0.03][c]
        assert 1.4 <= ratio <= 2.8, (c, widths)


def test_the_truth_lies_inside_the_plausible_set():
    """The true historical ROI of each channel lies within the 1–99% range of the ROIs its
    plausible draws imply over the history (draws read on the fitted baseline)."""
    world = make_wide_world(3, seed=6, noise=0.05, freq="W", shape="exp")
    history, joint, fits = _fit(world.history, world.spend_columns, step_days=7)
    base = joint.decomposition["baseline"].to_numpy(float)
    for c in history.channels:
        x = history.wide[c].to_numpy(float)
        rois = []
        for draw in joint.plausible:
            r = draw[c]
            contrib = r.gain * r.coupling_weight(base) * base * r.saturate(r.adstock(x))
            rois.append(contrib.sum() / x.sum())
        low, high = np.quantile(rois, [0.01, 0.99])
        assert low <= world.true_roi(c) <= high, (c, low, high, world.true_roi(c))
