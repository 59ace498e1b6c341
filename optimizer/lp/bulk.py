"""PuLP's HiGHS interface, with the model passed to HiGHS in bulk.

PuLP stays the modeller: variables, expressions and rows are PuLP objects, and the solution
comes back on them as usual (values, reduced costs, duals, slacks). Only the hand-over differs.
PuLP's own `HiGHS.buildSolverModel` adds columns one call at a time and sorts every variable by
name first (`LpProblem.variables()`), which at 1,000 units × 13 weeks (half a million segment
columns) took longer than HiGHS's solve. Here the columns (in the order PuLP registered them)
and the rows (as one compressed sparse row matrix) go over in two `addCols`/`addRows` calls.
"""
from __future__ import annotations

import numpy as np
import pulp
from pulp import constants

try:
    import highspy
except ImportError:  # pragma: no cover - highspy is a dependency; PuLP reports it missing
    highspy = None


def _columns(lp: pulp.LpProblem) -> list:
    """Every variable of the model, in the order PuLP registered it (rows first, then the
    objective's), without PuLP's sort by name."""
    cols = list(lp._variables)
    if lp.objective:
        known = lp._variable_ids
        extra = [v for v in lp.objective.keys() if v.hash not in known]
        for var in extra:
            lp._register_variable(var)
        cols += extra
    return cols


class BulkHiGHS(pulp.HiGHS):
    """`pulp.HiGHS` with the model handed over in bulk (same options, same results)."""

    def build(self, lp: pulp.LpProblem) -> list:
        model = lp.solverModel
        inf = highspy.kHighsInf
        cols = _columns(lp)
        for i, var in enumerate(cols):
            var.index = i
        n = len(cols)
        sense = -1.0 if lp.sense == constants.LpMaximize else 1.0
        cost = np.zeros(n)
        if lp.objective:
            obj_idx = np.fromiter((v.index for v in lp.objective.keys()), np.int64,
                                  len(lp.objective))
            cost[obj_idx] = sense * np.fromiter(lp.objective.values(), float, len(lp.objective))
        lower = np.array([-inf if v.lowBound is None else v.lowBound for v in cols], float)
        upper = np.array([inf if v.upBound is None else v.upBound for v in cols], float)
        model.addCols(n, cost, lower, upper, 0, np.zeros(0, np.int32), np.zeros(0, np.int32),
                      np.zeros(0))
        if self.mip:
            integer = np.array([i for i, v in enumerate(cols) if v.cat == constants.LpInteger],
                               np.int32)
            if len(integer):
                model.changeColsIntegrality(len(integer), integer,
                                            np.full(len(integer), highspy.HighsVarType.kInteger))
        rows = list(lp._constraints.values())
        starts, indices, values, row_lo, row_hi = [], [], [], [], []
        offset = 0
        for i, row in enumerate(rows):
            row.index = i
            idx = np.fromiter((v.index for v in row.keys()), np.int32, len(row))
            val = np.fromiter(row.values(), float, len(row))
            keep = val != 0
            starts.append(offset)
            indices.append(idx[keep])
            values.append(val[keep])
            offset += int(keep.sum())
            lb, ub = row.getLb(), row.getUb()
            row_lo.append(-inf if lb is None else lb)
            row_hi.append(inf if ub is None else ub)
        if rows:
            model.addRows(len(rows), np.array(row_lo), np.array(row_hi), offset,
                          np.array(starts, np.int32), np.concatenate(indices).astype(np.int32),
                          np.concatenate(values))
        return cols

    def callSolver(self, lp):
        """Run HiGHS; an interior-point claim that the LP has no solution is checked by the
        simplex method before it stands (without presolve, HiGHS's interior-point solver has
        declared feasible plans infeasible: free sample-value columns and equality rows)."""
        model = lp.solverModel
        model.run()
        doubtful = (highspy.HighsModelStatus.kInfeasible,
                    highspy.HighsModelStatus.kUnboundedOrInfeasible)
        if self.optionsDict.get("solver") == "ipm" and model.getModelStatus() in doubtful:
            model.setOptionValue("solver", "simplex")
            model.run()

    def actualSolve(self, lp, callback=None):
        self.createAndConfigureSolver(lp)
        cols = self.build(lp)
        self.callSolver(lp)
        lp.variables = lambda: cols   # PuLP's reader assigns values through lp.variables()
        try:
            status, sol_status = self.findSolutionValues(lp)
        finally:
            del lp.variables
        for var in cols:
            var.modified = False
        for row in lp._constraints.values():
            row.modifier = False
        lp.assignStatus(status, sol_status)
        return status
