"""The joint model of a total-KPI history recovers each channel's ROI and contribution share
on a synthetic wide world whose truth is known."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from budgetopt.datasets.wide import make_wide_world
from budgetopt.forecasts.history.calendar import holiday_frame
from budgetopt.forecasts.history.wide import validate_wide_history
from budgetopt.forecasts.models.fit import FitSettings
from budgetopt.forecasts.models.joint import fit_market

# A noise-free world of exponential curves: the model is the truth's own form, so the fit
# should find the truth;
# ROI and share may differ from it only by what the grid-and-polish search leaves (a few %).
TOLERANCE = 0.05


@pytest.fixture(scope="module")
def fitted():
    world = make_wide_world(4, seed=1, noise=0.0, control=True, shape="exp")
    history = validate_wide_history(world.history, "revenue", world.spend_columns,
                                    world.controls)
    holidays = holiday_frame(history.start.date(), date(2026, 6, 30), [], True)
    joint, fits = fit_market(None, history.market_frame(None), "revenue", history.channels,
                             history.controls, holidays, set(), 1, FitSettings())
    return world, history, joint, fits


def test_channel_rois_match_the_truth(fitted):
    world, history, joint, _ = fitted
    for c in history.channels:
        roi = joint.decomposition[c].sum() / history.wide[c].sum()
        true = world.true_roi(c)
        assert abs(roi - true) <= TOLERANCE * true, (c, roi, true)


def test_contribution_shares_match_the_truth(fitted):
    world, history, joint, _ = fitted
    total = joint.decomposition["kpi"].sum()
    for c in history.channels:
        share = joint.decomposition[c].sum() / total
        true = world.true_contribution_share(c)
        assert abs(share - true) <= TOLERANCE * true, (c, share, true)


def test_baseline_and_contributions_add_up_to_the_kpi(fitted):
    _, history, joint, _ = fitted
    d = joint.decomposition
    fitted_kpi = d["baseline"] + d[history.channels].sum(axis=1)
    assert np.median(np.abs(fitted_kpi / d["kpi"] - 1)) < 0.01


def test_every_channel_becomes_a_unit_fit_on_the_total_baseline(fitted):
    _, history, joint, fits = fitted
    assert sorted(fits) == history.channels
    for c, fit in fits.items():
        assert fit.unit == (c, None)
        assert fit.response.gain >= 0 and fit.response.multiplicative
        assert fit.model_json == joint.model_json


@pytest.mark.slow
def test_one_joint_model_per_market_gives_channel_by_market_curves():
    import pandas as pd

    from budgetopt.forecasts.curves.build import build_curve_set
    from budgetopt.forecasts.history.periods import make_periods
    from budgetopt.forecasts.models.joint_forecaster import JointForecaster
    frames = []
    for seed, market in ((2, "north"), (3, "south")):
        w = make_wide_world(2, start="2024-01-01", end="2025-06-30", seed=seed, noise=0.02,
                            shape="exp")
        frames.append(w.history.assign(market=market))
    history = validate_wide_history(pd.concat(frames, ignore_index=True), "revenue",
                                    {"ch01": "spend_ch01", "ch02": "spend_ch02"})
    holidays = holiday_frame(history.start.date(), date(2026, 3, 31), [], True)
    units = history.units
    forecaster = JointForecaster.fit_wide(history, units, holidays, set(), 1,
                                          FitSettings(uncertainty_samples=50), n_jobs=1)
    assert sorted(forecaster.joints) == ["north", "south"]
    assert sorted(forecaster.fits) == ["ch01/north", "ch01/south", "ch02/north", "ch02/south"]
    periods = make_periods(date(2025, 7, 1), date(2025, 9, 29), "week")
    curve_set = build_curve_set(forecaster, periods)
    curves = curve_set.table(1e6)
    assert set(curves["unit"]) == set(forecaster.fits)
    spend = {(k, int(p)): 50_000.0 for k in forecaster.fits for p in periods["period"]}
    totals = curve_set.total_forecast_table(spend)
    assert sorted(totals["market"].unique()) == ["north", "south"]
    assert len(totals) == 2 * len(periods)
    assert (totals["forecast_kpi"] > totals["baseline_kpi"]).all()
    assert curve_set.forecast_table(spend)["baseline_kpi"].isna().all()
