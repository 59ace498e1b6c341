"""Which test to run next, checked on truth: on long-form `mixed` worlds, next quarter planned
with the table "test these first", then the first-ranked test and one random test (a random
unit, spend change and length from the same grid) simulated on the world
(`budgetopt.datasets.simulated_lift_test`), each added as an experiments file and the quarter
re-planned. Every plan is valued on the TRUE response (`benchmarks.valuation`).

Per world: the first-ranked test's predicted gain (its EVSI, and net of its cost), the gain it
realized (true value of the re-plan less the plan without tests), and the random test's
realized gain. One world is one draw of the test's noise, so only the means over worlds say
whether the ranking pays.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.record import current_commit, write_section
from benchmarks.valuation import (captured, mean_of, measured, resumable,
                                  same_quarter_budget, scenario_file, spend_history, spend_of,
                                  valuation)
from budgetopt.datasets import mixed_world, simulated_lift_test, write_experiments, write_history
from budgetopt.optimizer.intake.fitting import curve_set, fit_forecasts
from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.plan.experiment_design import CHANGES, WEEKS
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.scenario.loader import load_scenario

ROWS = Path(__file__).with_name("test_value_rows.jsonl")


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
    return inputs, plan_with(inputs, curve_set(inputs, forecaster))


def _unit(row: dict):
    return row["channel"] if row["market"] is None else (row["channel"], row["market"])


def _evaluate(seed: int, freq: str, started: float) -> dict:
    world = mixed_world(seed, freq)
    rng = np.random.default_rng([seed, 17])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_history(world, folder / "history.csv")
        daily = spend_history(world.history, freq)
        budget = same_quarter_budget(daily)
        inputs, plan0 = _plan(scenario_file(folder, budget,
                                            report={"test_suggestions": True}))
        rows = plan0.summary["test_suggestions"]["rows"]
        top = next((r for r in rows if r["spend_change"] is not None), None)
        row = {"seed": seed, "freq": freq, "channels": len(rows)}
        if top is None:
            row["seconds"] = time.perf_counter() - started
            return row
        pick = rows[int(rng.integers(len(rows)))]
        random_test = {"unit": pick["unit"], "channel": pick["channel"],
                       "market": pick["market"],
                       "spend_change": float(CHANGES[int(rng.integers(len(CHANGES)))]),
                       "weeks": int(WEEKS[int(rng.integers(len(WEEKS)))])}
        plans = {}
        for name, test in (("top", top), ("random", random_test)):
            made = simulated_lift_test(world, _unit(test), change=test["spend_change"],
                                       weeks=test["weeks"], seed=seed)
            write_experiments([made], folder / f"{name}.csv")
            _, plans[name] = _plan(scenario_file(folder, budget, name=f"{name}.yaml",
                                                 experiments=f"{name}.csv"))
    val = valuation(world, inputs, daily, plan0)
    v_mix, v_opt = val.value(val.mix), val.value(val.optimum)
    v0 = val.value(spend_of(plan0, val.periods))
    v_top = val.value(spend_of(plans["top"], val.periods))
    v_random = val.value(spend_of(plans["random"], val.periods))
    row.update({"top": top["unit"], "top_test": f"{top['spend_change']:+.0%} × {top['weeks']} w",
                "predicted_evsi": top["evsi"], "predicted_net": top["net_value"],
                "evpi": top["evpi"], "realized_top": v_top - v0,
                "random": random_test["unit"],
                "random_test": f"{random_test['spend_change']:+.0%} × {random_test['weeks']} w",
                "realized_random": v_random - v0,
                "captured_0": captured(v0, v_mix, v_opt),
                "captured_top": captured(v_top, v_mix, v_opt),
                "captured_random": captured(v_random, v_mix, v_opt),
                "seconds": time.perf_counter() - started})
    return row


def report(frame: pd.DataFrame, commit: str, load: str) -> str:
    failed = frame[frame["error"].notna()] if "error" in frame else frame.iloc[:0]
    ok = frame.drop(index=failed.index)
    tested = ok[ok["top"].notna()] if "top" in ok else ok.iloc[:0]
    better = int((tested["realized_top"] >= tested["realized_random"]).sum()) if len(tested) \
        else 0
    ratios = (tested["realized_top"] / tested["predicted_evsi"]).replace(
        [np.inf, -np.inf], np.nan).dropna() if len(tested) else pd.Series(dtype=float)
    ratio = float(ratios.median()) if len(ratios) else float("nan")
    within = int(ratios.between(0.5, 1.5).sum())
    lines = [f"{len(frame)} long-form mixed worlds ({', '.join(sorted(set(frame['freq'])))}; "
             f"seeds {int(frame['seed'].min())}–{int(frame['seed'].max())}), {len(tested)} with "
             f"a suggested test, {len(ok) - len(tested)} without, {len(failed)} failed. Gains "
             f"in true incremental revenue over the plan without tests. Commit measured: "
             f"{commit}. {load}", "",
             "| measure | value | target |", "|---|---|---|",
             f"| first-ranked test: predicted gain (EVSI), mean | "
             f"{mean_of(tested['predicted_evsi'] if len(tested) else []):,.0f} | |",
             f"| first-ranked test: predicted net of its cost, mean | "
             f"{mean_of(tested['predicted_net'] if len(tested) else []):,.0f} | |",
             f"| first-ranked test: realized gain, mean | "
             f"{mean_of(tested['realized_top'] if len(tested) else []):,.0f} | |",
             f"| first-ranked test: realized ÷ predicted, median world | "
             f"{ratio:.2f} | 0.5–1.5 |",
             f"| worlds where realized ÷ predicted lies in 0.5–1.5 | {within} of {len(tested)} | "
             f"|",
             f"| random test: realized gain, mean | "
             f"{mean_of(tested['realized_random'] if len(tested) else []):,.0f} | |",
             f"| worlds where the first-ranked test realized at least the random one | "
             f"{better} of {len(tested)} | most |", "",
             "| seed | freq | first-ranked | EVSI | EVPI | realized | random | realized | "
             "captured: none → first → random |", "|---|---|---|---|---|---|---|---|---|"]
    for r in tested.sort_values(["freq", "seed"]).itertuples():
        lines.append(f"| {r.seed} | {r.freq} | {r.top} {r.top_test} | {r.predicted_evsi:,.0f} | "
                     f"{r.evpi:,.0f} | {r.realized_top:,.0f} | {r.random} {r.random_test} | "
                     f"{r.realized_random:,.0f} | {r.captured_0:.1%} → {r.captured_top:.1%} → "
                     f"{r.captured_random:.1%} |")
    if len(failed):
        lines += ["", "Failed: " + "; ".join(f"seed {r.seed} {r.freq}: {r.error}"
                                             for r in failed.itertuples())]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--freq", default="W", choices=("D", "W"))
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--rows", type=Path, default=None,
                        help=f"resume from / append to these JSON lines (e.g. {ROWS.name})")
    parser.add_argument("--section", action="store_true",
                        help="write the result into BENCHMARKS.md")
    args = parser.parse_args()
    tasks = [(s, args.freq) for s in range(args.seeds)]
    frame, load = measured(lambda: pd.DataFrame(resumable(
        evaluate_world, tasks, lambda r: (r["seed"], r["freq"]), args.rows, args.jobs)), args.rows)
    command = (f"python -m benchmarks.test_value --seeds {args.seeds} --freq {args.freq} "
               f"--jobs {args.jobs}")
    body = report(frame, current_commit(), load)
    if args.section:
        write_section("test_value", "Which test to run next (mixed worlds)", body, command)
    print(body)


if __name__ == "__main__":
    main()
