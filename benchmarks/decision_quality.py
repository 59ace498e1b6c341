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
import json
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from joblib import Parallel, delayed

from benchmarks.record import write_section
from budgetopt.datasets import FAMILIES, family_world, tail_days, true_curves
from budgetopt.forecasts.history.reference import daily_spend, reference_shift, reference_spend
from budgetopt.datasets import write_history
from budgetopt.optimizer.lp.allocate import allocate
from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.intake.fitting import fit_curves
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.rules.pool import split_budget
from budgetopt.optimizer.rules.rulebook import scenario_rules
from budgetopt.optimizer.scenario.loader import load_scenario

HORIZON = ("2026-01-01", "2026-03-31")


MEASURES = ("cvar", "mean")   # the default first; both with the default guard


def _scenario(folder: Path, budget: float) -> Path:
    data = {"name": "benchmark quarter", "history": "history.csv", "kpi": "revenue",
            "horizon": {"start": HORIZON[0], "end": HORIZON[1], "period": "week"},
            "budget": {"total": float(round(budget, -3)), "fixed_share": 0.6,
                       "reserve_share": 0.0},
            "objective": "max_revenue"}
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def true_value(world, unit: str, periods: pd.DataFrame, spend: dict, initial: float) -> float:
    """Exact true incremental KPI of a spend plan for one unit (carryover simulated)."""
    c = world.truth(unit)
    daily = np.concatenate([np.full(int(p.days), spend[(unit, int(p.period))] / p.days)
                            for p in periods.itertuples()])
    return world.plan_incremental(c, periods["period_start"].iloc[0], daily,
                                  tail_days(c.carryover), initial)


def evaluate_world(family: str, seed: int) -> dict:
    started = time.perf_counter()
    world = family_world(family, seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_history(world, folder / "history.csv")
        hist = world.history.assign(date=pd.to_datetime(world.history["date"]))
        step = 7 if world.freq == "W" else 1
        daily = daily_spend(hist, ["channel"], step)
        start = pd.Timestamp(HORIZON[0])
        window = daily[(daily["date"] >= start - pd.Timedelta(days=364))
                       & (daily["date"] <= pd.Timestamp(HORIZON[1]) - pd.Timedelta(days=364))]
        scenario = load_scenario(_scenario(folder, float(window["spend"].sum())))
        inputs = load_inputs(scenario)
        curves = fit_curves(inputs, n_jobs=1)
        results = {}
        for measure in MEASURES:
            risk = scenario.risk.model_copy(update={"measure": measure})
            planned = replace(inputs, scenario=scenario.model_copy(update={"risk": risk}))
            results[measure] = plan_with(planned, curves)
    periods = inputs.periods
    units = [u.channel for u in inputs.units]
    first = results[MEASURES[0]]
    alloc0 = first.allocation.merge(periods[["period", "period_start"]], on="period_start")
    fixed = {(r.channel, int(r.period)): float(r.fixed_spend) for r in alloc0.itertuples()}
    plans = {}
    for measure, result in results.items():
        alloc = result.allocation.merge(periods[["period", "period_start"]], on="period_start")
        plans[measure] = {(r.channel, int(r.period)): float(r.total_spend)
                          for r in alloc.itertuples()}
    total = sum(plans[MEASURES[0]].values())

    shift = reference_shift(inputs.history.start, inputs.history.end, periods)
    ref_frame = reference_spend(daily, ["channel"], periods, shift)
    ref = {(r.channel, int(r.period)): float(r.spend) for r in ref_frame.itertuples()}
    ref_total = sum(ref.values())
    mix = {k: ref.get(k, 0.0) * total / ref_total for k in plans[MEASURES[0]]}

    pool = split_budget(scenario.budget.total, scenario.budget.fixed_share,
                        scenario.budget.reserve_share)
    unplaced = pool.fixed - sum(fixed.values())
    rules = scenario_rules(scenario, sorted(units), pool.dynamic + unplaced)
    truth_curves = true_curves(world, periods, total * 1.01)
    best = allocate(truth_curves, inputs.units, periods["period"].tolist(), fixed, rules)
    optimum = {k: float(v) for k, v in best.solution.spend.items()}

    initial = {u: float(world.adstock(u, world.historical_daily_spend(u).to_numpy())[-1])
               for u in units}

    def value(plan_):
        return sum(true_value(world, u, periods, plan_, initial[u]) for u in units)
    v_mix, v_opt = value(mix), value(optimum)
    gap = v_opt - v_mix
    row = {"family": family, "seed": seed, "freq": world.freq, "noise": world.noise,
           "mix": v_mix, "optimum": v_opt, "uplift_available": gap / v_mix}
    for measure, result in results.items():
        v = value(plans[measure])
        out = result.summary["outcome"]["incremental_kpi"]
        row.update({f"ours_{measure}": v, f"vs_mix_{measure}": v / v_mix - 1,
                    f"captured_{measure}": (v - v_mix) / gap if gap > 1e-9 * abs(v_mix) else None,
                    f"p10_{measure}": out["p10"], f"p90_{measure}": out["p90"],
                    f"inside_{measure}": bool(out["p10"] <= v <= out["p90"]),
                    f"guard_{measure}": result.summary["risk"]["guard_status"]})
    curves = first.curves.merge(periods[["period", "period_start"]], on="period_start")
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
    units_info = first.summary["curves"]["units"]
    row.update({"curve_error": float(np.nanmedian(errors)),
                "curve_error_max": float(np.nanmax(errors)),
                "not_identified": sum(bool(u["not_identified"]) for u in units_info.values()),
                "coupling": "/".join(f"{u['coupling']:.2g}" for u in units_info.values()),
                "seconds": time.perf_counter() - started})
    return row


def run(seeds: int, n_jobs: int, families=FAMILIES, rows_file: Path | None = None
        ) -> pd.DataFrame:
    """Every family's seed 0 first, then seed 1, …; with `rows_file`, each world's row is
    appended there (JSON lines) as it finishes, and worlds already there are not rerun."""
    done = {}
    if rows_file is not None and rows_file.exists():
        for line in rows_file.read_text().splitlines():
            row = json.loads(line)
            done[(row["family"], row["seed"])] = row
    tasks = [(f, s) for s in range(seeds) for f in families if (f, s) not in done]
    rows = list(done.values())
    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(evaluate_world)(f, s) for f, s in tasks)
    for row in results:
        rows.append(row)
        if rows_file is not None:
            with rows_file.open("a") as f:
                f.write(json.dumps(row, default=float) + "\n")
    return pd.DataFrame(rows)


