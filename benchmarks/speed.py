"""Speed: `budgetopt demo` end to end, and the LP alone at 8 × 13 and 50 × 52 units × periods
with production-sized curves (adaptive breakpoints, as forecasting makes them)."""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.record import write_section
from budgetopt.forecasts.curves.breakpoints import period_breakpoints
from budgetopt.optimizer.lp.allocate import allocate
from budgetopt.optimizer.rules.bounds import DynamicBudget
from budgetopt.units import Unit


def lp_instance(n_units: int, n_periods: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    units = [Unit(f"ch{i:02d}") for i in range(n_units)]
    budget = 200_000.0 * n_units * n_periods
    frames, fixed = [], {}
    for u in units:
        beta, scale = rng.uniform(2e5, 2e6), rng.uniform(5e4, 5e5)
        for p in range(n_periods):
            season = 1 + 0.3 * np.sin(2 * np.pi * p / 52)
            x = period_breakpoints(scale, budget)
            frames.append(pd.DataFrame({"unit": u.key, "period": p, "spend": x,
                                        "incremental_kpi": season * beta * (1 - np.exp(-x / scale))}))
            fixed[(u.key, p)] = 0.6 * budget / (n_units * n_periods)
    rules = [DynamicBudget("budget", "==", amount=0.4 * budget)]
    return pd.concat(frames, ignore_index=True), units, list(range(n_periods)), fixed, rules


def time_lp(n_units: int, n_periods: int, solver: str, repeats: int = 3) -> float:
    curves, units, periods, fixed, rules = lp_instance(n_units, n_periods)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run = allocate(curves, units, periods, fixed, rules, solver=solver)
        times.append(time.perf_counter() - start)
        assert run.solution.status == "Optimal"
    return statistics.median(times)


def time_demo(repeats: int = 3) -> float:
    exe = Path(sys.executable).with_name("budgetopt")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([str(exe), "demo"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rows = []
    for n, t in ((8, 13), (50, 52)):
        for solver in ("highs", "cbc"):
            rows.append(f"| LP build + solve, {n} units × {t} periods | {solver} | "
                        f"{time_lp(n, t, solver):.2f} s |")
    rows.append(f"| `budgetopt demo` end to end (fit 8 Prophet models, curves, LP, forecasts) "
                f"| highs | {time_demo():.1f} s |")
    body = ("Median of 3 runs. Targets: 8 × 13 LP well under 1 s; 50 × 52 in a few seconds; "
            "demo under 30 s.\n\n| what | solver | time |\n|---|---|---|\n" + "\n".join(rows))
    write_section("speed", "Speed", body, "python -m benchmarks.speed")
    print(body)


if __name__ == "__main__":
    main()
