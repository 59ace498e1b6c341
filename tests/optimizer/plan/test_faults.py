"""Machines fail: a solver that hits its time limit, a solver that is not installed, a run killed
while writing, an output location that cannot be written. Each ends in one clear line and an
exit code, and never in half a result."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pulp
import pytest

from budgetopt.errors import InputError, PlanError
from budgetopt.optimizer.results import outputs
from budgetopt.optimizer.intake import fitting
from budgetopt.optimizer.lp.allocate import allocate
from budgetopt.optimizer.rules.bounds import DynamicBudget
from budgetopt.optimizer.results.outputs import clear_stale, write_directory
from budgetopt.optimizer.lp.solvers import make_solver


FILES = {"allocation.csv": b"channel,total_spend\na,1.00\n", "summary.json": b"{}\n"}


@pytest.fixture
def no_fitting(monkeypatch):
    """Checks that must fail before any model is fitted."""
    def refuse(*args, **kwargs):
        raise AssertionError("models were fitted before the failure was found")
    monkeypatch.setattr(fitting, "fit_forecasts", refuse)


# --- the solver's time limit ---------------------------------------------------------------------

def _instance(log_curves, n_units=10, n_periods=26):
    units, a, b = log_curves.world(n_units, n_periods, seed=7)
    budget = 3e7
    curves = log_curves.table(units, a, b, budget * 1.5, points=40)
    rules = [DynamicBudget("budget", "==", amount=budget)]
    return units, a, b, budget, curves, rules


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_a_time_limit_hit_is_a_plan_error_not_a_plan(log_curves, solver):
    units, _, _, _, curves, rules = _instance(log_curves)
    with pytest.raises(PlanError) as info:
        allocate(curves, units, list(range(26)), {}, rules, solver=solver, time_limit_s=1e-6)
    err = info.value
    assert err.exit_code == 1
    other = "cbc" if solver == "highs" else "highs"
    assert str(err) == (f"solver.time_limit_s: solver {solver} stopped at its time limit of "
                        f"1e-06 s before it found the optimal plan; no plan is written — fix: "
                        f"raise solver.time_limit_s in the scenario, or try --solver {other} "
                        "[E0608]")


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_the_same_instance_solves_with_time_to_spare(log_curves, solver):
    units, a, b, budget, curves, rules = _instance(log_curves)
    run = allocate(curves, units, list(range(26)), {}, rules, solver=solver, time_limit_s=60)
    assert run.solution.status == "Optimal"
    _, best, _ = log_curves.exact_optimum(a, b, budget)
    # chords of 40 breakpoints lie under the exact curves: a little below the exact optimum
    assert best * (1 - 5e-3) <= run.solution.objective <= best * (1 + 1e-9)


# --- a solver that is not installed --------------------------------------------------------------

@pytest.mark.parametrize("missing, cls, other", [("highs", pulp.HiGHS, "cbc"),
                                                 ("cbc", pulp.PULP_CBC_CMD, "highs")])
def test_a_missing_solver_names_the_other(monkeypatch, missing, cls, other):
    monkeypatch.setattr(cls, "available", lambda self: False)
    with pytest.raises(PlanError) as info:
        make_solver(missing)
    assert f"solver '{missing}' is not installed" in str(info.value)
    assert f"--solver {other}" in info.value.fix
    make_solver(other)  # the alternative it names is there


def test_a_missing_solver_stops_the_run_before_fitting(good_scenario, cli, monkeypatch, no_fitting,
                                                       tmp_path, capsys):
    monkeypatch.setattr(pulp.HiGHS, "available", lambda self: False)
    out = tmp_path / "plan"
    assert cli("run", good_scenario, "--out", out, "--quiet") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "solver 'highs' is not installed" in err and "--solver cbc" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


# --- a run killed while writing ------------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys, time
    from budgetopt.optimizer.results import outputs
    real = outputs._write_file
    def slow(path, data):
        real(path, data)
        print("wrote", path.name, flush=True)
        time.sleep(120)
    outputs._write_file = slow
    outputs.write_directory({"allocation.csv": b"a\\n", "summary.json": b"{}\\n"}, sys.argv[1])
""")


def _start_writer(out: Path) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(out)], stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout.readline().startswith("wrote ")  # killed in the middle of writing
    return child


