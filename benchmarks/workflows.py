"""Speed of the planner and finance workflows end to end on the demo: compare, frontier,
shocks and rebalance, each as its command (one run each; the machine is shared)."""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.record import write_section
from budgetopt.datasets import demo_world

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo.yaml"
PRESSURE = ROOT / "scenarios" / "competitor_pressure.yaml"
AS_OF = "2026-10-28"


def budgetopt(*args) -> float:
    """Seconds one command takes, failing loudly if it fails."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "budgetopt.optimizer.cli.main", *map(str, args)], check=True,
                   capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def actuals_at_plan(run: Path, path: Path) -> None:
    """October's actuals from the demo world's true curves at the planned spend."""
    alloc = pd.read_csv(run / "allocation.csv", parse_dates=["period_start", "period_end"])
    world, rows = demo_world(), []
    for r in alloc[alloc["period_end"] <= pd.Timestamp(AS_OF)].itertuples():
        days = pd.date_range(r.period_start, r.period_end)
        spend = round(r.total_spend / len(days), 2)
        for d, v in zip(days, world.expected_revenue(r.channel, days, spend)):
            rows.append({"date": d.strftime("%Y-%m-%d"), "channel": r.channel, "spend": spend,
                         "revenue": round(float(v), 2)})
    pd.DataFrame(rows).sort_values(["date", "channel"]).to_csv(path, index=False)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows = [("`budgetopt run` (demo, for reference)",
                 budgetopt("run", DEMO, "--out", tmp / "highs", "-q"))]
        budgetopt("run", DEMO, "--out", tmp / "cbc", "--solver", "cbc", "-q")
        rows.append(("`budgetopt compare` two demo runs, `--out` with workbook",
                     budgetopt("compare", tmp / "highs", tmp / "cbc", "--tolerance", "0.001",
                               "--out", tmp / "cmp", "-q")))
        rows.append(("`budgetopt frontier` demo, 16 budgets + chart + workbook",
                     budgetopt("frontier", DEMO, "--steps", "16", "--out", tmp / "f", "-q")))
        rows.append(("`budgetopt shocks` competitor_pressure (4 shocks)",
                     budgetopt("shocks", PRESSURE, "--out", tmp / "s", "-q")))
        actuals_at_plan(tmp / "highs", tmp / "actuals.csv")
        rows.append(("`budgetopt rebalance` demo at 2026-10-28 with `--plan` (one refit)",
                     budgetopt("rebalance", DEMO, "--actuals", tmp / "actuals.csv", "--as-of",
                               AS_OF, "--plan", tmp / "highs", "--out", tmp / "r1", "-q")))
        rows.append(("`budgetopt rebalance` demo at 2026-10-28, re-planning the original",
                     budgetopt("rebalance", DEMO, "--actuals", tmp / "actuals.csv", "--as-of",
                               AS_OF, "--out", tmp / "r2", "-q")))
    body = ("One run each, wall clock, including Python start-up and Prophet fits.\n\n"
            "| what | time |\n|---|---|\n"
            + "\n".join(f"| {what} | {secs:.1f} s |" for what, secs in rows))
    write_section("workflows", "Workflow commands", body, "python -m benchmarks.workflows")
    print(body)


if __name__ == "__main__":
    main()
