"""How much a total-KPI (wide) history can tell: the mixed wide worlds planned by an oracle that
knows everything but the size of each effect.

Per world (`budgetopt.datasets.mixed_wide_world`, daily and weekly), the oracle is given every
channel's true curve shape, carryover and coupling and the exact shape of the baseline over
the history (`WideWorld.true_rows`), and fits only their scales — one gain per channel and
the baseline's — by non-negative least squares on the observed total, each row weighted by
1 ÷ its expected total (the world's noise is a share of the total). It then plans next quarter
with the product's LP, fixed pool and rules on the true curves times its gains. No fit of the
total alone can know more than this oracle, so its ROI error and uplift captured are what the
total's noise allows without outside evidence (lift tests, priors). The product's default plan
on the same world is planned alongside, and all three are valued on the truth as in
`benchmarks.mixed`.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from benchmarks.mixed import planned_world
from benchmarks.record import current_commit, write_section
from benchmarks.valuation import (captured, measured, median_of, plan_on, plan_variants,
                                  resumable, spend_of, valuation)
from budgetopt.datasets import mixed_noise

FORMS = ("D", "W")
ROWS = Path(__file__).with_name("wide_limit_rows.jsonl")


def oracle_gains(ww) -> dict[str, float]:
    """Each channel's gain (1: its true size) and the baseline's, by weighted NNLS on the total."""
    parts = ww.true_rows
    names = ww.channels
    columns = parts[["baseline"] + names].to_numpy(float)
    expected = columns.sum(axis=1)
    weight = 1.0 / expected
    coef, _ = nnls(columns * weight[:, None], ww.history["revenue"].to_numpy(float) * weight)
    return {"baseline": float(coef[0]), **{c: float(g) for c, g in zip(names, coef[1:])}}


def evaluate_world(seed: int, freq: str) -> dict:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        world, ww, inputs, forecaster, daily = planned_world(seed, "wide", freq, Path(tmp))
        result = plan_variants(inputs, forecaster, names=("default",))["default"]
    val = valuation(world, inputs, daily, result)
    v_mix, v_opt = val.value(val.mix), val.value(val.optimum)
    gains = oracle_gains(ww)
    curves = val.truth_curves.copy()
    curves["incremental_kpi"] = curves["incremental_kpi"] * curves["channel"].map(gains)
    oracle = plan_on(curves, inputs, result)
    shares = result.summary["decomposition"]["all"]["channels"]
    product_err = [abs(shares[c]["roi"] / ww.true_roi(c) - 1) for c in ww.channels]
    return {"seed": seed, "freq": freq, "channels": len(ww.channels),
            "noise": mixed_noise(seed),
            "captured_product": captured(val.value(spend_of(result, inputs.periods)), v_mix, v_opt),
            "captured_oracle": captured(val.value(oracle), v_mix, v_opt),
            "oracle_below_mix": bool(val.value(oracle) < v_mix),
            "roi_error_oracle": float(np.median([abs(gains[c] - 1) for c in ww.channels])),
            "roi_error_product": float(np.median(product_err)),
            "seconds": time.perf_counter() - started}


def run(seeds: int, n_jobs: int, rows_file: Path | None = ROWS, forms=FORMS) -> pd.DataFrame:
    tasks = [(s, f) for s in range(seeds) for f in forms]
    return pd.DataFrame(resumable(evaluate_world, tasks, lambda r: (r["seed"], r["freq"]),
                                  rows_file, n_jobs))


def report(frame: pd.DataFrame, commit: str, load: str) -> str:
    lines = [f"Mixed wide worlds, seeds 0–{frame['seed'].max()} daily and weekly (the worlds of "
             "the headline section); commit measured: " + commit + ". " + load, "",
             "| history | worlds | uplift captured, median: oracle / product | worst: oracle / "
             "product | oracle below the mix | channel ROI error, median world: oracle / "
             "product |", "|---|---|---|---|---|---|"]
    for freq, label in (("D", "daily"), ("W", "weekly"), (None, "both")):
        part = frame if freq is None else frame[frame["freq"] == freq]
        lines.append(
            f"| {label} | {len(part)} | {median_of(part['captured_oracle']):.1%} / "
            f"{median_of(part['captured_product']):.1%} | {part['captured_oracle'].min():.1%} / "
            f"{part['captured_product'].min():.1%} | {int(part['oracle_below_mix'].sum())} | "
            f"{median_of(part['roi_error_oracle']):.1%} / "
            f"{median_of(part['roi_error_product']):.1%} |")
    lines += ["", "| seed | history | channels | noise | captured: oracle / product | ROI error: "
              "oracle / product |", "|---|---|---|---|---|---|"]
    for r in frame.sort_values(["freq", "seed"]).itertuples():
        lines.append(f"| {r.seed} | {r.freq} | {r.channels} | {r.noise:.0%} | "
                     f"{r.captured_oracle:.0%} / {r.captured_product:.0%} | "
                     f"{r.roi_error_oracle:.0%} / {r.roi_error_product:.0%} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12, help="seeds per history frequency")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--rows", type=Path, default=ROWS,
                        help="JSON lines of finished worlds: appended to, and resumed from")
    parser.add_argument("--commit", default=None, help="the commit the rows measure")
    args = parser.parse_args()
    frame, load = measured(lambda: run(args.seeds, args.jobs, args.rows), args.rows)
    body = report(frame, args.commit or current_commit(), load)
    write_section("wide_limit", "What a total-KPI history can tell (oracle gains)", body,
                  f"python -m benchmarks.wide_limit --seeds {args.seeds} --jobs {args.jobs}",
                  before="mixed_reading")
    print(body)


if __name__ == "__main__":
    main()
