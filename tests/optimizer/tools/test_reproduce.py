"""`budgetopt run --check DIR`: a finished run re-made from the inputs it recorded, compared
byte for byte; recorded inputs that are missing or changed are named before any fitting."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from budgetopt.optimizer.intake import fitting
from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.results.files import scenario_text
from budgetopt.optimizer.tools.reproduce import compare_outputs, recorded_inputs
from budgetopt.optimizer.scenario.loader import load_scenario, parse_scenario, scenario_from_dict
from budgetopt.optimizer.results.summary import input_hashes, package_versions


@pytest.fixture
def inputs_copy(bad_dir, tmp_path) -> Path:
    """The valid corpus scenario and its history, copied so a test may change them."""
    folder = tmp_path / "inputs"
    shutil.copytree(bad_dir / "good", folder)
    return folder / "scenario.yaml"


@pytest.fixture
def no_fitting(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("models were fitted although the recorded inputs are wrong")
    monkeypatch.setattr(fitting, "fit_forecasts", refuse)


def fake_run_dir(scenario_file: Path, run_dir: Path) -> Path:
    """A run directory's records (what `run --out` writes about its inputs), without planning."""
    scenario = load_scenario(scenario_file)
    inputs = load_inputs(scenario)
    run_dir.mkdir(parents=True)
    summary = {"solver": {"name": "cbc"}, "versions": package_versions(),
               "inputs": input_hashes(inputs)}
    (run_dir / "summary.json").write_text(json.dumps(summary))
    (run_dir / "run.json").write_text(json.dumps({"inputs": {
        "scenario": str(scenario.source), "history": str(scenario.history_path)}}))
    (run_dir / "scenario.yaml").write_bytes(scenario_file.read_bytes())
    return run_dir


def one_line(capsys, *parts) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err, err
    for part in parts:
        assert part in err, f"{part!r} not in {err!r}"
    return err


def test_the_recorded_inputs_are_read_back(inputs_copy, tmp_path):
    run_dir = fake_run_dir(inputs_copy, tmp_path / "run")
    rec = recorded_inputs(run_dir)
    assert rec.solver == "cbc"
    assert rec.history == inputs_copy.parent / "history.csv"
    assert rec.history_sha256 == hashlib.sha256(rec.history.read_bytes()).hexdigest()
    assert rec.scenario == load_scenario(inputs_copy)
    assert rec.scenario.source == inputs_copy.resolve()  # the summary names the same file
    assert rec.scenario.raw == inputs_copy.read_bytes()


def test_a_changed_history_is_named_before_fitting(cli, inputs_copy, tmp_path, no_fitting, capsys):
    run_dir = fake_run_dir(inputs_copy, tmp_path / "run")
    history = inputs_copy.parent / "history.csv"
    history.write_bytes(history.read_bytes().replace(b"29781.00", b"29781.50", 1))
    assert cli("run", "--check", run_dir) == 2
    one_line(capsys, f"--check {run_dir}: history {history} changed since the run",
             "recorded", "fix: restore the history the run used, or pass --history")


def test_a_moved_history_asks_for_history(cli, inputs_copy, tmp_path, no_fitting, capsys):
    run_dir = fake_run_dir(inputs_copy, tmp_path / "run")
    (inputs_copy.parent / "history.csv").rename(tmp_path / "elsewhere.csv")
    assert cli("run", "--check", run_dir) == 2
    one_line(capsys, "the history the run used is not at", "fix: pass --history")
    history = tmp_path / "other.csv"
    history.write_bytes(b"date,channel,spend,revenue\n2025-01-05,kol,1,2\n2025-01-12,kol,1,2\n")
    assert cli("run", "--check", run_dir, "--history", history) == 2
    one_line(capsys, f"history {history} changed since the run")


def test_an_edited_scenario_copy_is_named(cli, inputs_copy, tmp_path, no_fitting, capsys):
    run_dir = fake_run_dir(inputs_copy, tmp_path / "run")
    with open(run_dir / "scenario.yaml", "a") as f:
        f.write("# tweaked\n")
    assert cli("run", "--check", run_dir) == 2
    one_line(capsys, "scenario.yaml was changed after the run",
             "budgetopt run SCENARIO --check DIR")


@pytest.mark.parametrize("damage, words", [
    (lambda d: shutil.rmtree(d), "run directory"),
    (lambda d: (d / "summary.json").unlink(), "no summary.json in"),
    (lambda d: (d / "summary.json").write_text("{not json"), "summary.json is not valid JSON"),
    (lambda d: (d / "run.json").write_text("[1, 2]"), "run.json does not hold a run record"),
    (lambda d: (d / "scenario.yaml").unlink(), "no scenario.yaml in"),
])
def test_a_damaged_run_directory_is_named(cli, inputs_copy, tmp_path, no_fitting, capsys, damage,
                                          words):
    run_dir = fake_run_dir(inputs_copy, tmp_path / "run")
    damage(run_dir)
    assert cli("run", "--check", run_dir) == 2
    one_line(capsys, words, "fix:")


