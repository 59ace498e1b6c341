"""PuLP's HiGHS interface, with the model passed to HiGHS in bulk.

PuLP stays the modeller: variables, expressions and rows are PuLP objects, and the solution
comes back on them as usual (values, reduced costs, duals, slacks). Only the hand-over differs.
PuLP's own `HiGHS.buildSolverModel` adds columns one call at a time and sorts every variable by
name first (`LpProblem.variables()`), which at 1,000 units × 13 weeks (half a million segment
columns) took longer than HiGHS's solve. Here the columns (in the order PuLP registered them)
and the rows (as one compressed sparse row matrix) go over in two `addCols`/`addRows` calls.

Rows with many terms that nothing reads back (the risk terms' sample rows) can be given as
arrays instead of PuLP expressions (`ArrayRows`, `add_array_rows`): HiGHS gets them as they
are, after the PuLP rows; any other solver gets them as PuLP rows first (`materialize`).
"""
from __future__ import annotations

import numpy as np
import pulp
from dataclasses import dataclass

from pulp import constants

try:
    import highspy
except ImportError:  # pragma: no cover - highspy is a dependency; PuLP reports it missing
    highspy = None


@dataclass
class ArrayRows:
    """Rows as arrays over PuLP variables: row i is lower[i] ≤ Σ values[j]·columns[index[j]]
    ≤ upper[i] over j in starts[i]:starts[i+1] (compressed sparse rows)."""

    name: str
    columns: list
    starts: np.ndarray
    index: np.ndarray
    values: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    def constraints(self) -> list[tuple[str, pulp.LpConstraint]]:
        """The same rows as PuLP constraints (one object per term: for solvers other than
        HiGHS)."""
        out = []
        for i in range(len(self.lower)):
            a, b = int(self.starts[i]), int(self.starts[i + 1])
            expr = pulp.LpAffineExpression([(self.columns[j], float(v)) for j, v in
                                            zip(self.index[a:b], self.values[a:b])])
            lo, hi = float(self.lower[i]), float(self.upper[i])
            if lo == hi:
                out.append((f"{self.name}_{i}", pulp.LpConstraint(expr, constants.LpConstraintEQ,
                                                                  rhs=lo)))
                continue
            if np.isfinite(lo):
                out.append((f"{self.name}_{i}_lo",
                            pulp.LpConstraint(expr, constants.LpConstraintGE, rhs=lo)))
            if np.isfinite(hi):
                out.append((f"{self.name}_{i}_hi",
                            pulp.LpConstraint(expr, constants.LpConstraintLE, rhs=hi)))
        return out


def add_array_rows(lp: pulp.LpProblem, rows: ArrayRows) -> None:
    """Attach array rows to a PuLP problem (solved with it; see the module docstring)."""
    lp.__dict__.setdefault("array_rows", []).append(rows)


def materialize(lp: pulp.LpProblem) -> None:
    """Turn a problem's array rows into PuLP constraints (for a solver that reads only those)."""
    for block in lp.__dict__.pop("array_rows", []):
        for name, row in block.constraints():
            lp += row, name


def _columns(lp: pulp.LpProblem) -> list:
    """Every variable of the model, in the order PuLP registered it (rows first, then the
    objective's), without PuLP's sort by name."""
    for block in lp.__dict__.get("array_rows", []):
        known = lp._variable_ids
        for var in block.columns:
            if var.hash not in known:
                lp._register_variable(var)
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
        for block in lp.__dict__.get("array_rows", []):
            where = np.fromiter((v.index for v in block.columns), np.int64, len(block.columns))
            lo = np.where(np.isfinite(block.lower), block.lower, -inf)
            hi = np.where(np.isfinite(block.upper), block.upper, inf)
            model.addRows(len(block.lower), lo.astype(float), hi.astype(float),
                          len(block.values), np.asarray(block.starts[:-1], np.int32),
                          where[block.index].astype(np.int32),
                          np.asarray(block.values, float))
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
