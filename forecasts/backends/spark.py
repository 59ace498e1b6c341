"""The Spark backend: every unit's work runs as a grouped pandas UDF (`applyInPandas`, one
group per unit) on a Spark session — the one already active (a notebook, `spark-submit`), or
one built from the scenario's `forecast.spark: {master, partitions}`.

Each group carries the unit's index and its rows (dates as day numbers, so no time zone can
touch them); the worker runs the same function the local backend runs and sends the result
back as text (JSON; a fitted model through `budgetopt.forecasts.models.wire`), with any error
as text, so a failing unit is named and nothing is written. The
results are put back in the units' order: the same fits, byte for byte, as the local backend.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from budgetopt.errors import InputError, PlanError
from budgetopt.forecasts.backends.base import UnitTask, unit_failed

CONNECT_TIMEOUT_S = 5.0
DEFAULT_PORTS = {"spark": 7077, "sc": 15002}
RESULT_SCHEMA = "unit_index long, ok boolean, payload string, error string"
_EPOCH = np.datetime64("1970-01-01", "D")
_JVM_PACKAGES = ("org.", "java.", "javax.", "scala.", "py4j.")
_PYTHON_ERROR = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit): \S")
_sessions: dict[str, Any] = {}


def _pyspark(where: str):
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError("E1003", where=where) from None
    return SparkSession


def java_available() -> bool:
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return True
    return shutil.which("java") is not None


def check_master(master: str, where: str) -> None:
    """A standalone (spark://) or Spark Connect (sc://) master must accept a connection
    before a session is built on it (Spark itself would retry for a minute)."""
    url = urlparse(master)
    if url.scheme not in DEFAULT_PORTS:
        return
    hosts = [h for h in url.netloc.split(",") if h]
    reached, last = [], f"{master}: no host in the address"
    for hostport in hosts:
        host, _, port = hostport.rpartition(":") if ":" in hostport else (hostport, "", "")
        try:
            with socket.create_connection((host, int(port or DEFAULT_PORTS[url.scheme])),
                                          timeout=CONNECT_TIMEOUT_S):
                reached.append(hostport)
        except (OSError, ValueError) as exc:
            problem = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            last = f"{hostport}: {problem or type(exc).__name__}"
    if not reached:
        raise InputError("E1004", master=master, reason=str(last), where=where)


def spark_session(master: str | None = None, where: str = "forecast.spark"):
    """The active Spark session, or one on `master` (default local[*], all cores)."""
    SparkSession = _pyspark(where)
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    master = master or "local[*]"
    if master in _sessions and _sessions[master].sparkContext._jsc is not None:
        return _sessions[master]
    if not java_available():
        raise InputError("E1005", where=where)
    check_master(master, where)
    _free_the_context(master, where)
    if master.startswith("local"):
        # local workers run this very interpreter, so they import the same packages
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(master).appName("budgetopt")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
    if master.startswith("local"):
        builder = builder.config("spark.ui.enabled", "false")
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - the JVM's reasons come as many types
        raise InputError("E1006", master=master, reason=" ".join(str(exc).split())[:200],
                         where=where) from None
    session.sparkContext.setLogLevel("ERROR")
    _sessions[master] = session
    return session


def _free_the_context(master: str, where: str) -> None:
    """A process holds one SparkContext, and Spark would hand back the running one whatever
    master was asked for: a session this module built on another master is stopped first; one
    started elsewhere (a notebook's, spark-submit's) is left alone and the plan refused."""
    from pyspark import SparkContext
    running = SparkContext._active_spark_context
    if running is None or running._jsc is None:
        return
    for built, session in list(_sessions.items()):
        if session.sparkContext is running:
            session.stop()
            del _sessions[built]
            return
    raise InputError("E1008", running=running.master, master=master, where=where)


def _spark_reason(exc: BaseException) -> str:
    """Spark's reason for a failed job in one line: the Python error a worker raised, else the
    stage failure, else the first line of what Spark said."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    python = [line for line in lines
              if _PYTHON_ERROR.match(line) and not line.startswith(_JVM_PACKAGES)]
    stage = [line for line in lines if "Job aborted due to stage failure" in line]
    reason = python[-1] if python else (stage[0] if stage else (lines[0] if lines else
                                                                   type(exc).__name__))
    reason = reason.split("Job aborted due to stage failure: ")[-1]
    return " ".join(reason.split())[:300]


