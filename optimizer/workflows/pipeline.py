"""The one place forecasting meets optimization: scenario → forecasts and curves → pool and
rules → LP → result tables."""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from budgetopt.errors import InputError, PlanError
from budgetopt.forecasts.models.backtest import MIN_TRAIN_DAYS, Backtest, origins, run_backtest
from budgetopt.forecasts.history.calendar import Promotion, holiday_frame
from budgetopt.forecasts.models.forecaster import Forecaster
from budgetopt.forecasts.models.fit import FitSettings
from budgetopt.forecasts.history.reference import daily_spend, reference_shift, reference_spend, spend_range
from budgetopt.optimizer.lp.allocate import allocate, curve_segments
from budgetopt.optimizer.rules.bounds import SpendContext
from budgetopt.optimizer.lp.segments import curve_arrays
from budgetopt.optimizer.rules.diagnosis import diagnose
from budgetopt.optimizer.workflows.evidence import carryover_summary, curve_notes, pilot_rules, pilot_warnings
from budgetopt.optimizer.workflows.inputs import PlanInputs, conversion_column, load_inputs
from budgetopt.optimizer.lp.objectives import make_objective
from budgetopt.optimizer.rules.pool import PoolSplit, channel_fixed, commit_optimized, pace, split_budget
from budgetopt.optimizer.results.tables import (PlanResult, allocation_table, binding_sources, channels_table,
                               period_labels, summary_entries)
from budgetopt.optimizer.rules.rulebook import PlanFrame, channel_caps, precheck, scenario_rules
from budgetopt.optimizer.scenario.spec import Scenario
from budgetopt.optimizer.scenario.loader import load_scenario
from budgetopt.optimizer.lp.solvers import make_solver
from budgetopt.optimizer.results.summary import build_summary


CALENDAR_TAIL_DAYS = 120


def _calendar(inputs: PlanInputs) -> tuple[pd.DataFrame, set]:
    """Promotion holidays from history start to horizon end, and the demand-peak days."""
    scenario, history = inputs.scenario, inputs.history
    events = [Promotion(e.name, e.date, e.lower_window, e.upper_window) for e in scenario.events]
    builtin = scenario.forecast.calendar == "builtin"
    # past the horizon too: carryover tails are valued on the days they land
    end = scenario.horizon.end + timedelta(days=CALENDAR_TAIL_DAYS)
    holidays = holiday_frame(history.start.date(), end, events, builtin)
    peaks = holidays[holidays["holiday"] != "spring_festival"]
    promo_days = {d for row in peaks.itertuples()
                  for d in pd.date_range(row.ds + pd.Timedelta(days=row.lower_window),
                                         row.ds + pd.Timedelta(days=row.upper_window))}
    return holidays, promo_days


def _settings(scenario: Scenario) -> FitSettings:
    return FitSettings(seasonality_mode=scenario.forecast.seasonality_mode,
                       interval_width=scenario.forecast.interval_width)


def fit_forecasts(inputs: PlanInputs, progress: Callable[[int, int], None] | None = None,
                  n_jobs: int | None = None) -> Forecaster:
    """Fit one model per plannable unit that has spend history."""
    holidays, promo_days = _calendar(inputs)
    learned = [(u.channel, u.market) for u in inputs.units if u not in inputs.locked_unlearned]
    return Forecaster.fit(learned, inputs.history.unit_frame, inputs.history.kpi, holidays,
                          promo_days, inputs.step_days, _settings(inputs.scenario),
                          n_jobs=n_jobs, progress=progress)


