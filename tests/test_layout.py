"""The layout's one-way import rule, read from the source: which stage may import which, no
cycles (imports under TYPE_CHECKING and inside functions included), and no product module
much over 400 lines. docs/architecture.md draws the same map."""
from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE_DIRS = PYPROJECT["tool"]["setuptools"]["package-dir"]

CORE = ("budgetopt.errors", "budgetopt.units", "budgetopt.money", "budgetopt.names",
        "budgetopt.risk_measures")
SOLVER_LIBS = ("pulp", "highspy")
FIT_LIBS = ("prophet", "cmdstanpy")

PLAN_READS = ("budgetopt.forecasts.history", "budgetopt.forecasts.curves.curveset",
              "budgetopt.forecasts.curves.breakpoints", "budgetopt.optimizer.scenario",
              "budgetopt.optimizer.lp", "budgetopt.optimizer.rules", "budgetopt.optimizer.results",
              "budgetopt.optimizer.intake")

#: stage → the project modules it may import (prefixes); every module belongs to one stage
STAGES = {
    "core": CORE,
    "forecasts": CORE + ("budgetopt.forecasts",),
    "datasets": CORE + ("budgetopt.forecasts.history", "budgetopt.datasets"),
    "scenario": CORE + ("budgetopt.optimizer.scenario",),
    "lp": CORE + ("budgetopt.optimizer.lp",),
    "rules": CORE + ("budgetopt.optimizer.scenario", "budgetopt.optimizer.lp",
                     "budgetopt.optimizer.rules"),
    "results": CORE + ("budgetopt.optimizer.scenario", "budgetopt.optimizer.results",
                       "budgetopt.forecasts.history.calendar"),
    "intake": CORE + ("budgetopt.forecasts", "budgetopt.optimizer.scenario",
                      "budgetopt.optimizer.intake"),
    # the plan's stages read the curve set, never a forecaster or a model
    "plan": CORE + PLAN_READS + ("budgetopt.optimizer.plan",),
    "tools": CORE + PLAN_READS + ("budgetopt.optimizer.plan", "budgetopt.optimizer.tools"),
    "cli": CORE + ("budgetopt", "budgetopt.optimizer.results", "budgetopt.optimizer.cli"),
    "api": None,                       # budgetopt/__init__, __main__: the public surface
}
#: third-party libraries only some stages may import
LIBS = {"forecasts": FIT_LIBS, "lp": SOLVER_LIBS, "rules": SOLVER_LIBS, "plan": SOLVER_LIBS,
        "tools": SOLVER_LIBS}


def stage_of(module: str) -> str | None:
    if module in ("budgetopt", "budgetopt.__main__"):
        return "api"
    if module in CORE:
        return "core"
    if module.startswith("budgetopt.scenarios") or module in ("budgetopt.forecasts",
                                                              "budgetopt.optimizer"):
        return None                    # example scripts planners copy; empty namespace folders
    for prefix, stage in (("budgetopt.forecasts", "forecasts"), ("budgetopt.datasets", "datasets"),
                          ("budgetopt.optimizer.scenario", "scenario"),
                          ("budgetopt.optimizer.lp", "lp"), ("budgetopt.optimizer.rules", "rules"),
                          ("budgetopt.optimizer.results", "results"),
                          ("budgetopt.optimizer.intake", "intake"),
                          ("budgetopt.optimizer.plan", "plan"),
                          ("budgetopt.optimizer.tools", "tools"),
                          ("budgetopt.optimizer.cli", "cli")):
        if module == prefix or module.startswith(prefix + "."):
            return stage
    return "unknown"


def product_modules() -> dict[str, Path]:
    """Every installed module of the distribution, by dotted name."""
    modules = {}
    for package, folder in PACKAGE_DIRS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT / folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            modules[".".join([package, *parts])] = path
    return modules


MODULES = product_modules()


