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
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.record import current_commit, write_section
from benchmarks.valuation import (HORIZON, captured, measured, median_of, pct, plan_variants,
                                  resumable, same_quarter_budget, scenario_file, spend_history,
                                  spend_of, valuation)
from budgetopt.datasets import (mixed_noise, mixed_wide_world, mixed_world, write_history,
                                write_wide_history)
from budgetopt.optimizer.scenario.loader import load_scenario
from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.intake.fitting import fit_forecasts

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
           "noise": mixed_noise(seed), "mix": v_mix, "optimum": v_opt,
           "uplift_available": (v_opt - v_mix) / v_mix}
    for name, result in plans.items():
        v = val.value(spend_of(result, periods))
        row[f"captured_{name}"] = captured(v, v_mix, v_opt)
        row[f"vs_mix_{name}"] = v / v_mix - 1
    row.update(plan_stats(default, val))
    row.update({"risk": default.summary["risk"]["measure"],
                "guard": default.summary["risk"]["guard_status"]})
    for name in ("mean", "cvar"):      # both measures' own figures, whichever is the default
        row.update({f"{k}_{name}": v for k, v in plan_stats(plans[name], val).items()
                    if k in ("p10", "p90", "true", "inside", "above_p90", "claim", "roi_error")})
    units_info = default.summary["curves"]["units"]
    row["not_identified"] = sum(bool(u.get("not_identified")) for u in units_info.values())
    if ww is not None:
        shares = default.summary["decomposition"]["all"]["channels"]
        hist_err = [abs(shares[c]["roi"] / ww.true_roi(c) - 1) for c in ww.channels]
        row.update({"hist_roi_error": float(np.median(hist_err)),
                    "hist_roi_error_max": float(np.max(hist_err))})
    row["seconds"] = time.perf_counter() - started
    return row


def plan_stats(result, val) -> dict:
    """One plan's P10–P90 against its true value, its claim, each channel's ROI error (claimed
    at the planned spend against the truth) and its spend shares against the optimum's."""
    plan = spend_of(result, val.periods)
    per_unit = val.per_unit(plan)
    true_total = sum(per_unit.values())
    out = result.summary["outcome"]["incremental_kpi"]
    claim = float(result.summary["totals"]["incremental_kpi"])
    chans = result.channels.set_index("channel")
    spend_u = {u: sum(v for (c, _), v in plan.items() if c == u) for u in val.units}
    opt_u = {u: sum(v for (c, _), v in val.optimum.items() if c == u) for u in val.units}
    total = sum(spend_u.values())
    roi_err = {u: abs(float(chans.loc[u, "incremental_kpi"]) / per_unit[u] - 1)
               for u in val.units if per_unit[u] > 0}
    return {"p10": out["p10"], "p50": out["p50"], "p90": out["p90"], "true": true_total,
            "inside": bool(out["p10"] <= true_total <= out["p90"]),
            "above_p90": bool(true_total > out["p90"]), "claim": claim / true_total - 1,
            "roi_error": float(np.median(list(roi_err.values()))),
            "roi_error_max": float(max(roi_err.values())),
            "roi_errors": {u: round(e, 4) for u, e in roi_err.items()},
            "share_plan": {u: round(spend_u[u] / total, 4) for u in val.units},
            "share_optimum": {u: round(opt_u[u] / total, 4) for u in val.units}}


def run(seeds: int, n_jobs: int, rows_file: Path | None = ROWS, forms=FORMS) -> pd.DataFrame:
    """Seed 0 of every form first, then seed 1, …; each finished world is appended to
    `rows_file` (JSON lines) and worlds already there are not rerun."""
    tasks = [(s, f, q) for s in range(seeds) for f, q in forms]
    return pd.DataFrame(resumable(evaluate_world, tasks,
                                  lambda r: (r["seed"], r["form"], r["freq"]), rows_file, n_jobs))


def summary_table(frame: pd.DataFrame) -> list[str]:
    groups = [("long", frame[frame["form"] == "long"]), ("wide", frame[frame["form"] == "wide"])]
    lines = ["| measure | " + " | ".join(f"{g} ({len(p)} worlds)" for g, p in groups) + " |",
             "|---|---|---|"]

    def row(label, fn):
        lines.append(f"| {label} | " + " | ".join(fn(p) for _, p in groups) + " |")
    row("uplift captured, median (target long ≥ 90%, wide ≥ 85%)",
        lambda p: f"{median_of(p['captured_default']):.1%}")
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
                lambda p, n=name: f"{median_of(p[f'captured_{n}']):.1%} / "
                                  f"{p[f'captured_{n}'].min():.1%} / "
                                  f"{int((p[f'vs_mix_{n}'] < 0).sum())}")
    return lines


