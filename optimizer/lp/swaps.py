"""One plan LP handed to HiGHS once and re-solved many times with one unit's curve swapped:
what the value of information needs (optimizer/plan/information.py). The rules, bounds and
segments stay; only the objective's coefficients on the swapped unit's segment columns change
(the rules read the point curves, as in the plan), and a re-solve starts from the last basis.
A unit's spend can also be pinned per period (a test the plan must carry). Knows nothing of
forecasting: it reads segments, rules, and per cell the value at the fixed spend and the
slopes above it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import highspy

from budgetopt.optimizer.lp.bulk import BulkHiGHS
from budgetopt.optimizer.lp.model import PlanModel, RowMaker
from budgetopt.optimizer.lp.objectives import DINKELBACH_ROUNDS, Objective
from budgetopt.units import Unit

Cell = tuple[str, int]
#: per cell: (value at the fixed spend, slopes of the segments above it)
Values = dict[Cell, tuple[float, np.ndarray]]


@dataclass(frozen=True)
class Point:
    """One solved plan: the money on each cell's segments above its fixed spend."""

    ok: bool
    x: dict[Cell, np.ndarray]

    def spend(self, fixed: dict[Cell, float]) -> float:
        return float(sum(fixed[k] + float(v.sum()) for k, v in self.x.items()))


class SwapModel:
    """The plan's LP on `values` (every cell's mean curve), solved by HiGHS's simplex method."""

    def __init__(self, units: list[Unit], periods: list[int], segments: dict,
                 rules: list[RowMaker], objective: Objective, values: Values, *,
                 ordered: frozenset = frozenset(), time_limit_s: float | None = None):
        model = PlanModel(units, periods, segments, name="budgetopt_swaps", ordered=ordered)
        model.add_rules(rules)
        model.set_objective(model.total_spend())       # any objective: costs are set below
        self.objective = objective
        self.values = values
        self.fixed = {k: float(s.fixed) for k, s in segments.items()}
        self.lengths = {k: np.asarray(s.lengths, float) for k, s in segments.items()}
        options = {} if ordered else {"presolve": "off", "solver": "simplex"}
        solver = BulkHiGHS(msg=False, timeLimit=time_limit_s, threads=1,
                           mip=bool(ordered), **options)
        solver.createAndConfigureSolver(model.prob)
        solver.build(model.prob)
        self.highs: highspy.Highs = model.prob.solverModel
        self.columns = {k: np.array([v.index for v in xs], np.int32)
                        for k, xs in model.vars.items()}
        self._sense = (-1.0 if self.highs.getLp().sense_ == highspy.ObjSense.kMinimize
                       else 1.0)   # HiGHS's objective sense: PuLP hands it a minimization

    # -- objective ---------------------------------------------------------------------------
    def _costs(self, values: Values, q: float) -> None:
        """Set every segment column's cost to a·slope − b with (a, b) the objective's weights
        on incremental KPI and spend (max_roi: b = q, Dinkelbach's ratio)."""
        a, b = self._weights(q)
        idx, cost = [], []
        for key, cols in self.columns.items():
            slopes = values.get(key, self.values.get(key))[1]
            idx.append(cols)
            cost.append(a * slopes - b)
        idx_all = np.concatenate(idx) if idx else np.zeros(0, np.int32)
        c = np.concatenate(cost) if cost else np.zeros(0)
        self.highs.changeColsCost(len(idx_all), idx_all, self._sense * c)

    def _weights(self, q: float) -> tuple[float, float]:
        name = self.objective.name
        if name == "max_profit":
            return float(self.objective.margin), 1.0
        if name == "max_roi":
            return 1.0, q
        return 1.0, 0.0

    # -- solving -----------------------------------------------------------------------------
    def solve(self, swapped: Values | None = None) -> Point:
        """The optimal plan with the cells in `swapped` valued on their given curve and every
        other cell on its mean curve."""
        values = {**self.values, **(swapped or {})}
        q = 0.0
        point = self._run(values, q)
        if self.objective.name != "max_roi":
            return point
        for _ in range(DINKELBACH_ROUNDS):
            if not point.ok:
                return point
            kpi, spend = self.kpi(point, values), point.spend(self.fixed)
            if spend <= 1e-9 or kpi - q * spend <= 1e-9 * max(1.0, abs(kpi)):
                return point
            q_next = kpi / spend
            if q_next <= q * (1 + 1e-12):
                return point
            q = q_next
            point = self._run(values, q)
        return point

    def _run(self, values: Values, q: float) -> Point:
        self._costs(values, q)
        self.highs.run()
        ok = self.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        col = np.asarray(self.highs.getSolution().col_value, float)
        return Point(ok, {k: col[c] if ok else np.zeros(len(c))
                          for k, c in self.columns.items()})

    def pinned(self, spend: dict[Cell, float], swapped: Values | None = None) -> Point:
        """The optimal plan with the cells in `spend` held at that total spend (their segments
        filled in order, as a concave curve fills them); not ok when the rules cannot hold."""
        for key, amount in spend.items():
            fill = np.clip(amount - self.fixed[key] - np.concatenate(
                [[0.0], np.cumsum(self.lengths[key])[:-1]]), 0.0, self.lengths[key])
            cols = self.columns[key]
            self.highs.changeColsBounds(len(cols), cols, fill, fill)
        try:
            return self.solve(swapped)
        finally:
            for key in spend:
                cols = self.columns[key]
                self.highs.changeColsBounds(len(cols), cols, np.zeros(len(cols)),
                                            self.lengths[key])

    # -- valuing -----------------------------------------------------------------------------
    def kpi(self, point: Point, values: Values | None = None) -> float:
        """The plan's incremental KPI with every cell valued on `values` (default: the means)."""
        values = values or self.values
        return float(sum(values[k][0] + float(values[k][1] @ x) for k, x in point.x.items()
                         if k in values))
