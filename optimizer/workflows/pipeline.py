"""The one place forecasting meets optimization, in the order a plan is made: fit the
forecasts, tabulate the curves, commit the fixed pool, build the rules, solve, tabulate the
plan, summarize it (docs/architecture.md)."""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from budgetopt.errors import InputError
from budgetopt.forecasts.backends import make_backend
from budgetopt.forecasts.curves.breakpoints import PWL_TOLERANCE
from budgetopt.forecasts.models.backtest import MIN_TRAIN_DAYS, Backtest, origins, run_backtest
from budgetopt.forecasts.models.forecaster import Forecaster
from budgetopt.optimizer.lp.solvers import make_solver
from budgetopt.optimizer.results.summary import Evidence, build_summary
from budgetopt.optimizer.results.tables import PlanResult
from budgetopt.optimizer.rules.pool import PoolSplit, split_budget
from budgetopt.optimizer.scenario.loader import load_scenario
from budgetopt.optimizer.scenario.spec import Scenario
from budgetopt.optimizer.workflows.commitments import Reference, commit_fixed, reference_of
from budgetopt.optimizer.workflows.evidence import carryover_summary, curve_notes, pilot_warnings
from budgetopt.optimizer.workflows.fitting import fit_settings, learned_units, promotion_calendar
from budgetopt.optimizer.workflows.inputs import PlanInputs, load_inputs
from budgetopt.optimizer.workflows.risk import guard_warning, plan_outcome
from budgetopt.optimizer.workflows.solving import (Solved, check_rules, curve_span, curve_table,
                                                   rule_set, solve_plan)
from budgetopt.optimizer.workflows.tabulate import PlanTables, plan_tables


def forecast_backend(scenario: Scenario, n_jobs: int | None = None):
    """The backend the scenario's forecast section names (local: all cores or n_jobs)."""
    spec = scenario.forecast
    where = str(scenario.source.name) if scenario.source else "scenario"
    return make_backend(spec.backend, n_jobs=n_jobs, master=spec.spark.master,
                        partitions=spec.spark.partitions, where=where)


def fit_forecasts(inputs: PlanInputs, progress: Callable[[int, int], None] | None = None,
                  n_jobs: int | None = None) -> Forecaster:
    """Fit one model per plannable unit that has spend history."""
    holidays, promo_days = promotion_calendar(inputs)
    if inputs.scenario.history_format == "wide":
        from budgetopt.optimizer.workflows.wide import fit_joint
        return fit_joint(inputs, holidays, promo_days, fit_settings(inputs.scenario), progress,
                         n_jobs)
    return Forecaster.fit(learned_units(inputs), inputs.history.unit_frame, inputs.history.kpi,
                          holidays, promo_days, inputs.step_days, fit_settings(inputs.scenario),
                          n_jobs=n_jobs, progress=progress,
                          backend=forecast_backend(inputs.scenario, n_jobs))


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


def plan(scenario: Scenario | str | Path, *, solver: str | None = None,
         progress: Callable[[int, int], None] | None = None,
         n_jobs: int | None = None) -> PlanResult:
    """Plan a scenario end to end (the Python API's main entry)."""
    clock = Clock()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    inputs = load_inputs(scenario)
    make_solver(solver or scenario.solver.name)  # a missing solver is known before the fits
    clock.lap("load")
    forecaster = fit_forecasts(inputs, progress, n_jobs)
    clock.lap("fit")
    result = plan_with(inputs, forecaster, solver=solver, clock=clock)
    return result


def plan_with(inputs: PlanInputs, forecaster: Forecaster, *, solver: str | None = None,
              clock: Clock | None = None, pool: PoolSplit | None = None,
              fixed: dict[tuple[str, int], float] | None = None) -> PlanResult:
    """Plan with forecasts already fitted (frontiers and what-ifs reuse one fit). A rebalance
    passes its own `pool` and the `fixed` money already committed per (unit key, period)."""
    clock = clock or Clock()
    scenario = inputs.scenario
    budget = scenario.budget
    pool = pool or split_budget(budget.total, budget.fixed_share, budget.reserve_share)
    spendable = pool.fixed + pool.dynamic

    curves = curve_table(inputs, forecaster, curve_span(inputs, pool))
    clock.lap("curves")
    reference = reference_of(inputs)
    check_rules(inputs, pool)
    commitments = commit_fixed(inputs, pool, reference, fixed)
    rules = rule_set(inputs, forecaster, pool, reference, commitments)
    solved = solve_plan(inputs, forecaster, pool, curves, reference, commitments, rules,
                        solver or scenario.solver.name)
    clock.lap("solve")
    tables = plan_tables(inputs, forecaster, solved, rules, reference, spendable)
    clock.lap("forecast")
    summary = build_summary(inputs, pool, tables, solved.run.solution,
                            unplaced=commitments.unplaced, reshaped=solved.run.reshaped,
                            nonconcave=solved.run.nonconcave,
                            evidence=evidence(inputs, forecaster, solved, reference, tables))
    clock.lap("results")
    result = PlanResult(scenario, "optimal", tables.allocation, tables.channels, tables.forecast,
                        tables.curves, summary, {"stages_s": clock.laps},
                        binding_words=tables.binding_sources,
                        plausible_curves=tables.plausible)
    if scenario.history_format == "wide":
        from budgetopt.optimizer.workflows.wide import finish_wide
        result = finish_wide(result, inputs, forecaster)
    return result


def evidence(inputs: PlanInputs, forecaster: Forecaster, solved: Solved, reference: Reference,
             tables: PlanTables) -> Evidence:
    """What the fits, the pilot limits and the plausible curves say about the plan."""
    baseline = float(np.nansum(tables.allocation["baseline_kpi"]))
    return Evidence(fit_warnings=list(forecaster.warnings), curve_notes=curve_notes(forecaster),
                    pilot_limits=solved.pilot_info,
                    pilot_warnings=pilot_warnings(solved.pilot_info, inputs.scenario.currency),
                    carryover=carryover_summary(forecaster, inputs.periods,
                                                solved.run.solution.spend),
                    pwl_tolerance=PWL_TOLERANCE,
                    outcome=plan_outcome(solved.risk, solved.run.solution.spend,
                                         reference.by_cell, baseline),
                    risk=solved.risk.info, risk_warnings=guard_warning(solved.risk.info))


class Clock:
    """Seconds spent per stage, for run.json."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = round(now - self._last, 3)
        self._last = now
