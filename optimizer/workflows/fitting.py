"""What the forecasts are fitted on: the promotion calendar from the start of history to past
the horizon (carryover tails land there), and the fit settings the scenario asks for."""
from __future__ import annotations

from datetime import timedelta

import pandas as pd

from budgetopt.forecasts.history.calendar import Promotion, holiday_frame
from budgetopt.forecasts.models.fit import FitSettings
from budgetopt.optimizer.scenario.spec import Scenario
from budgetopt.optimizer.workflows.inputs import PlanInputs

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
                       interval_width=scenario.forecast.interval_width)


def learned_units(inputs: PlanInputs) -> list[tuple[str, str | None]]:
    """The units a model is fitted for: all but locked units that never spent."""
    return [(u.channel, u.market) for u in inputs.units if u not in inputs.locked_unlearned]
