"""Mid-horizon rebalance (docs/workflows.md): actual spend and KPI to date come in, forecasts are
refit on history + actuals, the original plan's fixed money for the remaining periods stays as
committed, and the unspent dynamic pool is re-optimized over the remaining periods."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from budgetopt.messages import Msg
from budgetopt.errors import InputError
from budgetopt.forecasts.history.frame import History
from budgetopt.forecasts.history.loader import load_history, validate_history
from budgetopt.optimizer.intake.fitting import fit_curves
from budgetopt.optimizer.intake.inputs import PlanInputs, check_inputs, load_inputs
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.rules.pool import PoolSplit
from budgetopt.optimizer.results.tables import PlanResult
from budgetopt.optimizer.scenario.spec import Scenario
from budgetopt.units import unit_key
from budgetopt.optimizer.scenario.loader import load_scenario

PLAN_COLUMNS = ["fixed_spend", "dynamic_spend", "total_spend", "baseline_kpi",
                "incremental_kpi"]


@dataclass
class OriginalPlan:
    """The plan being rebalanced: its allocation, pool and where it came from."""

    allocation: pd.DataFrame   # channel, (market), period_start, fixed/dynamic/total spend, KPI
    dynamic_pool: float        # the dynamic money the plan had to place (incl. unplaced fixed)
    reserve: float             # held back, stays held
    source: str


@dataclass
class Rebalance:
    """Plan versus actual to date, the new plan for the remaining periods and the pool sums."""

    plan_vs_actual: pd.DataFrame
    plan: PlanResult
    summary: dict

    def files(self) -> dict[str, bytes]:
        from budgetopt.optimizer.results.files import csv_text, json_text
        return {"plan_vs_actual.csv": csv_text(self.plan_vs_actual).encode(),
                "rebalance.json": json_text(self.summary).encode()}

    def write(self, out_dir, *, force: bool = False) -> Path:
        """The new plan's files plus plan_vs_actual.csv and rebalance.json, atomically."""
        from budgetopt.optimizer.results.outputs import write_outputs
        return write_outputs(self.plan, out_dir, force=force, extra=self.files())


def rebalance(scenario: Scenario | str | Path, actuals: str | Path | History, as_of,
              *, plan_dir: str | Path | None = None, solver: str | None = None,
              curves=None, progress: Callable[[int, int], None] | None = None) -> Rebalance:
    """Rebalance `scenario` at `as_of` (the last day of a plan period) with `actuals`.

    The original plan is read from `plan_dir` (a `budgetopt run` directory) when given, else
    re-planned from the scenario (deterministic, so it is the plan `run` wrote). `curves` may
    hold the original inputs' curve set, to skip that fit when re-planning.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    where = scenario.source.name if scenario.source else "scenario"
    if scenario.history_format == "wide":
        raise InputError("E0701", where=where)
    inputs = load_inputs(scenario)
    as_of = _as_of(as_of, inputs)
    if plan_dir is not None:
        original = _read_plan(Path(plan_dir), inputs)
    else:
        result = plan_with(inputs, curves or fit_curves(inputs, progress), solver=solver)
        original = _from_result(result, "re-planned from the scenario")
    if not isinstance(actuals, History):
        actuals = load_history(actuals, scenario.kpi, min_history_days=1,
                               encoding=scenario.history_encoding)
    combined = _combine(inputs.history, actuals, as_of)

    keys = ["channel", "market"] if inputs.history.has_market else ["channel"]
    periods = inputs.periods
    done = periods[periods["period_end"] <= pd.Timestamp(as_of)]
    plan = original.allocation
    plan_done = plan[plan["period_start"] <= done["period_start"].max()]
    plan_left = plan[plan["period_start"] > done["period_start"].max()]
    vs = _plan_vs_actual(plan_done, actuals.frame, done, keys, scenario.kpi)

    unit_planned_fixed = plan_done.groupby(keys)["fixed_spend"].sum()
    unit_actual = vs.groupby(keys)["actual_spend"].sum()
    gap = unit_actual.sub(unit_planned_fixed, fill_value=0.0)
    dynamic_spent = float(gap.clip(lower=0).sum())
    fixed_underspent = float((-gap).clip(lower=0).sum())
    unspent = original.dynamic_pool - dynamic_spent
    remaining_fixed = float(plan_left["fixed_spend"].sum())
    pool = PoolSplit(remaining_fixed + max(unspent, 0.0) + original.reserve, remaining_fixed,
                     max(unspent, 0.0), original.reserve)

    spent_by_channel = vs.groupby("channel")["actual_spend"].sum().to_dict()
    rest = _remaining_scenario(scenario, as_of, pool, spent_by_channel)
    rest_inputs = check_inputs(rest, combined, where)
    fixed = _fixed_by_key(plan_left, rest_inputs, keys)
    refit = fit_curves(rest_inputs, progress)
    new_plan = plan_with(rest_inputs, refit, solver=solver, pool=pool, fixed=fixed)

    cur = scenario.currency
    warnings = []
    if unspent < -0.5:
        warnings.append(Msg("dynamic money spent to date ({spent} {currency}) exceeds the "
                            "dynamic pool ({pool} {currency}); the remaining periods get fixed "
                            "money only", spent=f"{dynamic_spent:,.0f}", currency=cur,
                            pool=f"{original.dynamic_pool:,.0f}"))
    summary = {
        "scenario": scenario.name, "as_of": str(as_of), "original_plan": original.source,
        "periods_done": int(len(done)), "periods_remaining": int(len(periods) - len(done)),
        "to_date": {"planned_spend": float(plan_done["total_spend"].sum()),
                    "planned_fixed": float(plan_done["fixed_spend"].sum()),
                    "actual_spend": float(vs["actual_spend"].sum()),
                    "planned_kpi": float(vs["planned_kpi"].sum()),
                    "actual_kpi": float(vs["actual_kpi"].sum()),
                    "dynamic_spent": dynamic_spent,
                    "fixed_underspent": fixed_underspent},
        "pool": {"dynamic_pool": original.dynamic_pool, "dynamic_spent_to_date": dynamic_spent,
                 "dynamic_unspent": max(unspent, 0.0), "fixed_remaining": remaining_fixed,
                 "reserve": original.reserve,
                 "rule": "dynamic spent to date = Σ over units of max(actual − planned fixed, "
                         "0); fixed money for the remaining periods is kept as planned"},
        "new_plan": {k: new_plan.totals[k] for k in ("spend", "fixed", "dynamic",
                                                     "incremental_kpi", "predicted_kpi", "roi")},
        "actuals": {"file": actuals.source, "sha256": actuals.sha256,
                    "rows": int(len(actuals.frame))},
        "warnings": warnings,
    }
    return Rebalance(vs, new_plan, summary)


def _as_of(value, inputs: PlanInputs) -> date:
    """The rebalance date: the last day of a plan period before the horizon's last one."""
    try:
        day = pd.Timestamp(value).normalize()
    except (ValueError, TypeError):
        raise InputError("E0702", value=repr(value), where="--as-of") from None
    ends = inputs.periods["period_end"].iloc[:-1]
    if day not in set(ends):
        listed = ", ".join(str(e.date()) for e in ends)
        raise InputError("E0703" if listed else "E0704", day=str(day.date()), listed=listed,
                         where="--as-of")
    return day.date()


