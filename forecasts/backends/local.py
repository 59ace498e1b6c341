"""The local backend: one process per core (joblib), units handed out in order, results
collected in order, progress after each finished unit."""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from joblib import Parallel, delayed

from budgetopt.forecasts.backends.base import UnitTask, unit_failed


def _guarded(func, key, unit, frame, args):
    """Run one unit; an exception comes back as a value so the unit can be named."""
    try:
        return True, func(unit, frame, *args)
    except Exception as exc:  # noqa: BLE001 - any failure of one unit is reported by name
        return False, f"{type(exc).__name__}: {exc}"


class LocalBackend:
    """All cores of this machine (or `n_jobs`); one unit at a time when n_jobs is 1."""

    name = "local"

    def __init__(self, n_jobs: int | None = None):
        self.n_jobs = n_jobs

    def jobs(self, count: int) -> int:
        return max(1, min(count, self.n_jobs or os.cpu_count() or 1))

    def map_units(self, func: Callable[..., Any], tasks: list[UnitTask], args: tuple,
                  progress: Callable[[int, int], None] | None = None,
                  codec=None) -> list[Any]:
        """`codec` (how a result travels as text) is for backends that need one; joblib
        carries results itself."""
        jobs = self.jobs(len(tasks))
        calls = (delayed(_guarded)(func, t.key, t.unit, t.frame, args) for t in tasks)
        if jobs > 1:
            results = Parallel(n_jobs=jobs, return_as="generator")(calls)
        else:
            results = (f(*a, **k) for f, a, k in calls)
        out = []
        for done, (task, (ok, value)) in enumerate(zip(tasks, results), start=1):
            if not ok:
                raise unit_failed(task.key, value)
            out.append(value)
            if progress:
                progress(done, len(tasks))
        return out
