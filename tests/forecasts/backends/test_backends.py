"""Where the unit fits run: the local backend (all cores) and the Spark backend (grouped pandas
UDFs in Spark local mode) give the same fits, and every way the Spark backend cannot run is one
clear line with the right exit code."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from budgetopt.datasets import make_world, write_history
from budgetopt.errors import InputError, PlanError
from budgetopt.forecasts.backends import UnitTask, make_backend
from budgetopt.forecasts.backends import spark as spark_backend
from budgetopt.forecasts.backends.local import LocalBackend


def _weighted_sum(unit, frame, weight):
    """A unit's work whose answer is known: Σ weight·spend, with the unit it came from."""
    if unit == ("bad", "x"):
        raise ValueError("spend column is corrupt")
    return {"unit": list(unit), "sum": float(weight * frame["spend"].sum()),
            "last": str(frame["date"].iloc[-1].date())}


def _tasks() -> list[UnitTask]:
    out = []
    for i, unit in enumerate([("a", "x"), ("b", "y"), ("c", None)]):
        dates = pd.date_range("2025-01-01", periods=5 + i, freq="D")
        out.append(UnitTask("/".join(u for u in unit if u), unit,
                            pd.DataFrame({"date": dates, "spend": np.arange(5 + i) * 1.5})))
    return out


def test_local_backend_returns_each_units_result_in_order():
    tasks = _tasks()
    results = LocalBackend(1).map_units(_weighted_sum, tasks, (2.0,))
    expected = [{"unit": list(t.unit), "sum": 2.0 * float(t.frame["spend"].sum()),
                 "last": str(t.frame["date"].iloc[-1].date())} for t in tasks]
    assert results == expected
    assert results[2] == {"unit": ["c", None], "sum": 2.0 * 1.5 * sum(range(7)),
                          "last": "2025-01-07"}


