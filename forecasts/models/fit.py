"""One Prophet model per unit: trend, weekly/yearly seasonality and the promotion calendar as
holidays, fitted to the KPI with the spend response taken out. The response (saturation shape
and scale, carryover, gain; see `budgetopt.forecasts.models.response`) is chosen by a profile search first;
everything downstream reads the fitted model through `UnitFit`.
"""
from __future__ import annotations

import logging
import math
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from budgetopt.messages import Msg, N_
from budgetopt.units import unit_key
from budgetopt.forecasts.components.response import Response
from budgetopt.forecasts.models.response import TREND_KNOTS, base_design, profile_response

PILOT_BAND = 3.0  # plausible marginal returns at typical spend spanning more: loosely pinned


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


@dataclass(frozen=True)
class FitSettings:
    seasonality_mode: str = "multiplicative"
    interval_width: float = 0.8
    uncertainty_samples: int = 500
    seed: int = 0
    pooling: str = "markets"           # markets | none: a channel's response pooled across markets


@dataclass
class UnitFit:
    """A fitted unit model, serialized so it crosses process boundaries unchanged."""

    unit: tuple[str, str | None]
    scale: float
    step_days: int
    model_json: str
    promo_days: frozenset = frozenset()
    warnings: list[str] = field(default_factory=list)
    response: Response | None = None
    sigma: float = 0.0                 # residual scale of the fit (log scale if multiplicative)
    adstock_end: float = 0.0           # carryover state after the last history step
    history_end: pd.Timestamp | None = None
    spend_level: float = 0.0           # mean positive spend per step in history
    band: dict = field(default_factory=dict)
    holdout_errors: tuple = ()         # (origin, error) per step of internal holdouts
    plausible: tuple = ()              # (response, weight, gain s.e.): see plausible.py
    not_identified: tuple = ()         # why a parameter sits at a bound (empty: identified)
    lift_tests: dict = field(default_factory=dict)   # what lift tests moved (lift_fit.py)
    # the fitted Prophet model itself, only inside the task that fitted it (never serialized:
    # a fit that travels carries model_json, and model() rebuilds it from that)
    fitted_model: object | None = field(default=None, repr=False, compare=False)

    def model(self):
        """The Prophet model: the fitted one where this is the fitting task's own UnitFit,
        else read back from its JSON."""
        if self.fitted_model is not None:
            return self.fitted_model
        from prophet.serialize import model_from_json
        return model_from_json(self.model_json)

    @property
    def loosely_pinned(self) -> str | None:
        """Why the data cannot pin this unit's curve well enough to move far from history
        (None when they can): no effect found, or plausible marginal returns at typical spend
        spanning more than PILOT_BAND."""
        if self.response.gain <= 0:
            return N_("no effect of spend found")
        low = self.band.get("mroi_typical_low", 1.0)
        high = self.band.get("mroi_typical_high", 1.0)
        if high / max(low, 1e-9) > PILOT_BAND:
            return Msg("plausible marginal return at typical spend {low}–{high} of the fitted "
                       "value", low=f"{low:.0%}", high=f"{high:.0%}")
        return None

    def describe(self) -> dict:
        """The fitted response in plain numbers, for summary.json."""
        r = self.response
        out = r.describe()
        out["carryover_per_step"] = out.pop("carryover")
        out["step_days"] = self.step_days
        out["mean_lag_days"] = r.mean_lag_steps() * self.step_days
        out["band_at_typical_spend"] = [self.band.get("typical_low"), self.band.get("typical_high")]
        out["band_at_double_spend"] = [self.band.get("double_low"), self.band.get("double_high")]
        out["marginal_band_at_typical_spend"] = [self.band.get("mroi_typical_low"),
                                                 self.band.get("mroi_typical_high")]
        out["loosely_pinned"] = self.loosely_pinned
        out["not_identified"] = list(self.not_identified)
        out["plausible_candidates"] = len(self.plausible)
        if self.lift_tests:
            out["lift_tests"] = self.lift_tests
        return out