def _pct(x) -> str:
    return "—" if x is None or x != x else f"{x:.0%}"


def report(frame: pd.DataFrame) -> str:
    lines = [
        f"{len(frame)} worlds ({frame['family'].nunique()} families × "
        f"{frame['seed'].nunique()} seeds; 4 channels, 3 years of history, next quarter planned "
        "weekly with the 60/40 pool; default risk settings: guard history, alpha 0.2, "
        "100 samples).",
        "",
        "| measure | risk.measure: cvar (default) | risk.measure: mean |",
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
        lines.append(f"| {label} | {stats['cvar'][key]} | {stats['mean'][key]} |")
    lines += [f"| uplift available (optimum vs mix), median / worst | "
              f"{frame['uplift_available'].median():+.2%} / {frame['uplift_available'].min():+.2%} | |",
              f"| curve error at historical spend, median unit | "
              f"{frame['curve_error'].median():.1%} | |", ""]
    short = frame[(frame["captured_cvar"].fillna(1.0) < 0.9) | ~frame["inside_cvar"]]
    if len(short):
        lines += ["Worlds below 90% captured or outside P10–P90 (default settings): " + "; ".join(
            f"{r.family} seed {r.seed} (captured {_pct(r.captured_cvar)}, truth "
            f"{r.ours_cvar:,.0f} vs P10–P90 {r.p10_cvar:,.0f}–{r.p90_cvar:,.0f}, "
            f"{r.not_identified} of 4 units not identified)"
            for r in short.itertuples()) + ".", ""]
    lines += [
        "| family | seed | noise | available | captured cvar | captured mean | cvar vs mix | "
        "truth in P10–P90 | not identified | coupling ρ per unit | curve error (median / max) |",
        "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in frame.sort_values(["family", "seed"]).itertuples():
        lines.append(f"| {r.family} | {r.seed} | {r.noise:.0%} | {r.uplift_available:+.2%} | "
                     f"{_pct(r.captured_cvar)} | {_pct(r.captured_mean)} | {r.vs_mix_cvar:+.2%} | "
                     f"{'yes' if r.inside_cvar else 'no'} | {r.not_identified} | {r.coupling} | "
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
