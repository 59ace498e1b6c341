"""The Spark backend on a real cluster: a standalone master and two one-core workers started
from pyspark's own daemon script (the recipe in docs/spark.md), the market example planned on
it through `forecast.spark.master: spark://…` by the command line, and a worker killed while
the fits run. The cluster is stopped after the module, whatever the tests did."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from example_copies import example_copy

pytestmark = pytest.mark.slow

PARTITIONS = 6                  # Spark tasks the 20 units are spread over
OUTPUTS = ["allocation.csv", "channels.csv", "curves.csv", "forecast.csv",
           "plausible_curves.csv", "summary.json"]
WAIT_S = 90                     # a busy machine starts a JVM slowly
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read().decode("utf-8"))


def _wait(what: str, check, timeout: float = WAIT_S):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except (OSError, ValueError, IndexError, KeyError):   # not up yet, or not JSON yet
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


@dataclass
class Cluster:
    """A running standalone cluster: its master URL and web UI, the workers' web UIs, the
    environment a driver needs, and the event logs its applications leave."""

    master: str
    master_ui: str
    worker_uis: list[str]
    home: Path
    env: dict[str, str]
    driver_ui_port: int

    def daemon(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", str(self.home / "sbin" / "spark-daemon.sh"), *args],
                              env=self.env, capture_output=True, text=True, timeout=WAIT_S)

    def pid(self, cls: str, instance: int) -> int | None:
        path = Path(self.env["SPARK_PID_DIR"]) / f"spark-{self.env['SPARK_IDENT_STRING']}-" \
                                                 f"{cls}-{instance}.pid"
        return int(path.read_text()) if path.exists() else None

    def status(self) -> dict:
        return _json(self.master_ui + "/json/")

    def event_log(self, app_id: str) -> list[dict]:
        path = Path(self.env["SPARK_EVENT_LOG"]) / app_id
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in \
        Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[:1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Master + two workers (1 core, 1 GB each) on 127.0.0.1 with their logs, pids and work
    folders in a temporary folder; stopped (then killed if need be) after the module."""
    pytest.importorskip("pyspark")
    from pyspark.find_spark_home import _find_spark_home
    base = tmp_path_factory.mktemp("spark-cluster")
    home = Path(_find_spark_home())
    conf = base / "conf"
    conf.mkdir()
    events = base / "events"
    events.mkdir()
    driver_ui = _free_port()
    # read by the daemons and by every driver launched with this SPARK_CONF_DIR
    (conf / "spark-defaults.conf").write_text(
        "spark.executor.memory 512m\n"
        "spark.scheduler.minRegisteredResourcesRatio 1.0\n"
        "spark.eventLog.enabled true\n"
        "spark.eventLog.compress false\n"
        "spark.eventLog.rolling.enabled false\n"
        f"spark.eventLog.dir file://{events}\n"
        f"spark.ui.port {driver_ui}\n", encoding="utf-8")
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_CONF_DIR": str(conf),
           "SPARK_LOG_DIR": str(base / "logs"), "SPARK_PID_DIR": str(base / "pids"),
           "SPARK_WORKER_DIR": str(base / "work"), "SPARK_IDENT_STRING": "budgetopt-test",
           "SPARK_DAEMON_MEMORY": "256m", "SPARK_LOCAL_IP": "127.0.0.1",
           "SPARK_EVENT_LOG": str(events),
           # the workers start Python for the fits with the driver's PYSPARK_PYTHON: this
           # interpreter, whose environment has budgetopt and its pinned dependencies
           "PYSPARK_PYTHON": sys.executable}
    env.pop("PYSPARK_DRIVER_PYTHON", None)
    port, ui = _free_port(), _free_port()
    worker_uis = [_free_port(), _free_port()]
    c = Cluster(f"spark://127.0.0.1:{port}", f"http://127.0.0.1:{ui}",
                [f"http://127.0.0.1:{p}" for p in worker_uis], home, env, driver_ui)
    try:
        started = c.daemon("start", MASTER_CLASS, "1", "--host", "127.0.0.1", "--port",
                           str(port), "--webui-port", str(ui))
        assert started.returncode == 0, started.stdout + started.stderr
        _wait("the master", lambda: c.status().get("status") == "ALIVE")
        for n, worker_ui in enumerate(worker_uis, start=1):
            started = c.daemon("start", WORKER_CLASS, str(n), "--host", "127.0.0.1",
                               "--webui-port", str(worker_ui), "--cores", "1", "--memory",
                               "1g", c.master)
            assert started.returncode == 0, started.stdout + started.stderr
        _wait("two workers", lambda: c.status()["aliveworkers"] == 2)
        yield c
    finally:
        for cls, n in [(WORKER_CLASS, 2), (WORKER_CLASS, 1), (MASTER_CLASS, 1)]:
            pid = c.pid(cls, n)
            c.daemon("stop", cls, str(n))
            deadline = time.monotonic() + 20
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _run(scenario: Path, out: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "budgetopt", "run", str(scenario), "--out",
                             str(out), "--no-report", "--quiet"], env=env, cwd=scenario.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _spark_forecast(cluster: Cluster) -> str:
    return ("seasonality_mode: multiplicative, pilot_change: 0.3, backend: spark, "
            f"spark: {{master: '{cluster.master}', partitions: {PARTITIONS}}}")