def backtest(scenario: Scenario | str | Path, *, folds: int = 3,
             progress: Callable[[int, int], None] | None = None,
             n_jobs: int | None = None) -> Backtest:
    """Rolling-origin backtest of the scenario's forecasts: `folds` holdouts as long as its
    horizon, tiling the end of history, scored per plan period."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    inputs = load_inputs(scenario)
    history = inputs.history
    holdout = int((pd.Timestamp(scenario.horizon.end)
                   - pd.Timestamp(scenario.horizon.start)).days) + 1
    last_day = history.end + pd.Timedelta(days=inputs.step_days - 1)
    cutoffs = origins(history.start, last_day, holdout, folds, inputs.step_days)
    if not cutoffs:
        need = MIN_TRAIN_DAYS + holdout
        raise InputError(f"history of {(last_day - history.start).days + 1} days is too short "
                         f"for a backtest with {holdout}-day holdouts (needs at least {need})",
                         where=str(scenario.history), fix="use a longer history or a shorter "
                         "horizon")
    holidays, promo_days = _calendar(inputs)
    learned = [(u.channel, u.market) for u in inputs.units if u not in inputs.locked_unlearned]
    return run_backtest(learned, history.unit_frame, history.kpi, holidays, promo_days,
                        inputs.step_days, _settings(scenario), cutoffs, holdout,
                        scenario.horizon.period, n_jobs=n_jobs, progress=progress)


def plan(scenario: Scenario | str | Path, *, solver: str | None = None,
         progress: Callable[[int, int], None] | None = None,
         n_jobs: int | None = None) -> PlanResult:
    """Plan a scenario end to end (the Python API's main entry)."""
    clock = _Clock()
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
              clock: "_Clock | None" = None, pool: PoolSplit | None = None,
              fixed: dict[tuple[str, int], float] | None = None) -> PlanResult:
    """Plan with forecasts already fitted (frontiers and what-ifs reuse one fit). A rebalance
    passes its own `pool` and the `fixed` money already committed per (unit key, period)."""
    clock = clock or _Clock()
    scenario, history, periods = inputs.scenario, inputs.history, inputs.periods
    solver_name = solver or scenario.solver.name
    budget = scenario.budget
    pool = pool or split_budget(budget.total, budget.fixed_share, budget.reserve_share)
    spendable = pool.fixed + pool.dynamic
    units = {u.key: u for u in inputs.units}
    channels = sorted({u.channel for u in inputs.units})

    curves = _curve_table(inputs, forecaster,
                          spendable + budget.total * budget.overspend_tolerance)
    clock.lap("curves")

    unit_cols = ["channel", "market"] if history.has_market else ["channel"]
    daily = daily_spend(history.frame, unit_cols, inputs.step_days)
    shift = reference_shift(history.start, history.end, periods)
    ref = _keyed(reference_spend(daily, unit_cols, periods, shift), unit_cols)
    ref_by_unit = {k: sum(ref.get((k, p), 0.0) for p in periods["period"]) for k in units}

    precheck(scenario, channels, pool, spendable)
    optimized = budget.fixed_rule == "optimized" and fixed is None
    if fixed is None:
        fixed = ({} if optimized
                 else _fixed_split(inputs, pool.fixed, ref, ref_by_unit, spendable))
    unplaced = 0.0 if optimized else pool.fixed - sum(fixed.values())

    objective = make_objective(scenario.objective, margin=scenario.margin,
                               target=scenario.target_roi)
    frame = _plan_frame(inputs, pool, ref_by_unit, units)
    placed = spendable if optimized else pool.dynamic + unplaced
    rules = scenario_rules(scenario, channels, placed, frame, objective.budget_sense)
    pilots, pilot_info = pilot_rules(inputs, forecaster, ref_by_unit, fixed, spendable)
    arrays = curve_arrays(curves)
    unit_list, period_list = list(units.values()), periods["period"].tolist()

    def solve(rule_list, curve_arrays_now):
        return allocate(curve_arrays_now, unit_list, period_list, fixed, rule_list,
                        solver=solver_name, time_limit_s=scenario.solver.time_limit_s,
                        objective=objective, nonconcave=scenario.solver.nonconcave)

    allocation_run = solve(rules + pilots, arrays)
    if pilots and allocation_run.solution.status != "Optimal":
        pilot_info = {c: dict(v, applied=False) for c, v in pilot_info.items()}
        pilots = []
        allocation_run = solve(rules, arrays)
    around: dict = {}
    for _ in range(scenario.solver.refine_rounds):
        if allocation_run.solution.status != "Optimal":
            break
        for key, spent in allocation_run.solution.spend.items():
            around.setdefault(key, []).append(spent)
        curves = _curve_table(inputs, forecaster,
                              spendable + budget.total * budget.overspend_tolerance, around)
        arrays = curve_arrays(curves)
        allocation_run = solve(rules + pilots, arrays)
    solution, segments = allocation_run.solution, allocation_run.segments
    reshaped = allocation_run.reshaped
    clock.lap("solve")
    if solution.status in ("Infeasible", "Undefined"):
        diagnosis = diagnose(arrays, unit_list, period_list, fixed, rules, scenario, solver_name)
        if diagnosis is not None:
            raise diagnosis
    if solution.status != "Optimal":
        raise PlanError(_failure(solution.status, rules, scenario.currency), where="plan",
                        fix="relax the rules named above, or raise budget.total")
    if optimized:
        fixed = commit_optimized(solution.spend, pool.fixed)
        segments, _, _ = curve_segments(arrays, fixed, scenario.solver.nonconcave)

    forecast = forecaster.forecast_table(periods, solution.spend)
    clock.lap("forecast")
    allocation = allocation_table(periods, list(units.values()), solution.spend, segments,
                                  forecast[["unit", "period", "baseline_kpi"]],
                                  history.has_market)
    hist_spend = pd.DataFrame([(*_split(k, history.has_market), v)
                               for k, v in sorted(ref_by_unit.items())],
                              columns=[*unit_cols, "historical_spend"])
    period_days = int(np.median(periods["days"]))
    ranges = spend_range(daily, unit_cols, period_days)
    channel_rows = channels_table(allocation, hist_spend, ranges, history.has_market)
    total_spend = float(allocation["total_spend"].sum())
    by_channel = allocation.groupby("channel")["total_spend"].sum().to_dict()
    inc_by_channel = allocation.groupby("channel")["incremental_kpi"].sum().to_dict()
    measure = objective.measure(scenario.kpi)
    sources = binding_sources(solution.rows, measure, scenario.currency,
                              SpendContext(total_spend, by_channel, inc_by_channel),
                              max(1.0, spendable))
    binding = summary_entries(sources)
    budget_row = next(r for r in solution.rows if r.rule.name == "budget")
    hist_mix = _historical_mix(segments, ref, total_spend)
    summary = build_summary(
        inputs, pool, allocation, binding, budget_row.price, solution, hist_mix,
        unplaced, reshaped, forecaster.warnings, channel_rows,
        measure=measure, nonconcave=allocation_run.nonconcave)
    summary["curves"].update(curve_notes(forecaster))
    summary["pilot_limits"] = pilot_info
    summary["warnings"].extend(pilot_warnings(pilot_info, scenario.currency))
    summary["carryover"] = carryover_summary(forecaster, periods, solution.spend)
    forecast_out = period_labels(forecast, periods, units)
    plan_spend = pd.Series(solution.spend).rename("planned_spend").rename_axis(["unit", "period"])
    forecast_out = forecast_out.merge(plan_spend.reset_index(), on=["unit", "period"])
    curves_out = period_labels(curves[["unit", "period", "spend", "incremental_kpi"]],
                               periods, units)
    clock.lap("results")
    return PlanResult(scenario, "optimal", allocation, channel_rows,
                      _order(forecast_out, "forecast", history.has_market),
                      _order(curves_out, "curves", history.has_market), summary,
                      {"stages_s": clock.laps}, binding_words=sources)


