"""No process outlives the command that started it, and a stopped run leaves nothing
(docs/errors.md, "Faults"): after a run, after a bad input and after SIGINT or SIGTERM in the
middle of the fits, no worker is alive; an interrupted run exits with one line and leaves no
output folder, not even a hidden partial one; two runs on one --out end with one plan and one
clear refusal. Processes are found by their process group (each command runs in a session of
its own) and by parent, read from /proc."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def _stat(pid: str) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()   # state, ppid, pgrp, ...


def alive_in_group(pgid: int) -> list[int]:
    """Processes of a process group that are alive (zombies are dead: only not yet reaped)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        fields = _stat(pid)
        if fields and int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(pid))
    return found


def live_workers() -> list[int]:
    """This process's live joblib workers. (The pool's resource trackers are not workers: one
    per process, they end with it.)"""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        fields = _stat(pid)
        if fields and int(fields[1]) == os.getpid() and fields[0] != "Z":
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"resource_tracker" not in command:
                found.append(int(pid))
    return found


def start(*args, stderr) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "budgetopt.optimizer.cli.main", *map(str, args)],
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=stderr)


def wait_gone(pgid: int, seconds: float = 10) -> list[int]:
    end = time.monotonic() + seconds
    while alive_in_group(pgid) and time.monotonic() < end:
        time.sleep(0.1)
    return alive_in_group(pgid)


@pytest.mark.slow
def test_a_run_in_process_leaves_no_worker_behind(cli, good_scenario, tmp_path):
    before = set(live_workers())
    assert cli("run", good_scenario, "--out", tmp_path / "plan", "--quiet") == 0
    assert (tmp_path / "plan" / "allocation.csv").exists()
    assert set(live_workers()) - before == set()   # joblib's reusable pool was stopped


@pytest.mark.slow
def test_a_finished_run_and_a_refused_one_leave_no_process(good_scenario, tmp_path):
    bad = Path(__file__).parents[2] / "fixtures" / "bad" / "budget_zero.yaml"
    for scenario, code in ((good_scenario, 0), (bad, 2)):
        with tempfile.TemporaryFile() as err:
            child = start("run", scenario, "--out", tmp_path / f"plan{code}", "--quiet", stderr=err)
            assert child.wait(timeout=300) == code
        assert wait_gone(child.pid) == []


def _started_fitting(child: subprocess.Popen) -> bool:
    """The run has worker processes (the parallel fits are under way)."""
    end = time.monotonic() + 120
    while time.monotonic() < end and child.poll() is None:
        if len(alive_in_group(child.pid)) >= 3:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_mid_fit_stops_every_process_and_leaves_no_output(good_scenario, tmp_path, signum):
    out = tmp_path / "runs" / "plan"
    with tempfile.TemporaryFile("w+") as err:
        child = start("run", good_scenario, "--out", out, "--quiet", stderr=err)
        assert _started_fitting(child), "the run never started its workers"
        child.send_signal(signum)
        code = child.wait(timeout=60)
        err.seek(0)
        text = err.read()
    name = signal.Signals(signum).name
    assert code == 128 + signum, text
    assert text == (f"error: interrupted by {name}; no output was written (an output folder is "
                    "written completely or not at all)\n")
    assert wait_gone(child.pid) == []
    assert not (tmp_path / "runs").exists() or list((tmp_path / "runs").iterdir()) == []


@pytest.mark.slow
def test_two_runs_on_one_out_end_with_one_plan_and_one_refusal(good_scenario, tmp_path):
    out = tmp_path / "plan"
    errs = [tempfile.TemporaryFile("w+") for _ in range(2)]
    children = [start("run", good_scenario, "--out", out, "--quiet", stderr=e) for e in errs]
    codes = [c.wait(timeout=300) for c in children]
    texts = []
    for e in errs:
        e.seek(0)
        texts.append(e.read())
        e.close()
    assert sorted(codes) == [0, 2], texts
    refused = texts[codes.index(2)]
    assert refused.count("\n") == 1 and refused.startswith("error: ")
    assert f"{out}" in refused and "already exists" in refused, refused
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]   # no hidden partial folder
    assert (out / "allocation.csv").exists() and (out / "summary.json").exists()
    for child in children:
        assert wait_gone(child.pid) == []
