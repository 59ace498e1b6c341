"""A curve set from fitted models: everything planning will read is computed here, once, so
planning never calls a forecaster (forecasts/curves/curveset.py)."""
from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

import pandas as pd
from threadpoolctl import threadpool_limits

from budgetopt.forecasts.curves.curveset import (CurveSet, PeriodBaseline, TotalCurves, UnitCurves,
                                                 frozen, period_rows)
from budgetopt.forecasts.backends import Backend, UnitTask, make_backend
from budgetopt.forecasts.curves.wire import CURVES_CODEC
from budgetopt.forecasts.history.calendar import compact_holidays
from budgetopt.forecasts.models.fit import FitSettings
from budgetopt.forecasts.models.forecaster import Forecaster, fit_one
from budgetopt.forecasts.models.joint_forecaster import JointForecaster
from budgetopt.forecasts.models.pooling import pooled_evidence
from budgetopt.messages import N_
from budgetopt.units import unit_key

PER_UNIT_SOURCE = N_("Prophet per unit for the baseline; saturation, carryover, gain and "
                      "coupling by profile search; response proportional to baseline^coupling "
                      "(coupling 1: moves with season and promotions as the baseline does, 0: "
                      "not at all); plausible curves from the profile likelihood")
JOINT_SOURCE = ("one joint model per market: Prophet baseline of the total KPI (trend, "
                "seasonality, promotions, controls) plus every channel's saturated, carried-over "
                "response, fitted together with non-negative gains; response proportional to "
                "the total baseline")


def build_curve_set(forecaster: Forecaster, periods: pd.DataFrame,
                    flat: list[tuple[str, str, str | None]] = ()) -> CurveSet:
    """The curve set for `periods` from fitted models; `flat` lists (key, channel, market) of
    locked units that never spent (a flat zero curve each)."""
    units = tuple(unit_curves(forecaster, key, periods) for key in sorted(forecaster.fits))
    joint = isinstance(forecaster, JointForecaster)
    return CurveSet(period_rows(periods), units, tuple(flat), forecaster.settings.interval_width,
                    JOINT_SOURCE if joint else PER_UNIT_SOURCE, tuple(forecaster.warnings),
                    totals=total_curves(forecaster, periods) if joint else None)


def fit_curve_set(units: list[tuple[str, str | None]], unit_frame: Callable, kpi: str,
                  holidays: pd.DataFrame, promo_days: set, step_days: int,
                  settings: FitSettings, periods: pd.DataFrame,
                  flat: list[tuple[str, str, str | None]] = (), n_jobs: int | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  backend: Backend | None = None) -> CurveSet:
    """Fit every unit and read its curves for `periods` in the same backend task, so the
    curves are computed in parallel next to the fits and only the curves (not the fitted
    models) come back; the same curve set as `build_curve_set` of the fitted forecaster."""
    backend = backend or make_backend("local", n_jobs=n_jobs)
    if step_days == 1:
        holidays = compact_holidays(holidays)
    tasks = [UnitTask(unit_key(*u), u, unit_frame(*u)[["date", kpi, "spend"]]) for u in units]
    # with markets, a first pass over the units makes each channel's pooled prior
    evidence = pooled_evidence(backend, tasks, kpi, holidays, step_days, settings)
    results = backend.map_units(_fit_unit_curves, tasks,
                                (kpi, holidays, promo_days, step_days, settings, periods,
                                 evidence), progress, codec=CURVES_CODEC)
    by_key = sorted(results, key=lambda r: r[0].key)
    return CurveSet(period_rows(periods), tuple(u for u, _ in by_key), tuple(flat),
                    settings.interval_width, PER_UNIT_SOURCE,
                    tuple(w for _, warnings in by_key for w in warnings))


def _fit_unit_curves(unit, frame, kpi, holidays, promo_days, step_days, settings, periods,
                     evidence=None):
    """One backend task: the unit's fit, then its curves (on one BLAS thread, as the fit)."""
    fit = fit_one(unit, frame, kpi, holidays, promo_days, step_days, settings, evidence,
                  keep_model=True)
    key = unit_key(*unit)
    with threadpool_limits(limits=1):
        curves = unit_curves(Forecaster({key: fit}, settings), key, periods)
    return curves, list(fit.warnings)


def unit_curves(forecaster: Forecaster, key: str, periods: pd.DataFrame) -> UnitCurves:
    """One unit's curves as data (a backend task can compute this next to the fit)."""
    fit = forecaster.fits[key]
    frame, which = forecaster.factors(key, periods)
    rows = forecaster.period_baselines(key, periods)
    base = frame["baseline"].to_numpy(float)
    level_error = forecaster.baseline_level_error(key, base,
                                                  int(periods["days"].sum()) / fit.step_days)
    baselines = None if rows is None else tuple(
        PeriodBaseline(point, frozen(draws), lift, frozen(lift_draws), inflation)
        for point, draws, lift, lift_draws, inflation in rows)
    return UnitCurves(key, fit.unit[0], fit.unit[1], fit.step_days, fit.response,
                      tuple(fit.plausible), frozen(which), frozen(frame["baseline"]),
                      frozen(frame["factor"]), frozen(frame["valued"]),
                      bool(frame["clamped"].any()), baselines,
                      MappingProxyType(fit.describe()), fit.loosely_pinned,
                      float(level_error), _level_key(forecaster, key, fit), float(fit.sigma))


def _level_key(forecaster: Forecaster, key: str, fit) -> str:
    """Units that share one baseline (a joint model's market) share its level draws."""
    if isinstance(forecaster, JointForecaster):
        return f"baseline of market {fit.unit[1]}"
    return key


def total_curves(forecaster: JointForecaster, periods: pd.DataFrame) -> TotalCurves:
    """The total KPI's baseline per market and period, the decomposition and the shares."""
    markets = []
    for market, (keys, rows) in forecaster.total_periods(periods).items():
        cells = tuple((point, frozen(draws),
                       tuple((lift, frozen(lift_draws)) for lift, lift_draws in
                             (lifts[k] for k in keys)), factor)
                      for point, draws, lifts, factor in rows)
        markets.append((market, tuple(keys), cells))
    decomposition = forecaster.decomposition()
    if not forecaster.history.has_market:
        decomposition = decomposition.drop(columns=["market"])
    return TotalCurves(tuple(markets), decomposition, MappingProxyType(_shares(forecaster)),
                       forecaster.history.has_market)


def _shares(forecaster: JointForecaster) -> dict:
    """Each channel's share of the total KPI over the history, and its historical ROI."""
    out = {}
    history = forecaster.history
    for market, joint in sorted(forecaster.joints.items(), key=lambda kv: str(kv[0])):
        d = joint.decomposition
        frame = history.market_frame(market)
        total = float(d["kpi"].sum())
        entry = {"baseline_share": float(d["baseline"].sum() / total) if total else None,
                 "channels": {}}
        for c in joint.channels:
            spent = float(frame[c].sum())
            contrib = float(d[c].sum())
            entry["channels"][c] = {"contribution": contrib,
                                    "share": contrib / total if total else None,
                                    "roi": contrib / spent if spent > 0 else None}
        out["all" if market is None else str(market)] = entry
    return out
