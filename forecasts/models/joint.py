"""One joint model per market for total-KPI (wide) histories.

    multiplicative (default):  y(t) = base(t) · (1 + Σ_c g_c · sat_c(adstock_c(x_c)))
    additive:                  y(t) = base(t) + Σ_c g_c · sat_c(adstock_c(x_c))

base(t) is the zero-spend KPI of the whole business (trend, yearly and weekly seasonality, the
promotion calendar, controls), and each channel has its own saturation shape (exponential or
Hill), scale, carryover, coupling ρ to the baseline and non-negative gain, from the same
machinery as the long form (`budgetopt.forecasts.models.response`). Because the channels share
one baseline, each channel's incremental KPI is g_c · B̄ · (base(t)/B̄)^ρ_c · sat_c — a long-form
response on the total baseline — so each channel becomes a `UnitFit` and the curve tables, the
LP and everything after it work unchanged.

The search is in `joint_search` (coordinate profile search with all gains refitted together,
BIC-penalized extra parameters, polish, joint refinement with a weak prior), the plausible set
in `joint_uncertainty`; this module fits a market end to end: design (with weekly promotion
columns), search, bound diagnostics, plausible draws, then Prophet on the KPI with the fitted
responses taken out (docs/wide.md).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd

from budgetopt.messages import Msg
from budgetopt.forecasts.models.fit import (FitSettings, UnitFit, _diagnose, holdout_errors,
                                            quiet_prophet)
from budgetopt.forecasts.models.plausible import not_identified
from budgetopt.forecasts.models.joint_uncertainty import (channel_band, parameter_draws,
                                                          plausible_responses)
from budgetopt.forecasts.models.joint_search import (EDGE, MIN_HILL, ParameterVector, _Backfit,
                                                     max_theta)
from budgetopt.forecasts.models.response import (MAX_GAIN, SCALE_MULTIPLES, Response,
                                                 _independent, base_design)

COLLINEAR = 0.9           # warn when two channels' spends correlate more than this


@dataclass
class JointFit:
    """One market's joint fit: the per-channel responses and the baseline model."""

    market: str | None
    channels: list[str]
    responses: dict[str, Response]
    sigma: float
    dof: int
    model_json: str
    controls: tuple
    bands: dict[str, dict]
    multiplicative: bool
    decomposition: pd.DataFrame      # date, kpi, baseline, one column per channel
    warnings: list[str]
    plausible: list = field(default_factory=list)   # {channel: Response} per parameter draw
    promotions: tuple = ()          # weekly rows: Prophet's promotion regressors (promotion_frame)
    holidays: pd.DataFrame | None = None   # … and the calendar they are computed from


def fit_market(market: str | None, frame: pd.DataFrame, kpi: str, channels: list[str],
               controls: tuple, holidays: pd.DataFrame, promo_days: set, step_days: int,
               settings: FitSettings) -> tuple[JointFit, dict[str, UnitFit]]:
    """Fit one market's joint model; returns it and one `UnitFit` per channel."""
    from prophet import Prophet
    from prophet.serialize import model_to_json
    quiet_prophet()

    ds = pd.Series(pd.to_datetime(frame["date"])).reset_index(drop=True)
    y = frame[kpi].to_numpy(float)
    spend = frame[channels].to_numpy(float)
    warnings: list[str] = []
    label = "" if market is None else Msg(" in market {market}", market=market)
    multiplicative = settings.seasonality_mode == "multiplicative"
    if multiplicative and np.any(y <= 0):
        multiplicative = False
        warnings.append(Msg("the total KPI{where} is zero or negative on some days, so the "
                            "joint model is fitted in additive form", where=label))
    design = base_design(ds, holidays, step_days)
    promotions = ()
    if step_days > 1:
        promo = promotion_frame(ds, holidays, step_days)
        promo = promo.loc[:, promo.to_numpy().std(axis=0) > 0]
        promotions = tuple(promo.columns)
        peaks = [c for c in promotions if c.startswith("promo_p")]
        design = _independent(np.column_stack([design, promo[peaks].to_numpy()]))
    z_controls = _standardized(frame, controls)
    if z_controls is not None:
        design = np.column_stack([design, z_controls])
    target = np.log(y) if multiplicative else y
    search = _Backfit(target, design, spend, multiplicative, step_days)
    params, sats, gains, sse, profiles = search.run()
    dof = max(len(y) - search.proj.p - 4 * len(channels), 1)
    sigma = math.sqrt(sse / dof)
    responses = {c: Response(p[0], p[2], p[1], p[3], float(g), multiplicative, rho,
                             search.base_level)
                 for c, p, g, rho in zip(channels, params, gains, search.rhos)}
    loose = {c: not_identified_joint(responses[c], spend[:, i], search.levels[i], step_days)
             for i, c in enumerate(channels)}
    draws = parameter_draws(ParameterVector(search, params), params, gains, sigma,
                            seed=settings.seed,
                            loose=tuple(i for i, c in enumerate(channels) if loose[c]))
    bands = {c: channel_band(i, draws, responses[c], search.levels[i])
             for i, c in enumerate(channels)}
    warnings += _collinear(spend, channels, label)

    lift = sats @ gains
    z = target - np.log1p(lift) if multiplicative else target - lift
    model = Prophet(seasonality_mode="additive", yearly_seasonality=True,
                    weekly_seasonality=step_days == 1, daily_seasonality=False,
                    holidays=None if promotions else holidays,
                    interval_width=settings.interval_width,
                    uncertainty_samples=settings.uncertainty_samples)
    for name in tuple(controls) + promotions:
        model.add_regressor(name)
    train = pd.DataFrame({"ds": ds, "y": z})
    for name in controls:
        train[name] = frame[name].to_numpy(float)
    for name in promotions:
        train[name] = promo[name].to_numpy(float)
    model.fit(train)
    model.uncertainty_samples = 0
    fitted = model.predict(train)["yhat"].to_numpy()
    base = np.exp(fitted + sigma ** 2 / 2) if multiplicative else fitted
    decomposition = pd.DataFrame({"date": ds, "kpi": y, "baseline": base})
    for i, c in enumerate(channels):
        decomposition[c] = gains[i] * sats[:, i] * (base if multiplicative else 1.0)
    model_json = model_to_json(model)
    errors = holdout_errors(ds, z, holidays, step_days, sigma)
    plausible = plausible_responses(draws, channels, multiplicative, search.rhos,
                                    search.base_level)
    joint = JointFit(market, channels, responses, sigma, dof, model_json, controls, bands,
                     multiplicative, decomposition, warnings, plausible, promotions,
                     holidays if promotions else None)
    fits = {}
    for i, c in enumerate(channels):
        r = responses[c]
        x = spend[:, i]
        level = float(np.mean(x[x > 0])) if np.any(x > 0) else 0.0
        prof = SimpleNamespace(response=r, band=bands[c], not_identified=loose[c])
        unit = (c, market)
        notes = _diagnose(unit, ds, x, promo_days, prof, step_days)
        fits[c] = UnitFit(unit, r.scale, step_days, model_json, frozenset(promo_days), notes, r,
                          sigma, float(r.adstock(x)[-1]) if len(x) else 0.0, ds.iloc[-1],
                          level, bands[c], errors,
                          # the joint parameter draws, equally weighted: the plausible curves
                          tuple((draw[c], 1.0 / len(plausible), 0.0) for draw in plausible),
                          loose[c])
    return joint, fits


