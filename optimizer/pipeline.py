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
from forecasts.backtest import MIN_TRAIN_DAYS, Backtest, origins, run_backtest
from forecasts.calendar import Promotion, holiday_frame
from forecasts.forecaster import Forecaster
from forecasts.model import FitSettings
from forecasts.reference import daily_spend, reference_shift, reference_spend, spend_range
from optimizer.allocate import allocate
from optimizer.constraints import PilotBound, SpendContext
from optimizer.inputs import PlanInputs, load_inputs
from optimizer.pool import channel_fixed, pace, split_budget
from optimizer.results import (PlanResult, allocation_table, binding_rules, channels_table,
                               period_labels)
from optimizer.rulebook import channel_caps, precheck, scenario_rules
from optimizer.scenario import Scenario, load_scenario
from optimizer.summary import build_summary


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
    clock.lap("load")
    forecaster = fit_forecasts(inputs, progress, n_jobs)
    clock.lap("fit")
    result = plan_with(inputs, forecaster, solver=solver, clock=clock)
    return result


def plan_with(inputs: PlanInputs, forecaster: Forecaster, *, solver: str | None = None,
              clock: "_Clock | None" = None) -> PlanResult:
    """Plan with forecasts already fitted (frontiers and what-ifs reuse one fit)."""
    clock = clock or _Clock()
    scenario, history, periods = inputs.scenario, inputs.history, inputs.periods
    solver_name = solver or scenario.solver.name
    budget = scenario.budget
    pool = split_budget(budget.total, budget.fixed_share, budget.reserve_share)
    spendable = pool.fixed + pool.dynamic
    units = {u.key: u for u in inputs.units}
    channels = sorted({u.channel for u in inputs.units})

    curves = _curve_table(inputs, forecaster, spendable * (1 + budget.overspend_tolerance))
    clock.lap("curves")

    unit_cols = ["channel", "market"] if history.has_market else ["channel"]
    daily = daily_spend(history.frame, unit_cols, inputs.step_days)
    shift = reference_shift(history.start, history.end, periods)
    ref = _keyed(reference_spend(daily, unit_cols, periods, shift), unit_cols)
    ref_by_unit = {k: sum(ref.get((k, p), 0.0) for p in periods["period"]) for k in units}

    precheck(scenario, channels, pool, spendable)
    fixed = _fixed_split(inputs, pool.fixed, ref, ref_by_unit, spendable)
    unplaced = pool.fixed - sum(fixed.values())

    rules = scenario_rules(scenario, channels, pool.dynamic + unplaced)
    pilots, pilot_info = pilot_rules(inputs, forecaster, ref_by_unit, fixed, spendable)
    allocation_run = allocate(curves, list(units.values()), periods["period"].tolist(), fixed,
                              rules + pilots, solver=solver_name,
                              time_limit_s=scenario.solver.time_limit_s)
    if pilots and allocation_run.solution.status != "Optimal":
        pilot_info = {c: dict(v, applied=False) for c, v in pilot_info.items()}
        allocation_run = allocate(curves, list(units.values()), periods["period"].tolist(),
                                  fixed, rules, solver=solver_name,
                                  time_limit_s=scenario.solver.time_limit_s)
    solution, segments = allocation_run.solution, allocation_run.segments
    reshaped = allocation_run.reshaped
    clock.lap("solve")
    if solution.status != "Optimal":
        raise PlanError(_failure(solution.status, rules, scenario.currency), where="plan",
                        fix="relax the rules named above, or raise budget.total")

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
    binding = binding_rules(solution.rows, scenario.kpi, scenario.currency,
                            SpendContext(total_spend, by_channel), max(1.0, spendable))
    budget_row = next(r for r in solution.rows if r.rule.name == "budget")
    hist_mix = _historical_mix(segments, ref, total_spend)
    summary = build_summary(
        inputs, pool, allocation, binding, budget_row.price, solution, hist_mix,
        unplaced, reshaped, forecaster.warnings, channel_rows)
    summary["curves"].update(curve_notes(forecaster))
    summary["pilot_limits"] = pilot_info
    for channel, info in pilot_info.items():
        cur = scenario.currency
        if info["applied"]:
            summary["warnings"].append(
                f"{channel}: {info['reason']}; held within {info['change']:.0%} of its "
                f"historical share ({cur} {info['low']:,.0f}–{info['high']:,.0f}) until a pilot "
                "shows more")
        else:
            summary["warnings"].append(
                f"{channel}: {info['reason']}; its pilot limit could not hold with the "
                "scenario's rules and was dropped")
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
                      {"stages_s": clock.laps})


