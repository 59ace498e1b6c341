"""What the data support, for summary.json: the warnings of the fits, notes on how the curves
were fitted, the pilot limits and whether they held, how the plan values carryover, and the
plan's outcome over the plausible curves."""
from __future__ import annotations

import numpy as np

from budgetopt.forecasts.curves.breakpoints import PWL_TOLERANCE
from budgetopt.forecasts.curves.curveset import CurveSet
from budgetopt.messages import Msg
from budgetopt.optimizer.intake.inputs import PlanInputs
from budgetopt.optimizer.plan.commitments import Reference
from budgetopt.optimizer.plan.risk import guard_warning, plan_outcome
from budgetopt.optimizer.plan.solving import Solved
from budgetopt.optimizer.plan.tabulate import PlanTables
from budgetopt.optimizer.results.summary import Evidence


def evidence(inputs: PlanInputs, curves: CurveSet, solved: Solved, reference: Reference,
             tables: PlanTables, test_suggestions: dict | None = None) -> Evidence:
    """What the fits, the pilot limits and the plausible curves say about the plan (and, when
    asked, which test to run next)."""
    baseline = float(np.nansum(tables.allocation["baseline_kpi"]))
    return Evidence(fit_warnings=list(curves.warnings), curve_notes=curve_notes(curves),
                    pilot_limits=solved.pilot_info,
                    pilot_warnings=pilot_warnings(solved.pilot_info, inputs.scenario.currency),
                    carryover=carryover_summary(curves, solved.run.solution.spend),
                    pwl_tolerance=PWL_TOLERANCE,
                    outcome=plan_outcome(solved.risk, solved.run.solution.spend,
                                         reference.by_cell, baseline),
                    risk=solved.risk.info, risk_warnings=guard_warning(solved.risk.info),
                    test_suggestions=test_suggestions)


def curve_notes(curves: CurveSet) -> dict:
    """How the curves were made, and each unit's fitted response."""
    return {"source": curves.source, "units": curves.describe()}


def carryover_summary(curves: CurveSet, spend: dict) -> dict:
    """How the plan values carryover, and how much of the plan's return lands after the
    horizon."""
    table = curves.carryover_table(spend)
    after = float(table["incremental_after_horizon"].sum())
    inside = float(table["incremental_in_horizon"].sum())
    return {"valuation": "each period's spend is valued by everything it earns: the days of "
                         "its period and the geometric carryover tail into later periods and "
                         "past the horizon, at the period's own saturation level",
            "incremental_in_horizon": inside, "incremental_after_horizon": after,
            "units": {row.unit: {"carryover_per_step": row.carryover_per_step,
                                 "mean_lag_days": row.mean_lag_days,
                                 "incremental_after_horizon": row.incremental_after_horizon}
                      for row in table.itertuples()}}


def pilot_warnings(pilot_info: dict, currency: str) -> list[str]:
    """Warnings naming each loosely pinned channel and whether its pilot limit held."""
    out = []
    for channel, info in pilot_info.items():
        if info["applied"]:
            out.append(Msg("{channel}: {reason}; held within {change} of its historical share "
                           "({currency} {low}–{high}) until a pilot shows more", channel=channel,
                           reason=info["reason"], change=f"{info['change']:.0%}",
                           currency=currency, low=f"{info['low']:,.0f}",
                           high=f"{info['high']:,.0f}"))
        else:
            out.append(Msg("{channel}: {reason}; its pilot limit could not hold with the "
                           "scenario's rules and was dropped", channel=channel,
                           reason=info["reason"]))
    return out
