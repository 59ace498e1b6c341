"""Where the per-unit work runs: on this machine's cores (`local`) or on a Spark session
(`spark`). A backend maps one function over units, each with its own history rows, and gives
the results back in the units' order; the same inputs give the same results on either."""
from __future__ import annotations

from budgetopt.forecasts.backends.base import Backend, UnitTask, unit_failed

__all__ = ["Backend", "UnitTask", "make_backend", "unit_failed"]


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
    raise InputError("E1001", name=repr(name), where=where)
