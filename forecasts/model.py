"""One Prophet model per unit: trend, weekly/yearly seasonality, the promotion calendar as
holidays, and spend entering as a regressor through an exponential saturation
s(x) = 1 − exp(−x/λ), plus s(x) × promotion-day so the response can move with promotions.

The saturation scale λ is chosen by a least-squares profile over a grid before the single
Prophet fit; everything downstream reads the fitted model through `UnitFit`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SATURATION_MULTIPLES = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
FOURIER_ORDER = 6


logging.getLogger("prophet.plot").disabled = True  # optional plotly is not used


def quiet_prophet() -> None:
    """Silence Prophet's and cmdstanpy's per-fit chatter (call after importing them)."""
    from cmdstanpy.utils import get_logger
    get_logger()
    for name in ("prophet", "cmdstanpy"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.ERROR)
        logger.propagate = False
        for handler in logger.handlers:
            handler.setLevel(logging.ERROR)


def saturate(spend, scale: float) -> np.ndarray:
    """Concave, non-decreasing saturation of spend per model step: 1 − exp(−x/λ)."""
    return 1.0 - np.exp(-np.asarray(spend, float) / scale)


@dataclass(frozen=True)
class FitSettings:
    seasonality_mode: str = "multiplicative"
    interval_width: float = 0.8
    uncertainty_samples: int = 500
    seed: int = 0


@dataclass
class UnitFit:
    """A fitted unit model, serialized so it crosses process boundaries unchanged."""

    unit: tuple[str, str | None]
    scale: float
    step_days: int
    model_json: str
    promo_days: frozenset = frozenset()
    warnings: list[str] = field(default_factory=list)

    def model(self):
        from prophet.serialize import model_from_json
        return model_from_json(self.model_json)


def _design(ds: pd.Series, holidays: pd.DataFrame, step_days: int) -> np.ndarray:
    """Least-squares stand-in for Prophet's structure: trend, Fourier yearly, weekdays, holidays."""
    t = (ds - ds.iloc[0]).dt.days.to_numpy(float) / 365.25
    cols = [np.ones_like(t), t]
    doy = 2 * np.pi * ds.dt.dayofyear.to_numpy(float) / 365.25
    for k in range(1, FOURIER_ORDER + 1):
        cols += [np.sin(k * doy), np.cos(k * doy)]
    if step_days == 1:
        cols += [(ds.dt.dayofweek == d).to_numpy(float) for d in range(6)]
    for _, grp in holidays.groupby("holiday", sort=True):
        days = set()
        for row in grp.itertuples():
            days.update(pd.date_range(row.ds + pd.Timedelta(days=row.lower_window),
                                      row.ds + pd.Timedelta(days=row.upper_window)))
        cols.append(ds.isin(days).to_numpy(float))
    return np.column_stack(cols)


def choose_scale(ds: pd.Series, y: np.ndarray, spend: np.ndarray, promo: np.ndarray,
                 holidays: pd.DataFrame, step_days: int) -> float:
    """The saturation scale λ (a multiple of mean positive spend) that best explains y."""
    base = _design(ds, holidays, step_days)
    level = float(np.mean(spend[spend > 0])) if np.any(spend > 0) else 1.0
    best, best_sse = level, np.inf
    for multiple in SATURATION_MULTIPLES:
        scale = level * multiple
        sat = saturate(spend, scale)
        design = np.column_stack([base, sat, sat * promo])
        coef, *_ = np.linalg.lstsq(design, y, rcond=None)
        sse = float(np.sum((y - design @ coef) ** 2))
        if sse < best_sse - 1e-9 * abs(best_sse if np.isfinite(best_sse) else 1):
            best, best_sse = scale, sse
    return best


def fit_unit(unit: tuple[str, str | None], ds: pd.Series, y: np.ndarray, spend: np.ndarray,
             holidays: pd.DataFrame, promo_days: set, step_days: int,
             settings: FitSettings) -> UnitFit:
    """Fit one unit's Prophet model on its history (ds, KPI y, spend per step)."""
    from prophet import Prophet
    from prophet.serialize import model_to_json
    quiet_prophet()

    ds = pd.Series(pd.to_datetime(ds)).reset_index(drop=True)
    promo = ds.isin(promo_days).to_numpy(float)
    scale = choose_scale(ds, y, spend, promo, holidays, step_days)
    warnings = []
    positive = spend[spend > 0]
    if len(positive) and np.std(positive) / np.mean(positive) < 0.1:
        warnings.append(f"{_label(unit)}: spend hardly varies in history, so its response "
                        "curve is poorly identified")
    model = Prophet(seasonality_mode=settings.seasonality_mode, yearly_seasonality=True,
                    weekly_seasonality=step_days == 1, daily_seasonality=False,
                    holidays=holidays, interval_width=settings.interval_width,
                    uncertainty_samples=settings.uncertainty_samples)
    model.add_regressor("sat")
    model.add_regressor("sat_promo")
    sat = saturate(spend, scale)
    frame = pd.DataFrame({"ds": ds, "y": y, "sat": sat, "sat_promo": sat * promo})
    model.fit(frame)
    fit = UnitFit(unit, scale, step_days, model_to_json(model), frozenset(promo_days), warnings)
    return fit


def _label(unit: tuple[str, str | None]) -> str:
    return unit[0] if unit[1] is None else f"{unit[0]}/{unit[1]}"


def _frame(fit: UnitFit, dates: pd.DatetimeIndex, sat: np.ndarray) -> pd.DataFrame:
    promo = pd.Series(dates).isin(fit.promo_days).to_numpy(float)
    return pd.DataFrame({"ds": dates, "sat": sat, "sat_promo": sat * promo})


def response_factors(fit: UnitFit, model, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Per future model step: baseline yhat (zero spend) and the factor a with
    incremental(step, x) = a · s(x). Prophet is linear in its regressors, so a is exact."""
    model.uncertainty_samples = 0
    zero = model.predict(_frame(fit, dates, np.zeros(len(dates))))["yhat"].to_numpy()
    full = model.predict(_frame(fit, dates, np.ones(len(dates))))["yhat"].to_numpy()
    factor = full - zero
    negative = factor < 0
    return pd.DataFrame({"ds": dates, "baseline": zero, "factor": np.where(negative, 0.0, factor),
                         "clamped": negative})


def sample_totals(fit: UnitFit, model, dates: pd.DatetimeIndex, spend: np.ndarray,
                  groups: np.ndarray, settings: FitSettings) -> pd.DataFrame:
    """Point forecast and interval of the KPI summed per group of steps, at the given spend per
    step (seeded sampling: the same inputs give the same interval)."""
    frame = _frame(fit, dates, saturate(spend, fit.scale))
    model.uncertainty_samples = settings.uncertainty_samples
    np.random.seed(settings.seed)
    samples = model.predictive_samples(frame)["yhat"]
    model.uncertainty_samples = 0
    point = model.predict(frame)["yhat"].to_numpy()
    lo_q, hi_q = (1 - settings.interval_width) / 2, (1 + settings.interval_width) / 2
    rows = []
    for g in np.unique(groups):
        mask = groups == g
        totals = samples[mask].sum(axis=0)
        rows.append((g, float(point[mask].sum()), float(np.quantile(totals, lo_q)),
                     float(np.quantile(totals, hi_q))))
    return pd.DataFrame(rows, columns=["period", "kpi", "lower", "upper"])
