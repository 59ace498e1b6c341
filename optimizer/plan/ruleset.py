"""The rules a plan is solved under: the objective, the planner's rules as rows (reading last
year's window, the periods and the conversions per KPI), and the opt-in pilot-before-rollout
limits for curves the data pin only loosely."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from budgetopt.forecasts.curves.curveset import CurveSet
from budgetopt.optimizer.intake.inputs import PlanInputs, conversion_column
from budgetopt.optimizer.lp.objectives import Objective, make_objective
from budgetopt.optimizer.plan.commitments import Commitments, Reference
from budgetopt.optimizer.rules.bounds import PilotBound
from budgetopt.optimizer.rules.pool import PoolSplit
from budgetopt.optimizer.rules.rulebook import PlanFrame, scenario_rules


@dataclass(frozen=True)
class RuleSet:
    """The objective, the planner's rules, and the pilot limits the evidence adds."""

    objective: Objective
    rules: list
    pilots: list
    pilot_info: dict


def rule_set(inputs: PlanInputs, curves: CurveSet, pool: PoolSplit,
             commitments: Commitments) -> RuleSet:
    """The objective, the planner's rules as rows, and the pilot limits."""
    scenario = inputs.scenario
    reference = commitments.reference
    channels = sorted({u.channel for u in inputs.units})
    spendable = pool.fixed + pool.dynamic
    objective = make_objective(scenario.objective, margin=scenario.margin,
                               target=scenario.target_roi)
    rules = scenario_rules(scenario, channels, commitments.placed,
                           plan_frame(inputs, pool, reference), objective.budget_sense)
    pilots, pilot_info = pilot_rules(inputs, curves, reference.by_unit, commitments.fixed,
                                     spendable)
    return RuleSet(objective, rules, pilots, pilot_info)


def plan_frame(inputs: PlanInputs, pool: PoolSplit, reference: Reference) -> PlanFrame:
    """The data the history- and period-based rules read."""
    history, periods = inputs.history, inputs.periods
    by_channel: dict[str, float] = {}
    for unit in inputs.units:
        by_channel[unit.channel] = by_channel.get(unit.channel, 0.0) + reference.by_unit.get(
            unit.key, 0.0)
    column = conversion_column(history)
    per_kpi = {}
    if column is not None:
        sums = history.frame.groupby("channel")[[column, history.kpi]].sum()
        per_kpi = {c: float(r[column] / r[history.kpi]) if r[history.kpi] > 0 else 0.0
                   for c, r in sums.iterrows()}
    starts = [str(pd.Timestamp(d).date()) for d in periods["period_start"]]
    rows = [(int(p), int(d), w) for p, d, w in zip(periods["period"], periods["days"], starts)]
    return PlanFrame(pool, [u.key for u in inputs.units], rows, by_channel, per_kpi,
                     column or "conversions")



def pilot_rules(inputs: PlanInputs, curves: CurveSet, ref_by_unit: dict, fixed: dict,
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
        keys = [u.key for u in inputs.units if u.channel == channel and curves.unit(u.key)]
        reasons = [r for k in keys if (r := curves.unit(k).loosely_pinned)]
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
