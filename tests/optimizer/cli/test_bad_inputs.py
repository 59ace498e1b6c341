"""The bad-input corpus (tests/fixtures/bad/cases.yaml) through the real command line: every case
exits with code 2 and one line naming the file, the place and the fix, shows no traceback and
leaves no output directory behind — for `validate` and for `run --out` alike."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from budgetopt.forecasts.history import readers as hist
from budgetopt.optimizer.cli.main import main

BAD = Path(__file__).parents[2] / "fixtures" / "bad"
CASES = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))
BY_ID = {c["case"]: c for c in CASES}


def scenario_for(case: dict, tmp_path: Path) -> Path:
    """The case's scenario file; cases with `make` get their scenario and files in tmp_path."""
    source = BAD / f"{case['case']}.yaml"
    if "make" not in case:
        return source
    assert case["make"] == "sparse_over_limit"
    copy = tmp_path / source.name
    shutil.copyfile(source, copy)
    with open(tmp_path / case["file"], "wb") as f:  # a hole, not 2 GB of bytes on disk
        f.truncate(hist.MAX_HISTORY_BYTES + 1)
    return copy


def assert_one_clear_line(err: str, case: dict) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("error: ") and "Traceback" not in line
    assert case["file"] in line, f"{case['file']!r} not named in {line!r}"
    assert " — fix: " in line
    for fragment in case["says"]:
        assert fragment in line, f"{fragment!r} not in {line!r}"


def test_the_corpus_is_large_and_every_file_is_a_case():
    assert len(CASES) >= 40
    assert len(BY_ID) == len(CASES), "case ids repeat"
    scenarios = {p.stem for p in BAD.glob("*.yaml")} - {"cases"}
    assert scenarios == set(BY_ID)


def test_the_valid_scenario_the_cases_depart_from_is_valid(cli, capsys):
    assert cli("validate", BAD / "good" / "scenario.yaml") == 0
    assert "ok — 3 units, 12 week periods" in capsys.readouterr().out


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_validate_rejects_with_one_line(cli, case, tmp_path, capsys):
    scenario = scenario_for(case, tmp_path)
    assert cli("validate", scenario) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert_one_clear_line(captured.err, case)


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_run_rejects_and_leaves_no_output(cli, case, tmp_path, capsys):
    scenario = scenario_for(case, tmp_path)
    out = tmp_path / "runs" / "plan"
    assert cli("run", scenario, "--out", out, "--quiet") == 2
    assert_one_clear_line(capsys.readouterr().err, case)
    assert not (tmp_path / "runs").exists()  # not even the folder that would have held it


def test_debug_shows_the_traceback_instead(tmp_path):
    with pytest.raises(Exception) as info:
        main(["--debug", "validate", str(BAD / "budget_zero.yaml")])
    assert "budget.total" in str(info.value)


@pytest.mark.slow
@pytest.mark.parametrize("case_id", ["yaml_python_tag", "history_not_utf8", "history_too_large"])
def test_the_installed_command_exits_2_without_traceback(case_id, tmp_path):
    case = BY_ID[case_id]
    scenario = scenario_for(case, tmp_path)
    out = tmp_path / "plan"
    done = subprocess.run([sys.executable, "-m", "budgetopt.optimizer.cli.main", "run", str(scenario), "--out",
                           str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert_one_clear_line(done.stderr, case)
    assert not out.exists()