def _from_result(result: PlanResult, source: str) -> OriginalPlan:
    pool, totals = result.summary["pool"], result.summary["totals"]
    allocation = result.allocation.copy()
    allocation["period_start"] = pd.to_datetime(allocation["period_start"])
    return OriginalPlan(allocation, pool["dynamic_pool"] + pool.get("fixed_unplaced", 0.0),
                        totals["reserve_held"], source)


def _read_plan(path: Path, inputs: PlanInputs) -> OriginalPlan:
    """A `budgetopt run` directory's plan, checked against the scenario's horizon and units."""
    from budgetopt.optimizer.tools.compare import load_run
    run = load_run(path)
    horizon = run.summary.get("scenario", {}).get("horizon", {})
    h = inputs.scenario.horizon
    if (horizon.get("start"), horizon.get("end"), horizon.get("period")) != (
            str(h.start), str(h.end), h.period):
        raise InputError("E0705", path=str(path), start=str(horizon.get("start")),
                         end=str(horizon.get("end")), period=str(horizon.get("period")),
                         own_start=str(h.start), own_end=str(h.end), own_period=h.period,
                         where="--plan")
    allocation = run.allocation.copy()
    missing = [c for c in ["period_start", *PLAN_COLUMNS] if c not in allocation.columns]
    if missing:
        raise InputError("E0706", columns=", ".join(missing), where=str(path))
    allocation["period_start"] = pd.to_datetime(allocation["period_start"])
    keys = ["channel", "market"] if inputs.history.has_market else ["channel"]
    planned = set(map(tuple, allocation[keys].astype(str).drop_duplicates().to_numpy()))
    expected = {tuple(str(x) for x in ((u.channel, u.market) if u.market is not None
                                       else (u.channel,))) for u in inputs.units}
    if planned != expected:
        raise InputError("E0707", path=str(path), where="--plan")
    return _from_result(PlanResult(inputs.scenario, run.summary.get("status", ""), allocation,
                                   run.channels, pd.DataFrame(), pd.DataFrame(), run.summary),
                        f"read from {path.name}")


