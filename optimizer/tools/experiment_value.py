"""Which lift test to run next, as a command of its own: the scenario planned on one fit with
the table "test these first" always made (optimizer/plan/test_design.py), and its files."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from budgetopt.errors import InputError
from budgetopt.optimizer.intake.fitting import fit_curves
from budgetopt.optimizer.intake.inputs import PlanInputs, load_inputs
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.results.tables import PlanResult
from budgetopt.optimizer.results.suggestion_table import suggestion_frame
from budgetopt.optimizer.scenario.loader import load_scenario
from budgetopt.optimizer.scenario.spec import Scenario


@dataclass
class ExperimentValue:
    """The plan and its ranked tests (`table`: one row per valued unit; `section`: the same
    as summary.json's `test_suggestions`)."""

    scenario: Scenario
    plan: PlanResult
    section: dict
    table: pd.DataFrame
    language: str | None = None

    def files(self) -> dict[str, bytes]:
        """test_suggestions.csv and test_suggestions.json."""
        from budgetopt.optimizer.results.files import csv_text, json_text
        return {"test_suggestions.csv": csv_text(self.table).encode(),
                "test_suggestions.json": json_text({"scenario": self.scenario.name,
                                                    **self.section}).encode()}


def experiment_value(scenario: Scenario | str | Path, *, solver: str | None = None,
                     units: int | None = None, inputs: PlanInputs | None = None, curves=None,
                     progress: Callable[[int, int], None] | None = None) -> ExperimentValue:
    """Plan the scenario (on `curves` when given) and rank the lift tests worth running:
    per unit the value of knowing its curve and of the best test in the grid. `units`: how
    many units to value (default: the scenario's report.test_units)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if units is not None:
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise InputError("E0906", value=units, where="experiments --units")
        scenario = scenario.model_copy(update={"report": scenario.report.model_copy(
            update={"test_units": units})})
    inputs = inputs or load_inputs(scenario)
    if inputs.scenario is not scenario:
        inputs = type(inputs)(**{**inputs.__dict__, "scenario": scenario})
    curves = curves or fit_curves(inputs, progress)
    result = plan_with(inputs, curves, solver=solver, suggest_tests=True)
    section = result.summary["test_suggestions"]
    return ExperimentValue(scenario, result, section, suggestion_frame(result.summary))
