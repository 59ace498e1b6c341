"""The plan as a linear program: one variable per curve segment above the fixed spend, rules as
rows, solved by HiGHS or CBC. Takes curve segments and rules; knows nothing of forecasting."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pulp

from budgetopt.errors import PlanError
from budgetopt.units import Unit
from budgetopt.optimizer.lp.bulk import BulkHiGHS, materialize
from budgetopt.optimizer.lp.segments import Segments
from budgetopt.optimizer.lp.solvers import dual_sign, make_solver, stopped_early, time_limit_error


class RowMaker(Protocol):
    """What the model needs of a planner's rule (see optimizer/rules): a name, whether it is a
    fact that the infeasibility diagnosis never relaxes, and its rows on this model."""

    name: str

    @property
    def hard(self) -> bool: ...

    def rows(self, model: PlanModel) -> list[pulp.LpConstraint]: ...


@dataclass
class RowResult:
    rule: RowMaker
    price: float
    slack: float


@dataclass
class Solution:
    status: str
    objective: float
    spend: dict[tuple[str, int], float]
    rows: list[RowResult] = field(default_factory=list)
    solver: str = ""
    method: str = "lp"                 # lp, or milp when S-shaped curves kept their shape
    slacks: dict[str, float] = field(default_factory=dict)   # elastic re-solve: rule → slack


class PlanModel:
    """Variables and expressions of one plan: dynamic spend and incremental KPI per unit × period."""

    def __init__(self, units: list[Unit], periods: list[int],
                 segments: dict[tuple[str, int], Segments], name: str = "plan", *,
                 ordered: frozenset = frozenset(), elastic: bool = False):
        """`ordered`: unit × period keys whose curve is not concave, so segments must fill in
        order (binaries: a MILP); `elastic`: every rule that is not a fact gets slack variables
        (the infeasibility diagnosis)."""
        self.units = units
        self.periods = periods
        self.segments = segments
        self.prob = pulp.LpProblem(name, pulp.LpMaximize)
        self.vars: dict[tuple[str, int], list[pulp.LpVariable]] = {}
        self.rules: list[RowMaker] = []
        self._rows: dict[str, tuple[RowMaker, pulp.LpConstraint]] = {}
        self.elastic = elastic
        self._slacks: list[tuple[RowMaker, pulp.LpVariable]] = []
        self.binaries: list[pulp.LpVariable] = []
        self.planned: pulp.LpAffineExpression | None = None   # set by risk terms (risk.py)
        self.sample_values: list[pulp.LpVariable] = []
        for ui, unit in enumerate(units):
            for p in periods:
                seg = segments[(unit.key, p)]
                xs = [self.prob.add_variable(f"x_{ui}_{p}_{k}", 0, float(length))
                      for k, length in enumerate(seg.lengths)]
                self.vars[(unit.key, p)] = xs
                if (unit.key, p) in ordered:
                    self._fill_in_order(xs, seg.lengths, f"{ui}_{p}")

    def _fill_in_order(self, xs, lengths, tag: str) -> None:
        """Incremental MILP formulation: segment k+1 takes money only once segment k is full
        (z_k = 1 ⇒ x_k = length_k; z_k = 0 ⇒ x_{k+1} = 0)."""
        for k in range(len(xs) - 1):
            z = self.prob.add_variable(f"z_{tag}_{k}", 0, 1, cat=pulp.LpBinary)
            self.binaries.append(z)
            self.prob += xs[k] >= float(lengths[k]) * z, f"fill_{tag}_{k}_a"
            self.prob += xs[k + 1] <= float(lengths[k + 1]) * z, f"fill_{tag}_{k}_b"

    # -- expressions -------------------------------------------------------------------------
    def dynamic(self, key: str, p: int) -> pulp.LpAffineExpression:
        return pulp.LpAffineExpression([(v, 1.0) for v in self.vars[(key, p)]])

    def fixed(self, key: str, p: int) -> float:
        return self.segments[(key, p)].fixed

    def spend(self, key: str, p: int) -> pulp.LpAffineExpression:
        return pulp.LpAffineExpression([(v, 1.0) for v in self.vars[(key, p)]],
                                       constant=self.fixed(key, p))

    def incremental(self, key: str, p: int) -> pulp.LpAffineExpression:
        seg = self.segments[(key, p)]
        return pulp.LpAffineExpression(list(zip(self.vars[(key, p)], seg.slopes.tolist())),
                                       constant=seg.value_at_fixed)

    def _sum(self, keys: list[str], periods: list[int], what: str) -> pulp.LpAffineExpression:
        """Σ over units × periods of spend ("spend"), dynamic spend ("dynamic") or incremental
        KPI ("incremental"), built as one term list (lpSum of thousands of expressions is slow)."""
        terms: list[tuple[pulp.LpVariable, float]] = []
        constant = 0.0
        for k in keys:
            for p in periods:
                seg, xs = self.segments[(k, p)], self.vars[(k, p)]
                if what == "incremental":
                    terms.extend(zip(xs, seg.slopes.tolist()))
                    constant += seg.value_at_fixed
                else:
                    terms.extend((v, 1.0) for v in xs)
                    constant += seg.fixed if what == "spend" else 0.0
        return pulp.LpAffineExpression(terms, constant=constant)

    def _keys(self, channel: str | None = None) -> list[str]:
        return [u.key for u in self.units if channel is None or u.channel == channel]

    def total_dynamic(self):
        return self._sum(self._keys(), self.periods, "dynamic")

    def total_spend(self):
        return self._sum(self._keys(), self.periods, "spend")

    def total_incremental(self):
        return self._sum(self._keys(), self.periods, "incremental")

    def planned_value(self):
        """What the objectives maximize as "incremental KPI": the point curves' total, or the
        risk measure over the plausible curves when risk terms were applied."""
        return self.total_incremental() if self.planned is None else self.planned

    def channel_spend(self, channel: str):
        return self._sum(self._keys(channel), self.periods, "spend")

    def channel_incremental(self, channel: str):
        return self._sum(self._keys(channel), self.periods, "incremental")

    def period_spend(self, p: int):
        return self._sum(self._keys(), [p], "spend")

    def low_return(self, threshold: float) -> pulp.LpAffineExpression:
        """Money on segments whose slope (marginal ROI) is below `threshold`, all units × periods."""
        terms = [(v, 1.0) for key, xs in self.vars.items()
                 for v, slope in zip(xs, self.segments[key].slopes) if slope < threshold - 1e-12]
        return pulp.LpAffineExpression(terms)

    # -- building and solving ---------------------------------------------------------------
    def add_rules(self, rules: list[RowMaker], *, strict: bool = False) -> None:
        """Add the rules' rows; in an elastic model they get slack unless `strict` (or facts)."""
        for rule in rules:
            for i, row in enumerate(rule.rows(self)):
                row_name = _row_name(rule.name, i, len(self._rows))
                if self.elastic and not strict and not rule.hard:
                    self._relax(rule, row, row_name)
                self.prob += row, row_name
                self._rows[row_name] = (rule, self.prob.constraints[row_name])
            self.rules.append(rule)

    def _relax(self, rule: RowMaker, row: pulp.LpConstraint, row_name: str) -> None:
        """Give a row slack in the direction(s) that loosen it."""
        directions = {pulp.LpConstraintLE: (-1.0,), pulp.LpConstraintGE: (1.0,),
                      pulp.LpConstraintEQ: (1.0, -1.0)}[row.sense]
        for j, sign in enumerate(directions):
            slack = self.prob.add_variable(f"s_{row_name}_{j}", 0)
            row.expr.addterm(slack, sign)
            self._slacks.append((rule, slack))

    def total_slack(self) -> pulp.LpAffineExpression:
        return pulp.LpAffineExpression([(s, 1.0) for _, s in self._slacks])

    def set_objective(self, expr) -> None:
        self.prob.setObjective(expr)

    def solve(self, solver_name: str, time_limit_s: float | None = None) -> Solution:
        """Solve; a MILP (S-shaped curves kept) is solved, then its binaries are fixed and the LP
        re-solved so the duals (shadow prices) are those of the chosen curve pieces."""
        self._run(solver_name, time_limit_s, mip=bool(self.binaries))
        method = "lp"
        if self.binaries and self.prob.status == pulp.LpStatusOptimal:
            method = "milp"
            for z in self.binaries:
                value = round(z.varValue or 0.0)
                z.lowBound = z.upBound = value
                z.cat = pulp.LpContinuous
            try:
                self._run(solver_name, time_limit_s, mip=False)
            finally:
                for z in self.binaries:
                    z.lowBound, z.upBound, z.cat = 0, 1, pulp.LpBinary
        solution = self._read(solver_name)
        solution.method = method
        return solution

    def _run(self, solver_name: str, time_limit_s: float | None, mip: bool) -> None:
        solver = make_solver(solver_name, time_limit_s, mip=mip)
        if not isinstance(solver, BulkHiGHS):
            materialize(self.prob)          # array rows as PuLP rows for this solver
        try:
            self.prob.solve(solver)
        except pulp.PulpSolverError as exc:
            raise PlanError("E0612", name=solver_name, reason=str(exc), where="solver") from None
        if stopped_early(self.prob):
            raise time_limit_error(solver_name, time_limit_s)

    def _read(self, solver_name: str) -> Solution:
        status = pulp.LpStatus[self.prob.status]
        spend = {(u.key, p): self.fixed(u.key, p) + sum(v.varValue or 0.0
                                                         for v in self.vars[(u.key, p)])
                 for u in self.units for p in self.periods}
        sign = dual_sign(solver_name)
        rows = []
        for rule, row in self._rows.values():
            price = sign * (row.pi or 0.0) if row.pi is not None else float("nan")
            rows.append(RowResult(rule, float(price), _slack(row)))
        objective = pulp.value(self.prob.objective)
        slacks: dict[str, float] = {}
        for rule, var in self._slacks:
            slacks[rule.name] = slacks.get(rule.name, 0.0) + float(var.varValue or 0.0)
        return Solution(status, float(objective) if objective is not None else float("nan"),
                        spend, rows, solver_name, slacks=slacks)


def _row_name(rule_name: str, i: int, serial: int) -> str:
    safe = "".join(ch if ch.isalnum() else "_" for ch in rule_name)[:40]
    return f"r{serial}_{safe}_{i}"


def _slack(row: pulp.LpConstraint) -> float:
    """Distance from the row's bound at the solution (≥ 0 when satisfied)."""
    value = row.value()
    if value is None:
        return float("nan")
    if row.sense == pulp.LpConstraintLE:
        return float(-value)
    if row.sense == pulp.LpConstraintGE:
        return float(value)
    return float(-abs(value))


def total_scale(solution: Solution) -> float:
    return max(1.0, float(np.sum(list(solution.spend.values()))))
