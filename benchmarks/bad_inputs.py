"""Bad inputs tried and handled: the corpus through the command line, a long fuzzing run of the
scenario and history loaders, and the rejection of very large history files.

    python -m benchmarks.bad_inputs [--examples N]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks.record import ROOT, write_section

TESTS = ROOT / "tests"
BAD = TESTS / "fixtures" / "bad"
GROUPS = [("yaml_", "scenario YAML syntax and safety"), ("scenario_not_utf8", "scenario YAML syntax and safety"),
          ("key_", "scenario keys and types"), ("type_", "scenario keys and types"),
          ("currency_", "scenario keys and types"), ("objective_", "scenario keys and types"),
          ("solver_", "scenario keys and types"), ("history_wide_", "total-KPI (wide) histories"),
          ("wide_", "total-KPI (wide) histories"), ("history_", "history files"),
          ("channel_name_", "scenario keys and types"), ("risk_", "risk and forecast settings"),
          ("forecast_", "risk and forecast settings")]


CROSS = {"history_missing", "history_is_folder", "history_xlsx", "channel_not_in_history",
         "group_channel_misspelled", "horizon_before_history_end", "horizon_too_far_ahead",
         "daily_plan_weekly_history", "channel_never_spent"}


def group_of(case: str) -> str:
    if case in CROSS:
        return "scenario × history"
    for prefix, name in GROUPS:
        if case.startswith(prefix):
            return name
    return "budget, shares, ratios, horizon"


def run_corpus() -> tuple[list[dict], dict[str, int]]:
    """Every case through `validate` and `run --out`: exit code, one line, no output left."""
    from budgetopt.optimizer.cli.main import main
    sys.path.insert(0, str(TESTS / "optimizer" / "cli"))
    from test_bad_inputs import scenario_for

    cases = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))
    rows, groups = [], {}
    for case in cases:
        with tempfile.TemporaryDirectory() as tmp:
            scenario = scenario_for(case, Path(tmp))
            for command in (["validate", str(scenario)],
                            ["run", str(scenario), "--out", f"{tmp}/out", "--quiet"]):
                err = io.StringIO()
                start = time.perf_counter()
                with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                    try:
                        main(command)
                        code = 0
                    except SystemExit as done:
                        code = done.code
                seconds = time.perf_counter() - start
                text = err.getvalue()
                ok = (code == 2 and text.count("\n") == 1 and "Traceback" not in text
                      and case["file"] in text and all(f in text for f in case["says"])
                      and not Path(f"{tmp}/out").exists())
                rows.append({"case": case["case"], "command": command[0], "ok": ok,
                             "seconds": seconds})
        groups[group_of(case["case"])] = groups.get(group_of(case["case"]), 0) + 1
    return rows, groups


def run_fuzz(examples: int) -> list[tuple[str, int, int, float]]:
    """Each hypothesis test of tests/optimizer/cli/test_fuzz.py with `examples` examples;
    counts outcomes."""
    os.environ["FUZZ_EXAMPLES"] = str(examples)
    sys.path.insert(0, str(TESTS / "optimizer" / "cli"))
    import test_fuzz

    out = []
    names = [n for n in dir(test_fuzz) if n.startswith("test_") and hasattr(
        getattr(test_fuzz, n), "hypothesis")]
    for name in sorted(names):
        fn = getattr(test_fuzz, name)
        before = dict(test_fuzz.OUTCOMES)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            kwargs = {"tmp_path": Path(tmp)} if "tmp_path" in fn.hypothesis.inner_test.__code__.co_varnames else {}
            fn(**kwargs)
        accepted = test_fuzz.OUTCOMES["accepted"] - before.get("accepted", 0)
        rejected = test_fuzz.OUTCOMES["rejected"] - before.get("rejected", 0)
        out.append((name, accepted, rejected, time.perf_counter() - start))
    return out


def _refusal(label: str, refused: str, load, path: Path, digits: int) -> tuple[str, str]:
    """One row: how long `load(path)` takes to refuse the file, or that it was accepted."""
    from budgetopt.errors import InputError

    start = time.perf_counter()
    try:
        load(path)
    except InputError:
        return f"{refused}: refused in", f"{(time.perf_counter() - start) * 1000:.{digits}f} ms"
    return label, "accepted (wrong)"


def large_files() -> list[tuple[str, str]]:
    """Time to refuse a history over the size limit (a sparse file: no bytes on disk), and the
    memory a legal 36 MB history takes to load."""
    from budgetopt.forecasts.history.readers import MAX_HISTORY_BYTES
    from budgetopt.forecasts.history.loader import load_history
    from budgetopt.optimizer.scenario.loader import load_scenario

    rows = []
    for name, what in (("yaml_merge_bomb.yaml", "nested merge keys"),
                       ("yaml_alias_bomb.yaml", "nested aliases")):
        path = BAD / name
        label = f"{path.stat().st_size}-byte scenario of {what}"
        rows.append(_refusal(label, f"{label} (expands past 10⁸ values)", load_scenario, path, 1))
    with tempfile.TemporaryDirectory() as tmp:
        link = Path(tmp) / "device.csv"
        link.symlink_to("/dev/zero")
        label = "history that is a link to /dev/zero"
        rows.append(_refusal(label, label, load_history, link, 2))
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "history.csv"
        with open(big, "wb") as f:
            f.truncate(MAX_HISTORY_BYTES + 1)
        label = "history just over the 2 GB limit"
        rows.append(_refusal(label, label, load_history, big, 2))
        path = Path(tmp) / "legal.csv"
        write = (
            "import numpy as np, pandas as pd, sys\n"
            "days = pd.date_range('2022-01-01', periods=1100).strftime('%Y-%m-%d')\n"
            "rng = np.random.default_rng(0)\n"
            "with open(sys.argv[1], 'w') as f:\n"
            "    f.write('date,channel,spend,revenue\\n')\n"
            "    for u in range(1000):\n"
            "        s = rng.uniform(0, 1000, 1100).round(2)\n"
            "        f.write(''.join(f'{d},ch{u:04d},{a},{a * 3 + 500:.2f}\\n' for d, a in zip(days, s)))\n")
        subprocess.run([sys.executable, "-c", write, str(path)], cwd=ROOT, check=True)
        load = (  # VmHWM (peak memory of this program; getrusage would count the parent's)
            "import sys, time\n"
            "from budgetopt.forecasts.history.loader import load_history\n"
            "def peak():\n"
            "    for line in open('/proc/self/status'):\n"
            "        if line.startswith('VmHWM:'):\n"
            "            return int(line.split()[1])\n"
            "base = peak()\n"
            "t = time.perf_counter(); h = load_history(sys.argv[1])\n"
            "print(len(h.frame), time.perf_counter() - t, base, peak())\n")
        done = subprocess.run([sys.executable, "-c", load, str(path)], capture_output=True,
                              text=True, cwd=ROOT, check=True)
        n, seconds, base, peak = done.stdout.split()
        size = path.stat().st_size
        rows.append((f"legal history, {int(n):,} rows, {size / 1e6:.0f} MB: loaded in",
                     f"{float(seconds):.1f} s, peak memory +{(int(peak) - int(base)) / 1024:.0f} MB "
                     "above the loaded libraries"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=2000)
    args = parser.parse_args()
    rows, groups = run_corpus()
    fuzz = run_fuzz(args.examples)
    big = large_files()
    handled = sum(r["ok"] for r in rows)
    cases = len(rows) // 2
    tried = sum(a + r for _, a, r, _ in fuzz)
    body = [f"Corpus `tests/fixtures/bad/` ({cases} cases), each through `budgetopt validate` and "
            f"`budgetopt run --out`: **{handled} of {len(rows)} runs handled** (exit 2, one line "
            "naming the file, the place and the fix, no traceback, no output directory); median "
            f"{statistics.median(r['seconds'] for r in rows) * 1000:.0f} ms per run.", "",
            "| corpus group | cases |", "|---|---|"]
    body += [f"| {g} | {n} |" for g, n in sorted(groups.items())]
    body += ["", f"Fuzzing ({args.examples} generated examples per test): **{tried:,} inputs "
             "tried, every one accepted or refused with the project's InputError** (no other "
             "exception).", "", "| fuzz test | accepted | refused | time |", "|---|---|---|---|"]
    body += [f"| `{n}` | {a:,} | {r:,} | {s:.0f} s |" for n, a, r, s in fuzz]
    body += ["", "| very large files | |", "|---|---|"] + [f"| {a} | {b} |" for a, b in big]
    write_section("bad_inputs", "Bad inputs tried and handled", "\n".join(body),
                  f"python -m benchmarks.bad_inputs --examples {args.examples}")
    print("\n".join(body))
    if handled != len(rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
