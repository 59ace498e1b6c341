"""Fit every unit's model (in parallel on all cores) and answer the planner's questions in
tables: response curves, baselines, and forecasts with intervals at a planned spend."""
from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from forecasts.curves import period_breakpoints, period_curve, zoom_breakpoints
from forecasts.model import FitSettings, UnitFit, fit_unit, response_factors, sample_totals


def unit_key(channel: str, market: str | None) -> str:
    return channel if market is None else f"{channel}/{market}"


def _fit_one(unit, unit_frame, kpi, holidays, promo_days, step_days, settings):
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
            progress: Callable[[int, int], None] | None = None) -> "Forecaster":
        """Fit one model per unit; `unit_frame(channel, market)` gives that unit's history rows."""
        jobs = n_jobs or min(len(units), os.cpu_count() or 1)
        tasks = (delayed(_fit_one)(u, unit_frame(*u), kpi, holidays, promo_days, step_days,
                                   settings) for u in units)
        fits: dict[str, UnitFit] = {}
        runner = Parallel(n_jobs=jobs, return_as="generator") if jobs > 1 else None
        results = runner(tasks) if runner else (f(*a, **k) for f, a, k in tasks)
        for done, fit in enumerate(results, start=1):
            fits[unit_key(*fit.unit)] = fit
            if progress:
                progress(done, len(units))
        return cls(fits, settings)

    @property
    def warnings(self) -> list[str]:
        return [w for key in sorted(self.fits) for w in self.fits[key].warnings]

    def model(self, key: str):
        if key not in self._models:
            self._models[key] = self.fits[key].model()
        return self._models[key]

    def _steps(self, key: str, periods: pd.DataFrame) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Model steps inside the horizon and the plan period each falls in."""
        step = self.fits[key].step_days
        start, end = periods["period_start"].iloc[0], periods["period_end"].iloc[-1]
        dates = pd.date_range(start, end, freq=f"{step}D")
        which = np.searchsorted(periods["period_start"].to_numpy(), dates.to_numpy(),
                                side="right") - 1
        return dates, periods["period"].to_numpy()[which]

    def factors(self, key: str, periods: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        dates, which = self._steps(key, periods)
        cache_key = (key, dates[0], dates[-1])
        if cache_key not in self._factors:
            self._factors[cache_key] = response_factors(self.fits[key], self.model(key), dates)
        return self._factors[cache_key], which

    def curve_table(self, periods: pd.DataFrame, max_spend: float,
                    around: dict | None = None) -> pd.DataFrame:
        """Breakpoints (spend, incremental_kpi) per unit × period, each starting at (0, 0);
        `around` maps (unit, period) to spends to add breakpoints near (a refining pass)."""
        frames = []
        for key in sorted(self.fits):
            fit = self.fits[key]
            factors, which = self.factors(key, periods)
            for p in periods.itertuples():
                a = factors["factor"].to_numpy()[which == p.period]
                scale_p = fit.scale * p.days / fit.step_days
                spends = period_breakpoints(scale_p, max_spend)
                for chosen in (around or {}).get((key, p.period), ()):
                    spends = zoom_breakpoints(spends, chosen)
                values = period_curve(a, p.days, fit.step_days, fit.scale, spends)
                frames.append(pd.DataFrame({"unit": key, "channel": fit.unit[0],
                                            "market": fit.unit[1], "period": p.period,
                                            "spend": spends, "incremental_kpi": values}))
        return pd.concat(frames, ignore_index=True)

    def curve_flags(self, periods: pd.DataFrame) -> dict[str, bool]:
        """Units whose fitted effect had to be clamped to zero somewhere in the horizon."""
        return {key: bool(self.factors(key, periods)[0]["clamped"].any()) for key in self.fits}

    def forecast_table(self, periods: pd.DataFrame,
                       plan_spend: dict[tuple[str, int], float]) -> pd.DataFrame:
        """Per unit × period: baseline and forecast at the planned spend, with intervals."""
        frames = []
        for key in sorted(self.fits):
            fit, model = self.fits[key], self.model(key)
            dates, which = self._steps(key, periods)
            days = periods.set_index("period")["days"]
            per_step = np.array([plan_spend.get((key, int(p)), 0.0) * fit.step_days / days[p]
                                 for p in which])
            base = sample_totals(fit, model, dates, np.zeros(len(dates)), which, self.settings)
            plan = sample_totals(fit, model, dates, per_step, which, self.settings)
            frames.append(pd.DataFrame({
                "unit": key, "period": base["period"],
                "baseline_kpi": base["kpi"], "baseline_lower": base["lower"],
                "baseline_upper": base["upper"], "forecast_kpi": plan["kpi"],
                "forecast_lower": plan["lower"], "forecast_upper": plan["upper"]}))
        return pd.concat(frames, ignore_index=True)
