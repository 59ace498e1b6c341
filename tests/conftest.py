"""Fixtures shared across the test tree: the repository's paths, the in-process command line,
separable log curves with a known exact optimum to check the LP against, and the demo fitted
once per session. Fixtures used by one folder only live in that folder's conftest.py (actuals
from the demo world's truth: tests/optimizer/tools/conftest.py)."""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]

# One import path: the product loads as budgetopt.… only. `python -m pytest` puts the repository
# folder on sys.path, where forecasts/, optimizer/ and scenarios/ would load a second time under
# their bare names, so it is taken off; benchmarks/ (not part of the package) is loaded from its
# folder by name instead, which is what `python -m benchmarks.X` from the repository sees.
sys.path[:] = [p for p in sys.path if Path(p or os.curdir).resolve() != ROOT]


def _load_benchmarks() -> None:
    spec = importlib.util.spec_from_file_location(
        "benchmarks", ROOT / "benchmarks" / "__init__.py",
        submodule_search_locations=[str(ROOT / "benchmarks")])
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchmarks"] = module
    spec.loader.exec_module(module)


_load_benchmarks()


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository's top folder."""
    return ROOT


@pytest.fixture(scope="session")
def scenarios_dir(root) -> Path:
    """The example scenarios (and their data/ folder)."""
    return root / "scenarios"


@pytest.fixture(scope="session")
def demo_scenario(scenarios_dir) -> Path:
    return scenarios_dir / "demo.yaml"


