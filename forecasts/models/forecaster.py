"""Fit every unit's model (in parallel on all cores) and read what the curve set needs from
them: response factors per model step, and baselines with their draws per plan period
(forecasts/curves/build.py turns these into the curve set planning reads)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from budgetopt.forecasts.backends import Backend, UnitTask, make_backend
from budgetopt.forecasts.history.calendar import compact_holidays
from budgetopt.forecasts.models.pooling import pooled_evidence
from budgetopt.forecasts.models.wire import FIT_CODEC
from budgetopt.units import unit_key
from budgetopt.forecasts.models.fit import (FitSettings, UnitFit, baseline_draws,
                                            baseline_level_error, fit_unit, interval_inflation,
                                            quick_holidays, response_factors, step_factors)


def fit_one(unit, unit_frame, kpi, holidays, promo_days, step_days, settings, evidence=None,
            keep_model: bool = False):
    """One unit's fit on one core: units run in parallel, so BLAS threads inside a fit only
    contend (a 1,095 × 60 QR took 30× longer with two threads on a busy 2-core machine), and
    one thread makes the arithmetic the same on every backend."""
    with threadpool_limits(limits=1):
        return fit_unit(unit, unit_frame["date"], unit_frame[kpi].to_numpy(float),
                        unit_frame["spend"].to_numpy(float), holidays, promo_days, step_days,
                        settings, (evidence or {}).get(unit_key(*unit)), keep_model)


class Forecaster:
    """Fitted unit models for one history; tables for any plan periods."""

    def __init__(self, fits: dict[str, UnitFit], settings: FitSettings):
        self.fits = fits
        self.settings = settings
        self._models: dict[str, object] = {}
        self._factors: dict[tuple[str, pd.Timestamp, pd.Timestamp], pd.DataFrame] = {}

    @classmethod
    def fit(cls, units: list[tuple[str, str | None]], unit_frame: Callable, kpi: str,
            holidays: pd.DataFrame, promo_days: set, step_days: int,
            settings: FitSettings, n_jobs: int | None = None,
            progress: Callable[[int, int], None] | None = None,
            backend: Backend | None = None,
            evidence: dict[str, Callable] | None = None) -> "Forecaster":
        """Fit one model per unit; `unit_frame(channel, market)` gives that unit's history rows.
        The fits run on `backend` (default: local, all cores or `n_jobs`). `evidence`: per unit
        key, outside evidence on its response (`profile_response`; picklable)."""
        backend = backend or make_backend("local", n_jobs=n_jobs)
        if step_days == 1:
            holidays = compact_holidays(holidays)
        tasks = [UnitTask(unit_key(*u), u, unit_frame(*u)[["date", kpi, "spend"]])
                 for u in units]
        # with markets, a first pass over the units makes each channel's pooled prior
        evidence = pooled_evidence(backend, tasks, kpi, holidays, step_days, settings, evidence)
        results = backend.map_units(fit_one, tasks,
                                    (kpi, holidays, promo_days, step_days, settings, evidence),
                                    progress,
                                    codec=FIT_CODEC)
        return cls({unit_key(*fit.unit): fit for fit in results}, settings)

    @property
    def warnings(self) -> list[str]:
        return [w for key in sorted(self.fits) for w in self.fits[key].warnings]

    def model(self, key: str):
        if key not in self._models:
            self._models[key] = quick_holidays(self.fits[key].model())
        return self._models[key]

    def _steps(self, key: str, periods: pd.DataFrame) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Model steps inside the horizon and after it while carryover still lands (the tail),
        with the plan period each falls in (−1 in the tail)."""
        fit = self.fits[key]
        step = fit.step_days
        # as far as the slowest carryover among the unit's plausible responses still lands
        tail = max([fit.response.tail_steps()] + [r.tail_steps() for r, _, _ in fit.plausible])
        return step_dates(periods, step, tail)

    def factors(self, key: str, periods: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        """Per model step (horizon and tail): baseline, factor, and `valued` — the factor
        weighted by where the step's carryover lands (what spend in that step earns)."""
        dates, which = self._steps(key, periods)
        cache_key = (key, dates[0], dates[-1])
        if cache_key not in self._factors:
            frame = response_factors(self.fits[key], self.model(key), dates)
            frame["valued"] = self.fits[key].response.smear(frame["factor"].to_numpy())
            self._factors[cache_key] = frame
        return self._factors[cache_key], which

    def baseline_level_error(self, key: str, base: np.ndarray, steps: float) -> float:
        """Relative error of the unit's baseline level over `steps` model steps."""
        return baseline_level_error(self.fits[key], base, steps)

    def curve_flags(self, periods: pd.DataFrame) -> dict[str, bool]:
        """Units whose fitted effect had to be clamped to zero somewhere in the horizon."""
        return {key: bool(self.factors(key, periods)[0]["clamped"].any()) for key in self.fits}

    def period_baselines(self, key: str, periods: pd.DataFrame) -> list[tuple] | None:
        """Per plan period: the baseline (point, and its draws summed over the period's steps),
        what one unit of saturation adds to it (point and draws, carryover tail included), and
        the interval inflation — a forecast at any planned spend is read from these."""
        fit, model = self.fits[key], self.model(key)
        dates, which = self._steps(key, periods)
        base = self.factors(key, periods)[0]["baseline"].to_numpy(float)   # predicted once
        draws = baseline_draws(fit, model, dates, self.settings)
        valued = fit.response.smear(step_factors(fit, base))
        valued_draws = fit.response.smear(step_factors(fit, draws))
        rows = []
        for p in periods.itertuples():
            mask = which == p.period
            rows.append((float(base[mask].sum()), draws[mask].sum(axis=0),
                         float(valued[mask].sum()), valued_draws[mask].sum(axis=0),
                         interval_inflation(fit, p.days / fit.step_days)))
        return rows

    def describe(self) -> dict[str, dict]:
        """Each unit's fitted response in plain numbers."""
        return {key: self.fits[key].describe() for key in sorted(self.fits)}


def step_dates(periods: pd.DataFrame, step: int, tail: int) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Model steps over the horizon plus `tail` steps after it, and the period each belongs to
    (-1 past the horizon)."""
    start, end = periods["period_start"].iloc[0], periods["period_end"].iloc[-1]
    dates = pd.date_range(start, end, freq=f"{step}D")
    if tail:
        dates = dates.append(pd.date_range(dates[-1] + pd.Timedelta(days=step), periods=tail,
                                           freq=f"{step}D"))
    which = np.searchsorted(periods["period_start"].to_numpy(), dates.to_numpy(),
                            side="right") - 1
    which = periods["period"].to_numpy()[which]
    which[dates > end] = -1
    return dates, which
