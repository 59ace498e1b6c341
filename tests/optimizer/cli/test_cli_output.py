"""What scripts and people at a terminal get from the CLI: --json is one JSON document on
stdout that agrees with the files, --quiet prints nothing, and the fit progress bar appears on
a terminal but not in a pipe or in CI."""
from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest


pytestmark = pytest.mark.slow


def test_demo_json_is_the_summary_and_where_the_files_went(cli, tmp_path, capsys):
    out = tmp_path / "demo"
    assert cli("demo", "--out", out, "--json") == 0
    printed = capsys.readouterr().out
    result = json.loads(printed)
    on_disk = json.loads((out / "summary.json").read_text())
    assert {k: v for k, v in result.items() if k != "outputs"} == on_disk
    assert result["outputs"]["dir"] == str(out.resolve())
    files = result["outputs"]["files"]
    assert files == sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert {"report.html", "plan.xlsx", "charts/curves.png", "allocation.csv"} <= set(files)
    assert "┃" not in printed and "Pool:" not in printed  # no table mixed into the JSON


def test_run_json_without_report_and_quiet_demo(demo_scenario, cli, tmp_path, capsys):
    scenario = demo_scenario
    assert cli("run", scenario, "--out", tmp_path / "bare", "--json", "--no-report") == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # not a terminal: no progress bar
    result = json.loads(captured.out)
    assert "report.html" not in result["outputs"]["files"]
    assert result["totals"]["spend"] == pytest.approx(14_000_000, abs=1)
    assert cli("demo", "--quiet") == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_json_error_is_one_line_on_stderr_and_nothing_on_stdout(cli, tmp_path, capsys):
    missing = tmp_path / "missing.yaml"
    assert cli("run", missing, "--out", tmp_path / "x", "--json") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and "missing.yaml" in captured.err


def _demo_stderr_on_a_terminal(out: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["COLUMNS"] = "100"
    command = [sys.executable, "-c", "from budgetopt.optimizer.cli.main import main; main()", "demo",
               "--out", str(out)]
    leader, follower = pty.openpty()
    with subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=follower) as proc:
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        assert proc.wait(timeout=300) == 0
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_and_report_spinner_on_a_terminal(tmp_path):
    shown = _demo_stderr_on_a_terminal(tmp_path / "demo")
    assert "fitting forecasts" in shown and "8/8" in shown
    assert "writing the outputs, report.html and plan.xlsx" in shown
    assert (tmp_path / "demo" / "report.html").is_file()