def not_identified_joint(best: Response, spend: np.ndarray, level: float,
                         step_days: int = 1) -> tuple[str, ...]:
    """Why a channel's joint fit sits at a bound (empty when it does not): the long form's
    reasons (the gain at its cap, a saturation scale beyond any spend seen), the scale
    at the edge of the range tried, the carryover or the Hill exponent at its bound."""
    if best.gain <= 0:
        return ()
    out = list(not_identified(best, spend, MAX_GAIN[best.multiplicative]))
    multiple = best.scale / max(level, 1e-300)
    if multiple <= SCALE_MULTIPLES[0] * (1 + EDGE):
        out.append(f"saturation scale at the lowest tried ({SCALE_MULTIPLES[0]:g}× typical "
                   "spend)")
    elif multiple >= SCALE_MULTIPLES[-1] * (1 - EDGE) and not out:
        out.append(f"saturation scale at the highest tried ({SCALE_MULTIPLES[-1]:g}× typical "
                   "spend)")
    bound = max_theta(step_days)
    if best.carryover >= bound * (1 - EDGE):
        out.append(f"carryover at its bound ({bound:.2g} per step)")
    if best.shape == "hill" and best.hill_n <= MIN_HILL * (1 + EDGE):
        out.append(f"Hill exponent at its bound ({MIN_HILL:g})")
    return tuple(out)


def promotion_frame(ds, holidays: pd.DataFrame, step_days: int) -> pd.DataFrame:
    """Weekly (multi-day) rows' promotion columns, per holiday in name order: the share of the
    step's days inside its window (`promo_w<i>`) and the share that are its main day
    (`promo_p<i>`). A promotion's window spreads over two or three weeks, and the week holding
    the main day carries more of its lift than its share of window days says; Prophet's own
    holiday terms on weekly dates only see the days the weekly dates happen to fall on."""
    days = pd.to_datetime(pd.Series(ds)).to_numpy().astype("datetime64[D]").astype(np.int64)
    out = {}
    for i, (_, grp) in enumerate(holidays.groupby("holiday", sort=True)):
        mains = np.array([np.datetime64(pd.Timestamp(d).date(), "D").astype(np.int64)
                          for d in grp["ds"]])
        window = set()
        for row in grp.itertuples():
            main = int(np.datetime64(pd.Timestamp(row.ds).date(), "D").astype(np.int64))
            window.update(range(main + int(row.lower_window), main + int(row.upper_window) + 1))
        window = np.array(sorted(window), dtype=np.int64)
        inside, peak = np.zeros(len(days)), np.zeros(len(days))
        for k in range(step_days):
            inside += np.isin(days + k, window)
            peak += np.isin(days + k, mains)
        out[f"promo_w{i}"] = inside / step_days
        out[f"promo_p{i}"] = peak / step_days
    return pd.DataFrame(out, index=range(len(days)))


def _standardized(frame: pd.DataFrame, controls: tuple) -> np.ndarray | None:
    if not controls:
        return None
    cols = []
    for name in controls:
        v = frame[name].to_numpy(float)
        sd = float(np.std(v))
        cols.append((v - v.mean()) / sd if sd > 0 else np.zeros_like(v))
    return np.column_stack(cols)


def _collinear(spend: np.ndarray, channels: list[str], label: str) -> list[str]:
    out = []
    if spend.shape[1] < 2:
        return out
    logs = np.log1p(spend)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(logs.T)
    for i in range(len(channels)):
        for j in range(i + 1, len(channels)):
            if np.isfinite(corr[i, j]) and corr[i, j] > COLLINEAR:
                out.append(Msg("{first} and {second}{where}: their spends move together "
                               "(correlation {corr}), so the joint model can hardly tell their "
                               "effects apart", first=channels[i], second=channels[j],
                               where=label, corr=f"{corr[i, j]:.2f}"))
    return out
