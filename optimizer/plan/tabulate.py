"""A solved plan as the tables planners read: allocation per unit × period, channel totals
beside last year's spend, the forecast at the planned spend, the curves the LP used, and the
rules that bind with their shadow prices in words."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from budgetopt.forecasts.history.reference import spend_range
from budgetopt.forecasts.curves.curveset import CurveSet
from budgetopt.optimizer.results.tables import (allocation_table, binding_sources, channels_table,
                                                period_labels, summary_entries)
from budgetopt.optimizer.plan.commitments import Reference
from budgetopt.optimizer.intake.inputs import PlanInputs
from budgetopt.optimizer.plan.ruleset import RuleSet
from budgetopt.optimizer.plan.solving import Solved, historical_mix
from budgetopt.units import SpendContext


@dataclass(frozen=True)
class PlanTables:
    allocation: pd.DataFrame
    channels: pd.DataFrame
    forecast: pd.DataFrame
    curves: pd.DataFrame
    binding: list              # the binding rules as summary.json words them (English)
    binding_sources: list      # the same as objects, for a report to word in its language
    budget_dual: float
    historical_mix: dict
    measure: str
    plausible: PlausibleCurves


def plan_tables(inputs: PlanInputs, curves: CurveSet, solved: Solved, rules: RuleSet,
                reference: Reference, spendable: float) -> PlanTables:
    history, periods = inputs.history, inputs.periods
    solution = solved.run.solution
    units = {u.key: u for u in inputs.units}
    forecast = curves.forecast_table(solution.spend)
    allocation = allocation_table(periods, list(units.values()), solution.spend, solved.segments,
                                  forecast[["unit", "period", "baseline_kpi"]],
                                  history.has_market)
    ranges = spend_range(reference.daily, reference.unit_cols, int(np.median(periods["days"])))
    channel_rows = channels_table(allocation, reference.table(history.has_market), ranges,
                                  history.has_market)
    total_spend = float(allocation["total_spend"].sum())
    by_channel = allocation.groupby("channel")["total_spend"].sum().to_dict()
    inc_by_channel = allocation.groupby("channel")["incremental_kpi"].sum().to_dict()
    measure = rules.objective.measure(inputs.scenario.kpi)
    sources = binding_sources(solution.rows, measure, inputs.scenario.currency,
                              SpendContext(total_spend, by_channel, inc_by_channel),
                              max(1.0, spendable))
    budget_row = next(r for r in solution.rows if r.rule.name == "budget")
    forecast_out = period_labels(forecast, periods, units)
    plan_spend = pd.Series(solution.spend).rename("planned_spend").rename_axis(["unit", "period"])
    forecast_out = forecast_out.merge(plan_spend.reset_index(), on=["unit", "period"])
    curves_out = period_labels(solved.curves[["unit", "period", "spend", "incremental_kpi"]],
                               periods, units)
    return PlanTables(allocation, channel_rows,
                      _order(forecast_out, "forecast", history.has_market),
                      _order(curves_out, "curves", history.has_market),
                      summary_entries(sources), sources, budget_row.price, historical_mix(solved.segments, reference, total_spend),
                      measure, PlausibleCurves(solved.risk.curves, periods, units,
                                               history.has_market))


class PlausibleCurves:
    """The plausible curves the plan was chosen on and its outcome valued on (after the LP's
    concavity mending), as curves.csv's columns plus `sample`: one row per unit × period ×
    sample × breakpoint, so anyone can re-value the plan and its CVaR without the package.
    Made a unit at a time from the candidate curves and their draws, so a plan of many units
    never holds the whole table (`frames` streams it; `frame` builds it)."""

    def __init__(self, samples, periods: pd.DataFrame, units: dict, has_market: bool):
        self._samples, self._periods, self._units = samples, periods, units
        self._keys = ["channel", "market"] if has_market else ["channel"]
        by_unit: dict[str, list[int]] = {}
        for unit, period in samples.cells:
            by_unit.setdefault(unit, []).append(period)
        self._cells = {u: sorted(ps) for u, ps in by_unit.items()}

    def frames(self):
        """The table a unit at a time, in its row order (channel, market, period, sample,
        spend)."""
        cols = [*self._keys, "period_start", "sample", "spend", "incremental_kpi"]
        order = sorted(self._cells, key=lambda k: (self._units[k].channel,
                                                   self._units[k].market or ""))
        for unit in order:
            pos, mult = self._samples.draws[unit]
            parts = []
            for period in self._cells[unit]:
                x, y = self._samples.cells[(unit, period)]
                values = mult[:, None] * y[pos]
                count, points = values.shape
                parts.append(pd.DataFrame({"unit": unit, "period": period,
                                           "sample": np.repeat(np.arange(count), points),
                                           "spend": np.tile(x, count),
                                           "incremental_kpi": values.ravel()}))
            yield period_labels(pd.concat(parts, ignore_index=True), self._periods,
                                {unit: self._units[unit]})[cols]

    def frame(self) -> pd.DataFrame:
        return pd.concat(list(self.frames()), ignore_index=True)


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