def test_run_needs_a_scenario_and_out_unless_checking(cli, capsys, inputs_copy):
    assert cli("run", "--out", "x") == 2
    one_line(capsys, "missing SCENARIO", "budgetopt run --check DIR")
    assert cli("run", inputs_copy) == 2
    one_line(capsys, "missing --out DIR")


def test_outputs_are_compared_byte_for_byte(tmp_path):
    (tmp_path / "allocation.csv").write_bytes(b"a,b\n1,2\n3,4\n")
    (tmp_path / "summary.json").write_bytes(b"{}\n")
    (tmp_path / "run.json").write_bytes(b"{\"when\": 1}\n")
    (tmp_path / "extra.csv").write_bytes(b"x\n")
    report = compare_outputs(tmp_path, {"allocation.csv": "a,b\n1,2\n3,5\n",
                                        "summary.json": "{}\n", "curves.csv": "c\n"})
    assert report.identical == ["summary.json"]
    assert report.differing == [("allocation.csv", 3)]
    assert report.missing == ["curves.csv"]
    assert report.notes == ["not re-made, so not compared: extra.csv"]
    assert not report.reproduces
    assert report.lines()[2] == "  differ: allocation.csv (from line 3)"
    same = compare_outputs(tmp_path, {"summary.json": "{}\n"})
    assert same.reproduces and same.lines()[0] == f"Reproduced: {tmp_path}"


def test_a_scenario_built_in_code_is_kept_as_yaml_that_loads_back(inputs_copy):
    data = yaml.safe_load(inputs_copy.read_text())
    built = scenario_from_dict(data)
    text = scenario_text(built)
    again = parse_scenario(text.encode(), source=None, where="copy")
    assert again.model_dump() == built.model_dump()
    loaded = load_scenario(inputs_copy)
    assert scenario_text(loaded).encode() == inputs_copy.read_bytes()


@pytest.mark.slow
def test_a_run_reproduces_and_a_changed_output_is_listed(cli, inputs_copy, tmp_path, capsys):
    run_dir = tmp_path / "runs" / "q1"
    assert cli("run", inputs_copy, "--out", run_dir, "--quiet") == 0
    assert (run_dir / "scenario.yaml").read_bytes() == inputs_copy.read_bytes()
    record = json.loads((run_dir / "run.json").read_text())
    assert record["inputs"]["history"] == str(inputs_copy.parent / "history.csv")
    capsys.readouterr()
    # from the recorded inputs alone, with the scenario file gone and a fresh copy written
    inputs_copy.unlink()
    again = tmp_path / "again"
    assert cli("run", "--check", run_dir, "--out", again) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Reproduced: {run_dir}\n")
    assert ("identical (7): allocation.csv, channels.csv, curves.csv, forecast.csv, "
            "plausible_curves.csv, scenario.yaml, summary.json") in out
    for name in ("allocation.csv", "plausible_curves.csv", "summary.json", "scenario.yaml"):
        assert (again / name).read_bytes() == (run_dir / name).read_bytes()
    # a changed number in an output is found and listed, exit 1
    allocation = run_dir / "allocation.csv"
    lines = allocation.read_text().splitlines(keepends=True)
    lines[4] = lines[4].replace(",", ",9", 1)
    allocation.write_text("".join(lines))
    assert cli("run", "--check", run_dir, "--quiet") == 1
    captured = capsys.readouterr()
    assert "differ: allocation.csv (from line 5)" in captured.out
    assert captured.err.strip() == (f"error: {run_dir}: the rerun differs in allocation.csv — "
                                    "fix: see the notes above; changed package versions, inputs "
                                    "or solver explain most differences [E0501]")


def test_a_changed_experiments_file_is_named_before_fitting(cli, tmp_path, no_fitting, capsys):
    folder = tmp_path / "inputs"
    shutil.copytree(Path(__file__).parents[3] / "scenarios", folder)
    scenario = folder / "demo_zh.yaml"
    run_dir = fake_run_dir(scenario, tmp_path / "run")
    recorded = json.loads((run_dir / "summary.json").read_text())["inputs"]["experiments"]
    tests = folder / "data" / "experiments_zh.csv"
    assert recorded["sha256"] == hashlib.sha256(tests.read_bytes()).hexdigest()
    assert recorded_inputs(run_dir).experiments_sha256 == recorded["sha256"]
    tests.write_bytes(tests.read_bytes().rsplit(b"\n", 2)[0] + b"\n")   # last row dropped
    assert cli("run", "--check", run_dir) == 2
    err = capsys.readouterr().err          # the Chinese demo speaks Chinese
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"错误：--check {run_dir}：实验文件 data/experiments_zh.csv 自运行以来已改变")
    assert f"记录的 sha256 为 {recorded['sha256'][:12]}…" in err
    assert err.rstrip().endswith("修改方法：恢复运行时使用的实验文件 [E0514]")