def fit_unit(unit: tuple[str, str | None], ds: pd.Series, y: np.ndarray, spend: np.ndarray,
             holidays: pd.DataFrame, promo_days: set, step_days: int,
             settings: FitSettings, evidence=None, keep_model: bool = False) -> UnitFit:
    """Fit one unit: the response by profile search, then Prophet on the KPI with the response
    taken out (log scale for the multiplicative form), which gives the baseline and intervals.
    `evidence(response)`: outside evidence on the response (`profile_response`), or None.
    `keep_model`: also keep the fitted Prophet model (for a task that reads the unit's curves
    itself; a fit returned to the driver carries only its JSON)."""
    from prophet import Prophet
    from prophet.serialize import model_to_json
    quiet_prophet()

    ds = pd.Series(pd.to_datetime(ds)).reset_index(drop=True)
    y = np.asarray(y, float)
    spend = np.asarray(spend, float)
    warnings = []
    multiplicative = settings.seasonality_mode == "multiplicative"
    if multiplicative and np.any(y <= 0):
        multiplicative = False
        warnings.append(Msg("{unit}: the KPI is zero or negative on some days, so the response "
                            "is fitted in additive form", unit=_label(unit)))
    prof = profile_response(ds, y, spend, holidays, step_days, multiplicative, evidence)
    response = prof.response
    warnings += _diagnose(unit, ds, spend, promo_days, prof, step_days)
    stocked = response.adstock(spend)
    lift = response.gain * prof.weight * response.saturate(stocked)
    z = np.log(y) - np.log1p(lift) if multiplicative else y - lift
    model = Prophet(seasonality_mode="additive", yearly_seasonality=True,
                    weekly_seasonality=step_days == 1, daily_seasonality=False,
                    holidays=holidays, interval_width=settings.interval_width,
                    uncertainty_samples=settings.uncertainty_samples)
    model.stan_backend.prepare_data = stan_arrays
    quick_holidays(model)
    model.fit(pd.DataFrame({"ds": ds, "y": z}))
    level = float(np.mean(spend[spend > 0])) if np.any(spend > 0) else 0.0
    return UnitFit(unit, response.scale, step_days, model_to_json(model), frozenset(promo_days),
                   warnings, response, prof.sigma, float(stocked[-1]) if len(stocked) else 0.0,
                   ds.iloc[-1], level, prof.band,
                   holdout_errors(ds, z, holidays, step_days, prof.sigma, prof.design),
                   prof.plausible, prof.not_identified,
                   fitted_model=model if keep_model else None)


HINGE_COLUMNS = range(2, 2 + len(TREND_KNOTS))   # base_design's trend bends
HOLDOUT_ORIGINS = 4
HOLDOUT_DAYS = 91
MIN_TRAIN_DAYS = 365
HOLDOUT_TRAIN_SHARE = 0.75   # holdout fits keep most of the history, so they err like the model


def quick_holidays(model):
    """Give a Prophet model `holiday_columns` as its holiday feature builder: the same
    columns, without a date parse and index look-up per promotion row and day."""
    model.make_holiday_features = types.MethodType(holiday_columns, model)
    return model


def holiday_columns(model, dates: pd.Series, holidays: pd.DataFrame):
    """Prophet's `make_holiday_features`, element for element: one 0/1 column per promotion
    and day offset (`NAME_delim_±k`), columns sorted, the prior scale of each and the names in
    order of first appearance. Prophet's own is used where a frame has what this does not
    handle (per-row prior scales, missing windows, repeated dates)."""
    from prophet import Prophet
    row_index = pd.DatetimeIndex(dates.dt.date)
    if ("prior_scale" in holidays.columns or not row_index.is_unique
            or holidays[["lower_window", "upper_window"]].isna().any().any()):
        return Prophet.make_holiday_features(model, dates, holidays)
    scale = float(model.holidays_prior_scale)
    if scale <= 0:
        raise ValueError("Prior scale must be > 0")
    day = row_index.to_numpy().astype("datetime64[D]").astype(np.int64)
    where = {int(d): i for i, d in enumerate(day)}
    starts = (pd.to_datetime(holidays["ds"]).dt.normalize().to_numpy().astype("datetime64[D]")
              .astype(np.int64))
    names = holidays["holiday"].tolist()
    low = holidays["lower_window"].to_numpy().astype(int)
    high = holidays["upper_window"].to_numpy().astype(int)
    columns: dict[str, np.ndarray] = {}
    first_seen: dict[str, float] = {}
    for name, start, lw, uw in zip(names, starts, low, high):
        first_seen.setdefault(name, scale)
        for offset in range(int(lw), int(uw) + 1):
            key = f"{name}_delim_{'+' if offset >= 0 else '-'}{abs(offset)}"
            col = columns.get(key)
            if col is None:
                col = columns[key] = np.zeros(len(day))
            loc = where.get(int(start) + offset)
            if loc is not None:
                col[loc] = 1.0
    features = pd.DataFrame(columns)
    features = features[sorted(features.columns.tolist())]
    prior_scales = [first_seen[h.split("_delim_")[0]] for h in features.columns]
    holiday_names = list(first_seen)
    if model.train_holiday_names is None:
        model.train_holiday_names = pd.Series(holiday_names)
    return features, prior_scales, holiday_names


