"""Curves and rules into a solved plan: the curve tables the LP reads, the planner's rules plus
pilot limits, the solve (refined around the chosen spend), the diagnosis when the rules cannot
all hold, and the commitment of fixed money under `fixed_rule: optimized`."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from budgetopt.errors import PlanError
from budgetopt.forecasts.models.forecaster import Forecaster
from budgetopt.optimizer.lp.allocate import Allocation, allocate, curve_segments
from budgetopt.optimizer.lp.objectives import Objective, make_objective
from budgetopt.optimizer.lp.segments import curve_arrays
from budgetopt.optimizer.rules.diagnosis import diagnose
from budgetopt.optimizer.rules.pool import PoolSplit, commit_optimized
from budgetopt.optimizer.rules.rulebook import precheck, scenario_rules
from budgetopt.optimizer.workflows.commitments import Commitments, Reference, plan_frame
from budgetopt.optimizer.workflows.evidence import pilot_rules
from budgetopt.optimizer.workflows.inputs import PlanInputs
from budgetopt.optimizer.workflows.risk import RiskStage, drop_guard, risk_stage


@dataclass(frozen=True)
class RuleSet:
    """The objective, the planner's rules, and the pilot limits the evidence adds."""

    objective: Objective
    rules: list
    pilots: list
    pilot_info: dict


@dataclass(frozen=True)
class Solved:
    """The optimal allocation, the curves it was solved on, the fixed money as committed, and
    the plausible curves with the risk terms the LP used."""

    run: Allocation
    curves: pd.DataFrame
    fixed: dict[tuple[str, int], float]
    segments: dict
    pilot_info: dict
    risk: RiskStage


def curve_span(inputs: PlanInputs, pool: PoolSplit) -> float:
    """The most one unit could be given: all spendable money plus the overspend allowance."""
    budget = inputs.scenario.budget
    return pool.fixed + pool.dynamic + budget.total * budget.overspend_tolerance


def curve_table(inputs: PlanInputs, forecaster: Forecaster, max_spend: float,
                around: dict | None = None) -> pd.DataFrame:
    """Fitted curves, plus flat zero curves for locked units with no spend history."""
    curves = (forecaster.curve_table(inputs.periods, max_spend, around) if around
              else forecaster.curve_table(inputs.periods, max_spend))
    flat = [pd.DataFrame({"unit": u.key, "channel": u.channel, "market": u.market,
                          "period": p, "spend": [0.0, max_spend], "incremental_kpi": [0.0, 0.0]})
            for u in inputs.locked_unlearned for p in inputs.periods["period"]]
    return pd.concat([curves, *flat], ignore_index=True) if flat else curves


def check_rules(inputs: PlanInputs, pool: PoolSplit) -> None:
    """Rules that cannot hold whatever the curves (money bounds against the pool), found before
    anything is committed or solved."""
    channels = sorted({u.channel for u in inputs.units})
    precheck(inputs.scenario, channels, pool, pool.fixed + pool.dynamic)


def rule_set(inputs: PlanInputs, forecaster: Forecaster, pool: PoolSplit, reference: Reference,
             commitments: Commitments) -> RuleSet:
    """The objective, the planner's rules as rows, and the pilot limits."""
    scenario = inputs.scenario
    channels = sorted({u.channel for u in inputs.units})
    spendable = pool.fixed + pool.dynamic
    objective = make_objective(scenario.objective, margin=scenario.margin,
                               target=scenario.target_roi)
    rules = scenario_rules(scenario, channels, commitments.placed,
                           plan_frame(inputs, pool, reference), objective.budget_sense)
    pilots, pilot_info = pilot_rules(inputs, forecaster, reference.by_unit, commitments.fixed,
                                     spendable)
    return RuleSet(objective, rules, pilots, pilot_info)


def solve_plan(inputs: PlanInputs, forecaster: Forecaster, pool: PoolSplit,
               curves: pd.DataFrame, reference: Reference, commitments: Commitments,
               rules: RuleSet, solver_name: str) -> Solved:
    """Solve on the curves and their plausible variants (the risk measure and the history
    guard); pilot limits, then the guard, are dropped (and said so) when they make the plan
    infeasible; each refine round re-tabulates the curves densely around the chosen spend."""
    scenario = inputs.scenario
    units, periods = list(inputs.units), inputs.periods["period"].tolist()
    fixed = commitments.fixed
    spendable = pool.fixed + pool.dynamic

    def solve(rule_list, arrays, risk):
        return allocate(arrays, units, periods, fixed, rule_list, solver=solver_name,
                        time_limit_s=scenario.solver.time_limit_s, objective=rules.objective,
                        nonconcave=scenario.solver.nonconcave, risk=risk.terms)

    pilots, pilot_info = rules.pilots, rules.pilot_info
    arrays = curve_arrays(curves)
    risk = risk_stage(inputs, forecaster, curves, reference.by_cell, list(arrays.keys),
                      spendable)
    run = solve(rules.rules + pilots, arrays, risk)
    if pilots and run.solution.status != "Optimal":
        pilot_info = {c: dict(v, applied=False) for c, v in pilot_info.items()}
        pilots = []
        run = solve(rules.rules, arrays, risk)
    if risk.terms.history is not None and run.solution.status != "Optimal":
        risk = drop_guard(risk)
        run = solve(rules.rules + pilots, arrays, risk)
    around: dict = {}
    for _ in range(scenario.solver.refine_rounds):
        if run.solution.status != "Optimal":
            break
        for key, spent in run.solution.spend.items():
            around.setdefault(key, []).append(spent)
        curves = curve_table(inputs, forecaster, curve_span(inputs, pool), around)
        arrays = curve_arrays(curves)
        guarded = risk.terms.history is not None
        risk = risk_stage(inputs, forecaster, curves, reference.by_cell, list(arrays.keys),
                          spendable)
        if not guarded and risk.terms.history is not None:
            risk = drop_guard(risk)
        run = solve(rules.rules + pilots, arrays, risk)
    status = run.solution.status
    if status in ("Infeasible", "Undefined"):
        diagnosis = diagnose(arrays, units, periods, fixed, rules.rules, scenario, solver_name)
        if diagnosis is not None:
            raise diagnosis
    if status != "Optimal":
        listed = "; ".join(r.describe(scenario.currency) for r in rules.rules)
        raise PlanError("E0611", status=status.lower(), rules=listed, where="plan")
    segments = run.segments
    if commitments.optimized:
        fixed = commit_optimized(run.solution.spend, pool.fixed)
        segments, _, _ = curve_segments(arrays, fixed, scenario.solver.nonconcave)
    return Solved(run, curves, fixed, segments, pilot_info, risk)


def historical_mix(segments: dict, reference: Reference, total_spend: float) -> dict:
    """The plan's spend laid out in the historical mix, valued on the same curves."""
    ref = reference.by_cell
    total_ref = sum(ref.get(k, 0.0) for k in segments)
    if total_ref <= 0:
        return {"spend": 0.0, "incremental_kpi": 0.0}
    value = 0.0
    for key, seg in segments.items():
        value += _curve_value(seg, ref.get(key, 0.0) * total_spend / total_ref)
    return {"spend": total_spend, "incremental_kpi": value}


def _curve_value(seg, spend: float) -> float:
    """Value of a cut curve at any spend, below its fixed part too (linear from 0 to fixed)."""
    if spend >= seg.fixed:
        return seg.value(spend)
    return seg.value_at_fixed * spend / seg.fixed if seg.fixed > 0 else 0.0
