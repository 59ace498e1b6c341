"""Pooling in the fit: a channel's markets get priors from their siblings in a first pass over
the units, so the market whose own data pin it least moves towards its siblings and the one
they pin best hardly moves; histories without markets are untouched, and the Spark backend
gives the same pooled fits as the local one."""
from __future__ import annotations


import pandas as pd
import pytest

from budgetopt.datasets import market_world
from budgetopt.forecasts.backends import make_backend
from budgetopt.forecasts.backends.local import LocalBackend
from budgetopt.forecasts.history.calendar import compact_holidays, holiday_frame
from budgetopt.forecasts.models.fit import FitSettings
from budgetopt.forecasts.models.forecaster import Forecaster
from budgetopt.forecasts.models.pooling import channel_priors, first_pass, response_numbers
from budgetopt.forecasts.models.wire import fit_to_text
from budgetopt.units import unit_key

SETTINGS = dict(uncertainty_samples=20)


@pytest.fixture(scope="module")
def world():
    w = market_world(1, channels=1, markets=4, months=12)
    history = w.history.assign(date=pd.to_datetime(w.history["date"]))
    holidays = holiday_frame(history["date"].min().date(), pd.Timestamp("2026-06-30").date())
    return w, history, holidays


def _frame(history, channel, market):
    rows = history[(history["channel"] == channel) & (history["market"] == market)]
    return rows.reset_index(drop=True)


def _fit(world, pooling, backend=None, markets=True):
    w, history, holidays = world
    if not markets:
        history = history.assign(channel=history["channel"] + history["market"], market=None)
    units = sorted({(c, m if markets else None) for c, m in zip(history["channel"],
                                                                 history["market"])})
    return Forecaster.fit(units, lambda c, m: _frame(history, c, m) if markets else
                          history[history["channel"] == c].reset_index(drop=True),
                          "revenue", holidays, set(), 1,
                          FitSettings(pooling=pooling, **SETTINGS), n_jobs=1, backend=backend)


@pytest.mark.slow
def test_the_weakest_market_borrows_and_the_strongest_keeps_its_curve(world):
    w, history, holidays = world
    units = [c.key for c in w.channels]
    holidays_c = compact_holidays(holidays)
    evidence = {u: first_pass(u, _frame(history, *u), "revenue", holidays_c, 1, FitSettings())
                for u in units}
    known = [u for u in units if evidence[u] is not None]
    weak = max(known, key=lambda u: evidence[u]["log_lift"][1])
    strong = min(known, key=lambda u: evidence[u]["log_lift"][1])
    prior = channel_priors(evidence)
    alone, pooled = _fit(world, "none"), _fit(world, "markets")

    def lift(forecaster, u):
        rows = _frame(history, *u)
        level = float(rows.loc[rows["spend"] > 0, "spend"].mean())
        return response_numbers(forecaster.fits[unit_key(*u)].response, level)["log_lift"]
    mu = prior[weak].means[0]
    assert abs(lift(pooled, weak) - mu) < abs(lift(alone, weak) - mu)
    own_sd = evidence[strong]["log_lift"][1] ** 0.5
    assert abs(lift(pooled, strong) - lift(alone, strong)) < 2 * own_sd


@pytest.mark.slow
def test_without_markets_pooling_changes_nothing(world):
    a = _fit(world, "none", markets=False)
    b = _fit(world, "markets", markets=False)
    assert sorted(a.fits) == sorted(b.fits)
    assert all(fit_to_text(a.fits[k]) == fit_to_text(b.fits[k]) for k in a.fits)


@pytest.mark.slow
def test_spark_gives_the_same_pooled_fits_as_the_local_backend(world):
    pytest.importorskip("pyspark")
    from budgetopt.forecasts.backends.spark import java_available
    if not java_available():
        pytest.skip("Spark needs Java")
    local = _fit(world, "markets", LocalBackend(1))
    spark = _fit(world, "markets", make_backend("spark", master="local[2]", partitions=2))
    assert sorted(local.fits) == sorted(spark.fits)
    for key in local.fits:
        assert fit_to_text(local.fits[key]) == fit_to_text(spark.fits[key]), key
    alone = _fit(world, "none", LocalBackend(1))
    assert any(fit_to_text(alone.fits[k]) != fit_to_text(local.fits[k]) for k in local.fits)
