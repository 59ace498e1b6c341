"""The layout rule: import-linter's contracts in pyproject.toml ([tool.importlinter]: layers,
independence, no loops between modules or packages, the solver and Prophet where they belong),
run on the package as the wheel lays it out, benchmarks/ included; one import path; the package
list complete; no product module much over 400 lines. docs/architecture.md draws the same map."""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE_DIRS = PYPROJECT["tool"]["setuptools"]["package-dir"]


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


def stage(dest: Path) -> Path:
    """The package laid out as the wheel installs it (package-dir folders under budgetopt/),
    with benchmarks/ beside it: what import-linter reads, since the source folders sit apart."""
    for module, path in MODULES.items():
        parts = module.split(".")
        target = dest.joinpath(*parts, "__init__.py") if path.name == "__init__.py" else \
            dest.joinpath(*parts[:-1], path.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    for path in sorted((ROOT / "benchmarks").glob("*.py")):
        (dest / "benchmarks").mkdir(exist_ok=True)
        shutil.copyfile(path, dest / "benchmarks" / path.name)
    return dest


def lint_imports(staged: Path) -> subprocess.CompletedProcess:
    """import-linter on the staged tree with the contracts of pyproject.toml."""
    return subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()",
         str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=staged, capture_output=True, text=True, timeout=300)


@pytest.fixture
def staged(tmp_path) -> Path:
    return stage(tmp_path / "stage")


def test_the_modules_were_found():
    assert {"budgetopt.optimizer.lp.model", "budgetopt.forecasts.models.fit",
            "budgetopt.optimizer.cli.main", "budgetopt.datasets.worlds"} <= set(MODULES)


def test_every_package_folder_is_installed():
    """A folder with an __init__.py that pyproject's package list misses would be left out
    of the wheel."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    packages = {m for m, p in MODULES.items() if p.name == "__init__.py"}
    assert packages == listed


def test_the_layout_contracts_hold(staged):
    result = lint_imports(staged)
    contracts = PYPROJECT["tool"]["importlinter"]["contracts"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts)} kept, 0 broken." in result.stdout


def test_a_forbidden_import_and_a_loop_break_the_contracts(staged):
    """Forecasting importing the LP, the results importing PuLP and a benchmark, and the LP
    importing the rules (a loop): each breaks its contract, named with the offending line."""
    edits = {"forecasts/models/fit.py": "from budgetopt.optimizer.lp import model as _lp",
             "optimizer/results/charts.py": "import pulp",
             "optimizer/results/tables.py": "from benchmarks import record as _record",
             "optimizer/lp/model.py": "from budgetopt.optimizer.rules import base as _rules"}
    for path, line in edits.items():
        with open(staged / "budgetopt" / path, "a", encoding="utf-8") as f:
            f.write(f"\n{line}\n")
    out = lint_imports(staged).stdout
    assert "Contracts: 4 kept, 7 broken." in out, out
    for broken in ("Forecasting and the LP know nothing of each other BROKEN",
                   "Forecasting never imports the solver BROKEN",
                   "Presentation never imports the solver BROKEN",
                   "No loops between modules or between packages BROKEN",
                   "Nothing in the package imports the benchmarks BROKEN"):
        assert broken in out, out
    assert "budgetopt.forecasts is not allowed to import budgetopt.optimizer.lp:" in out
    assert "- budgetopt.forecasts.models.fit -> budgetopt.optimizer.lp.model (l." in out
    assert "budgetopt.optimizer.results is not allowed to import pulp:" in out
    assert "- .lp -> .rules (1 import)" in out
    assert "budgetopt.optimizer.results.tables -> benchmarks.record (l." in out
    assert "budgetopt.optimizer.lp is not allowed to import budgetopt.optimizer.rules:" in out


def test_planning_reading_a_model_and_a_model_reading_curves_break_the_contracts(staged):
    """A plan stage importing a forecaster (planning reads only the curve set) and the forecaster
    tabulating curves itself (curves are built from models, never the other way)."""
    edits = {"optimizer/plan/solving.py":
             "from budgetopt.forecasts.models import forecaster as _forecaster",
             "forecasts/models/forecaster.py":
             "from budgetopt.forecasts.curves import breakpoints as _breakpoints"}
    for path, line in edits.items():
        with open(staged / "budgetopt" / path, "a", encoding="utf-8") as f:
            f.write(f"\n{line}\n")
    out = " ".join(lint_imports(staged).stdout.split())     # its lines wrap at any width
    assert "Contracts: 8 kept, 3 broken." in out, out
    for broken in ("Planning reads the curve set, never a forecaster or a model BROKEN",
                   "No loops between modules or between packages BROKEN",
                   "Forecasting: the curve set, then the models it is built from, then response "
                   "components, then history BROKEN"):
        assert broken in out, out
    assert "- budgetopt.optimizer.plan.solving -> budgetopt.forecasts.models.forecaster (l." in out
    assert "budgetopt.forecasts.models is not allowed to import budgetopt.forecasts.curves:" in out
    assert "- .models -> .curves (1 import)" in out


@pytest.mark.parametrize("module", sorted(m for m, p in MODULES.items()
                                          if not m.startswith("budgetopt.scenarios")))
def test_product_modules_stay_small(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= 420, f"{module} has {lines} lines: split it by idea"


@pytest.mark.parametrize("name", ["optimizer", "forecasts", "scenarios"])
def test_stage_folders_load_only_under_budgetopt(name):
    """One import path: `budgetopt.optimizer` and a bare `optimizer` would be two copies of
    every module, each with its own classes and state. (pytest puts tests/ on the path, whose
    folders of the same names hold tests only.)"""
    spec = importlib.util.find_spec(name)
    places = [] if spec is None else [Path(p) for p in spec.submodule_search_locations or ()]
    assert ROOT / name not in places, f"{name} is importable as a top-level name from {ROOT / name}"
    assert importlib.util.find_spec(f"budgetopt.{name}").origin == str(ROOT / name / "__init__.py")
