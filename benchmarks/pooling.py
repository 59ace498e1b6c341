"""Pooling a channel's response across its markets, against fitting every market alone, on
market worlds with known truth (`budgetopt.datasets.market_world`: channels × markets drawn
around a channel-level truth, some markets thin — low, flat, short or noisy spend evidence).

Per world, next quarter is planned weekly with the 60/40 pool and the product defaults, once
with `forecast.pooling: none` and once with `forecast.pooling: markets` (nothing else differs).
Reported per variant:

- curve error at typical spend: per unit, |Σ fitted − Σ true| ÷ Σ true over the plan's
  periods, each read at the unit's typical spend (its mean positive daily spend in history ×
  the period's days) on the point curve the plan reads and on the true curve (carryover tails
  included in both); the median over units, and over thin and strong units apart;
- uplift captured: (plan − mix) ÷ (optimum − mix), every plan valued on the truth day by day
  with carryover; the mix is last year's same-quarter spend per unit × period scaled to the
  plan's total, the optimum the same LP, fixed pool and rules on the true curves.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.record import current_commit, write_section
from benchmarks.valuation import (HORIZON, captured, measured, median_of, resumable,
                                  scenario_file)
from budgetopt.datasets import (market_kinds, market_world, plan_value, true_curves,
                                write_history)
from budgetopt.forecasts.history.reference import daily_spend, reference_shift, reference_spend
from budgetopt.optimizer.intake.fitting import curve_set, fit_forecasts
from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.lp.allocate import allocate
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.rules.pool import split_budget
from budgetopt.optimizer.rules.rulebook import scenario_rules
from budgetopt.optimizer.scenario.loader import load_scenario
from budgetopt.units import unit_key

ROWS = Path(__file__).with_name("pooling_rows.jsonl")
VARIANTS = ("none", "markets")
SIZE = {"channels": 3, "markets": 10, "months": 15}


def _daily(world) -> pd.DataFrame:
    hist = world.history.assign(date=pd.to_datetime(world.history["date"]))
    return daily_spend(hist, ["channel", "market"], 7 if world.freq == "W" else 1)


def _allocation(spend: dict, periods: pd.DataFrame) -> pd.DataFrame:
    """A plan {(unit key, period): spend} as allocation rows plan_value reads."""
    rows = []
    for p in periods.itertuples():
        for (key, period), x in spend.items():
            if period == p.period:
                channel, _, market = key.partition("/")
                rows.append({"channel": channel, "market": market, "period_start": p.period_start,
                             "period_end": p.period_end, "total_spend": x})
    return pd.DataFrame(rows)


def _plan_spend(result, column: str = "total_spend") -> dict:
    """{(unit key, period start): the plan's spend in `column`}."""
    alloc = result.allocation
    return {(unit_key(r.channel, r.market), pd.Timestamp(r.period_start)):
            float(getattr(r, column)) for r in alloc.itertuples()}


def _by_period(spend: dict, periods: pd.DataFrame) -> dict:
    starts = {pd.Timestamp(p.period_start): int(p.period) for p in periods.itertuples()}
    return {(k, starts[s]): v for (k, s), v in spend.items()}


def curve_errors(world, inputs, curves, typical: dict) -> dict:
    """Per unit key: |Σ fitted − Σ true| ÷ Σ true at typical spend over the plan periods."""
    periods = inputs.periods
    truth = true_curves(world, periods, max(typical.values()) * 100)
    out = {}
    for u in curves.units:
        fitted, true = 0.0, 0.0
        for p in periods.itertuples():
            x = typical[u.key] * p.days
            a = float(np.sum(u.valued[u.which == p.period]))
            fitted += a * float(u.response.saturate(x * u.step_days / p.days))
            t = truth[(truth["unit"] == u.key) & (truth["period"] == p.period)]
            true += float(np.interp(x, t["spend"], t["incremental_kpi"]))
        out[u.key] = abs(fitted / true - 1) if true > 0 else float("nan")
    return out


def evaluate_world(seed: int, size: dict | None = None) -> dict:
    """One world's row: per variant the curve errors and the plan's true value."""
    started = time.perf_counter()
    size = {**SIZE, **(size or {})}
    world = market_world(seed, **size)
    kinds = {unit_key(*k): v for k, v in market_kinds(seed, size["channels"],
                                                       size["markets"]).items()}
    daily = _daily(world)
    positive = daily[daily["spend"] > 0]
    typical = {unit_key(c, m): float(g["spend"].mean())
               for (c, m), g in positive.groupby(["channel", "market"])}
    row = {"seed": seed, "units": len(world.channels), **size,
           "thin": sum(v != "strong" for v in kinds.values())}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_history(world, folder / "history.csv")
        lo = pd.Timestamp(HORIZON[0]) - pd.Timedelta(days=364)
        hi = pd.Timestamp(HORIZON[1]) - pd.Timedelta(days=364)
        budget = float(daily[(daily["date"] >= lo) & (daily["date"] <= hi)]["spend"].sum())
        results = {}
        for variant in VARIANTS:
            path = scenario_file(folder, budget, name=f"{variant}.yaml",
                                 forecast={"pooling": variant})
            inputs = load_inputs(load_scenario(path))
            t0 = time.perf_counter()
            forecaster = fit_forecasts(inputs, n_jobs=1)
            row[f"fit_seconds_{variant}"] = time.perf_counter() - t0
            curves = curve_set(inputs, forecaster)
            result = plan_with(inputs, curves)
            errors = curve_errors(world, inputs, curves, typical)
            row[f"curve_errors_{variant}"] = {k: round(v, 5) for k, v in errors.items()}
            results[variant] = (inputs, result)
    inputs, first = results[VARIANTS[0]]
    periods = inputs.periods
    mix, optimum = _mix_and_optimum(world, inputs, daily, first)
    v_mix = plan_value(world, _allocation(mix, periods))
    v_opt = plan_value(world, _allocation(optimum, periods))
    row.update({"mix": v_mix, "optimum": v_opt, "uplift_available": v_opt / v_mix - 1})
    for variant, (_, result) in results.items():
        v = plan_value(world, result.allocation)
        row[f"value_{variant}"] = v
        row[f"captured_{variant}"] = captured(v, v_mix, v_opt)
        row[f"vs_mix_{variant}"] = v / v_mix - 1
    row["kinds"] = kinds
    row["seconds"] = time.perf_counter() - started
    return row


def _mix_and_optimum(world, inputs, daily: pd.DataFrame, result) -> tuple[dict, dict]:
    """The historical mix at the plan's total, and the true optimum under the same fixed pool
    and rules ({(unit key, period): spend})."""
    scenario, periods = inputs.scenario, inputs.periods
    plan = _by_period(_plan_spend(result), periods)
    fixed = _by_period(_plan_spend(result, "fixed_spend"), periods)
    total = sum(plan.values())
    shift = reference_shift(inputs.history.start, inputs.history.end, periods)
    ref = reference_spend(daily, ["channel", "market"], periods, shift)
    ref = {(unit_key(r.channel, r.market), int(r.period)): float(r.spend)
           for r in ref.itertuples()}
    ref_total = sum(ref.values())
    mix = {k: ref.get(k, 0.0) * total / ref_total for k in plan}
    pool = split_budget(scenario.budget.total, scenario.budget.fixed_share,
                        scenario.budget.reserve_share)
    channels = sorted({u.channel for u in inputs.units})
    rules = scenario_rules(scenario, channels, pool.dynamic + pool.fixed - sum(fixed.values()))
    curves = true_curves(world, periods, total * 1.01)
    best = allocate(curves, inputs.units, periods["period"].tolist(), fixed, rules)
    return mix, {k: float(v) for k, v in best.solution.spend.items()}


def run(seeds: int, n_jobs: int, rows_file: Path | None = ROWS) -> pd.DataFrame:
    return pd.DataFrame(resumable(evaluate_world, [(s,) for s in range(seeds)],
                                  lambda r: (r["seed"],), rows_file, n_jobs))


def report(frame: pd.DataFrame, commit: str, load: str) -> str:
    lines = [f"{len(frame)} market worlds (seeds 0–{frame['seed'].max()}; "
             f"{SIZE['channels']} channels × {SIZE['markets']} markets, {SIZE['months']} months "
             "of daily history, about 40% of markets thin: low, flat, short or noisy spend "
             "evidence), next quarter planned weekly with the 60/40 pool and the defaults, "
             "once per `forecast.pooling` setting. Commit measured: "
             f"{commit}. {load}", ""]
    errs = {v: [] for v in VARIANTS}
    thin = {v: [] for v in VARIANTS}
    strong = {v: [] for v in VARIANTS}
    for r in frame.itertuples():
        for v in VARIANTS:
            e = getattr(r, f"curve_errors_{v}")
            errs[v] += list(e.values())
            thin[v] += [x for k, x in e.items() if r.kinds[k] != "strong"]
            strong[v] += [x for k, x in e.items() if r.kinds[k] == "strong"]
    lines += ["| measure | pooling: none | pooling: markets | change |", "|---|---|---|---|"]
    for label, d in (("curve error at typical spend, median unit (target −30%)", errs),
                     ("… thin markets", thin), ("… strong markets", strong)):
        a, b = median_of(d["none"]), median_of(d["markets"])
        lines.append(f"| {label} | {a:.1%} | {b:.1%} | {b / a - 1:+.0%} |")
    for label, key, fmt in (("uplift captured, median world", "captured", "{:.1%}"),
                            ("uplift captured, worst world", "captured_min", "{:.1%}"),
                            ("plan vs mix on the truth, worst world", "vs_mix_min", "{:+.2%}")):
        vals = []
        for v in VARIANTS:
            col = frame[f"{key.replace('_min', '')}_{v}"]
            vals.append(fmt.format(col.min() if key.endswith("_min") else median_of(col)))
        lines.append(f"| {label} | {vals[0]} | {vals[1]} | |")
    fit_a, fit_b = frame["fit_seconds_none"].median(), frame["fit_seconds_markets"].median()
    lines.append(f"| fit time per world, median | {fit_a:.0f} s | {fit_b:.0f} s | "
                 f"{fit_b / fit_a - 1:+.0%} |")
    lines += ["", "| seed | thin units | available | captured none / markets | vs mix none / "
              "markets | median curve error none / markets |", "|---|---|---|---|---|---|"]
    for r in frame.sort_values("seed").itertuples():
        ea = median_of(r.curve_errors_none.values())
        eb = median_of(r.curve_errors_markets.values())
        lines.append(f"| {r.seed} | {r.thin} of {r.units} | {r.uplift_available:+.2%} | "
                     f"{r.captured_none:.1%} / {r.captured_markets:.1%} | "
                     f"{r.vs_mix_none:+.2%} / {r.vs_mix_markets:+.2%} | {ea:.1%} / {eb:.1%} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--rows", type=Path, default=ROWS,
                        help="JSON lines file: finished worlds are kept and not rerun")
    parser.add_argument("--commit", default=None)
    parser.add_argument("--no-section", action="store_true")
    args = parser.parse_args(argv)
    frame, load = measured(lambda: run(args.seeds, args.jobs, args.rows), args.rows,
                           ", both variants")
    body = report(frame, args.commit or current_commit(), load)
    if not args.no_section:
        write_section("pooling", "Pooling across markets", body,
                      f"python -m benchmarks.pooling --seeds {args.seeds} --jobs {args.jobs}")
    print(body)


if __name__ == "__main__":
    main()