def report(frame: pd.DataFrame, commit: str, load: str) -> str:
    failed = frame[frame["error"].notna()] if "error" in frame else frame.iloc[:0]
    frame = frame.drop(index=failed.index).copy()
    for column in ("inside", "above_p90"):
        frame[column] = frame[column].astype(bool)
    for column in ("channels", "not_identified"):
        frame[column] = frame[column].astype(int)
    # the world's noise (a wide world's truth is kept noise-free; its noise is on the total)
    frame["noise"] = [mixed_noise(int(s)) for s in frame["seed"]]
    risk = frame["risk"].iloc[0]
    lines = [
        f"{len(frame) + len(failed)} mixed worlds, {len(frame)} planned (seeds "
        f"0–{frame['seed'].max()} in each of long daily, long "
        "weekly, wide daily, wide weekly; 6–10 channels, 3 years of history, next quarter "
        "planned weekly with the 60/40 pool and the product defaults: "
        f"`risk.measure: {risk}`, guard history). Commit measured: {commit}. {load}", ""]
    lines += summary_table(frame)
    short = shortfalls(frame)
    if short:
        lines += ["", f"Worlds below 90% captured ({len(short)}): which channels' spend differs "
                  "from the true optimum and what each stage cost (`python -m "
                  "benchmarks.diagnose SEED --form F --freq Q` prints one world in full).", ""]
        lines += short
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
            f"{r.uplift_available:+.2%} | {pct(r.captured_default)} | {r.vs_mix_default:+.2%} | "
            f"{where} | {r.claim:+.0%} | {r.roi_error:.0%} / {r.roi_error_max:.0%} | "
            f"{r.not_identified} | {pct(getattr(r, 'captured_cvar', None))} / "
            f"{pct(r.captured_mean)} / {pct(r.captured_mean_noguard)} / "
            f"{pct(r.captured_point)} |")
    return "\n".join(lines)


def stage_costs(r) -> dict:
    """Points of uplift captured lost at each stage, from the variants planned on one fit:
    fit (optimum → point curves), plausible set (→ mean, no guard), guard (→ mean with the
    guard), risk measure (→ the default, when it is not the mean)."""
    get = (lambda k: getattr(r, k, None)) if not isinstance(r, dict) else r.get
    chain = [("fit", 1.0), ("plausible set", get("captured_point")),
             ("guard", get("captured_mean_noguard")), ("risk measure", get("captured_mean"))]
    if get("risk") != "mean":
        chain.append(("end", get("captured_default")))
    else:
        chain.append(("end", None))
    out = {}
    for (name, before), (_, after) in zip(chain, chain[1:]):
        if before is not None and after is not None:
            out[name] = before - after
    if get("risk") == "mean":      # the default is the mean: the last stage is the guard
        out.pop("risk measure", None)
    return out


def shortfalls(frame: pd.DataFrame, threshold: float = 0.9) -> list[str]:
    """For every world below `threshold` captured: the channels whose spend differs most
    from the true optimum (with their true shape and carryover) and each stage's cost."""
    lines = []
    for r in frame.sort_values(["form", "freq", "seed"]).itertuples():
        cap = r.captured_default
        if cap is None or cap != cap or cap >= threshold:
            continue
        truth = mixed_world(int(r.seed)).truth
        gaps = sorted(r.share_plan, key=lambda u: -abs(r.share_plan[u] - r.share_optimum[u]))
        moved = ", ".join(
            f"{u} ({truth(u).shape}, θ {truth(u).carryover:g}) {r.share_plan[u]:.0%} vs "
            f"{r.share_optimum[u]:.0%}" for u in gaps[:3])
        costs = stage_costs(r)
        worst = max(costs, key=costs.get) if costs else "—"
        lines.append(f"- seed {r.seed} {r.form} {r.freq}: captured {cap:.0%}; spend share plan "
                     f"vs optimum: {moved}; cost by stage (points): "
                     + ", ".join(f"{k} {v * 100:+.0f}" for k, v in costs.items())
                     + f" — mostly the {worst}.")
    return lines


def before_after(before: pd.DataFrame, after: pd.DataFrame, label: str) -> list[str]:
    """The headline figures on the worlds both row sets measured (planned or failed)."""
    key = ["seed", "form", "freq"]
    common = before[key].merge(after[key], on=key)
    lines = [f"Before ({label}) and after, on the {len(common)} worlds both runs measured:", "",
             "| form | run | median captured | worst | below mix | truth in P10–P90 | "
             "claim vs true, median | could not be planned |", "|---|---|---|---|---|---|---|---|"]
    for form in ("long", "wide"):
        for name, rows in (("before", before), ("after", after)):
            part = rows.merge(common[common["form"] == form], on=key)
            failed = part["error"].notna() if "error" in part else pd.Series(False, part.index)
            ok = part[~failed]
            cap = ok["captured_default"].dropna()
            lines.append(
                f"| {form} | {name} | {median_of(cap):.1%} | {cap.min():.1%} | "
                f"{int((ok['vs_mix_default'] < 0).sum())} | "
                f"{ok['inside'].astype(bool).mean():.0%} | {ok['claim'].median():+.1%} | "
                f"{int(failed.sum())} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12, help="seeds per form (4 forms)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--rows", type=Path, default=ROWS,
                        help="JSON lines of finished worlds: appended to, and resumed from")
    parser.add_argument("--commit", default=None, help="the commit the rows measure")
    parser.add_argument("--before", type=Path, default=None,
                        help="rows of an earlier run to compare with (before/after table)")
    parser.add_argument("--before-label", default="the earlier commit")
    parser.add_argument("--no-section", action="store_true",
                        help="print only; leave BENCHMARKS.md as it is")
    args = parser.parse_args()
    frame, load = measured(lambda: run(args.seeds, args.jobs, args.rows), args.rows)
    body = report(frame, args.commit or current_commit(), load)
    if args.before:
        before = pd.DataFrame([json.loads(line) for line in
                               args.before.read_text().splitlines()])
        body = "\n".join(before_after(before, frame, args.before_label)) + "\n\n" + body
    if not args.no_section:
        write_section("mixed", "Decision quality on mixed worlds (headline)", body,
                      f"python -m benchmarks.mixed --seeds {args.seeds} --jobs {args.jobs}",
                      before="decision_quality")
    print(body)


if __name__ == "__main__":
    main()