def pilot_rules(inputs: PlanInputs, forecaster: Forecaster, ref_by_unit: dict, fixed: dict,
                spendable: float) -> tuple[list, dict]:
    """Pilot before rollout: channels whose curves the data pin only loosely, and that the
    scenario sets no money or share rule for, stay within `forecast.pilot_change` of their
    historical share of the spendable budget."""
    scenario = inputs.scenario
    change = scenario.forecast.pilot_change
    total_ref = sum(ref_by_unit.values())
    if change is None or total_ref <= 0:
        return [], {}
    rules, info = [], {}
    for channel in sorted({u.channel for u in inputs.units}):
        rule = scenario.rule(channel)
        if any(v is not None for v in (rule.min, rule.max, rule.lock, rule.min_share,
                                       rule.max_share)):
            continue
        keys = [u.key for u in inputs.units if u.channel == channel and u.key in forecaster.fits]
        reasons = [r for k in keys if (r := forecaster.fits[k].loosely_pinned)]
        share = sum(ref_by_unit.get(k, 0.0) for k in keys) / total_ref
        if not reasons or share <= 0:
            continue
        committed = sum(v for (k, _), v in fixed.items() if k in keys)
        low = max((1 - change) * share * spendable, 0.0)
        high = max((1 + change) * share * spendable, committed)
        rules += [PilotBound(f"pilot_min:{channel}", ">=", channel=channel, amount=low,
                             change=change),
                  PilotBound(f"pilot_max:{channel}", "<=", channel=channel, amount=high,
                             change=change)]
        info[channel] = {"reason": reasons[0], "change": change, "historical_share": share,
                         "low": low, "high": high, "applied": True}
    return rules, info


def curve_notes(forecaster: Forecaster) -> dict:
    """How the curves were made, and each unit's fitted response."""
    return {"source": "Prophet per unit for the baseline; saturation, carryover and gain by "
                      "profile search; response proportional to the baseline (moves with "
                      "season and promotions)",
            "units": forecaster.describe()}


def carryover_summary(forecaster: Forecaster, periods: pd.DataFrame, spend: dict) -> dict:
    """How the plan values carryover, and how much of the plan's return lands after the
    horizon."""
    table = forecaster.carryover_table(periods, spend)
    after = float(table["incremental_after_horizon"].sum())
    inside = float(table["incremental_in_horizon"].sum())
    return {"valuation": "each period's spend is valued by everything it earns: the days of "
                         "its period and the geometric carryover tail into later periods and "
                         "past the horizon, at the period's own saturation level",
            "incremental_in_horizon": inside, "incremental_after_horizon": after,
            "units": {row.unit: {"carryover_per_step": row.carryover_per_step,
                                 "mean_lag_days": row.mean_lag_days,
                                 "incremental_after_horizon": row.incremental_after_horizon}
                      for row in table.itertuples()}}


def _curve_table(inputs: PlanInputs, forecaster: Forecaster, max_spend: float) -> pd.DataFrame:
    """Fitted curves, plus flat zero curves for locked units with no spend history."""
    curves = forecaster.curve_table(inputs.periods, max_spend)
    flat = [pd.DataFrame({"unit": u.key, "channel": u.channel, "market": u.market,
                          "period": p, "spend": [0.0, max_spend], "incremental_kpi": [0.0, 0.0]})
            for u in inputs.locked_unlearned for p in inputs.periods["period"]]
    return pd.concat([curves, *flat], ignore_index=True) if flat else curves


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
