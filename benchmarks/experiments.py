"""Lift tests as evidence: on long-form `mixed` worlds, next quarter planned with no tests and
with one simulated test (+30% spend for 4 weeks, `budgetopt.datasets.simulated_lift_test`) on
every unit the history alone leaves not identified, both valued on the TRUE response
(`benchmarks.valuation`).

Per world: uplift captured with 0 tests and with the tests (against the same mix and true
optimum), and for each tested channel its ROI error at the history's spend (the fitted curve's
incremental KPI per unit spent over the history against the truth's, before and after the test)
and at the planned spend (the plan's claimed incremental KPI against its true value).
Worlds without a not-identified unit are skipped (nothing to test) and counted.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.mixed import plan_stats
from benchmarks.record import current_commit, write_section
from benchmarks.valuation import (captured, measured, median_of, resumable,
                                  same_quarter_budget, scenario_file, spend_history, spend_of,
                                  valuation)
from budgetopt.datasets import mixed_world, simulated_lift_test, write_experiments, write_history
from budgetopt.optimizer.intake.fitting import curve_set, fit_forecasts
from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.scenario.loader import load_scenario

ROWS = Path(__file__).with_name("experiments_rows.jsonl")


def true_history_roi(world, channel: str) -> float:
    """The truth's incremental KPI per unit spent over the history (carryover included)."""
    c = world.truth(channel)
    daily = world.historical_daily_spend(c)
    earned = world.simulated_incremental(c, daily.index, daily.to_numpy())
    return float(earned.sum() / daily.sum())


def evaluate_world(seed: int, freq: str) -> dict:
    started = time.perf_counter()
    try:
        return _evaluate(seed, freq, started)
    except Exception as err:    # a failure is a result of the benchmark, not its end
        return {"seed": seed, "freq": freq, "error": f"{type(err).__name__}: {str(err)[:200]}",
                "seconds": time.perf_counter() - started}


def _plan(path: Path):
    inputs = load_inputs(load_scenario(path))
    forecaster = fit_forecasts(inputs, n_jobs=1)
    return inputs, forecaster, plan_with(inputs, curve_set(inputs, forecaster))


def _evaluate(seed: int, freq: str, started: float) -> dict:
    world = mixed_world(seed, freq)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_history(world, folder / "history.csv")
        daily = spend_history(world.history, freq)
        budget = same_quarter_budget(daily)
        inputs, f0, plan0 = _plan(scenario_file(folder, budget))
        loose = sorted(k for k, fit in f0.fits.items() if fit.not_identified)
        row = {"seed": seed, "freq": freq, "channels": len(f0.fits), "noise": world.noise,
               "not_identified": loose}
        if not loose:
            row["seconds"] = time.perf_counter() - started
            return row
        tests = [simulated_lift_test(world, k, seed=seed) for k in loose]
        write_experiments(tests, folder / "experiments.csv")
        _, f1, plan1 = _plan(scenario_file(folder, budget, name="tested.yaml",
                                           experiments="experiments.csv"))
    val = valuation(world, inputs, daily, plan0)
    v_mix, v_opt = val.value(val.mix), val.value(val.optimum)
    v0, v1 = val.value(spend_of(plan0, val.periods)), val.value(spend_of(plan1, val.periods))
    stats0, stats1 = plan_stats(plan0, val), plan_stats(plan1, val)
    tested = {}
    for t in tests:
        key = t["channel"]
        report = f1.fits[key].lift_tests
        truth = true_history_roi(world, key)
        tested[key] = {
            "true_roi": truth, "roi_before": report["roi_before"],
            "roi_after": report["roi_after"],
            "roi_error_before": abs(report["roi_before"] / truth - 1),
            "roi_error_after": abs(report["roi_after"] / truth - 1),
            "planned_roi_error_before": stats0["roi_errors"].get(key),
            "planned_roi_error_after": stats1["roi_errors"].get(key),
            "identified_after": not report["not_identified_after"],
            "contradicted": any(r["contradicted_by_history"] for r in report["tests"]),
            "true_lift": t["true_lift"], "measured_lift": t["lift"], "std_error": t["std_error"],
            "predicted_before": report["tests"][0]["predicted_by_history"],
            "predicted_after": report["tests"][0]["predicted_after"]}
    row.update({"mix": v_mix, "optimum": v_opt, "captured_0": captured(v0, v_mix, v_opt),
                "captured_tests": captured(v1, v_mix, v_opt), "tested": tested,
                "seconds": time.perf_counter() - started})
    return row


