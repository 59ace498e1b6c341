"""The headline decision-quality benchmark: `mixed` worlds (6–10 channels, every difficulty at
once), daily and weekly, in long form and in total-KPI (wide) form, planned with the defaults.

Per world (`budgetopt.datasets.mixed_world` / `mixed_wide_world`, seeds 0…n−1 in each of the
four forms), next quarter is planned weekly with the 60/40 pool and the product defaults, and the
plan, the historical mix and the true optimum are valued on the TRUE response, day by day with
carryover (`benchmarks.valuation`). Reported: uplift captured = (plan − mix) ÷ (optimum − mix),
the plan against the mix, whether the plan's true value lies inside its P10–P90, each channel's
ROI error (the plan's claimed ROI at its planned spend against the true one; wide worlds also
the joint model's historical ROI), and the plan's claimed incremental KPI against its true value.
The same fit is also planned with `measure: mean`, with the guard off and on the point curves,
so each risk stage's cost is on record (benchmarks/diagnose.py explains one world in full).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from benchmarks.record import write_section
from benchmarks.valuation import (HORIZON, VARIANTS, captured, plan_variants,
                                  same_quarter_budget, scenario_file, spend_history, spend_of,
                                  valuation)
from budgetopt.datasets import mixed_wide_world, mixed_world, write_history, write_wide_history
from budgetopt.optimizer.scenario.loader import load_scenario
from budgetopt.optimizer.workflows.inputs import load_inputs
from budgetopt.optimizer.workflows.pipeline import fit_forecasts

FORMS = (("long", "D"), ("long", "W"), ("wide", "D"), ("wide", "W"))
ROWS = Path(__file__).with_name("mixed_rows.jsonl")


def planned_world(seed: int, form: str, freq: str, folder: Path):
    """Write the world's history and scenario into `folder`; (world, wide world or None,
    inputs, forecaster, daily spend)."""
    if form == "wide":
        ww = mixed_wide_world(seed, freq)
        world = ww.world
        write_wide_history(ww, folder / "wide.csv", future_until=HORIZON[1])
        daily = spend_history(ww.attributed, freq)
        path = scenario_file(folder, same_quarter_budget(daily), "wide.csv",
                             history_format="wide", spend_columns=dict(ww.spend_columns))
    else:
        ww, world = None, mixed_world(seed, freq)
        write_history(world, folder / "history.csv")
        daily = spend_history(world.history, freq)
        path = scenario_file(folder, same_quarter_budget(daily))
    inputs = load_inputs(load_scenario(path))
    return world, ww, inputs, fit_forecasts(inputs, n_jobs=1), daily


def evaluate_world(seed: int, form: str, freq: str) -> dict:
    """One world's row; a world the product fails to plan is a row with the error."""
    started = time.perf_counter()
    try:
        return _evaluate(seed, form, freq, started)
    except Exception as err:    # a failure is a result of the benchmark, not its end
        return {"seed": seed, "form": form, "freq": freq,
                "error": f"{type(err).__name__}: {str(err)[:200]}",
                "seconds": time.perf_counter() - started}


