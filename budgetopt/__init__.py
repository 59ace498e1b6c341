"""budgetopt: plan a marketing budget from history, a scenario file and the 60/40 budget pool.

The public Python API for planning scripts. Names load on first use, so importing budgetopt
(or its error types) loads neither Prophet nor PuLP; the imports under TYPE_CHECKING are the
same names for editors and type checkers (a test keeps the two lists equal).
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from budgetopt import datasets
    from budgetopt.errors import BudgetoptError, InputError, PlanError
    from budgetopt.forecasts.curves.curveset import CurveSet
    from budgetopt.forecasts.history.loader import load_history
    from budgetopt.optimizer.results.outputs import write_outputs
    from budgetopt.optimizer.results.spreadsheet import write_workbook
    from budgetopt.optimizer.results.tables import PlanResult
    from budgetopt.optimizer.scenario.loader import (load_scenario, scenario_from_dict,
                                                     scenario_language)
    from budgetopt.optimizer.scenario.spec import Scenario, Shock
    from budgetopt.optimizer.tools.compare import Comparison, comparison_files, load_run
    from budgetopt.optimizer.tools.compare import compare_runs as compare
    from budgetopt.optimizer.tools.frontier import (Frontier, budget_multiples, frontier,
                                                        with_budget)
    from budgetopt.optimizer.intake.backtest import backtest
    from budgetopt.optimizer.intake.fitting import curve_set, fit_curves, fit_forecasts
    from budgetopt.optimizer.intake.inputs import check_inputs, load_inputs
    from budgetopt.optimizer.plan.pipeline import plan, plan_with
    from budgetopt.optimizer.tools.rebalance import Rebalance, rebalance
    from budgetopt.optimizer.tools.reproduce import check_run
    from budgetopt.optimizer.tools.shocks import ShockReport, stress
    from budgetopt.optimizer.tools.experiment_value import ExperimentValue, experiment_value

#: public name → "module" or "module:attribute" it is loaded from
_API = {
    "datasets": "budgetopt.datasets:",
    "BudgetoptError": "budgetopt.errors",
    "InputError": "budgetopt.errors",
    "PlanError": "budgetopt.errors",
    "CurveSet": "budgetopt.forecasts.curves.curveset",
    "load_history": "budgetopt.forecasts.history.loader",
    "write_outputs": "budgetopt.optimizer.results.outputs",
    "write_workbook": "budgetopt.optimizer.results.spreadsheet",
    "PlanResult": "budgetopt.optimizer.results.tables",
    "load_scenario": "budgetopt.optimizer.scenario.loader",
    "scenario_from_dict": "budgetopt.optimizer.scenario.loader",
    "scenario_language": "budgetopt.optimizer.scenario.loader",
    "Scenario": "budgetopt.optimizer.scenario.spec",
    "Shock": "budgetopt.optimizer.scenario.spec",
    "Comparison": "budgetopt.optimizer.tools.compare",
    "comparison_files": "budgetopt.optimizer.tools.compare",
    "load_run": "budgetopt.optimizer.tools.compare",
    "compare": "budgetopt.optimizer.tools.compare:compare_runs",
    "Frontier": "budgetopt.optimizer.tools.frontier",
    "budget_multiples": "budgetopt.optimizer.tools.frontier",
    "frontier": "budgetopt.optimizer.tools.frontier",
    "with_budget": "budgetopt.optimizer.tools.frontier",
    "check_inputs": "budgetopt.optimizer.intake.inputs",
    "load_inputs": "budgetopt.optimizer.intake.inputs",
    "backtest": "budgetopt.optimizer.intake.backtest",
    "curve_set": "budgetopt.optimizer.intake.fitting",
    "fit_curves": "budgetopt.optimizer.intake.fitting",
    "fit_forecasts": "budgetopt.optimizer.intake.fitting",
    "plan": "budgetopt.optimizer.plan.pipeline",
    "plan_with": "budgetopt.optimizer.plan.pipeline",
    "Rebalance": "budgetopt.optimizer.tools.rebalance",
    "rebalance": "budgetopt.optimizer.tools.rebalance",
    "check_run": "budgetopt.optimizer.tools.reproduce",
    "ShockReport": "budgetopt.optimizer.tools.shocks",
    "stress": "budgetopt.optimizer.tools.shocks",
    "ExperimentValue": "budgetopt.optimizer.tools.experiment_value",
    "experiment_value": "budgetopt.optimizer.tools.experiment_value",
}

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str):
    if name in _API:
        module, colon, attr = _API[name].partition(":")
        if colon and not attr:                      # a whole module, e.g. budgetopt.datasets
            return import_module(module)
        value = getattr(import_module(module), attr or name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'budgetopt' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
