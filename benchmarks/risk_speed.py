"""Speed of the risk-aware LP: units × 13 weeks with production-sized curves (adaptive
breakpoints) and S plausible samples per unit, each sample one of the unit's few candidate
curves (saturation bent, x^0.85…1.15 of its shape) times a gain (0.7…1.3), as forecasting makes
them. Build + solve (`allocate`, curve table to solution read back) and HiGHS's own solve
(`Highs.run`), for the candidate rows the LP writes and — at the small size — for the same
samples written out one curve per sample, under measure mean, cvar, and cvar with the guard."""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

import highspy
import numpy as np
import pandas as pd

from benchmarks.record import current_commit, write_section
from benchmarks.speed import lp_instance
from budgetopt.optimizer.lp.allocate import allocate
from budgetopt.optimizer.lp.risk import RiskTerms, SampleCurves
from budgetopt.optimizer.rules.guard import HistoryGuard

CASES = (("mean", False), ("mean", True), ("cvar", False), ("cvar", True))
_run = highspy.Highs.run
_spent = {"highs": 0.0}


def _timed_run(self):
    start = time.perf_counter()
    try:
        return _run(self)
    finally:
        _spent["highs"] += time.perf_counter() - start


def sample_factors(curves: pd.DataFrame, samples: int, candidates: int, seed: int = 1
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per unit `candidates` curves (each the unit's curve bent by its own power, the same in
    every period) with weights 1, 1/2, 1/3, …, and per sample a drawn candidate and a gain."""
    rng = np.random.default_rng(seed)
    frames, draws = [], []
    weights = 1.0 / np.arange(1, candidates + 1)
    for unit, grp in curves.groupby("unit", sort=True):
        powers = rng.uniform(0.85, 1.15, candidates)
        pick = rng.choice(candidates, size=samples, p=weights / weights.sum())
        draws.append(pd.DataFrame({"unit": unit, "sample": np.arange(samples),
                                   "candidate": pick,
                                   "multiplier": rng.uniform(0.7, 1.3, samples)}))
        for period, cell in grp.groupby("period", sort=True):
            x = cell["spend"].to_numpy(float)
            y = cell["incremental_kpi"].to_numpy(float)
            top = max(float(y[-1]), 1e-9)
            values = np.stack([top * (y / top) ** pw for pw in powers])
            frames.append(pd.DataFrame({"unit": unit, "period": period,
                                        "candidate": np.repeat(np.arange(candidates), len(x)),
                                        "spend": np.tile(x, candidates),
                                        "incremental_kpi": values.ravel()}))
    return pd.concat(frames, ignore_index=True), pd.concat(draws, ignore_index=True)


def sample_table(candidates: pd.DataFrame, draws: pd.DataFrame) -> pd.DataFrame:
    """The same samples written out: one curve per unit × period × sample."""
    merged = draws.merge(candidates, on=["unit", "candidate"])
    merged["incremental_kpi"] = merged["multiplier"] * merged["incremental_kpi"]
    return merged[["unit", "period", "sample", "spend", "incremental_kpi"]]


def time_case(instance, curves: SampleCurves | None, measure: str | None, guard: bool,
              repeats: int) -> dict:
    point, units, periods, fixed, rules = instance
    history = None
    if guard:
        total = sum(fixed.values()) / 0.6
        history = curves.values({k: total / len(fixed) for k in fixed})
    totals, highs, objective = [], [], None
    for _ in range(repeats):
        risk = (RiskTerms(curves, measure, 0.2, history, guard_rule=HistoryGuard.over)
                if measure else None)
        _spent["highs"] = 0.0
        start = time.perf_counter()
        run = allocate(point, units, periods, fixed, rules, risk=risk)
        totals.append(time.perf_counter() - start)
        highs.append(_spent["highs"])
        assert run.solution.status == "Optimal"
        objective = run.solution.objective
    return {"total": statistics.median(totals), "highs": statistics.median(highs),
            "objective": objective}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["8x13", "1000x13"])
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--candidates", type=int, default=8)
    parser.add_argument("--dense-up-to", type=int, default=50,
                        help="also time one curve per sample for sizes up to this many units")
    parser.add_argument("--record", action="store_true", help="write BENCHMARKS.md's section")
    args = parser.parse_args()
    highspy.Highs.run = _timed_run
    rows = []
    for size in args.sizes:
        n_units, n_periods = map(int, size.split("x"))
        instance = lp_instance(n_units, n_periods)
        load = os.getloadavg()[0]
        repeats = 3 if n_units <= 50 else 1
        start = time.perf_counter()
        candidates, draws = sample_factors(instance[0], args.samples, args.candidates)
        made = time.perf_counter() - start
        start = time.perf_counter()
        factored = SampleCurves(candidates=candidates, draws=draws)
        read = time.perf_counter() - start
        used = int(draws.groupby("unit")["candidate"].nunique().sum())
        base = time_case(instance, None, None, False, repeats)
        rows.append(f"| {size} | — | no samples | {base['total']:.2f} s | {base['highs']:.2f} s "
                    f"| {base['total'] / base['highs']:.2f}× | {base['objective']:,.0f} "
                    f"| {load:.1f} |")
        print(rows[-1], flush=True)
        forms = [("candidate rows", factored)]
        if n_units <= args.dense_up_to:
            forms.append(("one curve per sample", SampleCurves(sample_table(candidates, draws))))
        for label, curves in forms:
            for measure, guard in CASES:
                load = os.getloadavg()[0]
                r = time_case(instance, curves, measure, guard, repeats)
                name = f"{measure}{' + guard' if guard else ''}"
                rows.append(f"| {size} | {args.samples} | {label}, {name} | {r['total']:.2f} s "
                            f"| {r['highs']:.2f} s | {r['total'] / r['highs']:.2f}× "
                            f"| {r['objective']:,.0f} | {load:.1f} |")
                print(rows[-1], flush=True)
        rows.append(f"| {size} | {args.samples} | (samples made {made:.1f} s, read "
                    f"{read:.1f} s; {used / n_units:.1f} candidates drawn per unit) | | | | | |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20
    body = (f"Commit {current_commit()}. {args.candidates} candidate curves per unit, "
            f"{args.samples} samples; HiGHS interior point without presolve, one thread. "
            "*Build + solve* is `allocate` from curve table to solution read back (median of 3 "
            "runs up to 50 units, one run above), *HiGHS* is `Highs.run` alone; the sample curves "
            "are read (`SampleCurves`) before the clock starts. The objective is the measure's "
            "value (CVaR: of the worst 20% of samples). Load is the 1-minute load average on 2 "
            f"shared cores as the row started. Peak memory of the whole run: {peak:.1f} GB. "
            "Targets: 8 × 13 ≤ 0.5 s; 1,000 × 13 ≤ 30 s and ≤ 2× HiGHS.\n\n"
            "| units × periods | samples | risk terms | build + solve | HiGHS | ratio "
            "| objective | load |\n|---|---|---|---|---|---|---|---|\n" + "\n".join(rows))
    if args.record:
        write_section("risk_speed", "Speed of the risk-aware LP", body,
                      "python -m benchmarks.risk_speed --sizes " + " ".join(args.sizes)
                      + " --record")
    print(body)


if __name__ == "__main__":
    main()
