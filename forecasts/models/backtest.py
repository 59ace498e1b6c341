"""Rolling-origin backtests: refit each unit on history up to an origin, forecast the next
stretch at the spend that actually happened, and score the forecast against what happened —
accuracy (1 − WAPE) and interval coverage per unit and overall."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from budgetopt.forecasts.models.forecaster import Forecaster
from budgetopt.units import unit_key
from budgetopt.forecasts.models.fit import FitSettings, interval_inflation, kpi_at_spend, widen
from budgetopt.forecasts.history.periods import make_periods

MIN_TRAIN_DAYS = 365


@dataclass
class Backtest:
    """Per-period forecasts of every fold, and the scores per unit and overall."""

    detail: pd.DataFrame     # unit, fold, origin, period_start, period_end, actual, forecast, lower, upper
    scores: pd.DataFrame     # unit, folds, periods, actual, forecast, wape, accuracy, coverage
    interval_width: float


def origins(history_start: pd.Timestamp, history_end: pd.Timestamp, holdout_days: int,
            folds: int, step_days: int) -> list[pd.Timestamp]:
    """Last training day of each fold, oldest first: the holdouts tile the end of history."""
    out = []
    for k in range(folds, 0, -1):
        last = history_end - pd.Timedelta(days=k * holdout_days)
        last = history_start + pd.Timedelta(days=((last - history_start).days // step_days)
                                            * step_days + step_days - 1)
        if (last - history_start).days + 1 >= MIN_TRAIN_DAYS:
            out.append(last)
    return out


def score(frame: pd.DataFrame) -> dict:
    actual, forecast = frame["actual"].to_numpy(), frame["forecast"].to_numpy()
    denom = float(np.abs(actual).sum())
    wape = float(np.abs(actual - forecast).sum()) / denom if denom > 0 else float("nan")
    inside = (frame["actual"] >= frame["lower"]) & (frame["actual"] <= frame["upper"])
    return {"folds": int(frame["fold"].nunique()), "periods": int(len(frame)),
            "actual": float(actual.sum()), "forecast": float(forecast.sum()), "wape": wape,
            "accuracy": 1 - wape, "coverage": float(inside.mean())}


def run_backtest(units: list[tuple[str, str | None]], unit_frame: Callable, kpi: str,
                 holidays: pd.DataFrame, promo_days: set, step_days: int,
                 settings: FitSettings, cutoffs: list[pd.Timestamp], holdout_days: int,
                 period: str, n_jobs: int | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 backend=None) -> Backtest:
    """Fit at each cutoff, forecast `holdout_days` at actual spend, score per `period`."""
    frames = {u: unit_frame(*u) for u in units}
    rows = []
    total = len(cutoffs) * len(units)
    for fold, cutoff in enumerate(cutoffs, start=1):
        def train(channel, market, _cut=cutoff):
            f = frames[(channel, market)]
            return f[f["date"] <= _cut].reset_index(drop=True)

        def step_progress(done, _n, _fold=fold):
            if progress:
                progress((_fold - 1) * len(units) + done, total)
        forecaster = Forecaster.fit(units, train, kpi, holidays, promo_days, step_days,
                                    settings, n_jobs=n_jobs, progress=step_progress,
                                    backend=backend)
        start = cutoff + pd.Timedelta(days=1)
        end = cutoff + pd.Timedelta(days=holdout_days)
        periods = make_periods(start, end, period)
        for unit in units:
            key = unit_key(*unit)
            fit, model = forecaster.fits[key], forecaster.model(key)
            f = frames[unit]
            test = f[(f["date"] >= start) & (f["date"] <= end)].reset_index(drop=True)
            if test.empty:
                continue
            dates = pd.DatetimeIndex(test["date"])
            point, draws = kpi_at_spend(fit, model, dates, test["spend"].to_numpy(float),
                                        settings)
            which = np.searchsorted(periods["period_start"].to_numpy(), dates.to_numpy(),
                                    side="right") - 1
            lo_q, hi_q = (1 - settings.interval_width) / 2, (1 + settings.interval_width) / 2
            actual = test[kpi].to_numpy(float)
            for p in periods.itertuples():
                mask = which == p.period
                if not mask.any():
                    continue
                factor = interval_inflation(fit, p.days / fit.step_days)
                sums = widen(draws[mask].sum(axis=0), factor)
                rows.append({"unit": key, "channel": unit[0], "market": unit[1], "fold": fold,
                             "origin": start, "period_start": p.period_start,
                             "period_end": p.period_end, "actual": float(actual[mask].sum()),
                             "forecast": float(point[mask].sum()),
                             "lower": float(np.quantile(sums, lo_q)),
                             "upper": float(np.quantile(sums, hi_q))})
    detail = pd.DataFrame(rows)
    scores = [{"unit": key, **score(grp)} for key, grp in detail.groupby("unit", sort=True)]
    scores.append({"unit": "overall", **score(detail)})
    return Backtest(detail, pd.DataFrame(scores), settings.interval_width)
