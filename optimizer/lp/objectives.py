"""What the plan maximizes (docs/optimizer.md, "Objectives"), as small objects: the expression, how the budget row
reads (spend it all, or at most), what the objective is measured in, and how to solve it.

Shadow prices are always d(objective)/d(right-hand side) of the objective named here: revenue
(or the KPI) for max_revenue and target_roi, profit for max_profit, ROI for max_roi."""
from __future__ import annotations

from dataclasses import dataclass

import pulp

from budgetopt.optimizer.lp.model import PlanModel, Solution

DINKELBACH_ROUNDS = 30


@dataclass(frozen=True)
class Objective:
    """max_revenue: the most incremental KPI, spending the whole dynamic pool."""

    name: str = "max_revenue"
    budget_sense: str = "=="

    def measure(self, kpi: str) -> str:
        return kpi

    def expression(self, model: PlanModel):
        return model.planned_value()

    def solve(self, model: PlanModel, solver: str, time_limit_s: float | None) -> Solution:
        model.set_objective(self.expression(model))
        return model.solve(solver, time_limit_s)


@dataclass(frozen=True)
class MaxRevenue(Objective):
    """Maximize incremental KPI with the budget spent in full (the base behaviour)."""


@dataclass(frozen=True)
class TargetRoi(Objective):
    """target_roi: the most incremental KPI with the budget as a ceiling and overall ROI ≥ the
    target (a TargetRoi rule), so the plan spends as much as is useful at that ROI."""

    name: str = "target_roi"
    budget_sense: str = "<="
    target: float = 0.0


@dataclass(frozen=True)
class MaxProfit(Objective):
    """max_profit: margin × incremental KPI − spend; money that does not pay its way (marginal
    ROI below 1/margin) stays in the reserve."""

    name: str = "max_profit"
    budget_sense: str = "<="
    margin: float = 1.0

    def measure(self, kpi: str) -> str:
        return "profit"

    def expression(self, model):
        return self.margin * model.planned_value() - model.total_spend()


@dataclass(frozen=True)
class MaxRoi(Objective):
    """max_roi: the highest ratio incremental KPI ÷ spend with the budget as a ceiling, by
    Dinkelbach's method: maximize KPI − q·spend, set q to the plan's ROI, repeat until the
    best plan gains nothing over q (each round raises q; finitely many LP vertices)."""

    name: str = "max_roi"
    budget_sense: str = "<="

    def measure(self, kpi: str) -> str:
        return "ROI"

    def solve(self, model, solver, time_limit_s):
        q = 0.0
        solution = None
        for _ in range(DINKELBACH_ROUNDS):
            model.set_objective(model.planned_value() - q * model.total_spend())
            solution = model.solve(solver, time_limit_s)
            if solution.status != "Optimal":
                return solution
            inc = _value(model.planned_value())
            spend = _value(model.total_spend())
            if spend <= 1e-9:
                break
            gap = inc - q * spend
            q_next = inc / spend
            if gap <= 1e-9 * max(1.0, inc) or q_next <= q * (1 + 1e-12):
                q = max(q, q_next)
                break
            q = q_next
        spend = max(_value(model.total_spend()), 1e-9)
        # envelope theorem at the fixed point: d(ROI)/d(rhs) = d(KPI − q·spend)/d(rhs) ÷ spend
        for row in solution.rows:
            row.price = row.price / spend
        solution.objective = q
        return solution


def _value(expr) -> float:
    value = pulp.value(expr)
    return float(value) if value is not None else 0.0


def make_objective(name: str, *, margin: float | None = None,
                   target: float | None = None) -> Objective:
    if name == "max_profit":
        return MaxProfit(margin=float(margin))
    if name == "max_roi":
        return MaxRoi()
    if name == "target_roi":
        return TargetRoi(target=float(target))
    return MaxRevenue()
