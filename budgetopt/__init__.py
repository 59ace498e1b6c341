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
    "BudgetoptError": "budgetopt.errors",
    "InputError": "budgetopt.errors",
    "PlanError": "budgetopt.errors",
}

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'budgetopt' has no attribute {name!r}")