@pytest.fixture(params=sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def example_scenario(request) -> Path:
    """Each example scenario file in turn (the test runs once per file)."""
    return request.param


@pytest.fixture(scope="session")
def bad_dir(root) -> Path:
    """The bad-input corpus (tests/fixtures/bad; good/ holds the valid scenario)."""
    return root / "tests" / "fixtures" / "bad"


@pytest.fixture(scope="session")
def good_scenario(bad_dir) -> Path:
    """The valid scenario every bad-input case departs from (3 units, 12 weeks)."""
    return bad_dir / "good" / "scenario.yaml"


def _run_cli(*args) -> int:
    from budgetopt.optimizer.cli.main import main
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    return exit_info.value.code


@pytest.fixture(scope="session")
def cli():
    """Run the budgetopt command in-process: cli("run", path, "--out", out) -> exit code."""
    return _run_cli


# --- separable log curves a·ln(1 + x/b) with analytic answers ------------------------------------

def log_curve(x, a, b):
    """a · ln(1 + x/b): concave, slope a/(b + x)."""
    return a * np.log1p(np.asarray(x, float) / b)


def log_world(n_units: int, n_periods: int, seed: int = 0):
    """Units ch00, ch01, … and random curve parameters a, b (units × periods)."""
    from budgetopt.units import Unit
    rng = np.random.default_rng(seed)
    a = rng.uniform(50_000, 400_000, size=(n_units, n_periods))
    b = rng.uniform(5_000, 60_000, size=(n_units, n_periods))
    units = [Unit(f"ch{i:02d}") for i in range(n_units)]
    return units, a, b


def curve_table(units, a, b, max_spend: float, points: int = 400) -> pd.DataFrame:
    """Breakpoints dense near zero (geometric) up to max_spend, for every unit × period."""
    grid = np.concatenate([[0.0], np.geomspace(max_spend * 1e-5, max_spend, points)])
    frames = []
    for i, unit in enumerate(units):
        for p in range(a.shape[1]):
            frames.append(pd.DataFrame({"unit": unit.key, "period": p, "spend": grid,
                                        "incremental_kpi": log_curve(grid, a[i, p], b[i, p])}))
    return pd.concat(frames, ignore_index=True)


def exact_log_optimum(a, b, budget: float, upper=None):
    """Bisection on the Lagrange multiplier λ: x = clip(a/λ − b, 0, upper) with Σx = budget.
    Returns (x, Σ a·ln(1 + x/b), λ)."""
    upper = np.full_like(a, np.inf) if upper is None else upper

    def spend(lam):
        return np.clip(a / lam - b, 0.0, upper)

    lo, hi = 1e-12, float(np.max(a / b))
    for _ in range(300):
        mid = np.sqrt(lo * hi)
        if spend(mid).sum() > budget:
            lo = mid
        else:
            hi = mid
    x = spend(np.sqrt(lo * hi))
    return x, float(np.sum(log_curve(x, a, b))), float(np.sqrt(lo * hi))


@pytest.fixture(scope="session")
def log_curves():
    """Curves with known truth: .world(n_units, n_periods, seed) -> (units, a, b);
    .table(units, a, b, max_spend, points) -> curve table; .value(x, a, b) -> a·ln(1 + x/b);
    .exact_optimum(a, b, budget, upper=None) -> (x, value, λ)."""
    return SimpleNamespace(world=log_world, table=curve_table, value=log_curve,
                           exact_optimum=exact_log_optimum)


# --- curve sets from known exponential responses, built without any fit -------------------------

def toy_curve_set(units: dict, periods: pd.DataFrame, step_days: int = 1, baseline: float = 1000.0,
                  flat=(), plausible_gains=(), draws: int = 50):
    """A curve set for `units` {key: (channel, market, gain, scale)} over `periods`: additive
    exponential responses gain·(1 − exp(−x/scale)) per step of spend x, no carryover, a
    constant baseline with draws spread ±10%; `plausible_gains` adds equally weighted
    candidates at those multiples of the gain. A period's curve is then days/step · gain ·
    (1 − exp(−s·step/days/scale)) for period spend s."""
    from types import MappingProxyType

    from budgetopt.forecasts.components.response import Response
    from budgetopt.forecasts.curves.curveset import (CurveSet, PeriodBaseline, UnitCurves, frozen,
                                                     period_rows)
    which = np.concatenate([np.full(int(d) // step_days, int(p))
                            for p, d in zip(periods["period"], periods["days"])])
    spread = np.linspace(0.9, 1.1, draws) * baseline
    out = []
    for key, (channel, market, gain, scale) in sorted(units.items()):
        r = Response("exp", scale, 1.0, 0.0, gain, False)
        candidates = tuple((Response("exp", scale, 1.0, 0.0, gain * m, False),
                            1.0 / len(plausible_gains), 0.0) for m in plausible_gains)
        factor = np.full(len(which), gain)
        steps = [int(d) // step_days for d in periods["days"]]
        rows = tuple(PeriodBaseline(baseline * k, frozen(spread * k), gain * k,
                                    frozen(np.full(draws, gain * k)), 1.0) for k in steps)
        out.append(UnitCurves(key, channel, market, step_days, r, candidates, frozen(which),
                              frozen(np.full(len(which), baseline)), frozen(factor),
                              frozen(factor), False, rows,
                              MappingProxyType({"gain": gain, "scale": scale}), None))
    return CurveSet(period_rows(periods), tuple(out), tuple(flat), 0.8, "known responses",
                    ("a warning",))


def toy_value(spend, gain: float, scale: float, days: int, step_days: int = 1):
    """The toy curve set's period curve at period spend `spend`, computed independently."""
    steps = days / step_days
    return steps * gain * (1.0 - np.exp(-np.asarray(spend, float) / steps / scale))


@pytest.fixture(scope="session")
def toy_curves():
    """Curve sets with known responses and no fit: .build(units, periods, …) -> CurveSet;
    .value(spend, gain, scale, days, step_days) -> the period curve's exact value."""
    return SimpleNamespace(build=toy_curve_set, value=toy_value)


# --- the demo scenario fitted once ---------------------------------------------------------------

@pytest.fixture(scope="session")
def demo_forecaster(demo_scenario):
    """(inputs, forecaster) for scenarios/demo.yaml, fitted once per test session (Prophet: use
    only in slow tests)."""
    from budgetopt.optimizer.intake.fitting import fit_forecasts
    from budgetopt.optimizer.intake.inputs import load_inputs
    from budgetopt.optimizer.scenario.loader import load_scenario
    inputs = load_inputs(load_scenario(demo_scenario))
    return inputs, fit_forecasts(inputs)


@pytest.fixture(scope="session")
def demo_fit(demo_forecaster):
    """(inputs, curve set) for scenarios/demo.yaml from the session's one fit, shared by every
    test that plans on the fitted demo."""
    from budgetopt.optimizer.intake.fitting import curve_set
    inputs, forecaster = demo_forecaster
    return inputs, curve_set(inputs, forecaster)


@pytest.fixture(scope="session")
def demo_curves_for(demo_forecaster, demo_fit):
    """demo_curves_for(inputs) -> the curve set for inputs planned on the demo's history (the
    session's one curve set when the plan periods are the demo's)."""
    from budgetopt.optimizer.intake.fitting import curve_set
    _, forecaster = demo_forecaster
    _, curves = demo_fit

    def curves_for(inputs):
        return curves if curves.matches(inputs.periods) else curve_set(inputs, forecaster)
    return curves_for


# Reports follow the locale when a scenario names no language: tests run in the C locale so
# that a developer's zh_CN terminal does not change what they check.
for _key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_key, None)
os.environ["LANG"] = "C.UTF-8"
