"""Report speed and size: each chart, the HTML page and the workbook for the demo plan (fitted
once), and `budgetopt demo --out` end to end against `budgetopt demo` alone."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.record import write_section
from budgetopt.optimizer.results import charts, plan_charts
from budgetopt.optimizer.cli.main import demo_scenario_path
from budgetopt.optimizer.plan.pipeline import plan
from budgetopt.optimizer.results.report import render_report
from budgetopt.optimizer.results.workbook import plan_workbook


def median_time(task, repeats: int = 3):
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = task()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def time_cli(args: list[str], repeats: int = 3) -> float:
    exe = Path(sys.executable).with_name("budgetopt")
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            extra = [a.replace("{tmp}", tmp) for a in args]
            start = time.perf_counter()
            subprocess.run([str(exe), "demo", *extra], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    result = plan(demo_scenario_path())
    promos = plan_charts.horizon_promotions(result)
    draws = {
        "pool": lambda: charts.png_bytes(plan_charts.pool_chart(result)),
        "channels": lambda: charts.png_bytes(plan_charts.channel_chart(result)),
        "allocation": lambda: charts.png_bytes(plan_charts.allocation_chart(result)),
        "forecast_total": lambda: charts.png_bytes(plan_charts.forecast_total_chart(result, promos)),
        "forecasts": lambda: charts.png_bytes(plan_charts.forecast_chart(result, promos)),
        "curves": lambda: charts.png_bytes(plan_charts.curve_chart(result, promos)),
    }
    rows = ["| part | median time | size |", "|---|---:|---:|"]
    for name, draw in draws.items():
        seconds, png = median_time(draw)
        rows.append(f"| charts/{name}.png | {seconds:.2f} s | {len(png) / 1024:.0f} KiB |")
    chart_set = plan_charts.plan_charts(result)
    seconds, html = median_time(lambda: render_report(result, chart_set))
    rows.append(f"| report.html (charts already drawn) | {seconds:.2f} s | "
                f"{len(html.encode()) / 1024:.0f} KiB |")
    seconds, xlsx = median_time(lambda: plan_workbook(result))
    rows.append(f"| plan.xlsx | {seconds:.2f} s | {len(xlsx) / 1024:.0f} KiB |")
    bare = time_cli([])
    full = time_cli(["--out", "{tmp}/demo", "--quiet"])
    body = "\n".join(rows) + (
        f"\n\n`budgetopt demo` (print only): {bare:.1f} s; `budgetopt demo --out DIR` (all files "
        f"with report, workbook and charts): {full:.1f} s — median of 3 runs each. Load "
        f"average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (the "
        "machine is shared; on an idle one expect roughly a third of these times). About "
        "half of each chart's time is matplotlib's constrained layout, kept because it "
        "places labels correctly for any channel names and amounts.\n")
    write_section("report", "Report, charts and workbook (demo plan: 8 channels × 13 weeks)",
                  body, "python -m benchmarks.report")
    print(body)


if __name__ == "__main__":
    main()
