"""Fit every unit's model (in parallel on all cores) and answer the planner's questions in
tables: response curves, baselines, and forecasts with intervals at a planned spend."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from budgetopt.forecasts.backends import Backend, UnitTask, make_backend
from budgetopt.forecasts.history.calendar import compact_holidays
from budgetopt.forecasts.components.carryover import spread
from budgetopt.forecasts.models.wire import FIT_CODEC
from budgetopt.units import unit_key
from budgetopt.forecasts.curves.breakpoints import response_breakpoints, zoom_breakpoints
from budgetopt.forecasts.models.fit import (FitSettings, UnitFit, baseline_steps, fit_unit,
                                            interval_inflation, response_factors, step_factors,
                                            widen)


def _fit_one(unit, unit_frame, kpi, holidays, promo_days, step_days, settings):
    """One unit's fit on one core: units run in parallel, so BLAS threads inside a fit only
    contend (a 1,095 × 60 QR took 30× longer with two threads on a busy 2-core machine), and
    one thread makes the arithmetic the same on every backend."""
    with threadpool_limits(limits=1):
        return fit_unit(unit, unit_frame["date"], unit_frame[kpi].to_numpy(float),
                    unit_frame["spend"].to_numpy(float), holidays, promo_days, step_days,
                    settings)


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
            backend: Backend | None = None) -> "Forecaster":
        """Fit one model per unit; `unit_frame(channel, market)` gives that unit's history rows.
        The fits run on `backend` (default: local, all cores or `n_jobs`)."""
        backend = backend or make_backend("local", n_jobs=n_jobs)
        if step_days == 1:
            holidays = compact_holidays(holidays)
        tasks = [UnitTask(unit_key(*u), u, unit_frame(*u)[["date", kpi, "spend"]])
                 for u in units]
        results = backend.map_units(_fit_one, tasks,
                                    (kpi, holidays, promo_days, step_days, settings), progress,
                                    codec=FIT_CODEC)
        return cls({unit_key(*fit.unit): fit for fit in results}, settings)

    @property
    def warnings(self) -> list[str]:
        return [w for key in sorted(self.fits) for w in self.fits[key].warnings]

    def model(self, key: str):
        if key not in self._models:
            self._models[key] = self.fits[key].model()
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

    def curve_table(self, periods: pd.DataFrame, max_spend: float,
                    around: dict | None = None) -> pd.DataFrame:
        """Breakpoints (spend, incremental_kpi) per unit × period, each starting at (0, 0).
        The KPI is everything the period's spend earns, its carryover tail included; `around`
        maps (unit, period) to spends to add breakpoints near (a refining pass)."""
        frames = []
        for key in sorted(self.fits):
            fit = self.fits[key]
            factors, which = self.factors(key, periods)
            for p in periods.itertuples():
                a = factors["valued"].to_numpy()[which == p.period]
                per_step = fit.step_days / p.days
                spends = response_breakpoints(fit.response, per_step, max_spend)
                for chosen in (around or {}).get((key, p.period), ()):
                    spends = zoom_breakpoints(spends, chosen)
                values = float(np.sum(a)) * fit.response.saturate(spends * per_step)
                frames.append(pd.DataFrame({"unit": key, "channel": fit.unit[0],
                                            "market": fit.unit[1], "period": p.period,
                                            "spend": spends, "incremental_kpi": values}))
        return pd.concat(frames, ignore_index=True)

    def curve_flags(self, periods: pd.DataFrame) -> dict[str, bool]:
        """Units whose fitted effect had to be clamped to zero somewhere in the horizon."""
        return {key: bool(self.factors(key, periods)[0]["clamped"].any()) for key in self.fits}

    def carryover_table(self, periods: pd.DataFrame,
                        plan_spend: dict[tuple[str, int], float]) -> pd.DataFrame:
        """Per unit: the plan's incremental KPI split into what lands inside the horizon and
        what lands after it (steady-state saturation per period, as the curves value it)."""
        rows = []
        for key in sorted(self.fits):
            fit = self.fits[key]
            factors, which = self.factors(key, periods)
            a = factors["factor"].to_numpy()
            lands = np.zeros(len(a))
            for p in periods.itertuples():
                mask = which == p.period
                sat = fit.response.saturate(plan_spend.get((key, int(p.period)), 0.0)
                                            * fit.step_days / p.days)
                impulse = np.where(mask, sat, 0.0)
                lands += spread(impulse, fit.response.carryover) * a
            inside = float(lands[which >= 0].sum())
            rows.append({"unit": key, "carryover_per_step": fit.response.carryover,
                         "mean_lag_days": fit.response.mean_lag_steps() * fit.step_days,
                         "incremental_in_horizon": inside,
                         "incremental_after_horizon": float(lands[which < 0].sum())})
        return pd.DataFrame(rows)

    def forecast_table(self, periods: pd.DataFrame,
                       plan_spend: dict[tuple[str, int], float]) -> pd.DataFrame:
        """Per unit × period: baseline and forecast at the planned spend, with intervals. The
        forecast credits each period with what its own spend earns (carryover tail included),
        matching the curves and allocation.csv."""
        frames = []
        lo_q = (1 - self.settings.interval_width) / 2
        hi_q = (1 + self.settings.interval_width) / 2
        for key in sorted(self.fits):
            fit, model = self.fits[key], self.model(key)
            dates, which = self._steps(key, periods)
            base, draws = baseline_steps(fit, model, dates, self.settings)
            valued = fit.response.smear(step_factors(fit, base))
            valued_draws = fit.response.smear(step_factors(fit, draws))
            rows = []
            for p in periods.itertuples():
                mask = which == p.period
                sat = float(fit.response.saturate(plan_spend.get((key, int(p.period)), 0.0)
                                                  * fit.step_days / p.days))
                factor = interval_inflation(fit, p.days / fit.step_days)
                b_point = float(base[mask].sum())
                f_point = b_point + sat * float(valued[mask].sum())
                b_draws = draws[mask].sum(axis=0)
                f_draws = widen(b_draws + sat * valued_draws[mask].sum(axis=0), factor)
                b_draws = widen(b_draws, factor)
                rows.append((p.period, b_point, float(np.quantile(b_draws, lo_q)),
                             float(np.quantile(b_draws, hi_q)), f_point,
                             float(np.quantile(f_draws, lo_q)),
                             float(np.quantile(f_draws, hi_q))))
            frames.append(pd.DataFrame(rows, columns=[
                "period", "baseline_kpi", "baseline_lower", "baseline_upper", "forecast_kpi",
                "forecast_lower", "forecast_upper"]).assign(unit=key))
        out = pd.concat(frames, ignore_index=True)
        return out[["unit", "period", "baseline_kpi", "baseline_lower", "baseline_upper",
                    "forecast_kpi", "forecast_lower", "forecast_upper"]]

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