def stan_arrays(init: dict, data: dict) -> tuple[dict, dict]:
    """Prophet's data and initial values for CmdStan with arrays left as arrays: the Stan
    data file written is the same text (stanio turns an array into the same list of floats),
    without walking every element of the feature matrix as Python lists (a fifth of a
    unit's fit)."""
    keys = ("T", "S", "K", "tau", "trend_indicator", "y", "t", "cap", "t_change", "s_a",
            "s_m", "X", "sigmas")
    out = {k: data[k] for k in keys}
    out["X"] = np.asarray(data["X"].to_numpy() if hasattr(data["X"], "to_numpy") else data["X"])
    return ({k: init[k] for k in ("k", "m", "delta", "beta", "sigma_obs")}, out)


def holdout_errors(ds: pd.Series, z: np.ndarray, holidays: pd.DataFrame, step_days: int,
                   sigma: float, design: np.ndarray | None = None) -> tuple:
    """Errors of the baseline's least-squares stand-in on rolling holdouts at the end of
    history (each fitted on the data before it), in units of the in-sample noise σ: how far
    out-of-sample totals stray beyond what day-to-day noise explains (seasonality and trend
    estimated from few years extrapolate imperfectly; Prophet's intervals omit that). Only
    origins that keep at least HOLDOUT_TRAIN_SHARE of the history for training count."""
    design = base_design(ds, holidays, step_days) if design is None else design
    n, h = len(z), HOLDOUT_DAYS // step_days
    out = []
    for k in range(HOLDOUT_ORIGINS, 0, -1):
        cut = n - k * h
        if cut * step_days < MIN_TRAIN_DAYS or cut < HOLDOUT_TRAIN_SHARE * n or sigma <= 0:
            continue
        # a trend bend needs half a year behind it before it is extrapolated (as Prophet's
        # regularized changepoints would not chase a short recent run either)
        keep = [j for j in range(design.shape[1])
                if j not in HINGE_COLUMNS or np.sum(design[:cut, j] > 0) * step_days >= 182]
        coef, *_ = np.linalg.lstsq(design[:cut, keep], z[:cut], rcond=None)
        err = (z[cut:cut + h] - design[cut:cut + h, keep] @ coef) / sigma
        out += [(k, float(round(e, 6))) for e in err]
    return tuple(out)


def interval_inflation(fit: UnitFit, steps: float) -> float:
    """How much wider an interval for a total over `steps` model steps must be than
    independent noise implies, from the internal holdouts: √(mean squared block-mean error
    × steps), at least 1 (the errors are in units of σ, so iid noise gives 1)."""
    k = max(int(round(steps)), 1)
    if not fit.holdout_errors:
        return 1.0
    errors = pd.DataFrame(list(fit.holdout_errors), columns=["origin", "error"])
    means = []
    for _, grp in errors.groupby("origin", sort=True):
        e = grp["error"].to_numpy()
        blocks = len(e) // k
        means += list(e[: blocks * k].reshape(blocks, k).mean(axis=1))
    if len(means) < 4:
        return 1.0
    return max(math.sqrt(float(np.mean(np.square(means))) * k), 1.0)


def baseline_level_error(fit: UnitFit, base: np.ndarray, steps: float) -> float:
    """Relative error of the baseline's level over a horizon of `steps` model steps: the
    root-mean-square block mean of the internal holdouts' errors (as `interval_inflation`
    measures it), in the log of the baseline (multiplicative form) or relative to its mean
    (additive form); 0 without holdouts."""
    if not fit.holdout_errors or fit.sigma <= 0 or steps < 1:
        return 0.0
    spread = interval_inflation(fit, steps) * fit.sigma / math.sqrt(steps)
    if fit.response is None or fit.response.multiplicative:
        return float(spread)
    mean = float(np.mean(base)) if len(base) else 0.0
    return float(spread / mean) if mean > 0 else 0.0


def widen(draws: np.ndarray, factor: float) -> np.ndarray:
    """Samples of a total spread `factor` times as far from their mean."""
    mean = float(np.mean(draws))
    return mean + factor * (draws - mean)


