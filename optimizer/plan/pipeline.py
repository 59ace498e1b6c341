"""The one place forecasting meets optimization, in the order a plan is made: commit the fixed
pool, build the rules, solve on the curve set, tabulate the plan, summarize it, add the total's
baseline (docs/architecture.md). Planning reads only the inputs and the curve set."""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from budgetopt.errors import InputError
from budgetopt.forecasts.curves.curveset import CurveSet
from budgetopt.optimizer.intake.fitting import fit_curves
from budgetopt.optimizer.intake.inputs import PlanInputs, load_inputs
from budgetopt.optimizer.lp.solvers import make_solver
from budgetopt.optimizer.plan.commitments import commit
from budgetopt.optimizer.plan.evidence import evidence
from budgetopt.optimizer.plan.ruleset import rule_set
from budgetopt.optimizer.plan.solving import solve_plan
from budgetopt.optimizer.plan.tabulate import plan_tables
from budgetopt.optimizer.plan.experiment_design import suggested_tests
from budgetopt.optimizer.plan.totals import with_totals
from budgetopt.optimizer.results.summary import build_summary
from budgetopt.optimizer.results.tables import PlanResult
from budgetopt.optimizer.rules.pool import PoolSplit, split_budget
from budgetopt.optimizer.scenario.loader import load_scenario
from budgetopt.optimizer.scenario.spec import Scenario


def plan(scenario: Scenario | str | Path, *, solver: str | None = None,
         progress: Callable[[int, int], None] | None = None,
         n_jobs: int | None = None) -> PlanResult:
    """Plan a scenario end to end (the Python API's main entry)."""
    clock = Clock()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    inputs = load_inputs(scenario)
    make_solver(solver or scenario.solver.name)  # a missing solver is known before the fits
    clock.lap("load")
    curves = fit_curves(inputs, progress, n_jobs)
    clock.lap("fit")
    return plan_with(inputs, curves, solver=solver, clock=clock)


def plan_with(inputs: PlanInputs, curves: CurveSet, *, solver: str | None = None,
              clock: Clock | None = None, pool: PoolSplit | None = None,
              fixed: dict[tuple[str, int], float] | None = None,
              suggest_tests: bool | None = None) -> PlanResult:
    """Plan with a curve set already made (frontiers and what-ifs reuse one fit). A rebalance
    passes its own `pool` and the `fixed` money already committed per (unit key, period).
    `suggest_tests`: value the next lift tests (default: the scenario's
    report.test_suggestions)."""
    if not isinstance(curves, CurveSet) or not curves.matches(inputs.periods):
        raise InputError("plan_with needs the curve set made for these inputs' plan periods",
                         where="plan_with", fix="pass budgetopt.curve_set(inputs, forecaster) "
                                                "or budgetopt.fit_curves(inputs)")
    clock = clock or Clock()
    scenario = inputs.scenario
    budget = scenario.budget
    pool = pool or split_budget(budget.total, budget.fixed_share, budget.reserve_share)

    commitments = commit(inputs, pool, fixed)
    rules = rule_set(inputs, curves, pool, commitments)
    solved = solve_plan(inputs, curves, pool, commitments, rules,
                        solver or scenario.solver.name)
    clock.lap("solve")
    tables = plan_tables(inputs, curves, solved, rules, commitments.reference,
                         pool.fixed + pool.dynamic)
    clock.lap("forecast")
    suggest = scenario.report.test_suggestions if suggest_tests is None else suggest_tests
    tests = None
    if suggest:
        tests = suggested_tests(inputs, curves, solved, rules, commitments,
                                 scenario.report.test_units)
        clock.lap("test_value")
    summary = build_summary(inputs, pool, tables, solved.run.solution,
                            unplaced=commitments.unplaced, reshaped=solved.run.reshaped,
                            nonconcave=solved.run.nonconcave,
                            evidence=evidence(inputs, curves, solved, commitments.reference,
                                              tables, tests))
    clock.lap("results")
    result = PlanResult(scenario, "optimal", tables.allocation, tables.channels, tables.forecast,
                        tables.curves, summary, {"stages_s": clock.laps},
                        binding_words=tables.binding_sources,
                        plausible=tables.plausible)
    return with_totals(result, inputs, curves)


class Clock:
    """Seconds spent per stage, for run.json."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = round(now - self._last, 3)
        self._last = now