@pytest.fixture(scope="module")
def local_plan(tmp_path_factory) -> Path:
    """The market example planned with the local backend, for comparison."""
    folder = tmp_path_factory.mktemp("local")
    scenario = example_copy("markets.yaml", folder,
                            "seasonality_mode: multiplicative, pilot_change: 0.3, backend: local")
    run = _run(scenario, folder / "out", dict(os.environ))
    _, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    return folder / "out"


def _same_outputs(a: Path, b: Path) -> None:
    """Every CSV byte for byte; summary.json byte for byte once the two scenario files'
    hashes (they differ in their forecast line only) are taken out."""
    for name in OUTPUTS[:-1]:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name

    def summary(folder: Path) -> str:
        text = (folder / "summary.json").read_text(encoding="utf-8")
        data = json.loads(text)
        for key in ("scenario_settings_sha256",):
            data["inputs"].pop(key)
        data["inputs"]["scenario"].pop("sha256")
        return json.dumps(data, sort_keys=True)
    assert summary(a) == summary(b)
    assert json.loads((a / "summary.json").read_text())["inputs"]["history"] == \
        json.loads((b / "summary.json").read_text())["inputs"]["history"]


def _fit_stage(events: list[dict]) -> int:
    """The stage that ran the per-unit fits: the one with one task per partition that ran
    Python (applyInPandas), the last such stage of the run."""
    stages = [e["Stage Info"] for e in events if e["Event"] == "SparkListenerStageCompleted"
              and e["Stage Info"]["Number of Tasks"] == PARTITIONS]
    assert stages, "no stage with one task per partition in the event log"
    return stages[-1]["Stage ID"]


def _executor_workers(events: list[dict]) -> dict[str, str]:
    """Executor id -> the web UI of the worker it ran on (its log links point there)."""
    out = {}
    for e in events:
        if e["Event"] == "SparkListenerExecutorAdded":
            url = e["Executor Info"]["Log Urls"]["stdout"]
            out[e["Executor ID"]] = url.split("/logPage")[0]
    return out


def _app_id(events: list[dict]) -> str:
    return next(e["App ID"] for e in events if e["Event"] == "SparkListenerApplicationStart")


def test_the_market_example_on_two_workers_is_identical_to_local(cluster, local_plan,
                                                                 tmp_path):
    status = cluster.status()
    assert status["aliveworkers"] == 2 and status["cores"] == 2
    assert sorted(w["webuiaddress"] for w in status["workers"]) == sorted(cluster.worker_uis)
    scenario = example_copy("markets.yaml", tmp_path, _spark_forecast(cluster))
    run = _run(scenario, tmp_path / "out", cluster.env)
    _, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    _same_outputs(local_plan, tmp_path / "out")

    # the application ran on this cluster and the fits on both workers
    done = cluster.status()["completedapps"]
    apps = {a["id"] for a in done}
    app_id = next(a for a in apps if (Path(cluster.env["SPARK_EVENT_LOG"]) / a).exists())
    events = cluster.event_log(app_id)
    assert _app_id(events) == app_id
    fit = _fit_stage(events)
    workers = _executor_workers(events)
    assert sorted(workers.values()) == sorted(cluster.worker_uis)   # one executor per worker
    tasks = [e for e in events if e["Event"] == "SparkListenerTaskEnd" and e["Stage ID"] == fit]
    assert all(e["Task End Reason"]["Reason"] == "Success" for e in tasks)
    assert len(tasks) == PARTITIONS
    per_worker = {url: sum(workers[e["Task Info"]["Executor ID"]] == url for e in tasks)
                  for url in cluster.worker_uis}
    assert all(n >= 1 for n in per_worker.values()), per_worker
    assert sum(per_worker.values()) == PARTITIONS


