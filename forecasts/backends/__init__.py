"""Where the per-unit work runs: on this machine's cores (`local`) or on a Spark session
(`spark`). A backend maps one function over units, each with its own history rows, and gives
the results back in the units' order; the same inputs give the same results on either."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd


@dataclass(frozen=True)
class UnitTask:
    """One unit's work: its key for messages, its identity and its history rows."""

    key: str
    unit: tuple[str, str | None]
    frame: pd.DataFrame


class Backend(Protocol):
    name: str

    def map_units(self, func: Callable[..., Any], tasks: list[UnitTask], args: tuple,
                  progress: Callable[[int, int], None] | None = None,
                  codec: tuple[Callable[[Any], str], Callable[[str], Any]] | None = None
                  ) -> list[Any]:
        """`func(task.unit, task.frame, *args)` for every task, results in task order; a
        failing unit raises PlanError naming it. `codec` (encode, decode) turns a result into
        text and back where it must travel as text (Spark; default JSON)."""


def make_backend(name: str = "local", *, n_jobs: int | None = None, master: str | None = None,
                 partitions: int | None = None, where: str = "forecast.backend") -> Backend:
    """The backend a scenario's `forecast:` section asks for."""
    if name == "local":
        from budgetopt.forecasts.backends.local import LocalBackend
        return LocalBackend(n_jobs)
    if name == "spark":
        from budgetopt.forecasts.backends.spark import SparkBackend
        return SparkBackend(master=master, partitions=partitions, where=where)
    from budgetopt.errors import InputError
    raise InputError(f"forecast.backend {name!r} is unknown", where=where,
                     fix="use forecast.backend: local or spark")


def unit_failed(key: str, error: BaseException | str):
    """The error for a unit whose work failed: it names the unit (exit code 1)."""
    from budgetopt.errors import PlanError
    detail = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    detail = " ".join(str(detail).split())
    return PlanError(f"fitting unit {key} failed: {detail[:300]}", where="forecast",
                     fix="check that unit's history (or drop it with exclude: true); "
                         "run with --debug for the full trace")