def _combine(history: History, actuals: History, as_of: date) -> History:
    """History followed by the actuals, which must start the step after it and end at `as_of`."""
    step = pd.Timedelta(days=7 if history.freq == "W" else 1)
    if actuals.freq != history.freq:
        raise InputError("E0708" if actuals.freq == "W" else "E0709", where=actuals.source)
    if actuals.has_market != history.has_market:
        raise InputError("E0710", where=actuals.source)
    first, last = actuals.start, actuals.end
    if first != history.end + step:
        raise InputError("E0711", first=str(first.date()), end=str(history.end.date()),
                         start=str((history.end + step).date()), where=actuals.source)
    if last + step - pd.Timedelta(days=1) != pd.Timestamp(as_of):
        raise InputError("E0712", last=str(last.date()), as_of=str(as_of),
                         where=actuals.source)
    def names(units):
        return {unit_key(c, m) for c, m in units}
    unknown = sorted(names(actuals.units) - names(history.units))
    absent = sorted(names(history.units) - names(actuals.units))
    if unknown or absent:
        raise InputError("E0713" if unknown else "E0714", units=", ".join(unknown or absent),
                         where=actuals.source)
    columns = [c for c in history.frame.columns if c in actuals.frame.columns]
    frame = pd.concat([history.frame[columns], actuals.frame[columns]], ignore_index=True)
    merged = validate_history(frame, history.kpi, source=f"{history.source} + {actuals.source}")
    digest = hashlib.sha256(f"{history.sha256}:{actuals.sha256}".encode()).hexdigest()
    return replace(merged, sha256=digest)


def _plan_vs_actual(plan_done: pd.DataFrame, actual: pd.DataFrame, done: pd.DataFrame,
                    keys: list[str], kpi: str) -> pd.DataFrame:
    """Per unit × elapsed period: planned spend (fixed, dynamic, total) and KPI against actuals."""
    starts = done["period_start"].to_numpy()
    rows = actual[actual["date"] >= done["period_start"].iloc[0]].copy()
    rows["period_start"] = starts[np.searchsorted(starts, rows["date"].to_numpy(),
                                                  side="right") - 1]
    got = rows.groupby([*keys, "period_start"], sort=True).agg(
        actual_spend=("spend", "sum"), actual_kpi=(kpi, "sum")).reset_index()
    plan = plan_done.rename(columns={"fixed_spend": "planned_fixed",
                                     "dynamic_spend": "planned_dynamic",
                                     "total_spend": "planned_spend"})
    plan["planned_kpi"] = plan["baseline_kpi"].fillna(0.0) + plan["incremental_kpi"]
    cols = [*keys, "period_start", "period_end", "planned_fixed", "planned_dynamic",
            "planned_spend", "planned_kpi"]
    plan["period_end"] = plan["period_start"].map(
        dict(zip(done["period_start"], done["period_end"])))
    out = plan[cols].merge(got, on=[*keys, "period_start"], how="left").fillna(
        {"actual_spend": 0.0, "actual_kpi": 0.0})
    out["spend_variance"] = out["actual_spend"] - out["planned_spend"]
    out["kpi_variance"] = out["actual_kpi"] - out["planned_kpi"]
    out["kpi_variance_pct"] = np.where(out["planned_kpi"].abs() > 1e-9,
                                       out["kpi_variance"] / out["planned_kpi"].where(
                                           out["planned_kpi"].abs() > 1e-9, 1.0), np.nan)
    return out.sort_values([*keys, "period_start"], kind="stable").reset_index(drop=True)


def _remaining_scenario(scenario: Scenario, as_of: date, pool: PoolSplit,
                        spent: dict[str, float]) -> Scenario:
    """The scenario for the remaining periods: the horizon from the day after `as_of`, the
    rebalance pool as its budget, and money bounds less what each channel spent to date
    (shares then apply to the remaining spend)."""
    horizon = scenario.horizon.model_copy(update={"start": as_of + timedelta(days=1)})
    total = max(pool.budget, 1e-9)
    budget = scenario.budget.model_copy(update={
        "total": pool.budget, "fixed_share": pool.fixed / total,
        "reserve_share": pool.reserve / total})
    channels = {}
    for name, rule in scenario.channels.items():
        done = spent.get(name, 0.0)
        update = {k: max(getattr(rule, k) - done, 0.0) for k in ("min", "max", "lock")
                  if getattr(rule, k) is not None}
        channels[name] = rule.model_copy(update=update)
    return scenario.model_copy(update={"horizon": horizon, "budget": budget,
                                       "channels": channels})


def _fixed_by_key(plan_left: pd.DataFrame, inputs: PlanInputs,
                  keys: list[str]) -> dict[tuple[str, int], float]:
    """The original plan's fixed money per (unit key, remaining period index)."""
    periods = inputs.periods
    index = {pd.Timestamp(p.period_start): int(p.period) for p in periods.itertuples()}
    starts = set(pd.to_datetime(plan_left["period_start"]))
    if starts != set(index):
        raise InputError("E0715", where="--plan")
    fixed = {}
    for row in plan_left.itertuples():
        key = unit_key(row.channel, row.market if "market" in keys else None)
        fixed[(key, index[pd.Timestamp(row.period_start)])] = float(row.fixed_spend)
    for unit in inputs.units:
        for p in index.values():
            fixed.setdefault((unit.key, p), 0.0)
    return fixed
