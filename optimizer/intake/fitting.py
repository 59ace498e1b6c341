"""The forecasts a plan is made from: the promotion calendar from the start of history to past
the horizon (carryover tails land there), the fit settings the scenario asks for, the fits
(one model per unit, or one joint model per market for a total-KPI history), and the curve set
they hand to planning."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pandas as pd

from budgetopt.forecasts.backends import make_backend
from budgetopt.forecasts.curves.build import build_curve_set, fit_curve_set
from budgetopt.forecasts.curves.curveset import CurveSet
from budgetopt.forecasts.history.calendar import Promotion, holiday_frame
from budgetopt.forecasts.models.fit import FitSettings
from budgetopt.forecasts.models.forecaster import Forecaster
from budgetopt.forecasts.models.joint_forecaster import JointForecaster
from budgetopt.forecasts.models.lift_fit import attach_lift_reports, lift_evidence
from budgetopt.optimizer.scenario.spec import Scenario
from budgetopt.optimizer.intake.inputs import PlanInputs

CALENDAR_TAIL_DAYS = 120


def promotion_calendar(inputs: PlanInputs) -> tuple[pd.DataFrame, set]:
    """Promotion holidays from history start to horizon end, and the demand-peak days."""
    scenario, history = inputs.scenario, inputs.history
    events = [Promotion(e.name, e.date, e.lower_window, e.upper_window) for e in scenario.events]
    builtin = scenario.forecast.calendar == "builtin"
    end = scenario.horizon.end + timedelta(days=CALENDAR_TAIL_DAYS)
    holidays = holiday_frame(history.start.date(), end, events, builtin)
    peaks = holidays[holidays["holiday"] != "spring_festival"]
    promo_days = {d for row in peaks.itertuples()
                  for d in pd.date_range(row.ds + pd.Timedelta(days=row.lower_window),
                                         row.ds + pd.Timedelta(days=row.upper_window))}
    return holidays, promo_days


def fit_settings(scenario: Scenario) -> FitSettings:
    return FitSettings(seasonality_mode=scenario.forecast.seasonality_mode,
                       interval_width=scenario.forecast.interval_width,
                       pooling=scenario.forecast.pooling)


def learned_units(inputs: PlanInputs) -> list[tuple[str, str | None]]:
    """The units a model is fitted for: all but locked units that never spent."""
    return [(u.channel, u.market) for u in inputs.units if u not in inputs.locked_unlearned]


def forecast_backend(scenario: Scenario, n_jobs: int | None = None):
    """The backend the scenario's forecast section names (local: all cores or n_jobs)."""
    spec = scenario.forecast
    where = str(scenario.source.name) if scenario.source else "scenario"
    return make_backend(spec.backend, n_jobs=n_jobs, master=spec.spark.master,
                        partitions=spec.spark.partitions, where=where)


def fit_forecasts(inputs: PlanInputs, progress: Callable[[int, int], None] | None = None,
                  n_jobs: int | None = None) -> Forecaster:
    """Fit one model per plannable unit that has spend history (one joint model per market
    for a total-KPI history); lift tests enter the tested units' fits as evidence."""
    holidays, promo_days = promotion_calendar(inputs)
    if inputs.scenario.history_format == "wide":
        return JointForecaster.fit_wide(inputs.history, learned_units(inputs), holidays,
                                        promo_days, inputs.step_days,
                                        fit_settings(inputs.scenario),
                                        dict(inputs.scenario.control_values), n_jobs=n_jobs,
                                        progress=progress)
    history = inputs.history
    evidence = lift_evidence(inputs.experiments, history.unit_frame, history.kpi)
    forecaster = Forecaster.fit(learned_units(inputs), history.unit_frame, history.kpi,
                                holidays, promo_days, inputs.step_days,
                                fit_settings(inputs.scenario), n_jobs=n_jobs, progress=progress,
                                backend=forecast_backend(inputs.scenario, n_jobs),
                                evidence=evidence or None)
    if evidence:
        attach_lift_reports(forecaster, inputs.experiments, history.unit_frame, history.kpi,
                            holidays, inputs.step_days, evidence)
    return forecaster


def curve_set(inputs: PlanInputs, forecaster: Forecaster) -> CurveSet:
    """The curve set for the inputs' plan periods from fitted forecasts (one fit can serve
    several plans over the history it was fitted on)."""
    flat = [(u.key, u.channel, u.market) for u in inputs.locked_unlearned]
    return build_curve_set(forecaster, inputs.periods, flat)


def fit_curves(inputs: PlanInputs, progress: Callable[[int, int], None] | None = None,
               n_jobs: int | None = None) -> CurveSet:
    """Fit the forecasts and hand over their curve set. Per-unit models read their curves
    inside each unit's backend task (in parallel, on Spark too); a total-KPI history's joint
    models, and fits with lift tests (whose reports need the fitted models), are read here."""
    if inputs.scenario.history_format == "wide" or inputs.experiments:
        return curve_set(inputs, fit_forecasts(inputs, progress, n_jobs))
    holidays, promo_days = promotion_calendar(inputs)
    flat = [(u.key, u.channel, u.market) for u in inputs.locked_unlearned]
    return fit_curve_set(learned_units(inputs), inputs.history.unit_frame, inputs.history.kpi,
                         holidays, promo_days, inputs.step_days, fit_settings(inputs.scenario),
                         inputs.periods, flat, n_jobs=n_jobs, progress=progress,
                         backend=forecast_backend(inputs.scenario, n_jobs))
