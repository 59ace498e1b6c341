"""LP build + solve against HiGHS's own solve time, for PuLP's stock HiGHS hand-over and the
bulk one budgetopt uses (same PuLP model, same options), on production-sized curves."""
from __future__ import annotations

import argparse
import os
import time

import highspy
import pulp

from benchmarks.record import write_section
from benchmarks.speed import lp_instance
from budgetopt.optimizer.lp import model as lp_model
from budgetopt.optimizer.lp.allocate import allocate
from budgetopt.optimizer.lp.bulk import BulkHiGHS

OPTIONS = {"presolve": "off", "solver": "ipm"}
_run = highspy.Highs.run
_spent = {"highs": 0.0}


def _timed_run(self):
    start = time.perf_counter()
    try:
        return _run(self)
    finally:
        _spent["highs"] += time.perf_counter() - start


def measure(units: int, periods: int, solver_class) -> dict:
    curves, unit_list, period_list, fixed, rules = lp_instance(units, periods)
    lp_model.make_solver = lambda name, limit=None, mip=False: solver_class(
        msg=False, timeLimit=limit, threads=1, **OPTIONS)
    _spent["highs"] = 0.0
    start = time.perf_counter()
    run = allocate(curves, unit_list, period_list, fixed, rules)
    total = time.perf_counter() - start
    columns = sum(len(s.lengths) for s in run.segments.values())
    return {"total": total, "highs": _spent["highs"], "objective": run.solution.objective,
            "columns": columns, "status": run.solution.status}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["50x52", "1000x13"])
    args = parser.parse_args()
    highspy.Highs.run = _timed_run
    rows = []
    for size in args.sizes:
        units, periods = map(int, size.split("x"))
        for label, cls in (("PuLP's HiGHS", pulp.HiGHS), ("bulk hand-over", BulkHiGHS)):
            load = os.getloadavg()[0]
            r = measure(units, periods, cls)
            rows.append(f"| {units} × {periods} | {r['columns']:,} | {label} | {r['total']:.1f} s "
                        f"| {r['highs']:.1f} s | {r['total'] / r['highs']:.2f}× | "
                        f"{r['objective']:,.2f} | {load:.1f} |")
            print(rows[-1], flush=True)
    body = ("One budget row over every segment (the benchmark instance of `benchmarks/speed.py`"
            "), HiGHS interior point without presolve, one thread. *Build + solve* is "
            "`allocate` from curve table to solution read back; *HiGHS* is `Highs.run` alone. "
            "Load is the 1-minute load average on 2 cores as the row started.\n\n"
            "| units × periods | segment columns | hand-over | build + solve | HiGHS | ratio "
            "| objective | load |\n|---|---|---|---|---|---|---|---|\n" + "\n".join(rows))
    write_section("lp_scale", "LP build + solve against HiGHS alone", body,
                  "python -m benchmarks.lp_scale --sizes " + " ".join(args.sizes))
    print(body)


if __name__ == "__main__":
    main()