def _partials(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.*.partial"))


def test_a_run_killed_mid_write_leaves_no_output_and_the_next_run_cleans_up(tmp_path):
    out = tmp_path / "plan"
    child = _start_writer(out)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert not out.exists()
    [partial] = _partials(out)
    assert sorted(p.name for p in partial.iterdir()) == ["allocation.csv"]
    write_directory(FILES, out)
    assert _partials(out) == []
    assert {p.name: p.read_bytes() for p in out.iterdir()} == FILES


def test_a_live_writers_partial_directory_is_left_alone(tmp_path):
    out = tmp_path / "plan"
    child = _start_writer(out)
    try:
        assert clear_stale(out) == []
        assert len(_partials(out)) == 1
    finally:
        child.kill()
        child.wait(timeout=30)
    assert len(clear_stale(out)) == 1 and _partials(out) == []


def test_a_replacement_killed_between_its_renames_puts_the_old_output_back(tmp_path):
    out = tmp_path / "plan"
    write_directory(FILES, out)
    os.rename(out, tmp_path / ".plan.replaced")  # where --force moves the old output first
    clear_stale(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == FILES
    assert not (tmp_path / ".plan.replaced").exists()


def test_a_failed_write_removes_its_partial_directory(tmp_path, monkeypatch):
    def full_disk(path, data):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(outputs, "_write_file", full_disk)
    out = tmp_path / "plan"
    with pytest.raises(InputError, match="No space left on device"):
        write_directory(FILES, out)
    assert list(tmp_path.iterdir()) == []


def _another_run_writes_first(monkeypatch, out: Path, files: dict[str, bytes]) -> None:
    """While this write is under way, another run's complete output takes the name `out`."""
    write = outputs._write_file
    def write_then_lose_the_race(path, data):
        if not out.exists():
            out.mkdir()
            for name, other in files.items():
                (out / name).write_bytes(other)
        write(path, data)
    monkeypatch.setattr(outputs, "_write_file", write_then_lose_the_race)


def test_a_run_that_loses_the_race_for_out_is_refused_and_keeps_the_winners_plan(tmp_path,
                                                                                 monkeypatch):
    out = tmp_path / "plan"
    winner = {name: b"the other run\n" for name in FILES}
    _another_run_writes_first(monkeypatch, out, winner)
    with pytest.raises(InputError, match=f"output directory {out} already exists") as refused:
        write_directory(FILES, out)
    assert refused.value.code == "E0404"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == winner
    assert _partials(out) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_with_force_the_later_run_replaces_the_earlier_output(tmp_path, monkeypatch):
    out = tmp_path / "plan"
    _another_run_writes_first(monkeypatch, out, {name: b"the other run\n" for name in FILES})
    write_directory(FILES, out, force=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


# --- an output location that cannot be written ---------------------------------------------------

def _read_only_dir(tmp_path: Path) -> Path:
    """A folder nothing can be created in: a read-only folder, or for root (who may write
    anywhere on a disk) a folder of the kernel's read-only file system."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").mkdir()
    except OSError:
        return folder
    (folder / "probe").rmdir()
    if Path("/sys/kernel").is_dir():
        return Path("/sys/kernel")
    pytest.skip("no read-only location available as this user")


def test_an_unwritable_out_fails_before_fitting_with_one_line(good_scenario, cli, tmp_path,
                                                              no_fitting, capsys):
    out = _read_only_dir(tmp_path) / "budgetopt-plan"
    assert cli("run", good_scenario, "--out", out, "--quiet") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"error: --out: cannot create output directory {out}:")
    assert "fix: choose a writable location for --out" in err
    assert not out.exists()


def test_an_out_that_is_a_file_is_refused_even_with_force(good_scenario, cli, tmp_path, no_fitting,
                                                          capsys):
    out = tmp_path / "plan"
    out.write_text("keep me")
    assert cli("run", good_scenario, "--out", out, "--quiet", "--force") == 2
    assert "exists and is not a directory" in capsys.readouterr().err
    assert out.read_text() == "keep me"


# --- a history too large for this machine --------------------------------------------------------

def test_a_history_the_machine_cannot_hold_is_refused_up_front(good_scenario, cli, monkeypatch,
                                                               capsys):
    from budgetopt.forecasts.history import readers as history
    monkeypatch.setattr(history, "available_memory", lambda: 50_000)
    assert cli("validate", good_scenario) == 2
    err = capsys.readouterr().err
    size = (good_scenario.parent / "history.csv").stat().st_size
    assert err.count("\n") == 1 and "history.csv" in err
    assert f"reading {size / 1024:.1f} KB of history needs about {8 * size / 1024:.1f} KB of memory" in err
    assert "but only 48.8 KB is free" in err and "fix: free memory, or split the history" in err


def test_an_out_under_a_file_is_refused_before_fitting(good_scenario, cli, tmp_path, no_fitting,
                                                       capsys):
    (tmp_path / "notes.txt").write_text("x")
    out = tmp_path / "notes.txt" / "plans" / "q4"
    assert cli("run", good_scenario, "--out", out, "--quiet") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot create output directory" in err
    assert "notes.txt is a file" in err and "fix: choose a writable location" in err


def test_missing_parent_folders_are_made_only_when_writing(tmp_path):
    out = tmp_path / "plans" / "2026" / "q4"
    outputs.prepare_output(out)
    assert list(tmp_path.iterdir()) == []
    write_directory(FILES, out)
    assert {p.name for p in out.iterdir()} == set(FILES)