def _evaluate(seed: int, form: str, freq: str, started: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        world, ww, inputs, forecaster, daily = planned_world(seed, form, freq, Path(tmp))
        plans = plan_variants(inputs, forecaster)
    periods = inputs.periods
    default = plans["default"]
    val = valuation(world, inputs, daily, default)
    v_mix, v_opt = val.value(val.mix), val.value(val.optimum)
    row = {"seed": seed, "form": form, "freq": freq, "channels": len(val.units),
           "noise": world.noise, "mix": v_mix, "optimum": v_opt,
           "uplift_available": (v_opt - v_mix) / v_mix}
    for name, result in plans.items():
        v = val.value(spend_of(result, periods))
        row[f"captured_{name}"] = captured(v, v_mix, v_opt)
        row[f"vs_mix_{name}"] = v / v_mix - 1
    plan = spend_of(default, periods)
    per_unit = val.per_unit(plan)
    true_total = sum(per_unit.values())
    out = default.summary["outcome"]["incremental_kpi"]
    claim = float(default.summary["totals"]["incremental_kpi"])
    row.update({"p10": out["p10"], "p50": out["p50"], "p90": out["p90"], "true": true_total,
                "inside": bool(out["p10"] <= true_total <= out["p90"]),
                "above_p90": bool(true_total > out["p90"]),
                "claim": claim / true_total - 1, "risk": default.summary["risk"]["measure"],
                "guard": default.summary["risk"]["guard_status"]})
    chans = default.channels.set_index("channel")
    spend_u = {u: sum(v for (c, _), v in plan.items() if c == u) for u in val.units}
    opt_u = {u: sum(v for (c, _), v in val.optimum.items() if c == u) for u in val.units}
    total = sum(spend_u.values())
    roi_err = {u: abs(float(chans.loc[u, "incremental_kpi"]) / per_unit[u] - 1)
               if per_unit[u] > 0 else None for u in val.units}
    row.update({"roi_error": float(np.median([e for e in roi_err.values() if e is not None])),
                "roi_error_max": float(max(e for e in roi_err.values() if e is not None)),
                "roi_errors": {u: round(e, 4) for u, e in roi_err.items() if e is not None},
                "share_plan": {u: round(spend_u[u] / total, 4) for u in val.units},
                "share_optimum": {u: round(opt_u[u] / total, 4) for u in val.units}})
    units_info = default.summary["curves"]["units"]
    row["not_identified"] = sum(bool(u.get("not_identified")) for u in units_info.values())
    if ww is not None:
        shares = default.summary["decomposition"]["all"]["channels"]
        hist_err = [abs(shares[c]["roi"] / ww.true_roi(c) - 1) for c in ww.channels]
        row.update({"hist_roi_error": float(np.median(hist_err)),
                    "hist_roi_error_max": float(np.max(hist_err))})
    row["seconds"] = time.perf_counter() - started
    return row


def run(seeds: int, n_jobs: int, rows_file: Path | None = ROWS, forms=FORMS) -> pd.DataFrame:
    """Seed 0 of every form first, then seed 1, …; each finished world is appended to
    `rows_file` (JSON lines) and worlds already there are not rerun."""
    done = {}
    if rows_file is not None and rows_file.exists():
        for line in rows_file.read_text().splitlines():
            row = json.loads(line)
            done[(row["seed"], row["form"], row["freq"])] = row
    tasks = [(s, f, q) for s in range(seeds) for f, q in forms if (s, f, q) not in done]
    rows = [r for k, r in done.items() if k[0] < seeds and (k[1], k[2]) in forms]
    for row in Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(evaluate_world)(*t) for t in tasks):
        rows.append(row)
        if rows_file is not None:
            with rows_file.open("a") as f:
                f.write(json.dumps(row, default=float) + "\n")
    return pd.DataFrame(rows)


def _pct(x) -> str:
    return "—" if x is None or x != x else f"{x:.0%}"


def _median(values) -> float:
    values = [v for v in values if v is not None and v == v]
    return statistics.median(values) if values else float("nan")


def summary_table(frame: pd.DataFrame) -> list[str]:
    groups = [("long", frame[frame["form"] == "long"]), ("wide", frame[frame["form"] == "wide"])]
    lines = ["| measure | " + " | ".join(f"{g} ({len(p)} worlds)" for g, p in groups) + " |",
             "|---|---|---|"]

    def row(label, fn):
        lines.append(f"| {label} | " + " | ".join(fn(p) for _, p in groups) + " |")
    row("uplift captured, median (target long ≥ 90%, wide ≥ 85%)",
        lambda p: f"{_median(p['captured_default']):.1%}")
    row("uplift captured, worst (target long ≥ 60%)",
        lambda p: f"{p['captured_default'].min():.1%}")
    row("worlds below the historical mix (target 0)",
        lambda p: str(int((p["vs_mix_default"] < 0).sum())))
    row("plan vs mix on the truth, median / worst",
        lambda p: f"{p['vs_mix_default'].median():+.2%} / {p['vs_mix_default'].min():+.2%}")
    row("true plan value inside P10–P90 (target 70–90%)",
        lambda p: f"{p['inside'].mean():.0%} ({int(p['above_p90'].sum())} above P90, "
                  f"{int((~p['inside'] & ~p['above_p90']).sum())} below P10)")
    row("plan's claimed incremental vs its true value, median",
        lambda p: f"{p['claim'].median():+.1%}")
    row("channel ROI error at the planned spend, median world's median channel",
        lambda p: f"{p['roi_error'].median():.1%}")
    row("channel historical ROI error (joint model), median (target ≤ 20%)",
        lambda p: f"{p['hist_roi_error'].median():.1%}" if "hist_roi_error" in p
        and p["hist_roi_error"].notna().any() else "—")
    for name, label in (("cvar", "`measure: cvar` (guard on)"),
                        ("mean", "`measure: mean` (guard on)"),
                        ("mean_noguard", "`measure: mean`, guard off"),
                        ("point", "point curves (no plausible set, no guard)")):
        if f"captured_{name}" in frame:
            row(f"{label}: median captured / worst / below mix",
                lambda p, n=name: f"{_median(p[f'captured_{n}']):.1%} / "
                                  f"{p[f'captured_{n}'].min():.1%} / "
                                  f"{int((p[f'vs_mix_{n}'] < 0).sum())}")
    return lines


