"""Every benchmark imports, and each runs at its smallest size: one world, one repeat, the
smallest instance. What is checked is that it runs and what it reports is sane (the numbers
themselves belong in BENCHMARKS.md, never in a test). Two run as `python -m benchmarks.X`
from the repository, writing their section to a scratch file named by BENCHMARKS_FILE."""
from __future__ import annotations

import importlib
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = sorted(p.stem for p in (ROOT / "benchmarks").glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("name", BENCHMARKS)
def test_every_benchmark_imports(name):
    module = importlib.import_module(f"benchmarks.{name}")
    assert module.__file__ == str(ROOT / "benchmarks" / f"{name}.py")


def test_every_benchmark_has_a_smallest_run():
    """A new benchmark needs its smallest run below (the record module is the writer, the
    valuation module the shared code of the decision-quality benchmarks)."""
    assert set(BENCHMARKS) - {"record", "valuation"} == set(SMALLEST)


def _positive(seconds: float) -> bool:
    return math.isfinite(seconds) and seconds > 0


def _module_run(tmp_path: Path, name: str, *args: str) -> str:
    """`python -m benchmarks.<name> args` from the repository; returns the section written."""
    scratch = tmp_path / "BENCHMARKS.md"
    done = subprocess.run([sys.executable, "-m", f"benchmarks.{name}", *args], cwd=ROOT,
                          env={**os.environ, "BENCHMARKS_FILE": str(scratch)},
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    text = scratch.read_text(encoding="utf-8")
    assert f"<!-- {name}:start -->" in text and f"<!-- {name}:end -->" in text
    return text


def bad_inputs(tmp_path):
    from benchmarks import bad_inputs as b
    fuzz = b.run_fuzz(1)
    assert fuzz and all(accepted + refused >= 1 for _, accepted, refused, _ in fuzz)
    big = b.large_files()
    labels = [label for label, _ in big]
    assert big and not any(shown == "accepted (wrong)" for _, shown in big), big
    assert any(label.endswith("refused in") for label in labels)
    assert any(label.startswith("legal history, 1,100,000 rows") for label in labels)


def decision_quality(tmp_path):
    from benchmarks import decision_quality as d
    frame = d.run(1, 1, d.FAMILIES[:1])
    assert len(frame) == 1 and frame.loc[0, "family"] == d.FAMILIES[0]
    assert frame.loc[0, "optimum"] >= frame.loc[0, "mix"] > 0
    assert "|" in d.report(frame)


def mixed(tmp_path):
    from benchmarks import mixed as m
    row = m.evaluate_world(1, "long", "W")
    assert "error" not in row, row.get("error")
    assert row["optimum"] >= row["mix"] > 0 and 6 <= row["channels"] <= 10
    assert row["p10"] <= row["p50"] <= row["p90"]


def diagnose(tmp_path):
    from benchmarks import diagnose as d
    found = d.diagnose(1, "long", "W")
    plans = found["plans"]
    assert {"optimum", "mix", "default"} <= set(plans)
    assert plans["optimum"]["value"] >= plans["mix"]["value"] > 0
    assert found["world"] in d.render(found)


def fit_speed(tmp_path):
    from benchmarks import fit_speed as f
    result = f.measure(1)
    assert result["units"] == 8 and _positive(result["per_unit"])
    assert {"profile search", "Prophet fit"} <= set(result["parts"])


def forecast_accuracy(tmp_path):
    text = _module_run(tmp_path, "forecast_accuracy", "--folds", "1")
    assert "Demo data, 1 rolling origins" in text


def lp_scale(tmp_path):
    text = _module_run(tmp_path, "lp_scale", "--sizes", "8x13")
    assert text.count("| 8 × 13 |") == 2          # PuLP's HiGHS and the bulk hand-over


def report(tmp_path):
    from benchmarks import report as r
    from budgetopt import plan
    from budgetopt.optimizer.cli.main import demo_scenario_path
    from budgetopt.optimizer.results import charts, plan_charts
    result = plan(demo_scenario_path())
    seconds, png = r.median_time(lambda: charts.png_bytes(plan_charts.pool_chart(result)), 1)
    assert _positive(seconds) and png.startswith(b"\x89PNG")
    assert _positive(r.time_cli([], repeats=1))


def risk_speed(tmp_path):
    from benchmarks import risk_speed as r
    from benchmarks.speed import lp_instance
    from budgetopt.optimizer.lp.risk import SampleCurves
    instance = lp_instance(8, 13)
    candidates, draws = r.sample_factors(instance[0], 20, 4)
    factored = SampleCurves(candidates=candidates, draws=draws)
    dense = SampleCurves(r.sample_table(candidates, draws))
    runs = [r.time_case(instance, c, "cvar", True, repeats=1) for c in (factored, dense)]
    assert _positive(runs[0]["total"])
    assert runs[0]["objective"] == pytest.approx(runs[1]["objective"], rel=1e-6)


def scale(tmp_path):
    from benchmarks import scale as s
    data = s.measure(s.make_case(8, tmp_path, "local"))
    assert "error" not in data, data
    assert data["units"] == 8 and data["periods"] == 13 and data["peak_mb"] > 0


def slsqp(tmp_path):
    from benchmarks import slsqp as s
    beta, scale_, fixed, pool, budget = s.instance(8, 13)
    base = s.value(beta, scale_, fixed)
    lp_spend, _ = s.solve_lp(beta, scale_, fixed, pool, budget)
    sq_spend, _, _ = s.solve_slsqp(beta, scale_, fixed, pool, max_iter=50)
    assert s.value(beta, scale_, lp_spend) > base and s.value(beta, scale_, sq_spend) > base


def speed(tmp_path):
    from benchmarks import speed as s
    assert _positive(s.time_lp(8, 13, "highs", repeats=1))
    assert _positive(s.time_lp(8, 13, "cbc", repeats=1))


def wide(tmp_path):
    from benchmarks import wide as w
    row = w.evaluate_world(w.WIDE_FAMILIES[0], 0)
    assert row["family"] == w.WIDE_FAMILIES[0] and row["channels"] >= 2
    assert math.isfinite(row["roi_error_wide"])


def pooling(tmp_path):
    from benchmarks import pooling as p
    row = p.evaluate_world(0, {"channels": 1, "markets": 3, "months": 12})
    assert row["units"] == 3 and row["optimum"] >= row["mix"] > 0
    for variant in p.VARIANTS:
        assert len(row[f"curve_errors_{variant}"]) == 3
        assert math.isfinite(row[f"vs_mix_{variant}"])
    assert "pooling: markets" in p.report(__import__("pandas").DataFrame([row]), "x", "")


def experiments(tmp_path):
    from benchmarks import experiments as e
    row = e.evaluate_world(0, "W")
    assert "error" not in row and row["channels"] >= 6
    if row["not_identified"]:
        assert row["optimum"] >= row["mix"] > 0 and math.isfinite(row["captured_tests"])
        assert set(row["tested"]) == set(row["not_identified"])


def value_of_tests(tmp_path):
    from benchmarks import test_value as t
    row = t.evaluate_world(0, "W")
    assert "error" not in row and row["channels"] >= 1
    if row.get("top") is not None:
        assert 0.0 <= row["predicted_evsi"] <= row["evpi"] + 1e-6
        assert math.isfinite(row["realized_top"]) and math.isfinite(row["realized_random"])
    assert "| first-ranked test: realized gain, mean |" in t.report(
        pd.DataFrame([row]), "abc", "")


def wide_limit(tmp_path):
    from benchmarks import wide_limit as w
    row = w.evaluate_world(4, "W")
    assert row["channels"] >= 6 and row["roi_error_oracle"] >= 0
    assert -1 < row["captured_oracle"] <= 1 + 1e-6 and row["captured_product"] <= 1 + 1e-6
    assert row["oracle_below_mix"] == (row["captured_oracle"] < 0)
    assert "| weekly | 1 |" in w.report(pd.DataFrame([row]), "abc", "")


def workflows(tmp_path):
    from benchmarks import workflows as w
    assert _positive(w.budgetopt("run", w.DEMO, "--out", tmp_path / "run", "-q"))
    assert _positive(w.budgetopt("compare", tmp_path / "run", tmp_path / "run", "--out",
                                 tmp_path / "cmp", "-q"))
    w.actuals_at_plan(tmp_path / "run", tmp_path / "actuals.csv")
    assert (tmp_path / "actuals.csv").read_text().count("\n") > 1


SMALLEST = {f.__name__: f for f in (bad_inputs, decision_quality, diagnose, experiments, fit_speed,
                                    forecast_accuracy, lp_scale, mixed, pooling, report,
                                    risk_speed, scale,
                                    slsqp, speed, wide, wide_limit, workflows)}
SMALLEST["test_value"] = value_of_tests      # not a name the test runner collects


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SMALLEST))
def test_each_benchmark_runs_at_its_smallest_size(name, tmp_path):
    SMALLEST[name](tmp_path)
