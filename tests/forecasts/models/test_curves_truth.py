"""Fitted curves against the truth that generated the data, carryover in the plan, pilot limits
and the extrapolation flag on the demo, and the backtest command end to end (Prophet: slow)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from benchmarks.decision_quality import true_curves
from budgetopt.forecasts.history.calendar import holiday_frame
from budgetopt.forecasts.curves.build import build_curve_set
from budgetopt.forecasts.models.forecaster import Forecaster
from budgetopt.forecasts.models.fit import FitSettings
from budgetopt.forecasts.history.periods import make_periods
from budgetopt.datasets import ChannelTruth, demo_world, world_from_truths
from budgetopt.optimizer.cli.main import main
from budgetopt.optimizer.cli.console import print_plan
from budgetopt.optimizer.plan.pipeline import plan_with

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_plan(demo_fit):
    inputs, curves = demo_fit
    return inputs, curves, plan_with(inputs, curves)


def _curve_errors(curves: pd.DataFrame, truth: pd.DataFrame, spend: dict) -> dict:
    errors = {}
    for unit, grp in truth.groupby("unit"):
        fit_sum = true_sum = 0.0
        for p, t in grp.groupby("period"):
            g = curves[(curves["unit"] == unit) & (curves["period"] == p)]
            x = spend[(unit, p)]
            fit_sum += abs(np.interp(x, g["spend"], g["incremental_kpi"])
                           - np.interp(x, t["spend"], t["incremental_kpi"]))
            true_sum += np.interp(x, t["spend"], t["incremental_kpi"])
        errors[unit] = fit_sum / true_sum
    return errors


def test_demo_curves_match_the_truth_at_historical_spend(demo_plan):
    inputs, curves, _ = demo_plan
    periods = inputs.periods
    world = demo_world()
    truth = true_curves(world, periods, 5_000_000.0)
    fitted = curves.table(5_000_000.0)
    spend = {(c.name, int(p.period)): c.spend_level * p.days for c in world.channels
             for p in periods.itertuples()}
    errors = _curve_errors(fitted, truth, spend)
    # short_video and search_ads have wide spend variation around a clear bend
    assert errors["short_video"] < 0.05 and errors["search_ads"] < 0.05
    assert np.median(list(errors.values())) < 0.25


def test_carryover_is_recovered_and_counted_past_the_horizon():
    truth = ChannelTruth("video", baseline=100_000, spend_level=20_000, beta=90_000, shape="exp",
                         half_saturation=25_000, carryover=0.6)
    world = world_from_truths([truth], "2023-01-01", "2025-12-31", seed=3, noise=0.03)
    frame = world.history.assign(date=pd.to_datetime(world.history["date"]))
    holidays = holiday_frame(world.start, pd.Timestamp("2026-03-31").date(), [], True)
    forecaster = Forecaster.fit([("video", None)], lambda c, m: frame, "revenue", holidays,
                                set(), 1, FitSettings(), n_jobs=1)
    fit = forecaster.fits["video"]
    assert fit.response.carryover == pytest.approx(0.6, abs=0.08)
    periods = make_periods("2026-01-01", "2026-03-31", "week")
    curves = build_curve_set(forecaster, periods)
    fitted = curves.table(3_000_000.0)
    truth_curves = true_curves(world, periods, 3_000_000.0)
    spend = {("video", int(p.period)): 20_000.0 * p.days for p in periods.itertuples()}
    errors = _curve_errors(fitted, truth_curves, spend)
    assert errors["video"] < 0.12
    plan = {k: v for k, v in spend.items()}
    table = curves.carryover_table(plan).iloc[0]
    assert table["incremental_after_horizon"] > 0
    # what lands after the horizon is the last days' tail: θ/(1−θ) ≈ 1.5 days of response
    last_days = float(np.interp(20_000.0 * 8, fitted[fitted["period"] == 12]["spend"],
                                fitted[fitted["period"] == 12]["incremental_kpi"])) / 8
    assert table["incremental_after_horizon"] == pytest.approx(1.5 * last_days, rel=0.3)


def test_demo_summary_explains_carryover_and_the_fitted_curves(demo_plan):
    _, _, result = demo_plan
    s = result.summary
    carry = s["carryover"]
    assert "carryover tail" in carry["valuation"]
    total = carry["incremental_in_horizon"] + carry["incremental_after_horizon"]
    assert total == pytest.approx(s["totals"]["incremental_kpi"], rel=5e-3)
    units = s["curves"]["units"]
    assert sorted(units) == sorted(result.channels["channel"])
    for info in units.values():
        assert info["shape"] in ("exp", "hill") and 0 <= info["carryover_per_step"] < 1
    for unit, info in units.items():
        low, high = info["band_at_typical_spend"]
        assert low <= 1.0 + 1e-9 <= high + 2e-9, unit        # the best fit lies in its band
    # the demo's history is noisy: every unit's plausible band has a real width, but for the
    # one the xfail test below records
    assert set(_band_widths(result)) - {"content_seo"} == set()


def _band_widths(result, at_most: float = 0.01) -> dict:
    """Units whose plausible band at typical spend is at most `at_most` wide (relative)."""
    units = result.summary["curves"]["units"]
    widths = {u: info["band_at_typical_spend"][1] - info["band_at_typical_spend"][0]
              for u, info in units.items()}
    return {u: w for u, w in widths.items() if w <= at_most}


def test_no_demo_unit_has_a_zero_width_band(demo_plan):
    _, _, result = demo_plan
    assert _band_widths(result) == {}


def test_the_demo_sets_no_pilot_limits_and_warns_on_few_channels(demo_plan):
    """Pilot limits are opt-in now (the plausible curves carry the uncertainty); the demo's
    warnings name at most a quarter of its channels, and each says what it did to the plan."""
    _, _, result = demo_plan
    assert result.summary["pilot_limits"] == {}
    channels = set(result.channels["channel"])
    warned = {c for c in channels for w in result.summary["warnings"] if w.startswith(c)}
    assert len(warned) <= len(channels) // 4
    for w in result.summary["warnings"]:
        assert any(verb in w for verb in ("plan", "kept", "dropped", "treats")), w


def test_extrapolation_flag_matches_history_and_shows_in_the_table(demo_plan, scenarios_dir):
    _, _, result = demo_plan
    history = pd.read_csv(scenarios_dir / "data" / "history.csv", parse_dates=["date"])
    hist_max = {c: g.sort_values("date")["spend"].rolling(7).sum().max()
                for c, g in history.groupby("channel")}
    plan_max = result.allocation.groupby("channel")["total_spend"].max()
    flagged = set()
    for row in result.channels.itertuples():
        assert row.hist_period_max == pytest.approx(hist_max[row.channel], abs=0.01)
        expected = plan_max[row.channel] > 1.5 * hist_max[row.channel]
        assert bool(row.extrapolated) == expected
        if expected:
            flagged.add(row.channel)
            assert any(w.startswith(f"{row.channel}: planned up to") for w in
                       result.summary["warnings"])
    console = Console(record=True, width=200)
    print_plan(result, console)
    text = console.export_text()
    for channel in result.channels["channel"]:
        assert (f"{channel} (!)" in text) == (channel in flagged)


def test_backtest_command_scores_the_demo(demo_scenario, tmp_path, capsys):
    out, detail = tmp_path / "scores.csv", tmp_path / "periods.csv"
    with pytest.raises(SystemExit) as exit_info:
        main(["backtest", str(demo_scenario), "--out", str(out), "--detail", str(detail),
              "--folds", "2"])
    assert exit_info.value.code == 0
    printed = capsys.readouterr().out
    assert "overall" in printed and "accuracy" in printed
    scores = pd.read_csv(out)
    rows = pd.read_csv(detail)
    assert list(scores.columns) == ["channel", "folds", "periods", "actual", "forecast", "wape",
                                    "accuracy", "coverage", "nominal_coverage"]
    assert sorted(rows["fold"].unique()) == [1, 2]
    overall = scores.set_index("channel").loc["overall"]
    assert overall["accuracy"] >= 0.85                  # the spec's bar on the demo holdout
    wape = (rows["actual"] - rows["forecast"]).abs().sum() / rows["actual"].abs().sum()
    assert overall["wape"] == pytest.approx(wape, abs=1e-5)
    inside = ((rows["actual"] >= rows["lower"]) & (rows["actual"] <= rows["upper"])).mean()
    assert overall["coverage"] == pytest.approx(inside, abs=1e-5)
    # holdouts end where history ends and are 92 days each (the demo horizon's length)
    assert pd.to_datetime(rows["period_end"]).max() == pd.Timestamp("2026-09-30")
    assert (pd.to_datetime(rows["period_end"]) - pd.to_datetime(rows["period_start"])).max().days <= 7