def _kill_a_worker_mid_fit(cluster: Cluster, run: subprocess.Popen) -> dict:
    """Wait until the fit stage runs a task on the second worker's executor, then kill that
    worker's JVM (SIGKILL: no goodbye to the master); its executor follows it."""
    api = f"http://127.0.0.1:{cluster.driver_ui_port}/api/v1/applications"
    app_id = _wait("the application", lambda: run.poll() is None and _json(api)[0]["id"])

    def fitting_on_worker_2():
        assert run.poll() is None, "the run ended before a worker could be lost"
        mine = [e for e in _json(cluster.worker_uis[1] + "/json/")["executors"]
                if e["appid"] == app_id]
        stages = [s for s in _json(f"{api}/{app_id}/stages?status=active")
                  if s["numTasks"] == PARTITIONS]
        if not (mine and stages):
            return None
        executors = {e["id"]: e for e in _json(f"{api}/{app_id}/executors")}
        executor = executors.get(str(mine[0]["id"]))
        if not (executor and executor["activeTasks"] >= 1):
            return None
        return executor, stages[0]["stageId"]
    executor, stage = _wait("a fit on the second worker", fitting_on_worker_2, timeout=300)
    os.kill(cluster.pid(WORKER_CLASS, 2), signal.SIGKILL)
    return {"app_id": app_id, "executor": executor["id"], "stage": stage}


def test_a_worker_lost_mid_fit_the_tasks_rerun_on_the_other_and_outputs_hold(
        cluster, local_plan, tmp_path):
    assert cluster.status()["aliveworkers"] == 2
    scenario = example_copy("markets.yaml", tmp_path, _spark_forecast(cluster))
    run = _run(scenario, tmp_path / "out", cluster.env)
    try:
        lost = _kill_a_worker_mid_fit(cluster, run)
        _, err = run.communicate(timeout=600)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err
    _same_outputs(local_plan, tmp_path / "out")

    # the master saw the worker go; the fits it was running ran again on the other one
    assert _wait("the master to drop the worker", lambda: cluster.status()["aliveworkers"] == 1)
    events = cluster.event_log(lost["app_id"])
    fit = lost["stage"]     # pooled markets fit twice (evidence, then curves): the one hit
    assert fit in {e["Stage Info"]["Stage ID"] for e in events
                   if e["Event"] == "SparkListenerStageCompleted"
                   and e["Stage Info"]["Number of Tasks"] == PARTITIONS}
    workers = _executor_workers(events)
    assert workers[lost["executor"]] == cluster.worker_uis[1]
    removed = [e for e in events if e["Event"] == "SparkListenerExecutorRemoved"]
    assert [e["Executor ID"] for e in removed] == [lost["executor"]]
    ends = [e for e in events if e["Event"] == "SparkListenerTaskEnd" and e["Stage ID"] == fit]
    reasons = [(e["Task Info"]["Executor ID"], e["Task End Reason"]["Reason"]) for e in ends]
    # the lost executor's running fit failed as lost with its worker, not as the fit's fault
    lost_tasks = [e for e in ends if e["Task Info"]["Executor ID"] == lost["executor"]
                  and e["Task End Reason"]["Reason"] != "Success"]
    assert lost_tasks, reasons
    assert all(e["Task End Reason"]["Reason"] == "ExecutorLostFailure"
               and "worker lost" in e["Task End Reason"]["Loss Reason"] for e in lost_tasks)
    # the other worker's tasks could only fail for the shuffle blocks that were on the lost one
    assert {r for x, r in reasons if x != lost["executor"]} <= {"Success", "FetchFailed"}
    # every partition's fits finished in the end; each one that failed, on the survivor
    final = {}
    for e in ends:
        if e["Task End Reason"]["Reason"] == "Success":
            final[e["Task Info"]["Index"]] = workers[e["Task Info"]["Executor ID"]]
    assert sorted(final) == list(range(PARTITIONS))
    failed = {e["Task Info"]["Index"] for e in ends if e["Task End Reason"]["Reason"] != "Success"}
    assert failed and {final[i] for i in failed} == {cluster.worker_uis[0]}
