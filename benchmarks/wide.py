"""Total-KPI (wide) worlds: does the joint model find each channel's contribution, and how much
of the possible uplift does its plan capture? And what if the same world is fed in long form
with the channels' over-counted attributed revenue?

Per world (`budgetopt.datasets.wide`: families × seeds), next quarter is planned weekly with
the 60/40 pool and the product defaults, twice:

* **wide** — the total revenue and the spend columns (`history_format: wide`);
* **long, over-counted** — each channel's platform-attributed revenue (inflated 1.3–2.6× and
  claiming a share of organic orders by spend share, so the claims add up to more than the
  total), read as if it were the channel's own revenue.

Both plans, the historical mix and the true optimum (the same LP on the true curves) are
valued on the TRUE response, day by day with carryover (as `benchmarks.decision_quality`
does). Reported per world: each channel's historical ROI and contribution share as estimated
(wide: the joint model's decomposition; long: attributed revenue ÷ spend, what a platform
report claims) against the truth; uplift captured = (plan − mix) ÷ (optimum − mix); and the
plan's own claim of incremental revenue against its true value.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from joblib import Parallel, delayed

from benchmarks.record import write_section
from benchmarks.valuation import HORIZON, captured, spend_of, valuation
from budgetopt.datasets.wide import (WIDE_FAMILIES, wide_family_world, write_attributed_history,
                                     write_wide_history)
from budgetopt.forecasts.history.reference import daily_spend
from budgetopt.optimizer.scenario.loader import load_scenario
from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.intake.fitting import fit_curves
from budgetopt.optimizer.plan.pipeline import plan_with


def _scenario(folder: Path, world, budget: float, wide: bool) -> Path:
    data = {"name": "wide benchmark quarter", "kpi": "revenue",
            "horizon": {"start": HORIZON[0], "end": HORIZON[1], "period": "week"},
            "budget": {"total": float(round(budget, -3)), "fixed_share": 0.6,
                       "reserve_share": 0.0},
            "objective": "max_revenue"}
    if wide:
        data.update(history="wide.csv", history_format="wide",
                    spend_columns=dict(world.spend_columns))
        if world.controls:
            data["controls"] = list(world.controls)
    else:
        data["history"] = "attributed.csv"
    path = folder / ("wide.yaml" if wide else "long.yaml")
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _plan(path: Path):
    scenario = load_scenario(path)
    inputs = load_inputs(scenario)
    return inputs, plan_with(inputs, fit_curves(inputs, n_jobs=1))


def evaluate_world(family: str, seed: int) -> dict:
    started = time.perf_counter()
    ww = wide_family_world(family, seed)
    world = ww.world
    channels = ww.channels
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_wide_history(ww, folder / "wide.csv", future_until=HORIZON[1])
        write_attributed_history(ww, folder / "attributed.csv")
        long_hist = ww.attributed.assign(date=pd.to_datetime(ww.attributed["date"]))
        step = 7 if ww.freq == "W" else 1
        daily = daily_spend(long_hist, ["channel"], step)
        start = pd.Timestamp(HORIZON[0])
        window = daily[(daily["date"] >= start - pd.Timedelta(days=364))
                       & (daily["date"] <= pd.Timestamp(HORIZON[1]) - pd.Timedelta(days=364))]
        budget = float(window["spend"].sum())
        wide_inputs, wide_result = _plan(_scenario(folder, ww, budget, True))
        _, long_result = _plan(_scenario(folder, ww, budget, False))
    periods = wide_inputs.periods
    val = valuation(world, wide_inputs, daily, wide_result)
    plans = {"wide": spend_of(wide_result, periods), "long": spend_of(long_result, periods),
             "mix": val.mix, "optimum": val.optimum}
    value = {name: sum(val.per_unit(plan).values()) for name, plan in plans.items()}
    gap = value["optimum"] - value["mix"]

    shares = wide_result.summary["decomposition"]["all"]["channels"]
    spent = {c: ww.history[ww.spend_columns[c]].sum() for c in channels}
    attributed = ww.attributed.groupby("channel")["revenue"].sum()
    roi_err_wide = [abs(shares[c]["roi"] / ww.true_roi(c) - 1) for c in channels]
    share_err_wide = [abs(shares[c]["share"] - ww.true_contribution_share(c)) for c in channels]
    roi_err_long = [abs(attributed[c] / spent[c] / ww.true_roi(c) - 1) for c in channels]
    wide_out = wide_result.summary["outcome"]["incremental_kpi"]
    claimed = {"wide": wide_result.summary["totals"]["incremental_kpi"],
               "long": long_result.summary["totals"]["incremental_kpi"]}
    return {"family": family, "seed": seed, "freq": ww.freq, "channels": len(channels),
            "roi_error_wide": float(np.median(roi_err_wide)),
            "roi_error_wide_max": float(np.max(roi_err_wide)),
            "share_error_wide": float(np.median(share_err_wide)),
            "roi_error_long": float(np.median(roi_err_long)),
            "attributed_vs_total": float(attributed.sum() / ww.history["revenue"].sum()),
            "uplift_available": gap / value["mix"],
            "captured_wide": captured(value["wide"], value["mix"], value["optimum"]),
            "captured_long": captured(value["long"], value["mix"], value["optimum"]),
            "wide_vs_mix": value["wide"] / value["mix"] - 1,
            "long_vs_mix": value["long"] / value["mix"] - 1,
            "claim_wide": claimed["wide"] / value["wide"] - 1,
            "claim_long": claimed["long"] / value["long"] - 1,
            "pilot_wide": len(wide_result.summary["pilot_limits"]),
            "p10_wide": wide_out["p10"], "p90_wide": wide_out["p90"],
            "inside_wide": bool(wide_out["p10"] <= value["wide"] <= wide_out["p90"]),
            "not_identified_wide": _not_identified(wide_result),
            "roi_true": {c: round(ww.true_roi(c), 3) for c in channels},
            "roi_wide": {c: round(shares[c]["roi"], 3) for c in channels},
            "seconds": time.perf_counter() - started}


def _not_identified(result) -> int:
    units = result.summary.get("curves", {}).get("units", {})
    return sum(bool(u.get("not_identified")) for u in units.values())


def run(seeds: int, n_jobs: int) -> pd.DataFrame:
    tasks = [(f, s) for s in range(seeds) for f in WIDE_FAMILIES]
    rows = Parallel(n_jobs=n_jobs)(delayed(evaluate_world)(f, s) for f, s in tasks)
    return pd.DataFrame(rows)


def _pct(v) -> str:
    return "—" if v is None or v != v else f"{v:.0%}"


def report(frame: pd.DataFrame, load: str) -> str:
    cap_w = frame["captured_wide"].dropna()
    cap_l = frame["captured_long"].dropna()
    lines = [
        f"{len(frame)} worlds ({len(WIDE_FAMILIES)} families {', '.join(WIDE_FAMILIES)} × "
        f"{frame['seed'].nunique()} seeds; 4 channels, 3 years of total revenue with 5% noise, "
        "next quarter planned weekly with the 60/40 pool and the product defaults). "
        f"Load during the run: {load}.",
        "",
        "| measure | wide (joint model) | long, over-counted attribution |",
        "|---|---|---|",
        f"| channel ROI error, median world's median channel (target ≤ 20%) | "
        f"{frame['roi_error_wide'].median():.1%} | {frame['roi_error_long'].median():.1%} |",
        f"| channel ROI error, worst channel | {frame['roi_error_wide_max'].max():.0%} | |",
        f"| contribution share error, median (points of total KPI) | "
        f"{frame['share_error_wide'].median() * 100:.2f} | |",
        f"| uplift captured, median (target ≥ 85%) | {statistics.median(cap_w):.1%} | "
        f"{statistics.median(cap_l):.1%} |",
        f"| uplift captured, worst | {cap_w.min():.1%} | {cap_l.min():.1%} |",
        f"| worlds below the historical mix (target 0) | "
        f"{int((frame['wide_vs_mix'] < 0).sum())} | {int((frame['long_vs_mix'] < 0).sum())} |",
        f"| plan's claimed incremental vs its true value, median | "
        f"{frame['claim_wide'].median():+.0%} | {frame['claim_long'].median():+.0%} |",
        f"| attributed revenue ÷ total revenue, median | | "
        f"{frame['attributed_vs_total'].median():.2f} |",
    ]
    if "inside_wide" in frame:
        lines += [f"| true plan value inside the plan's P10–P90 (target 70–90%) | "
                  f"{frame['inside_wide'].mean():.0%} | |",
                  f"| channels not identified (a parameter at its bound) | "
                  f"{int(frame['not_identified_wide'].sum())} of {int(frame['channels'].sum())} | |"]
    lines += [
        "",
        "| family | seed | available | wide: ROI err (median / max) | wide: captured | "
        "wide vs mix | wide claim | long: ROI err | long: captured | long vs mix | long claim |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in frame.sort_values(["family", "seed"]).itertuples():
        lines.append(
            f"| {r.family} | {r.seed} | {r.uplift_available:+.2%} | {r.roi_error_wide:.0%} / "
            f"{r.roi_error_wide_max:.0%} | {_pct(r.captured_wide)} | {r.wide_vs_mix:+.2%} | "
            f"{r.claim_wide:+.0%} | {r.roi_error_long:.0%} | {_pct(r.captured_long)} | "
            f"{r.long_vs_mix:+.2%} | {r.claim_long:+.0%} |")
    lines += ["", "By family (wide): median channel ROI error over all its channels, median "
              "uplift captured, and how many channels got a pilot limit (loosely pinned).", "",
              "| family | rows of history | channel ROI error | uplift captured | channels with a pilot limit |",
              "|---|---|---|---|---|"]
    channel_errors = _channel_errors(frame)
    for family in WIDE_FAMILIES:
        part = frame[frame["family"] == family]
        errs = channel_errors[channel_errors["family"] == family]["error"]
        rows = 156 if family == "weekly" else 1096
        lines.append(f"| {family} | {rows} | {errs.median():.0%} | "
                     f"{part['captured_wide'].median():.0%} | {int(part['pilot_wide'].sum())} of "
                     f"{int(part['channels'].sum())} |")
    daily = channel_errors[channel_errors["family"] != "weekly"]["error"].median()
    lines += ["", f"Median ROI error over all {len(channel_errors)} channels: "
              f"{channel_errors['error'].median():.0%}; over the daily worlds' channels: "
              f"{daily:.0%}."]
    return "\n".join(lines)


def before_after(before: pd.DataFrame, after: pd.DataFrame) -> str:
    """The headline measures of two runs side by side (wide plans)."""
    def measures(f):
        cap = f["captured_wide"].dropna()
        weekly = f[f["family"] == "weekly"]["captured_wide"].dropna()
        out = {"channel ROI error, median world's median channel":
               f"{f['roi_error_wide'].median():.1%}",
               "channel ROI error, median over all channels":
               f"{_channel_errors(f)['error'].median():.1%}",
               "uplift captured, median": f"{statistics.median(cap):.1%}",
               "uplift captured, worst": f"{cap.min():.1%}",
               "uplift captured, weekly family median": f"{statistics.median(weekly):.1%}",
               "worlds below the historical mix": str(int((f["wide_vs_mix"] < 0).sum())),
               "claimed incremental vs true, median": f"{f['claim_wide'].median():+.0%}"}
        if "inside_wide" in f:
            out["true plan value inside P10–P90"] = f"{f['inside_wide'].mean():.0%}"
        return out
    b, a = measures(before), measures(after)
    lines = ["| measure (wide plans) | before | after |", "|---|---|---|"]
    lines += [f"| {k} | {b.get(k, '—')} | {a[k]} |" for k in a]
    return "\n".join(lines)


def _channel_errors(frame: pd.DataFrame) -> pd.DataFrame:
    import ast
    rows = []
    for r in frame.itertuples():
        true = r.roi_true if isinstance(r.roi_true, dict) else ast.literal_eval(r.roi_true)
        est = r.roi_wide if isinstance(r.roi_wide, dict) else ast.literal_eval(r.roi_wide)
        rows += [(r.family, c, abs(est[c] / true[c] - 1)) for c in true]
    return pd.DataFrame(rows, columns=["family", "channel", "error"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--csv", type=Path, default=None, help="also write per-world rows here")
    parser.add_argument("--from-csv", type=Path, default=None,
                        help="re-render the section from rows a previous run wrote with --csv")
    parser.add_argument("--load", default=None, help="with --from-csv: the load the run saw")
    parser.add_argument("--before", type=Path, default=None,
                        help="per-world rows (--csv) of an earlier run to compare against")
    parser.add_argument("--note", default="", help="a line put above the figures (the commits)")
    args = parser.parse_args()
    import os
    if args.from_csv:
        frame, load = pd.read_csv(args.from_csv), args.load or "not recorded"
    else:
        before = os.getloadavg()
        frame = run(args.seeds, args.jobs)
        after = os.getloadavg()
        load = (f"1-minute load average {before[0]:.2f} at the start, {after[0]:.2f} at the "
                f"end (15-minute {after[2]:.2f}; the machine is shared)")
    if args.csv:
        frame.to_csv(args.csv, index=False)
    body = report(frame, load)
    if args.before:
        body = (before_after(pd.read_csv(args.before), frame) + "\n\n" + body)
    if args.note:
        body = args.note + "\n\n" + body
    write_section("wide", "Total-KPI (wide) histories: joint model vs over-counted attribution",
                  body, "python -m benchmarks.wide")
    print(body)


if __name__ == "__main__":
    main()