def report(frame: pd.DataFrame, commit: str, load: str) -> str:
    failed = frame[frame["error"].notna()] if "error" in frame else frame.iloc[:0]
    frame = frame.drop(index=failed.index)
    risk = frame["risk"].iloc[0]
    lines = [
        f"{len(frame)} mixed worlds (seeds 0–{frame['seed'].max()} in each of long daily, long "
        "weekly, wide daily, wide weekly; 6–10 channels, 3 years of history, next quarter "
        "planned weekly with the 60/40 pool and the product defaults: "
        f"`risk.measure: {risk}`, guard history). Commit measured: {commit}. {load}", ""]
    lines += summary_table(frame)
    if len(failed):
        lines += ["", f"{len(failed)} worlds could not be planned (not in the table above): "
                  + "; ".join(f"seed {r.seed} {r.form} {r.freq}: {r.error}"
                              for r in failed.itertuples()) + "."]
    lines += ["", "| seed | form | freq | channels | noise | available | captured | vs mix | "
              "truth in P10–P90 | claim vs true | ROI error (median / max) | not identified | "
              "captured: cvar / mean / mean, no guard / point |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in frame.sort_values(["form", "freq", "seed"]).itertuples():
        where = "yes" if r.inside else ("no, above P90" if r.above_p90 else "no, below P10")
        lines.append(
            f"| {r.seed} | {r.form} | {r.freq} | {r.channels} | {r.noise:.0%} | "
            f"{r.uplift_available:+.2%} | {_pct(r.captured_default)} | {r.vs_mix_default:+.2%} | "
            f"{where} | {r.claim:+.0%} | {r.roi_error:.0%} / {r.roi_error_max:.0%} | "
            f"{r.not_identified} | {_pct(getattr(r, 'captured_cvar', None))} / "
            f"{_pct(r.captured_mean)} / {_pct(r.captured_mean_noguard)} / "
            f"{_pct(r.captured_point)} |")
    return "\n".join(lines)


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, cwd=Path(__file__).parent, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, cwd=Path(__file__).parent
                               ).stdout.strip()
        return out + (" with uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12, help="seeds per form (4 forms)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--rows", type=Path, default=ROWS,
                        help="JSON lines of finished worlds: appended to, and resumed from")
    parser.add_argument("--commit", default=None, help="the commit the rows measure")
    parser.add_argument("--no-section", action="store_true",
                        help="print only; leave BENCHMARKS.md as it is")
    args = parser.parse_args()
    before = os.getloadavg()
    frame = run(args.seeds, args.jobs, args.rows)
    after = os.getloadavg()
    load = (f"Load average {before[0]:.1f} at the start, {after[0]:.1f} at the end (2 cores, "
            f"shared); {frame['seconds'].median():.0f} s per world (median).")
    body = report(frame, args.commit or _commit(), load)
    if not args.no_section:
        write_section("mixed", "Decision quality on mixed worlds (headline)", body,
                      f"python -m benchmarks.mixed --seeds {args.seeds} --jobs {args.jobs}")
    print(body)


if __name__ == "__main__":
    main()
