"""Joint models (`budgetopt.forecasts.models.joint`) read as `Forecaster` is — response
factors, pilot evidence, described responses — with the baseline read from each market's one
model of the total KPI.

A channel has no baseline of its own in this form (`period_baselines` is None), and
`total_periods` gives the total KPI's baseline per market and period, with draws, from which
the curve set forecasts the total at any planned spend.
"""
from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from budgetopt.forecasts.history.wide import WideHistory, future_controls
from budgetopt.forecasts.models.fit import FitSettings, interval_inflation, step_factors
from budgetopt.forecasts.models.forecaster import Forecaster, step_dates
from budgetopt.units import unit_key
from budgetopt.forecasts.models.joint import JointFit, fit_market, promotion_frame


def joint_step(history: WideHistory) -> int:
    return 7 if history.freq == "W" else 1


class JointForecaster(Forecaster):
    """Per-channel `UnitFit`s from one joint fit per market."""

    def __init__(self, fits, settings: FitSettings, joints: dict, history: WideHistory,
                 control_values: dict | None = None):
        super().__init__(fits, settings)
        self.joints: dict[str | None, JointFit] = joints
        self.history = history
        self.control_values = dict(control_values or {})
        self._baselines: dict = {}

    @classmethod
    def fit_wide(cls, history: WideHistory, planned: list[tuple[str, str | None]],
                 holidays: pd.DataFrame, promo_days: set, step_days: int,
                 settings: FitSettings, control_values: dict | None = None,
                 n_jobs: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> "JointForecaster":
        """One joint model per market over every channel that spent there; fits are kept for
        the `planned` units."""
        markets = history.markets
        never = set(history.never_spent())
        tasks = []
        for market in markets:
            frame = history.market_frame(market)
            channels = [c for c, _ in history.spend_columns if (c, market) not in never]
            tasks.append(delayed(fit_market)(market, frame, history.kpi, channels,
                                             history.controls, holidays, promo_days, step_days,
                                             settings))
        jobs = max(1, min(n_jobs or (os.cpu_count() or 1), len(tasks)))
        runner = Parallel(n_jobs=jobs, return_as="generator") if jobs > 1 else None
        results = runner(tasks) if runner else (f(*a, **k) for f, a, k in tasks)
        joints, fits = {}, {}
        wanted = set(planned)
        for done, (joint, unit_fits) in enumerate(results, start=1):
            joints[joint.market] = joint
            for channel, fit in unit_fits.items():
                if (channel, joint.market) in wanted:
                    fits[unit_key(channel, joint.market)] = fit
            if progress:
                progress(done, len(tasks))
        return cls(fits, settings, joints, history, control_values)

    @property
    def warnings(self) -> list[str]:
        out = [w for m in sorted(self.joints, key=str) for w in self.joints[m].warnings]
        return out + super().warnings

    def _joint_model(self, market):
        key = ("__joint__", market)
        if key not in self._models:
            from prophet.serialize import model_from_json
            self._models[key] = model_from_json(self.joints[market].model_json)
        return self._models[key]

    def baseline(self, market, dates: pd.DatetimeIndex, samples: bool = False):
        """Zero-spend total KPI per model step (point) and, with samples, predictive draws."""
        cache = (market, dates[0], dates[-1], len(dates), samples)
        if cache in self._baselines:
            return self._baselines[cache]
        joint, model = self.joints[market], self._joint_model(market)
        frame = future_controls(self.history, market, dates, self.control_values)
        for name in joint.controls:     # past the last known value (carryover tails): carry on
            frame[name] = frame[name].ffill().bfill()
        if joint.promotions:
            promo = promotion_frame(frame["ds"], joint.holidays, joint_step(self.history))
            for name in joint.promotions:
                frame[name] = promo[name].to_numpy(float)
        model.uncertainty_samples = 0
        point = model.predict(frame)["yhat"].to_numpy()
        draws = None
        if samples:
            model.uncertainty_samples = self.settings.uncertainty_samples
            np.random.seed(self.settings.seed)
            draws = model.predictive_samples(frame)["yhat"]
            model.uncertainty_samples = 0
        if joint.multiplicative:
            point = np.exp(point + joint.sigma ** 2 / 2)
            draws = np.exp(draws) if draws is not None else None
        self._baselines[cache] = (point, draws)
        return point, draws

    def factors(self, key: str, periods: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        dates, which = self._steps(key, periods)
        cache_key = (key, dates[0], dates[-1])
        if cache_key not in self._factors:
            fit = self.fits[key]
            base, _ = self.baseline(fit.unit[1], dates)
            factor = step_factors(fit, base)
            negative = factor < 0
            frame = pd.DataFrame({"ds": dates, "baseline": base,
                                  "factor": np.where(negative, 0.0, factor),
                                  "clamped": negative})
            frame["valued"] = fit.response.smear(frame["factor"].to_numpy())
            self._factors[cache_key] = frame
        return self._factors[cache_key], which

    def period_baselines(self, key: str, periods: pd.DataFrame) -> None:
        """A channel has no baseline of its own here (the KPI is the total's)."""
        return None

    def total_periods(self, periods: pd.DataFrame) -> dict:
        """Per market: the channels it plans and, per period, the total KPI's baseline (point,
        and its draws summed over the period's steps), what one unit of each channel's
        saturation adds to it (point and draws; each period credited with what its own spend
        earns, as the curves value it), and the interval inflation."""
        step = 7 if self.history.freq == "W" else 1
        tail = max([f.response.tail_steps() for f in self.fits.values()] or [0])
        out = {}
        for market in sorted(self.joints, key=str):
            dates, which = step_dates(periods, step, tail)
            base, draws = self.baseline(market, dates, samples=True)
            keys = [k for k, f in sorted(self.fits.items()) if f.unit[1] == market]
            valued = {k: (self.fits[k].response.smear(step_factors(self.fits[k], base)),
                          self.fits[k].response.smear(step_factors(self.fits[k], draws)))
                      for k in keys}
            factor_fit = self.fits[keys[0]] if keys else None
            rows = []
            for p in periods.itertuples():
                mask = which == p.period
                lifts = {key: (float(valued[key][0][mask].sum()), valued[key][1][mask].sum(axis=0))
                         for key in keys}
                factor = interval_inflation(factor_fit, p.days / step) if factor_fit else 1.0
                rows.append((float(base[mask].sum()), draws[mask].sum(axis=0), lifts, factor))
            out[market] = (tuple(keys), rows)
        return out

    def decomposition(self) -> pd.DataFrame:
        """Per market and history step: the KPI, the fitted baseline and each channel's
        contribution (long: date, [market], component, value)."""
        frames = []
        for market in sorted(self.joints, key=str):
            d = self.joints[market].decomposition
            long = d.melt(id_vars=["date"], var_name="component", value_name="value")
            long.insert(1, "market", market)
            frames.append(long)
        return pd.concat(frames, ignore_index=True)
