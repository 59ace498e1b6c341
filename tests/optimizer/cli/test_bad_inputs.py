"""The bad-input corpus (tests/fixtures/bad/cases.yaml) through the real command line: every case
exits with code 2 and one line naming the file, the place and the fix, shows no traceback and
leaves no output directory behind — for `validate` and for `run --out` alike."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from budgetopt.errors import InputError
from budgetopt.forecasts.history import readers as hist
from budgetopt.optimizer.cli.main import main

BAD = Path(__file__).parents[2] / "fixtures" / "bad"
CASES = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))
BY_ID = {c["case"]: c for c in CASES}


def scenario_for(case: dict, tmp_path: Path) -> Path:
    """The case's scenario file; cases with `make` get their scenario and files in tmp_path:
    a sparse file over the size limit, a link to a device, or a named pipe."""
    source = BAD / f"{case['case']}.yaml"
    if "make" not in case:
        return source
    copy = tmp_path / source.name
    shutil.copyfile(source, copy)
    made = tmp_path / case["file"]
    if case["make"] == "sparse_over_limit":
        with open(made, "wb") as f:  # a hole, not 2 GB of bytes on disk
            f.truncate(hist.MAX_HISTORY_BYTES + 1)
    elif case["make"] == "device_link":
        made.symlink_to("/dev/zero")
    else:
        assert case["make"] == "fifo", case
        os.mkfifo(made)
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


CORPUS_SIZE = 158   # the cases docs/errors.md describes; a case added or lost must be noticed


def test_the_corpus_has_distinct_cases_one_per_scenario_file():
    listed = re.findall(r"^- \{case: (\w+),", (BAD / "cases.yaml").read_text(encoding="utf-8"),
                        re.M)                      # read from the text, not through YAML
    assert len(listed) == len(CASES) == CORPUS_SIZE
    assert len(set(listed)) == CORPUS_SIZE, "case ids repeat"
    assert [c["case"] for c in CASES] == listed
    scenarios = sorted(p.stem for p in BAD.glob("*.yaml") if p.name != "cases.yaml")
    assert scenarios == sorted(listed)


def _history_key(scenario: Path, key: str = "history") -> str | None:
    """The `history:` (or other file key's) value of a scenario file, read as text (some cases
    are not valid YAML)."""
    found = re.search(rb"^" + key.encode() + rb":\s*(\S+)\s*$", scenario.read_bytes(), re.M)
    return found.group(1).decode() if found else None


def test_every_fixture_file_is_used_and_every_case_names_its_own_files():
    used = {"cases.yaml", "good/scenario.yaml", "good/history.csv", "good/wide_scenario.yaml"}
    for case in CASES:
        scenario = BAD / f"{case['case']}.yaml"
        history = _history_key(scenario)
        tests = _history_key(scenario, "experiments")
        own = {f for f in (history, tests) if f}
        used |= {scenario.name} | own
        # the file the error must name is the case's own scenario or a file it points to
        assert case["file"] in {scenario.name} | own, case
        assert case["says"] and all(isinstance(f, str) and f for f in case["says"]), case
    on_disk = {p.relative_to(BAD).as_posix() for p in BAD.rglob("*") if p.is_file()}
    assert on_disk - used == set(), "fixture files no case uses"
    missing = {u for u in used - on_disk if u != "good"}
    # only the deliberately absent history and experiments file, and what the test makes, are
    # not on disk
    made = {c["file"] for c in CASES if "make" in c}
    assert missing == {"no_such_history.csv", "experiments_missing.csv"} | made
    assert made >= {"history_too_large.csv", "history_device.csv", "history_fifo.csv"}


@pytest.mark.parametrize("name", ["scenario.yaml", "wide_scenario.yaml"])
def test_the_valid_scenarios_the_cases_depart_from_are_valid(cli, capsys, name):
    assert cli("validate", BAD / "good" / name) == 0
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


def test_debug_raises_the_input_error_itself_with_the_same_line(cli, capsys):
    path = BAD / "budget_zero.yaml"
    assert cli("validate", path) == 2
    line = capsys.readouterr().err.strip()
    with pytest.raises(InputError) as info:
        main(["--debug", "validate", str(path)])
    err = info.value
    assert type(err) is InputError and err.exit_code == 2
    assert str(err) == line.removeprefix("error: ")
    assert str(err).startswith(f"{path}: budget.total: ")
    for fragment in BY_ID["budget_zero"]["says"]:
        assert fragment in str(err)


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