def report(frame: pd.DataFrame, commit: str, load: str) -> str:
    failed = frame[frame["error"].notna()] if "error" in frame else frame.iloc[:0]
    ok = frame.drop(index=failed.index)
    planned = ok[ok["captured_0"].notna()] if "captured_0" in ok else ok.iloc[:0]
    skipped = len(ok) - len(planned)
    gain = (planned["captured_tests"] - planned["captured_0"]).to_numpy(float)
    channels = [c for r in planned.itertuples() for c in r.tested.values()]
    err0 = [c["roi_error_before"] for c in channels]
    err1 = [c["roi_error_after"] for c in channels]
    perr0 = [c["planned_roi_error_before"] for c in channels]
    perr1 = [c["planned_roi_error_after"] for c in channels]
    worst = int(np.argmin(planned["captured_0"].to_numpy(float))) if len(planned) else None
    lines = [f"{len(frame)} long-form mixed worlds ({', '.join(sorted(set(frame['freq'])))}; "
             f"seeds {int(frame['seed'].min())}–{int(frame['seed'].max())}), {len(planned)} with "
             f"at least one not-identified unit, {skipped} without (skipped), {len(failed)} "
             f"failed. One simulated +30% / 4-week lift test per not-identified unit "
             f"({len(channels)} tests). Commit measured: {commit}. {load}", "",
             "| measure | value | target |", "|---|---|---|",
             f"| uplift captured, median: 0 tests → tests | {median_of(planned['captured_0']):.1%}"
             f" → {median_of(planned['captured_tests']):.1%} (median gain "
             f"{median_of(list(gain)) * 100:+.1f} points) | +5 points |"]
    if worst is not None:
        w = planned.iloc[worst]
        lines.append(f"| worst world (seed {w['seed']} {w['freq']}): 0 tests → tests | "
                     f"{w['captured_0']:.1%} → {w['captured_tests']:.1%} "
                     f"({(w['captured_tests'] - w['captured_0']) * 100:+.1f} points) | "
                     "+10 points |")
        lines.append(f"| worst captured with tests | {planned['captured_tests'].min():.1%} | — |")
    lines += [f"| tested channels' ROI error at the history's spend, median: before → after | "
              f"{median_of(err0):.1%} → {median_of(err1):.1%} | ≤ 10% |",
              f"| tested channels' ROI error at the planned spend, median: before → after | "
              f"{median_of(perr0):.1%} → {median_of(perr1):.1%} | — |",
              f"| tested channels identified after the test | "
              f"{sum(c['identified_after'] for c in channels)} of {len(channels)} | — |",
              f"| tests the history contradicts | "
              f"{sum(c['contradicted'] for c in channels)} of {len(channels)} | — |", "",
              "| seed | freq | channels | noise | not identified | captured 0 tests | "
              "captured with tests | ROI error at history's spend before → after |",
              "|---|---|---|---|---|---|---|---|"]
    for r in planned.sort_values(["freq", "seed"]).itertuples():
        errs = "; ".join(f"{k} {v['roi_error_before']:.0%} → {v['roi_error_after']:.0%}"
                         for k, v in r.tested.items())
        lines.append(f"| {r.seed} | {r.freq} | {r.channels} | {r.noise:.0%} | "
                     f"{len(r.not_identified)} | {r.captured_0:.1%} | {r.captured_tests:.1%} | "
                     f"{errs} |")
    if len(failed):
        lines += ["", "Failed: " + "; ".join(f"seed {r.seed} {r.freq}: {r.error}"
                                             for r in failed.itertuples())]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--freq", default="D", choices=("D", "W"))
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--rows", type=Path, default=ROWS)
    parser.add_argument("--no-section", action="store_true")
    args = parser.parse_args()
    tasks = [(s, args.freq) for s in range(args.seeds)]
    frame, load = measured(lambda: pd.DataFrame(resumable(
        evaluate_world, tasks, lambda r: (r["seed"], r["freq"]), args.rows, args.jobs)), args.rows)
    command = (f"python -m benchmarks.experiments --seeds {args.seeds} --freq {args.freq} "
               f"--jobs {args.jobs}")
    body = report(frame, current_commit(), load)
    if not args.no_section:
        write_section("experiments", "Lift tests as evidence (mixed worlds)", body, command)
    print(body)


if __name__ == "__main__":
    main()
