"""What every backend shares: one unit's task, the backend's one method, and the error that
names a unit whose work failed."""
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


def unit_failed(key: str, error: BaseException | str):
    """The error for a unit whose work failed: it names the unit (exit code 1)."""
    from budgetopt.errors import PlanError
    detail = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    detail = " ".join(str(detail).split())
    return PlanError("E1002", unit=key, reason=detail[:300], where="forecast")