def _curve_table(inputs: PlanInputs, forecaster: Forecaster, max_spend: float,
                 around: dict | None = None) -> pd.DataFrame:
    """Fitted curves, plus flat zero curves for locked units with no spend history."""
    curves = (forecaster.curve_table(inputs.periods, max_spend, around) if around
              else forecaster.curve_table(inputs.periods, max_spend))
    flat = [pd.DataFrame({"unit": u.key, "channel": u.channel, "market": u.market,
                          "period": p, "spend": [0.0, max_spend], "incremental_kpi": [0.0, 0.0]})
            for u in inputs.locked_unlearned for p in inputs.periods["period"]]
    return pd.concat([curves, *flat], ignore_index=True) if flat else curves


def _plan_frame(inputs: PlanInputs, pool, ref_by_unit: dict, units: dict) -> PlanFrame:
    """The data the history- and period-based rules read."""
    history, periods = inputs.history, inputs.periods
    reference: dict[str, float] = {}
    for key, unit in units.items():
        reference[unit.channel] = reference.get(unit.channel, 0.0) + ref_by_unit.get(key, 0.0)
    column = conversion_column(history)
    per_kpi = {}
    if column is not None:
        sums = history.frame.groupby("channel")[[column, history.kpi]].sum()
        per_kpi = {c: float(r[column] / r[history.kpi]) if r[history.kpi] > 0 else 0.0
                   for c, r in sums.iterrows()}
    starts = [str(pd.Timestamp(d).date()) for d in periods["period_start"]]
    rows = [(int(p), int(d), w) for p, d, w in zip(periods["period"], periods["days"], starts)]
    return PlanFrame(pool, list(units), rows, reference, per_kpi, column or "conversions")


