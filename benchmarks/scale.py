"""Scale: plans of 8, 200 and 1,000 units (synthetic channel × market worlds, three years of
daily history, 13 weeks planned), local backend against Spark local mode. Per-stage times,
peak memory of the whole process tree (workers and the Spark JVM included), and the cost per
unit and per LP cell (unit × period). Each configuration runs in a fresh process."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.record import ROOT, current_commit, write_section

SIZES = {8: (4, 2), 200: (8, 25), 1000: (8, 125)}     # units: (channels, markets)
HISTORY = ("2023-07-01", "2026-06-30")
HORIZON = ("2026-07-01", "2026-09-29")                   # 13 weeks
CHART = ROOT / "benchmarks" / "scale.png"


def make_case(units: int, folder: Path, backend: str) -> Path:
    """The world's history and a scenario planning the next quarter at last year's spend."""
    from budgetopt.datasets import make_world, write_history
    history = folder / "history.csv"
    channels, markets = SIZES[units]
    if not history.exists():
        world = make_world(channels, *HISTORY, seed=units, markets=[f"m{i:03d}" for i in
                                                                    range(markets)])
        write_history(world, history)
        daily = world.history.groupby("date")["spend"].sum().mean()
        (folder / "budget.txt").write_text(f"{round(daily * 91, -3):.0f}")
    budget = (folder / "budget.txt").read_text()
    spark = ", spark: {master: 'local[2]'}" if backend == "spark" else ""
    path = folder / f"{backend}.yaml"
    path.write_text(f"name: scale {units}\nhistory: history.csv\n"
                    f"horizon: {{start: {HORIZON[0]}, end: {HORIZON[1]}, period: week}}\n"
                    f"budget: {{total: {budget}}}\n"
                    f"forecast: {{backend: {backend}{spark}}}\n", encoding="utf-8")
    return path


def one(scenario: Path) -> dict:
    """Plan `scenario` in this process and report its stage times (the child's side)."""
    import budgetopt
    started = time.perf_counter()
    result = budgetopt.plan(scenario)
    total = time.perf_counter() - started
    return {"stages": result.run_info["stages_s"], "total": round(total, 2),
            "units": len(result.channels),
            "periods": int(result.allocation["period_start"].nunique())}


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(stat[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def measure(scenario: Path) -> dict:
    """Run one configuration in a child process, sampling its tree's memory."""
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.scale", "--one", str(scenario)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            cwd=ROOT)
    peak = [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.5)
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, _ = proc.communicate()
    thread.join()
    if proc.returncode != 0:
        return {"error": f"exit {proc.returncode}"}
    data = json.loads(out.strip().splitlines()[-1])
    data["peak_mb"] = round(peak[0] / 2**20)
    return data


def chart(rows: list[dict]) -> None:
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    stages = ["load", "fit", "curves", "solve", "forecast", "results"]   # curves: older rows
    fig = Figure(figsize=(8, 4), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    labels = [f"{r['units']} {r['backend']}" + (f" {r['commit']}" if "commit" in r else "")
              for r in rows]
    left = [0.0] * len(rows)
    for stage in stages:
        widths = [r["stages"].get(stage, 0.0) for r in rows]
        ax.barh(labels, widths, left=left, label=stage)
        left = [a + b for a, b in zip(left, widths)]
    ax.set_xlabel("seconds (wall clock)")
    ax.invert_yaxis()
    ax.legend(ncols=3, loc="upper right")
    ax.set_title("budgetopt run by stage: units × backend")
    fig.savefig(CHART, dpi=110, metadata={"Software": None})


def record(rows: list[dict], units: list[int], backends: list[str], commit: str) -> None:
    """Write the rows (one JSON object per configuration) into BENCHMARKS.md and the chart."""
    lines = []
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['units']} | {r['backend']} | {r['error']} |" + " |" * 8
                         + f" {r.get('commit', commit)} |")
            continue
        s = r["stages"]
        cells = r["units"] * r["periods"]
        lines.append(
            f"| {r['units']} | {r['backend']} | {r['total']:.0f} s | "
            f"{s.get('fit', 0) + s.get('curves', 0):.1f} | {s.get('solve', 0):.1f} | "
            f"{s.get('forecast', 0):.1f} | {s.get('load', 0) + s.get('results', 0):.1f} | "
            f"{r['peak_mb']:,} MB | {r['peak_mb'] / r['units']:.1f} MB | "
            f"{(s.get('fit', 0) + s.get('curves', 0)) / r['units']:.2f} s | "
            f"{1000 * s.get('solve', 0) / cells:.1f} ms | {r['load']} | "
            f"{r.get('commit', commit)} |")
    chart([r for r in rows if "error" not in r])
    body = ("Synthetic channel × market worlds (three years of daily history), 13 weeks planned "
            "weekly with the 60/40 pool; `budgetopt.plan` in a fresh process per row; Spark in "
            "local mode (`local[2]`, session start-up counted in fit). Peak memory is the whole "
            "process tree (loky workers, Spark's JVM and Python workers included), sampled "
            "every 0.5 s. Load is the 1-minute load average when the row started (2 cores, "
            "shared with other work). Fit includes each unit's curves, read in the unit's own "
            "task, and with markets the pooling pass (`forecast.pooling: markets`, the "
            "default). Rows read back from an earlier run keep the commit they measured. "
            "Targets: 200 units ≤ 60 s and ≤ 2 GB; 1,000 units ≤ 5 min and ≤ 4 GB.\n\n"
            "| units | backend | total | fit s | solve s | forecast s | load + results s | "
            "peak memory | peak memory per unit | fit per unit | solve per LP cell | "
            "load avg | commit |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(lines)
            + "\n\n![stage times](benchmarks/scale.png)")
    write_section("scale", "Scale: units × backend", body,
                  "python -m benchmarks.scale --units " + " ".join(map(str, units))
                  + " --backends " + " ".join(backends))
    print(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--units", type=int, nargs="+", default=[8, 200, 1000])
    parser.add_argument("--backends", nargs="+", default=["local", "spark"])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bo-scale")
    parser.add_argument("--rows", type=Path, help="record rows printed by an earlier run "
                                                  "(one JSON object per line) instead of running")
    parser.add_argument("--commit", default=None, help="with --rows: the commit they measure")
    args = parser.parse_args()
    if args.rows:
        rows = [json.loads(line) for line in args.rows.read_text().splitlines()
                if line.startswith("{")]
        record(rows, sorted({r["units"] for r in rows}), sorted({r["backend"] for r in rows}),
               args.commit or current_commit())
        return
    if args.one:
        print(json.dumps(one(args.one)))
        return
    rows, commit = [], current_commit()
    for units in args.units:
        folder = args.work / str(units)
        folder.mkdir(parents=True, exist_ok=True)
        for backend in args.backends:
            load = os.getloadavg()[0]
            data = measure(make_case(units, folder, backend))
            data.update(backend=backend, units=units, load=round(load, 1), commit=commit)
            rows.append(data)
            print(json.dumps(data), flush=True)
    record(rows, args.units, args.backends, commit)


if __name__ == "__main__":
    main()
