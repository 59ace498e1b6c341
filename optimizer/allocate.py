"""Solve an allocation from curve tables alone — the LP's whole contract, usable without
forecasting (audits, benchmarks, tests): curves + fixed spend + rules → solution."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.constraints import Rule
from optimizer.curves import Segments, check_curve_table, concave_envelope, segments_above
from optimizer.lp import PlanModel, Solution, Unit


@dataclass
class Allocation:
    solution: Solution
    segments: dict[tuple[str, int], Segments]
    reshaped: list[str]   # units whose curve needed its concave envelope somewhere


def curve_segments(curves: pd.DataFrame, fixed: dict[tuple[str, int], float]
                   ) -> tuple[dict[tuple[str, int], Segments], list[str]]:
    """Concave, non-decreasing segments per unit × period, cut at that unit's fixed spend."""
    check_curve_table(curves)
    segments, reshaped = {}, set()
    for (key, p), grp in curves.groupby(["unit", "period"], sort=False):
        x = grp["spend"].to_numpy(float)
        y = grp["incremental_kpi"].to_numpy(float)
        env = concave_envelope(x, y)
        if np.max(np.abs(env - y)) > 1e-6 * max(1.0, float(np.max(np.abs(y)))):
            reshaped.add(key)
        segments[(key, int(p))] = segments_above(x, env, fixed.get((key, int(p)), 0.0))
    return segments, sorted(reshaped)


def allocate(curves: pd.DataFrame, units: list[Unit], periods: list[int],
             fixed: dict[tuple[str, int], float], rules: list[Rule], *,
             solver: str = "highs", time_limit_s: float | None = None) -> Allocation:
    """Maximize total incremental KPI over the curves under the rules."""
    segments, reshaped = curve_segments(curves, fixed)
    model = PlanModel(units, periods, segments, name="budgetopt")
    model.add_rules(rules)
    model.set_objective(model.total_incremental())
    return Allocation(model.solve(solver, time_limit_s), segments, reshaped)