def _diagnose(unit, ds: pd.Series, spend: np.ndarray, promo_days: set, prof,
              step_days: int) -> list[str]:
    """Warnings when the data cannot pin the curve."""
    out = []
    label = _label(unit)
    positive = spend[spend > 0]
    if len(positive) and np.std(positive) / np.mean(positive) < 0.1:
        out.append(Msg("{unit}: spend hardly varies in history, so its response curve is "
                       "poorly identified", unit=label))
    if len(positive) > 10 and step_days == 1:
        promo = ds.isin(promo_days).to_numpy()
        logs = np.log(np.maximum(spend, 1e-9))
        if promo.any() and (~promo).any() and np.std(logs) > 0:
            corr = abs(np.corrcoef(logs, promo.astype(float))[0, 1])
            if corr > 0.8:
                out.append(Msg("{unit}: spend moves with the promotion calendar (correlation "
                               "{corr}), so its effect is hard to separate from the season",
                               unit=label, corr=f"{corr:.2f}"))
    if prof.response.gain <= 0:
        out.append(Msg("{unit}: no effect of spend could be found in history; the plan treats "
                       "its return as zero", unit=label))
    elif prof.not_identified:
        reasons = prof.not_identified
        why = (Msg("{first} and {second}", first=reasons[0], second=reasons[1])
               if len(reasons) == 2 else " and ".join(reasons))
        out.append(Msg("{unit}: {why}, so the data cannot pin how its response saturates; every "
                       "curve they do not reject is kept among its plausible curves, which the "
                       "plan's risk measure and guard weigh", unit=label, why=why))
    return out


def _label(unit: tuple[str, str | None]) -> str:
    return unit_key(*unit)


def baseline_steps(fit: UnitFit, model, dates: pd.DatetimeIndex,
                   samples: FitSettings | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Zero-spend KPI per model step (point, bias-corrected on the log scale) and, with
    settings, seeded predictive samples (steps × samples)."""
    point = baseline_point(fit, model, dates)
    return point, None if samples is None else baseline_draws(fit, model, dates, samples)


def baseline_point(fit: UnitFit, model, dates: pd.DatetimeIndex) -> np.ndarray:
    """Zero-spend KPI per model step (bias-corrected on the log scale)."""
    with holidays_near(model, dates):
        model.uncertainty_samples = 0
        point = model.predict(pd.DataFrame({"ds": dates}))["yhat"].to_numpy()
    return np.exp(point + fit.sigma ** 2 / 2) if fit.response.multiplicative else point


def baseline_draws(fit: UnitFit, model, dates: pd.DatetimeIndex,
                   samples: FitSettings) -> np.ndarray:
    """Seeded predictive samples of the zero-spend KPI (steps × samples); a point prediction
    draws no random numbers, so these are the same whether one was made before or not."""
    with holidays_near(model, dates):
        model.uncertainty_samples = samples.uncertainty_samples
        np.random.seed(samples.seed)
        draws = model.predictive_samples(pd.DataFrame({"ds": dates}))["yhat"]
        model.uncertainty_samples = 0
    return np.exp(draws) if fit.response.multiplicative else draws


@contextmanager
def holidays_near(model, dates) -> Iterator[None]:
    """Predict with only the promotion rows whose window touches `dates` (and the first row of
    each promotion, so every column the model was fitted with is still built): the same
    features for those dates, without Prophet walking every window of every year per call —
    over a third of a prediction's time."""
    full = model.holidays
    if full is None or len(full) == 0:
        yield
        return
    lo, hi = pd.Timestamp(min(dates)), pd.Timestamp(max(dates))
    start = full["ds"] + pd.to_timedelta(full["lower_window"], unit="D")
    end = full["ds"] + pd.to_timedelta(full["upper_window"], unit="D")
    model.holidays = full[((end >= lo) & (start <= hi)) | ~full["holiday"].duplicated()]
    try:
        yield
    finally:
        model.holidays = full


def step_factors(fit: UnitFit, baseline: np.ndarray) -> np.ndarray:
    """a per step with incremental(step, spend) = a · sat(adstock): the gain times the
    baseline (multiplicative) or the gain alone (additive)."""
    r = fit.response
    base = np.asarray(baseline, float)
    weight = r.coupling_weight(base)
    return r.gain * weight * base if r.multiplicative else r.gain * weight


def response_factors(fit: UnitFit, model, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Per future model step: baseline (zero spend) and the factor a with
    incremental(step, x) = a · s(x) at steady spend x."""
    base, _ = baseline_steps(fit, model, dates)
    factor = step_factors(fit, base)
    negative = factor < 0
    return pd.DataFrame({"ds": dates, "baseline": base, "factor": np.where(negative, 0.0, factor),
                         "clamped": negative})


def kpi_at_spend(fit: UnitFit, model, dates: pd.DatetimeIndex, spend: np.ndarray,
                 settings: FitSettings) -> tuple[np.ndarray, np.ndarray]:
    """KPI per consecutive model step when `spend` is spent on those steps, carryover from
    history included (what would be observed: the backtest's forecast). Point and samples."""
    r = fit.response
    base, draws = baseline_steps(fit, model, dates, settings)
    lift = (r.gain * r.coupling_weight(base)
            * r.saturate(r.adstock(np.asarray(spend, float), fit.adstock_end)))
    if r.multiplicative:
        return base * (1 + lift), draws * (1 + lift)[:, None]
    return base + lift, draws + lift[:, None]
