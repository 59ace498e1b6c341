"""Rolling-origin backtest of a scenario's forecasts (docs/curves.md)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from budgetopt.errors import InputError
from budgetopt.forecasts.models.backtest import MIN_TRAIN_DAYS, Backtest, origins, run_backtest
from budgetopt.optimizer.intake.fitting import (fit_settings, forecast_backend, learned_units,
                                                promotion_calendar)
from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.scenario.loader import load_scenario
from budgetopt.optimizer.scenario.spec import Scenario


def backtest(scenario: Scenario | str | Path, *, folds: int = 3,
             progress: Callable[[int, int], None] | None = None,
             n_jobs: int | None = None) -> Backtest:
    """Rolling-origin backtest of the scenario's forecasts: `folds` holdouts as long as its
    horizon, tiling the end of history, scored per plan period."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    inputs = load_inputs(scenario)
    if scenario.history_format == "wide":
        raise InputError("E0901", where=str(scenario.history))
    history = inputs.history
    holdout = int((pd.Timestamp(scenario.horizon.end)
                   - pd.Timestamp(scenario.horizon.start)).days) + 1
    last_day = history.end + pd.Timedelta(days=inputs.step_days - 1)
    cutoffs = origins(history.start, last_day, holdout, folds, inputs.step_days)
    if not cutoffs:
        need = MIN_TRAIN_DAYS + holdout
        raise InputError("E0902", days=(last_day - history.start).days + 1, holdout=holdout,
                         need=need, where=str(scenario.history))
    holidays, promo_days = promotion_calendar(inputs)
    return run_backtest(learned_units(inputs), history.unit_frame, history.kpi, holidays,
                        promo_days, inputs.step_days, fit_settings(scenario), cutoffs, holdout,
                        scenario.horizon.period, n_jobs=n_jobs, progress=progress,
                        backend=forecast_backend(scenario, n_jobs))
