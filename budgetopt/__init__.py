"""budgetopt: plan a marketing budget from history, a scenario file and the 60/40 budget pool.

The public Python API for planning scripts; names load lazily so that importing the error
types does not import Prophet or PuLP.
"""
from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_API = {
    "load_scenario": "budgetopt.optimizer.scenario.spec",
    "Scenario": "budgetopt.optimizer.scenario.spec",
    "plan": "budgetopt.optimizer.workflows.pipeline",
    "PlanResult": "budgetopt.optimizer.results.tables",
    "write_outputs": "budgetopt.optimizer.results.outputs",
    "load_history": "budgetopt.forecasts.history.frame",
    "scenario_from_dict": "budgetopt.optimizer.scenario.spec",
    "Shock": "budgetopt.optimizer.scenario.spec",
    "load_inputs": "budgetopt.optimizer.workflows.inputs",
    "check_inputs": "budgetopt.optimizer.workflows.inputs",
    "fit_forecasts": "budgetopt.optimizer.workflows.pipeline",
    "plan_with": "budgetopt.optimizer.workflows.pipeline",
    "compare": "budgetopt.optimizer.workflows.compare:compare_runs",
    "Comparison": "budgetopt.optimizer.workflows.compare",
    "load_run": "budgetopt.optimizer.workflows.compare",
    "frontier": "budgetopt.optimizer.workflows.frontier",
    "Frontier": "budgetopt.optimizer.workflows.frontier",
    "with_budget": "budgetopt.optimizer.workflows.frontier",
    "stress": "budgetopt.optimizer.workflows.shocks",
    "ShockReport": "budgetopt.optimizer.workflows.shocks",
    "rebalance": "budgetopt.optimizer.workflows.rebalance",
    "Rebalance": "budgetopt.optimizer.workflows.rebalance",
    "write_workbook": "budgetopt.optimizer.results.spreadsheet",
    "BudgetoptError": "budgetopt.errors",
    "InputError": "budgetopt.errors",
    "PlanError": "budgetopt.errors",
}

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str):
    if name in _API:
        module, _, attr = _API[name].partition(":")
        return getattr(import_module(module), attr or name)
    raise AttributeError(f"module 'budgetopt' has no attribute {name!r}")