def _days(dates: pd.Series) -> np.ndarray:
    return (pd.to_datetime(dates).to_numpy().astype("datetime64[D]") - _EPOCH).astype(np.int64)


def _group_runner(func: Callable[..., Any], columns: list[str], units: list, args: tuple,
                  encode: Callable[[Any], str]):
    """The function each Spark group runs: rebuild the unit's frame, call `func`, encode the
    result as text."""
    def run(rows: pd.DataFrame) -> pd.DataFrame:
        index = int(rows["unit_index"].iloc[0])
        rows = rows.sort_values("row", kind="stable")
        frame = pd.DataFrame({c: rows[c].to_numpy() for c in columns if c != "date"})
        frame.insert(0, "date", pd.to_datetime(_EPOCH + rows["day"].to_numpy()
                                                .astype("timedelta64[D]")))
        frame = frame[columns]
        try:
            payload, ok, error = encode(func(units[index], frame, *args)), True, None
        except Exception as exc:  # noqa: BLE001 - reported by unit on the driver
            payload, ok, error = "", False, f"{type(exc).__name__}: {exc}"
        return pd.DataFrame({"unit_index": [index], "ok": [ok], "payload": [payload],
                             "error": [error]})
    return run


class SparkBackend:
    """Units as Spark groups; `partitions` (default: the session's parallelism) sets how many
    tasks the units are spread over."""

    name = "spark"

    def __init__(self, master: str | None = None, partitions: int | None = None,
                 where: str = "forecast.spark", session=None):
        self.master = master
        self.partitions = partitions
        self.where = where
        self._session = session

    @property
    def session(self):
        if self._session is None:
            self._session = spark_session(self.master, self.where)
        return self._session

    def map_units(self, func: Callable[..., Any], tasks: list[UnitTask], args: tuple,
                  progress: Callable[[int, int], None] | None = None,
                  codec: tuple[Callable[[Any], str], Callable[[str], Any]] | None = None
                  ) -> list[Any]:
        encode, decode = codec or (json.dumps, json.loads)
        if not tasks:
            return []
        session = self.session
        columns = list(tasks[0].frame.columns)
        rows = pd.concat([_wire(i, t.frame) for i, t in enumerate(tasks)], ignore_index=True)
        runner = _group_runner(func, columns, [t.unit for t in tasks], args, encode)
        try:
            frame = session.createDataFrame(rows)
            parts = self.partitions or session.sparkContext.defaultParallelism
            frame = frame.repartition(max(1, min(int(parts), len(tasks))), "unit_index")
            out = frame.groupBy("unit_index").applyInPandas(runner, RESULT_SCHEMA).toPandas()
        except Exception as exc:  # noqa: BLE001 - Spark's job failures come as many types
            # (a worker lost more often than spark.task.maxFailures, a worker's Python that
            # cannot import budgetopt): one line, Spark's own trace behind --debug
            raise PlanError("E1007", reason=_spark_reason(exc), where=self.where) from exc
        by_index = {int(r.unit_index): r for r in out.itertuples(index=False)}
        results = []
        for i, task in enumerate(tasks):
            row = by_index.get(i)
            if row is None:
                raise unit_failed(task.key, "no result came back from Spark")
            if not row.ok:
                raise unit_failed(task.key, row.error)
            results.append(decode(row.payload))
        if progress:
            progress(len(tasks), len(tasks))
        return results


def _wire(index: int, frame: pd.DataFrame) -> pd.DataFrame:
    """A unit's rows as Spark carries them: index, row order, day number, numeric columns."""
    out = frame.drop(columns=["date"]).copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].astype(str)
    out.insert(0, "day", _days(frame["date"]))
    out.insert(0, "row", np.arange(len(frame), dtype=np.int64))
    out.insert(0, "unit_index", np.int64(index))
    return out
