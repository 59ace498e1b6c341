"""What the decision-quality benchmarks share: the benchmark quarter and its scenario, the
historical mix and the true optimum of a planned world, and the exact true value of any spend
plan (day by day with carryover, the tail counted past the horizon)."""
from __future__ import annotations

import copy
import json
import os
import statistics
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from joblib import Parallel, delayed

from budgetopt.datasets import tail_days, true_curves
from budgetopt.forecasts.history.reference import daily_spend, reference_shift, reference_spend
from budgetopt.optimizer.lp.allocate import allocate
from budgetopt.optimizer.rules.pool import split_budget
from budgetopt.optimizer.rules.rulebook import scenario_rules
from budgetopt.optimizer.intake.fitting import curve_set
from budgetopt.optimizer.plan.pipeline import plan_with

HORIZON = ("2026-01-01", "2026-03-31")


def scenario_file(folder: Path, budget: float, history: str = "history.csv",
                  name: str = "scenario.yaml", **keys) -> Path:
    """The benchmark quarter: next Q1 planned weekly, 60/40 pool, no reserve, defaults."""
    data = {"name": "benchmark quarter", "history": history, "kpi": "revenue",
            "horizon": {"start": HORIZON[0], "end": HORIZON[1], "period": "week"},
            "budget": {"total": float(round(budget, -3)), "fixed_share": 0.6,
                       "reserve_share": 0.0},
            "objective": "max_revenue", **keys}
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def spend_history(history: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Daily spend per channel of a long history (weekly rows spread over their days)."""
    hist = history.assign(date=pd.to_datetime(history["date"]))
    return daily_spend(hist, ["channel"], 7 if freq == "W" else 1)


def same_quarter_budget(daily: pd.DataFrame) -> float:
    """The benchmark quarter's spend one year (364 days) earlier."""
    lo = pd.Timestamp(HORIZON[0]) - pd.Timedelta(days=364)
    hi = pd.Timestamp(HORIZON[1]) - pd.Timedelta(days=364)
    return float(daily[(daily["date"] >= lo) & (daily["date"] <= hi)]["spend"].sum())


def true_value(world, unit: str, periods: pd.DataFrame, spend: dict, initial: float) -> float:
    """Exact true incremental KPI of a spend plan for one unit (carryover simulated)."""
    c = world.truth(unit)
    daily = np.concatenate([np.full(int(p.days), spend[(unit, int(p.period))] / p.days)
                            for p in periods.itertuples()])
    return world.plan_incremental(c, periods["period_start"].iloc[0], daily,
                                  tail_days(c.carryover), initial)


def spend_of(result, periods: pd.DataFrame, column: str = "total_spend") -> dict:
    """(channel, period) → the plan's spend in `column`."""
    alloc = result.allocation.merge(periods[["period", "period_start"]], on="period_start")
    return {(r.channel, int(r.period)): float(getattr(r, column)) for r in alloc.itertuples()}


@dataclass
class Valuation:
    """The historical mix, the true optimum and the true value of plans in one world."""

    world: object
    periods: pd.DataFrame
    units: list
    mix: dict
    optimum: dict
    truth_curves: pd.DataFrame
    reference: dict
    initial: dict

    def per_unit(self, plan: dict) -> dict:
        return {u: true_value(self.world, u, self.periods, plan, self.initial[u])
                for u in self.units}

    def value(self, plan: dict) -> float:
        return float(sum(self.per_unit(plan).values()))


def valuation(world, inputs, daily: pd.DataFrame, result) -> Valuation:
    """The mix (last year's same-quarter spend per unit × period, scaled to the plan's total)
    and the true optimum (the same LP, fixed pool and rules on dense true curves)."""
    periods = inputs.periods
    units = sorted(u.channel for u in inputs.units)
    plan = spend_of(result, periods)
    total = sum(plan.values())
    shift = reference_shift(inputs.history.start, inputs.history.end, periods)
    ref_frame = reference_spend(daily, ["channel"], periods, shift)
    ref = {(r.channel, int(r.period)): float(r.spend) for r in ref_frame.itertuples()}
    ref_total = sum(ref.values())
    mix = {k: ref.get(k, 0.0) * total / ref_total for k in plan}
    curves = true_curves(world, periods, total * 1.01)
    optimum = plan_on(curves, inputs, result)
    initial = {u: float(world.adstock(u, world.historical_daily_spend(u).to_numpy())[-1])
               for u in units}
    return Valuation(world, periods, units, mix, optimum, curves, ref, initial)


def plan_on(curves: pd.DataFrame, inputs, result) -> dict:
    """The plan the product's LP makes on `curves` (a curve table) with `result`'s fixed
    spend, the scenario's pool and rules: on the true curves, the true optimum."""
    scenario, periods = inputs.scenario, inputs.periods
    fixed = spend_of(result, periods, "fixed_spend")
    pool = split_budget(scenario.budget.total, scenario.budget.fixed_share,
                        scenario.budget.reserve_share)
    units = sorted(u.channel for u in inputs.units)
    rules = scenario_rules(scenario, units, pool.dynamic + pool.fixed - sum(fixed.values()))
    best = allocate(curves, inputs.units, periods["period"].tolist(), fixed, rules)
    return {k: float(v) for k, v in best.solution.spend.items()}


def captured(value: float, mix: float, optimum: float) -> float | None:
    """(plan − mix) ÷ (optimum − mix); None when the optimum gains nothing over the mix."""
    gap = optimum - mix
    return (value - mix) / gap if gap > 1e-9 * abs(mix) else None


def with_risk(inputs, **risk):
    """The same planning inputs with the scenario's risk settings updated."""
    scenario = inputs.scenario
    return replace(inputs, scenario=scenario.model_copy(
        update={"risk": scenario.risk.model_copy(update=risk)}))


def point_forecaster(forecaster):
    """The same fits with their plausible sets reduced to the best fit: planning on it with
    `measure: mean` and `guard: off` is planning on the point curves."""
    out = copy.copy(forecaster)
    out.fits = {k: replace(f, plausible=()) for k, f in forecaster.fits.items()}
    return out


#: The plans a world is planned with: the defaults first, then each risk setting in turn.
VARIANTS = {
    "default": ({}, False),
    "cvar": ({"measure": "cvar"}, False),
    "mean": ({"measure": "mean"}, False),
    "mean_noguard": ({"measure": "mean", "guard": "off"}, False),
    "point": ({"measure": "mean", "guard": "off"}, True),
}


def plan_variants(inputs, forecaster, names=tuple(VARIANTS)) -> dict:
    """Plan with each variant's settings on one fit (a variant whose settings are the
    defaults' reuses the default plan)."""
    out, seen = {}, {}
    for name in names:
        risk, point = VARIANTS[name]
        planned = with_risk(inputs, **risk) if risk else inputs
        settings = (planned.scenario.risk.measure, planned.scenario.risk.guard, point)
        if settings not in seen:
            fits = point_forecaster(forecaster) if point else forecaster
            seen[settings] = plan_with(planned, curve_set(planned, fits))
        out[name] = seen[settings]
    return out


def resumable(evaluate, tasks: list[tuple], key, rows_file: Path | None, n_jobs: int
              ) -> list[dict]:
    """Every task's row: those already in `rows_file` (JSON lines, `key(row)` naming the task)
    are read back, the others run `evaluate(*task)` and are appended there as they finish."""
    done = {}
    if rows_file is not None and rows_file.exists():
        for line in rows_file.read_text().splitlines():
            row = json.loads(line)
            done[key(row)] = row
    rows = [done[t] for t in tasks if t in done]
    for row in Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(evaluate)(*t) for t in tasks if t not in done):
        rows.append(row)
        if rows_file is not None:
            with rows_file.open("a") as f:
                f.write(json.dumps(row, default=float) + "\n")
    return rows