def imports_of(module: str, path: Path) -> set[str]:
    """Modules `module` imports anywhere in its file (top level, functions, TYPE_CHECKING)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return found


def graph(modules: dict[str, Path] = MODULES) -> dict[str, set[str]]:
    return {m: imports_of(m, p) for m, p in modules.items()}


def _allowed(target: str, prefixes: tuple[str, ...]) -> bool:
    """`budgetopt` itself allows the public API package only, not everything below it."""
    return any(target == p or (p != "budgetopt" and target.startswith(p + "."))
               for p in prefixes)


def violations(edges: dict[str, set[str]]) -> list[str]:
    """Every import that breaks the stage rule, in words."""
    found = []
    for module, targets in sorted(edges.items()):
        stage = stage_of(module)
        if stage == "unknown":
            found.append(f"{module} belongs to no stage: add it to tests/test_layout.py")
            continue
        if stage is None or STAGES[stage] is None:
            continue
        for target in sorted(targets):
            top = target.split(".")[0]
            if top == "budgetopt":
                if target == "budgetopt" and stage != "cli":
                    found.append(f"{module} ({stage}) imports the public API package")
                elif target != "budgetopt" and not _allowed(target, STAGES[stage]):
                    found.append(f"{module} ({stage}) imports {target} ({stage_of(target)})")
            elif top in SOLVER_LIBS + FIT_LIBS and top not in LIBS.get(stage, ()):
                found.append(f"{module} ({stage}) imports {top}")
    return found


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one project module (Tarjan's algorithm)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in edges:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_the_modules_were_found():
    assert {"budgetopt.optimizer.lp.model", "budgetopt.forecasts.models.fit",
            "budgetopt.optimizer.cli.main", "budgetopt.datasets.worlds"} <= set(MODULES)


def test_every_package_folder_is_installed():
    """A folder with an __init__.py that pyproject's package list misses would be left out
    of the wheel."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    packages = {m for m, p in MODULES.items() if p.name == "__init__.py"}
    assert packages == listed


def test_imports_point_one_way():
    assert violations(graph()) == []


def test_there_are_no_import_cycles():
    assert cycles(graph()) == []


#: within forecasting, what each subpackage may import of the others (the curve set is built
#: from fitted models, so curves read models; models never read curves)
FORECAST_ORDER = {"budgetopt.forecasts.components": (),
                  "budgetopt.forecasts.models": ("budgetopt.forecasts.components",
                                                 "budgetopt.forecasts.history",
                                                 "budgetopt.forecasts.backends"),
                  "budgetopt.forecasts.curves": ("budgetopt.forecasts.components",
                                                 "budgetopt.forecasts.models")}


def forecast_violations(edges: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(edges.items()):
        package = next((p for p in FORECAST_ORDER if module.startswith(p + ".")), None)
        if package is None:
            continue
        for target in sorted(targets):
            other = next((p for p in FORECAST_ORDER if target.startswith(p + ".")), None)
            if other not in (None, package) and other not in FORECAST_ORDER[package]:
                found.append(f"{module} imports {target}")
    return found


def test_forecasting_subpackages_point_one_way():
    assert forecast_violations(graph()) == []
    edges = graph()        # the loop there was: the forecaster tabulating curves itself
    edges["budgetopt.forecasts.models.forecaster"] |= {"budgetopt.forecasts.curves.breakpoints"}
    assert forecast_violations(edges) == [
        "budgetopt.forecasts.models.forecaster imports budgetopt.forecasts.curves.breakpoints"]


def test_a_forbidden_import_is_reported():
    edges = graph()
    edges["budgetopt.forecasts.models.fit"] = edges["budgetopt.forecasts.models.fit"] | {
        "budgetopt.optimizer.lp.model"}
    edges["budgetopt.optimizer.results.charts"] = edges["budgetopt.optimizer.results.charts"] | {
        "pulp"}
    assert violations(edges) == [
        "budgetopt.forecasts.models.fit (forecasts) imports budgetopt.optimizer.lp.model (lp)",
        "budgetopt.optimizer.results.charts (results) imports pulp"]


def test_a_cycle_is_reported():
    edges = graph()
    edges["budgetopt.optimizer.lp.model"] = edges["budgetopt.optimizer.lp.model"] | {
        "budgetopt.optimizer.rules.base"}
    assert ["budgetopt.optimizer.lp.model", "budgetopt.optimizer.rules.base"] in cycles(edges)


@pytest.mark.parametrize("module", sorted(m for m, p in MODULES.items()
                                          if not m.startswith("budgetopt.scenarios")))
def test_product_modules_stay_small(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= 420, f"{module} has {lines} lines: split it by idea"
