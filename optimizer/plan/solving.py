"""The curve set and the rules into a solved plan: the curve tables the LP reads (from the
curve set, at breakpoints up to the most one unit could be given), the solve (refined around
the chosen spend), the diagnosis when the rules cannot all hold, and the commitment of fixed
money under `fixed_rule: optimized`."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from budgetopt.errors import PlanError
from budgetopt.forecasts.curves.curveset import CurveSet
from budgetopt.optimizer.intake.inputs import PlanInputs
from budgetopt.optimizer.lp.allocate import Allocation, allocate, curve_segments
from budgetopt.optimizer.lp.segments import curve_arrays
from budgetopt.optimizer.plan.commitments import Commitments, Reference
from budgetopt.optimizer.plan.risk import RiskStage, drop_guard, risk_stage
from budgetopt.optimizer.plan.ruleset import RuleSet
from budgetopt.optimizer.rules.diagnosis import diagnose
from budgetopt.optimizer.rules.pool import PoolSplit, commit_optimized


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


def curve_table(curves: CurveSet, max_spend: float, around: dict | None = None) -> pd.DataFrame:
    """The curve set's curves at breakpoints up to `max_spend` (denser `around` chosen spend)."""
    return curves.table(max_spend, around)


def sample_factors(scenario, curves: CurveSet, table: pd.DataFrame):
    """The same plausible curves as candidate curves and the draws that scale them."""
    risk = scenario.risk
    return curves.sample_factors(table[["unit", "period", "spend", "incremental_kpi"]],
                                 risk.samples, risk.seed)


def solve_plan(inputs: PlanInputs, curve_set: CurveSet, pool: PoolSplit,
               commitments: Commitments, rules: RuleSet, solver_name: str) -> Solved:
    """Solve on the curve set's curves and their plausible variants (the risk measure and the
    history guard); pilot limits, then the guard, are dropped (and said so) when they make the
    plan infeasible; each refine round re-reads the curves densely around the chosen spend."""
    scenario = inputs.scenario
    reference = commitments.reference
    span = curve_span(inputs, pool)
    curves = curve_table(curve_set, span)
    units, periods = list(inputs.units), inputs.periods["period"].tolist()
    fixed = commitments.fixed
    spendable = pool.fixed + pool.dynamic

    def solve(rule_list, arrays, risk):
        return allocate(arrays, units, periods, fixed, rule_list, solver=solver_name,
                        time_limit_s=scenario.solver.time_limit_s, objective=rules.objective,
                        nonconcave=scenario.solver.nonconcave, risk=risk.terms)

    pilots, pilot_info = rules.pilots, rules.pilot_info
    arrays = curve_arrays(curves)
    risk = risk_stage(scenario, None, reference.by_cell,
                      list(arrays.keys), spendable, sample_factors(scenario, curve_set, curves))
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
        curves = curve_table(curve_set, span, around)
        arrays = curve_arrays(curves)
        guarded = risk.terms.history is not None
        risk = risk_stage(scenario, None, reference.by_cell,
                          list(arrays.keys), spendable,
                          sample_factors(scenario, curve_set, curves))
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