def _fixed_split(inputs: PlanInputs, pool_fixed: float, ref: dict, ref_by_unit: dict,
                 spendable: float) -> dict[tuple[str, int], float]:
    """Fixed money per unit × period under the scenario's fixed_rule."""
    scenario = inputs.scenario
    budget = scenario.budget
    channels = sorted({u.channel for u in inputs.units})
    learned = [u for u in inputs.units if u not in inputs.locked_unlearned]
    weights = {c: sum(ref_by_unit[u.key] for u in learned if u.channel == c) for c in channels}
    if budget.fixed_rule == "equal":
        weights = {c: float(any(u.channel == c for u in learned)) for c in channels}
    caps = channel_caps(scenario, channels, spendable)
    per_channel = channel_fixed("historical" if budget.fixed_rule == "equal" else budget.fixed_rule,
                                pool_fixed, weights, budget.explicit_fixed_shares(), caps,
                                scenario.currency)
    periods = inputs.periods
    fixed = {}
    for unit in inputs.units:
        siblings = [u for u in learned if u.channel == unit.channel]
        ref_total = sum(ref_by_unit[u.key] for u in siblings)
        share = (ref_by_unit[unit.key] / ref_total if ref_total > 0
                 else (1 / len(siblings) if unit in siblings else 0.0))
        amount = per_channel.get(unit.channel, 0.0) * share
        reference = [ref.get((unit.key, p), 0.0) for p in periods["period"]]
        if budget.fixed_rule == "equal":
            reference = [0.0] * len(reference)
        for p, value in zip(periods["period"], pace(amount, reference, list(periods["days"]))):
            fixed[(unit.key, int(p))] = value
    return fixed


def _historical_mix(segments: dict, ref: dict, total_spend: float) -> dict:
    """The plan's spend laid out in the historical mix, valued on the same curves."""
    total_ref = sum(ref.get(k, 0.0) for k in segments)
    if total_ref <= 0:
        return {"spend": 0.0, "incremental_kpi": 0.0}
    value = 0.0
    for key, seg in segments.items():
        spend = ref.get(key, 0.0) * total_spend / total_ref
        value += _curve_value(seg, spend)
    return {"spend": total_spend, "incremental_kpi": value}


def _curve_value(seg, spend: float) -> float:
    """Value of a cut curve at any spend, below its fixed part too (linear from 0 to fixed)."""
    if spend >= seg.fixed:
        return seg.value(spend)
    return seg.value_at_fixed * spend / seg.fixed if seg.fixed > 0 else 0.0


def _keyed(frame: pd.DataFrame, unit_cols: list[str]) -> dict[tuple[str, int], float]:
    out = {}
    for row in frame.itertuples(index=False):
        market = row.market if "market" in unit_cols else None
        key = row.channel if market is None else f"{row.channel}/{market}"
        out[(key, int(row.period))] = float(row.spend)
    return out


def _split(key: str, has_market: bool) -> tuple:
    return tuple(key.split("/", 1)) if has_market else (key,)


def _failure(status: str, rules, currency: str) -> str:
    listed = "; ".join(r.describe(currency) for r in rules)
    return f"the solver reports the plan {status.lower()}; the rules in force: {listed}"


def _order(frame: pd.DataFrame, kind: str, has_market: bool) -> pd.DataFrame:
    keys = ["channel", "market"] if has_market else ["channel"]
    if kind == "curves":
        cols = [*keys, "period_start", "spend", "incremental_kpi"]
    else:
        cols = [*keys, "period_start", "period_end", "planned_spend", "baseline_kpi",
                "baseline_lower", "baseline_upper", "forecast_kpi", "forecast_lower",
                "forecast_upper"]
    return frame.sort_values([*keys, "period_start"] + (["spend"] if kind == "curves" else []),
                             kind="stable")[cols].reset_index(drop=True)


class _Clock:
    """Seconds spent per stage, for run.json."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = round(now - self._last, 3)
        self._last = now
