"""Solve an allocation from curve tables alone — the LP's whole contract, usable without
forecasting (audits, benchmarks, tests): curves + fixed spend + rules → solution."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from budgetopt.optimizer.lp.segments import (CurveArrays, Segments, concave_envelope, curve_arrays,
                                             segments_above)
from budgetopt.optimizer.lp.model import PlanModel, RowMaker, Solution
from budgetopt.units import Unit
from budgetopt.optimizer.lp.objectives import MaxRevenue, Objective

NONCONCAVE_MODES = ("envelope", "milp")


@dataclass
class Allocation:
    solution: Solution
    segments: dict[tuple[str, int], Segments]
    reshaped: list[str]   # units whose curve is not concave somewhere
    nonconcave: str = "envelope"   # how such curves are solved: envelope or milp (binaries,
                                   # when any curve needs them: solution.method says)


def curve_segments(curves: pd.DataFrame | CurveArrays, fixed: dict[tuple[str, int], float],
                   nonconcave: str = "envelope"
                   ) -> tuple[dict[tuple[str, int], Segments], list[str], frozenset]:
    """Segments per unit × period, cut at that unit's fixed spend, and the units whose curve is
    not concave. With `envelope` such curves are replaced by their concave envelope; with `milp`
    they keep their shape (made non-decreasing) and their keys are returned for binaries."""
    arrays = curves if isinstance(curves, CurveArrays) else curve_arrays(curves)
    segments, reshaped, ordered = {}, set(), set()
    for i, (key, p) in enumerate(arrays.keys):
        lo, hi = arrays.starts[i], arrays.starts[i + 1]
        x, y = arrays.spend[lo:hi], arrays.kpi[lo:hi]
        if not arrays.concave[i]:
            env = concave_envelope(x, y)
            if np.max(np.abs(env - y)) > 1e-6 * max(1.0, float(np.max(np.abs(y)))):
                reshaped.add(key)
                if nonconcave == "milp":
                    env = np.maximum.accumulate(y)
                    ordered.add((key, p))
            y = env
        segments[(key, p)] = segments_above(x, y, fixed.get((key, p), 0.0))
    return segments, sorted(reshaped), frozenset(ordered)


def allocate(curves: pd.DataFrame | CurveArrays, units: list[Unit], periods: list[int],
             fixed: dict[tuple[str, int], float], rules: list[RowMaker], *,
             solver: str = "highs", time_limit_s: float | None = None,
             objective: Objective | None = None, nonconcave: str = "envelope",
             risk=None) -> Allocation:
    """Maximize the objective (incremental KPI by default) over the curves under the rules;
    with `risk` (risk.RiskTerms) over the plausible curves' mean or CVaR, with its guard."""
    segments, reshaped, ordered = curve_segments(curves, fixed, nonconcave)

    def solve(terms) -> Solution:
        model = PlanModel(units, periods, segments, name="budgetopt", ordered=ordered)
        model.add_rules(rules)
        if terms is not None:
            terms.apply(model)
        return (objective or MaxRevenue()).solve(model, solver, time_limit_s)

    if risk is not None and risk.history is not None:
        # The guard is one more constraint: where the plan that ignores it meets it anyway,
        # that plan is the guarded optimum (the guard's price is 0), found without the guard's
        # sample rows; where that plan cannot be found (infeasible, time limit), neither can
        # the guarded one.
        free = solve(risk.unguarded())
        if free.status != "Optimal" or risk.guard_holds(free.spend):
            return Allocation(free, segments, reshaped, nonconcave)
    return Allocation(solve(risk), segments, reshaped, nonconcave)


def relax(curves: pd.DataFrame | CurveArrays, units: list[Unit], periods: list[int],
          fixed: dict[tuple[str, int], float], rules: list[RowMaker], *, solver: str = "highs",
          time_limit_s: float | None = None, hard: frozenset[str] = frozenset()
          ) -> tuple[Solution, dict[tuple[str, int], Segments]]:
    """The elastic re-solve: every rule but the facts (and `hard`) may be violated at a cost of
    1 per unit of money; minimize the total violation. Slacks name the rules in conflict."""
    segments, _, _ = curve_segments(curves, fixed)
    model = PlanModel(units, periods, segments, name="budgetopt_elastic", elastic=True)
    model.add_rules([r for r in rules if r.name not in hard])
    model.add_rules([r for r in rules if r.name in hard], strict=True)
    model.set_objective(-model.total_slack())
    return model.solve(solver, time_limit_s), segments
