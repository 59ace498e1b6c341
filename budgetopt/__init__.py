"""budgetopt: plan a marketing budget from history, a scenario file and the 60/40 budget pool.

The public Python API for planning scripts; names load lazily so that importing the error
types does not import Prophet or PuLP.
"""
from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_API = {
    "load_scenario": "optimizer.scenario",
    "Scenario": "optimizer.scenario",
    "plan": "optimizer.pipeline",
    "PlanResult": "optimizer.results",
    "write_outputs": "optimizer.outputs",
    "load_history": "forecasts.history",
    "scenario_from_dict": "optimizer.scenario",
    "Shock": "optimizer.scenario",
    "load_inputs": "optimizer.inputs",
    "check_inputs": "optimizer.inputs",
    "fit_forecasts": "optimizer.pipeline",
    "plan_with": "optimizer.pipeline",
    "compare": "optimizer.compare:compare_runs",
    "Comparison": "optimizer.compare",
    "load_run": "optimizer.compare",
    "frontier": "optimizer.frontier",
    "Frontier": "optimizer.frontier",
    "with_budget": "optimizer.frontier",
    "stress": "optimizer.shocks",
    "ShockReport": "optimizer.shocks",
    "rebalance": "optimizer.rebalance",
    "Rebalance": "optimizer.rebalance",
    "write_workbook": "optimizer.spreadsheet",
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
