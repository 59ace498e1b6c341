"""Decision quality on synthetic worlds with known truth.

For each world (families × seeds), plan next quarter from its history with the product
(`budgetopt.optimizer.plan.pipeline.plan`), then value three plans on the TRUE response, day by day with
carryover (spend held even within each period, the carryover tail counted past the horizon):

* the historical mix — last year's same-quarter spend per unit × period, scaled to the budget;
* our plan;
* the true optimum — the same LP, same fixed pool and rules, on dense curves read from the
  truth (planning on the truth; not part of the product path).

uplift captured = (ours − mix) ÷ (optimum − mix). Curve error = Σ|fitted − true| ÷ Σ true of
each unit's curve at its historical spend per period (median over units).
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.record import write_section
from benchmarks.valuation import (HORIZON, captured, pct, plan_variants, resumable,
                                  same_quarter_budget, scenario_file, spend_history, spend_of,
                                  true_value, valuation)
from budgetopt.datasets import FAMILIES, family_world, true_curves, write_history
from budgetopt.optimizer.scenario.loader import load_scenario
from budgetopt.optimizer.scenario.spec import RiskSettings
from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.intake.fitting import fit_forecasts

__all__ = ["HORIZON", "true_curves", "true_value", "evaluate_world", "run", "report"]

DEFAULT = RiskSettings().measure
MEASURES = (DEFAULT, "cvar" if DEFAULT == "mean" else "mean")   # both with the default guard


def evaluate_world(family: str, seed: int) -> dict:
    started = time.perf_counter()
    world = family_world(family, seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_history(world, folder / "history.csv")
        daily = spend_history(world.history, world.freq)
        scenario = load_scenario(scenario_file(folder, same_quarter_budget(daily)))
        inputs = load_inputs(scenario)
        forecaster = fit_forecasts(inputs, n_jobs=1)
        variants = plan_variants(inputs, forecaster, ("default", "mean", "cvar"))
    results = {m: variants[m] for m in MEASURES}
    periods = inputs.periods
    units = [u.channel for u in inputs.units]
    first = results[MEASURES[0]]
    val = valuation(world, inputs, daily, first)
    v_mix, v_opt = val.value(val.mix), val.value(val.optimum)
    gap = v_opt - v_mix
    row = {"family": family, "seed": seed, "freq": world.freq, "noise": world.noise,
           "mix": v_mix, "optimum": v_opt, "uplift_available": gap / v_mix}
    for measure, result in results.items():
        v = val.value(spend_of(result, periods))
        out = result.summary["outcome"]["incremental_kpi"]
        row.update({f"ours_{measure}": v, f"vs_mix_{measure}": v / v_mix - 1,
                    f"captured_{measure}": captured(v, v_mix, v_opt),
                    f"p10_{measure}": out["p10"], f"p90_{measure}": out["p90"],
                    f"inside_{measure}": bool(out["p10"] <= v <= out["p90"]),
                    f"guard_{measure}": result.summary["risk"]["guard_status"]})
    row.update(curve_errors(first, val, units))
    units_info = first.summary["curves"]["units"]
    row.update({"not_identified": sum(bool(u["not_identified"]) for u in units_info.values()),
                "coupling": "/".join(f"{u['coupling']:.2g}" for u in units_info.values()),
                "seconds": time.perf_counter() - started})
    return row


def curve_errors(result, val, units) -> dict:
    """Σ|fitted − true| ÷ Σ true of each unit's curve at its historical spend per period:
    the median and the largest over units."""
    periods, truth_curves, ref = val.periods, val.truth_curves, val.reference
    curves = result.curves.merge(periods[["period", "period_start"]], on="period_start")
    errors = []
    for u in units:
        fit_sum = true_sum = 0.0
        for p in periods.itertuples():
            x = ref.get((u, int(p.period)), 0.0)
            g = curves[(curves["channel"] == u) & (curves["period"] == p.period)]
            t = truth_curves[(truth_curves["unit"] == u) & (truth_curves["period"] == p.period)]
            fit_sum += abs(float(np.interp(x, g["spend"], g["incremental_kpi"]))
                           - float(np.interp(x, t["spend"], t["incremental_kpi"])))
            true_sum += float(np.interp(x, t["spend"], t["incremental_kpi"]))
        errors.append(fit_sum / true_sum if true_sum > 0 else float("nan"))
    return {"curve_error": float(np.nanmedian(errors)),
            "curve_error_max": float(np.nanmax(errors))}


def run(seeds: int, n_jobs: int, families=FAMILIES, rows_file: Path | None = None
        ) -> pd.DataFrame:
    """Every family's seed 0 first, then seed 1, …; with `rows_file`, each world's row is
    appended there (JSON lines) as it finishes, and worlds already there are not rerun."""
    tasks = [(f, s) for s in range(seeds) for f in families]
    return pd.DataFrame(resumable(evaluate_world, tasks, lambda r: (r["family"], r["seed"]),
                                  rows_file, n_jobs))


def report(frame: pd.DataFrame) -> str:
    lines = [
        f"{len(frame)} worlds ({frame['family'].nunique()} families × "
        f"{frame['seed'].nunique()} seeds; 4 channels, 3 years of history, next quarter planned "
        "weekly with the 60/40 pool; default risk settings: guard history, alpha 0.2, "
        "100 samples).",
        "",
        f"| measure | risk.measure: {MEASURES[0]} (default) | risk.measure: {MEASURES[1]} |",
        "|---|---|---|"]
    stats = {}
    for m in MEASURES:
        cap = frame[f"captured_{m}"].dropna()
        worst = frame.loc[frame[f"vs_mix_{m}"].idxmin()]
        stats[m] = {"median": f"{statistics.median(cap):.1%}", "worst": f"{cap.min():.1%}",
                    "vs": f"{frame[f'vs_mix_{m}'].median():+.2%} / {frame[f'vs_mix_{m}'].min():+.2%} "
                          f"({worst['family']} seed {worst['seed']})",
                    "below": str(int((frame[f"vs_mix_{m}"] < 0).sum())),
                    "inside": f"{frame[f'inside_{m}'].mean():.0%}"}
    for label, key in (("uplift captured, median (target ≥ 90%)", "median"),
                       ("uplift captured, worst (target ≥ 70%)", "worst"),
                       ("plan vs historical mix on the truth, median / worst", "vs"),
                       ("worlds below the historical mix (target 0)", "below"),
                       ("true plan value inside P10–P90 (target 70–90%)", "inside")):
        lines.append(f"| {label} | {stats[MEASURES[0]][key]} | {stats[MEASURES[1]][key]} |")
    lines += [f"| uplift available (optimum vs mix), median / worst | "
              f"{frame['uplift_available'].median():+.2%} / {frame['uplift_available'].min():+.2%} | |",
              f"| curve error at historical spend, median unit | "
              f"{frame['curve_error'].median():.1%} | |", ""]
    d, o = MEASURES
    short = frame[(frame[f"captured_{d}"].fillna(1.0) < 0.9) | ~frame[f"inside_{d}"].astype(bool)]
    if len(short):
        lines += ["Worlds below 90% captured or outside P10–P90 (default settings): " + "; ".join(
            f"{r.family} seed {r.seed} (captured {pct(getattr(r, f'captured_{d}'))}, truth "
            f"{getattr(r, f'ours_{d}'):,.0f} vs P10–P90 {getattr(r, f'p10_{d}'):,.0f}–"
            f"{getattr(r, f'p90_{d}'):,.0f}, "
            f"{r.not_identified} of 4 units not identified)"
            for r in short.itertuples()) + ".", ""]
    lines += [
        f"| family | seed | noise | available | captured {d} (default) | captured {o} | "
        f"{d} vs mix | "
        "truth in P10–P90 | not identified | coupling ρ per unit | curve error (median / max) |",
        "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in frame.sort_values(["family", "seed"]).itertuples():
        lines.append(f"| {r.family} | {r.seed} | {r.noise:.0%} | {r.uplift_available:+.2%} | "
                     f"{pct(getattr(r, f'captured_{d}'))} | {pct(getattr(r, f'captured_{o}'))} | "
                     f"{getattr(r, f'vs_mix_{d}'):+.2%} | "
                     f"{'yes' if getattr(r, f'inside_{d}') else 'no'} | {r.not_identified} | "
                     f"{r.coupling} | "
                     f"{r.curve_error:.0%} / {r.curve_error_max:.0%} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--csv", type=Path, default=None, help="also write per-world rows here")
    parser.add_argument("--rows", type=Path, default=None,
                        help="JSON lines of finished worlds: appended to, and resumed from")
    args = parser.parse_args()
    families = tuple(args.families.split(","))
    frame = run(args.seeds, args.jobs, families, args.rows)
    if args.csv:
        frame.to_csv(args.csv, index=False)
    body = report(frame)
    if families == FAMILIES:
        write_section("decision_quality", "Decision quality on worlds with known truth", body,
                      "python -m benchmarks.decision_quality")
    print(body)


if __name__ == "__main__":
    main()