def test_local_backend_reports_progress_once_per_unit():
    seen = []
    LocalBackend(1).map_units(_weighted_sum, _tasks(), (1.0,), lambda d, n: seen.append((d, n)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_a_failing_unit_is_named_by_the_local_backend():
    tasks = _tasks() + [UnitTask("bad/x", ("bad", "x"), _tasks()[0].frame)]
    with pytest.raises(PlanError) as info:
        LocalBackend(1).map_units(_weighted_sum, tasks, (1.0,))
    assert "fitting unit bad/x failed: ValueError: spend column is corrupt" in str(info.value)
    assert info.value.exit_code == 1


def test_an_unknown_backend_is_bad_input():
    with pytest.raises(InputError, match="forecast.backend 'dask' is unknown"):
        make_backend("dask")


# --- Spark: what is missing says so, before any work -------------------------------------------

def test_missing_pyspark_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(InputError) as info:
        spark_backend.spark_session("local[1]")
    assert "needs PySpark, which is not installed" in str(info.value)
    assert "pip install 'budgetopt[spark]'" in str(info.value)
    assert info.value.exit_code == 2


def test_missing_java_is_one_line_with_the_fix(monkeypatch, tmp_path):
    pytest.importorskip("pyspark")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(InputError) as info:
        spark_backend.spark_session("local[1]")   # a master no session runs on yet
    assert "needs Java, and none was found" in str(info.value)
    assert "openjdk-17-jre-headless" in str(info.value)


def test_an_unreachable_master_is_named(unused_port):
    with pytest.raises(InputError) as info:
        spark_backend.check_master(f"spark://127.0.0.1:{unused_port}", "plan.yaml")
    text = str(info.value)
    assert text.startswith(f"plan.yaml: forecast.spark.master spark://127.0.0.1:{unused_port} "
                           "cannot be reached (127.0.0.1:")
    assert "refused" in text.lower()


def test_masters_that_are_not_host_addresses_are_left_to_spark(monkeypatch):
    tried = []
    monkeypatch.setattr(spark_backend.socket, "create_connection",
                        lambda address, timeout=None: tried.append(address))
    for master in ("local[*]", "local[2]", "yarn", "k8s://https://10.0.0.1:443"):
        assert spark_backend.check_master(master, "x") is None
    assert tried == []                      # no connection attempted for any of them
    with pytest.raises(TypeError):          # a standalone master is dialled (the stub returns
        spark_backend.check_master("spark://10.0.0.9:7077", "x")  # None: no context manager)
    assert tried == [("10.0.0.9", 7077)]


@pytest.fixture
def unused_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]   # closed again: nothing listens there


def _markets_scenario(tmp_path: Path, forecast: str) -> Path:
    world = make_world(["search_ads", "live_streaming"], "2024-01-01", "2025-12-31", seed=3,
                       markets=["east", "north"])
    if not (tmp_path / "history.csv").exists():
        write_history(world, tmp_path / "history.csv")
    path = tmp_path / f"{forecast.split(',')[0].split(':')[-1].strip()}.yaml"
    path.write_text("name: markets\nhistory: history.csv\n"
                    "horizon: {start: 2026-01-01, end: 2026-03-31, period: week}\n"
                    "budget: {total: 3_000_000}\n"
                    f"forecast: {{{forecast}}}\n", encoding="utf-8")
    return path


def test_the_cli_refuses_an_unreachable_master_with_exit_2(cli, tmp_path, unused_port, capsys):
    pytest.importorskip("pyspark")
    scenario = _markets_scenario(
        tmp_path, f"backend: spark, spark: {{master: 'spark://127.0.0.1:{unused_port}'}}")
    out = tmp_path / "plan"
    assert cli("run", scenario, "--out", out) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot be reached" in err[0] and "Traceback" not in err[0]
    assert not out.exists()


# --- Spark local mode: the same results as the local backend -----------------------------------

@pytest.mark.slow
def test_spark_names_the_unit_that_failed_on_a_worker():
    pytest.importorskip("pyspark")
    from pyspark import cloudpickle
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests
    tasks = _tasks() + [UnitTask("bad/x", ("bad", "x"), _tasks()[0].frame)]
    backend = make_backend("spark", master="local[2]", partitions=2)
    assert backend.map_units(_weighted_sum, tasks[:3], (2.0,)) == \
        LocalBackend(1).map_units(_weighted_sum, tasks[:3], (2.0,))
    with pytest.raises(PlanError) as info:
        backend.map_units(_weighted_sum, tasks, (1.0,))
    assert "fitting unit bad/x failed: ValueError: spend column is corrupt" in str(info.value)


@pytest.mark.slow
def test_spark_local_mode_plans_channel_by_market_identically(cli, tmp_path):
    pytest.importorskip("pyspark")
    local = _markets_scenario(tmp_path, "backend: local")
    spark = _markets_scenario(tmp_path, "backend: spark, spark: {master: 'local[2]', "
                                        "partitions: 3}")
    assert cli("run", local, "--out", tmp_path / "a", "--no-report", "--quiet") == 0
    assert cli("run", spark, "--out", tmp_path / "b", "--no-report", "--quiet") == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir() if p.suffix == ".csv")
    assert names == ["allocation.csv", "channels.csv", "curves.csv", "forecast.csv",
                     "plausible_curves.csv"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    allocation = pd.read_csv(tmp_path / "b" / "allocation.csv")
    assert sorted(set(zip(allocation["channel"], allocation["market"]))) == [
        ("live_streaming", "east"), ("live_streaming", "north"),
        ("search_ads", "east"), ("search_ads", "north")]

    def summary(d):
        data = json.loads((tmp_path / d / "summary.json").read_text())
        data.pop("inputs", None)   # the two scenario files differ in their backend line
        return data
    assert summary("a") == summary("b")


def test_a_fitted_unit_travels_as_json_text_unchanged():
    from budgetopt.forecasts.history.calendar import holiday_frame
    from budgetopt.forecasts.models.fit import FitSettings, fit_unit
    from budgetopt.forecasts.models.wire import fit_from_text, fit_to_text
    world = make_world(["kol"], "2024-01-01", "2024-12-31", seed=2, markets=["east"])
    rows = world.history
    holidays = holiday_frame(pd.Timestamp("2024-01-01").date(), pd.Timestamp("2025-06-30").date())
    promo = set(pd.date_range("2024-11-01", "2024-11-13"))
    fit = fit_unit(("kol", "east"), rows["date"], rows["revenue"].to_numpy(float),
                   rows["spend"].to_numpy(float), holidays, promo, 1, FitSettings())
    text = fit_to_text(fit)
    back = fit_from_text(text)
    assert back == fit
    assert back.holdout_errors == fit.holdout_errors and back.band == fit.band
    assert fit_to_text(back) == text
    assert isinstance(back.history_end, pd.Timestamp) and back.unit == ("kol", "east")


def test_a_failed_spark_job_is_told_by_the_workers_python_error_or_the_stage_failure():
    trace = ("An error occurred while calling o81.collectAsArrowToPython.\n"
             ": org.apache.spark.SparkException: Job aborted due to stage failure: Task 1 in "
             "stage 2.0 failed 4 times, most recent failure: Lost task 1.3\n"
             "  File \"/x/pyspark/worker.py\", line 9, in main\n"
             "ModuleNotFoundError: No module named 'budgetopt'\n"
             "\tat org.apache.spark.api.python.BasePythonRunner.run(PythonRunner.scala:1)\n")
    assert spark_backend._spark_reason(RuntimeError(trace)) == \
        "ModuleNotFoundError: No module named 'budgetopt'"
    lost = ("An error occurred while calling o81.collectAsArrowToPython.\n"
            ": org.apache.spark.SparkException: Job aborted due to stage failure: Task 3 in "
            "stage 2.0 failed 4 times, most recent failure: ExecutorLostFailure (executor 1 "
            "exited) Reason: worker lost\n\tat org.apache.spark.scheduler.DAGScheduler.x\n")
    assert spark_backend._spark_reason(RuntimeError(lost)) == (
        "Task 3 in stage 2.0 failed 4 times, most recent failure: ExecutorLostFailure "
        "(executor 1 exited) Reason: worker lost")


def test_a_spark_job_failure_is_one_coded_line_with_exit_1():
    class Broken:
        def createDataFrame(self, rows):
            raise RuntimeError("Job aborted due to stage failure: Task 0 failed 4 times, "
                               "most recent failure: ExecutorLostFailure (executor 0 exited)")
    backend = spark_backend.SparkBackend(session=Broken(), where="plan.yaml")
    with pytest.raises(PlanError) as info:
        backend.map_units(_weighted_sum, _tasks(), (1.0,))
    assert str(info.value) == (
        "plan.yaml: the Spark job fitting the units failed: Task 0 failed 4 times, most recent "
        "failure: ExecutorLostFailure (executor 0 exited) — fix: check that every worker runs "
        "the same Python with budgetopt installed (PYSPARK_PYTHON, docs/spark.md) and that the "
        "cluster kept enough workers, then run again; --debug shows Spark's full trace [E1007]")
    assert info.value.exit_code == 1


def test_a_session_on_another_master_is_stopped_if_ours_and_refused_if_not(monkeypatch):
    pyspark = pytest.importorskip("pyspark")
    from types import SimpleNamespace
    stopped = []
    ours = SimpleNamespace(master="local[2]", _jsc=object())
    session = SimpleNamespace(sparkContext=ours, stop=lambda: stopped.append("local[2]"))
    monkeypatch.setattr(spark_backend, "_sessions", {"local[2]": session})
    monkeypatch.setattr(pyspark.SparkContext, "_active_spark_context", ours)
    spark_backend._free_the_context("spark://h:7077", "plan.yaml")
    assert stopped == ["local[2]"] and spark_backend._sessions == {}
    foreign = SimpleNamespace(master="yarn", _jsc=object())
    monkeypatch.setattr(pyspark.SparkContext, "_active_spark_context", foreign)
    with pytest.raises(InputError) as info:
        spark_backend._free_the_context("spark://h:7077", "plan.yaml")
    assert str(info.value).startswith("plan.yaml: a Spark session on yarn is already running "
                                      "in this process, and forecast.spark.master "
                                      "spark://h:7077 would need a second one")
    assert info.value.exit_code == 2
