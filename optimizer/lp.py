"""The plan as a linear program: one variable per curve segment above the fixed spend, rules as
rows, solved by HiGHS or CBC. Takes curve segments and rules; knows nothing of forecasting."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pulp

from budgetopt.errors import PlanError
from optimizer.constraints import Rule
from optimizer.curves import Segments
from optimizer.solvers import dual_sign, make_solver, stopped_early, time_limit_error


@dataclass(frozen=True)
class Unit:
    """What money is allocated to: a channel, or a channel × market."""

    channel: str
    market: str | None = None

    @property
    def key(self) -> str:
        return self.channel if self.market is None else f"{self.channel}/{self.market}"


@dataclass
class RowResult:
    rule: Rule
    price: float
    slack: float


@dataclass
class Solution:
    status: str
    objective: float
    spend: dict[tuple[str, int], float]
    rows: list[RowResult] = field(default_factory=list)
    solver: str = ""


class PlanModel:
    """Variables and expressions of one plan: dynamic spend and incremental KPI per unit × period."""

    def __init__(self, units: list[Unit], periods: list[int],
                 segments: dict[tuple[str, int], Segments], name: str = "plan"):
        self.units = units
        self.periods = periods
        self.segments = segments
        self.prob = pulp.LpProblem(name, pulp.LpMaximize)
        self.vars: dict[tuple[str, int], list[pulp.LpVariable]] = {}
        self.rules: list[Rule] = []
        self._rows: dict[str, tuple[Rule, pulp.LpConstraint]] = {}
        for ui, unit in enumerate(units):
            for p in periods:
                seg = segments[(unit.key, p)]
                self.vars[(unit.key, p)] = [
                    pulp.LpVariable(f"x_{ui}_{p}_{k}", lowBound=0, upBound=float(length))
                    for k, length in enumerate(seg.lengths)]

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

    def _sum(self, keys: list[str], what) -> pulp.LpAffineExpression:
        return pulp.lpSum(what(k, p) for k in keys for p in self.periods)

    def total_dynamic(self):
        return self._sum([u.key for u in self.units], self.dynamic)

    def total_spend(self):
        return self._sum([u.key for u in self.units], self.spend)

    def total_incremental(self):
        return self._sum([u.key for u in self.units], self.incremental)

    def channel_spend(self, channel: str):
        return self._sum([u.key for u in self.units if u.channel == channel], self.spend)

    def channel_incremental(self, channel: str):
        return self._sum([u.key for u in self.units if u.channel == channel], self.incremental)

    # -- building and solving ---------------------------------------------------------------
    def add_rules(self, rules: list[Rule]) -> None:
        for rule in rules:
            for i, row in enumerate(rule.rows(self)):
                row_name = _row_name(rule.name, i, len(self._rows))
                self.prob += row, row_name
                self._rows[row_name] = (rule, self.prob.constraints[row_name])
            self.rules.append(rule)

    def set_objective(self, expr) -> None:
        self.prob.setObjective(expr)

    def solve(self, solver_name: str, time_limit_s: float | None = None) -> Solution:
        solver = make_solver(solver_name, time_limit_s)
        try:
            self.prob.solve(solver)
        except pulp.PulpSolverError as exc:
            raise PlanError(f"solver {solver_name} failed: {exc}", where="solver",
                            fix="retry with the other solver (--solver highs|cbc)") from None
        if stopped_early(self.prob):
            raise time_limit_error(solver_name, time_limit_s)
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
        return Solution(status, float(objective) if objective is not None else float("nan"),
                        spend, rows, solver_name)


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