def pct(x) -> str:
    """A share as a whole percentage; — when missing."""
    return "—" if x is None or x != x else f"{x:.0%}"


def present(values) -> list:
    """The values that are there: None and NaN (a world the product failed to plan) left out."""
    return [v for v in values if v is not None and v == v]


def median_of(values) -> float:
    """The median of the values present (NaN when none is)."""
    values = present(values)
    return statistics.median(values) if values else float("nan")


def mean_of(values) -> float:
    """The mean of the values present (NaN when none is)."""
    values = present(values)
    return statistics.fmean(values) if values else float("nan")


def measured(run, rows_file: Path | None, what: str = "") -> tuple[pd.DataFrame, str]:
    """Run a benchmark's worlds (`run()`, a frame with a `seconds` column) and say how they
    ran: the load average at the start and the end and the seconds per world, or — when every
    row was read back from `rows_file` — that they were measured earlier."""
    known = rows_file.read_text().count("\n") if rows_file and rows_file.exists() else None
    before = os.getloadavg()
    frame = run()
    after = os.getloadavg()
    per = f"{frame['seconds'].median():.0f} s per world (median{what})"
    if known is not None and rows_file.read_text().count("\n") == known:
        return frame, (f"Every row read back from {rows_file.name} (measured earlier on 2 "
                       f"shared cores): {per}.")
    return frame, (f"Load average {before[0]:.1f} at the start, {after[0]:.1f} at the end (2 "
                   f"cores, shared); {per}.")
