"""Re-run a finished run from the inputs it recorded and say whether it reproduces: the same
scenario text (scenario.yaml in the run directory), the same history (checked by its sha256),
the same solver — and then byte for byte the same CSV and JSON files."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from budgetopt.errors import InputError
from budgetopt.input_files import open_regular
from budgetopt.forecasts.history.readers import MAX_HISTORY_BYTES, TOO_LARGE_FIX
from budgetopt.optimizer.intake.inputs import check_inputs, read_scenario_history
from budgetopt.optimizer.tools.compare import read_run_file
from budgetopt.optimizer.results.files import plan_files
from budgetopt.optimizer.intake.fitting import fit_curves
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.results.tables import PlanResult
from budgetopt.optimizer.scenario.spec import Scenario
from budgetopt.optimizer.scenario.loader import load_scenario, parse_scenario
from budgetopt.optimizer.lp.solvers import make_solver
from budgetopt.optimizer.results.summary import package_versions

UNCHECKED = {"run.json"}  # the one output that may differ between reruns


@dataclass
class Recorded:
    """What a run directory says about how it was made."""

    scenario: Scenario
    history: Path
    history_sha256: str | None
    solver: str
    versions: dict
    scenario_sha256: str | None = None
    experiments_sha256: str | None = None


@dataclass
class CheckReport:
    run_dir: Path
    identical: list[str] = field(default_factory=list)
    differing: list[tuple[str, int]] = field(default_factory=list)  # (file, first line)
    missing: list[str] = field(default_factory=list)   # made by the rerun, absent in the run
    notes: list[str] = field(default_factory=list)

    @property
    def reproduces(self) -> bool:
        return not self.differing and not self.missing

    def lines(self) -> list[str]:
        head = "Reproduced" if self.reproduces else "Does not reproduce"
        out = [f"{head}: {self.run_dir}"]
        if self.identical:
            out.append(f"  identical ({len(self.identical)}): {', '.join(self.identical)}")
        if self.differing:
            out.append("  differ: " + ", ".join(f"{n} (from line {line})"
                                                for n, line in self.differing))
        if self.missing:
            out.append(f"  not in the run directory: {', '.join(self.missing)}")
        out += [f"  note: {n}" for n in self.notes]
        return out


def _read_json(path: Path, run_dir: Path) -> dict:
    if not path.is_file():
        raise InputError("E0502", name=path.name, path=str(run_dir), where="--check")
    try:
        data = json.loads(read_run_file(path, f"--check {run_dir}").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError("E0503", name=path.name, reason=str(exc),
                         where=f"--check {run_dir}") from None
    if not isinstance(data, dict):
        raise InputError("E0504", name=path.name, where=f"--check {run_dir}")
    return data


def recorded_inputs(run_dir: str | Path, *, scenario_path: str | Path | None = None,
                    history_path: str | Path | None = None) -> Recorded:
    """The scenario, history and solver a run used, each checked against its recorded hash.
    `scenario_path` / `history_path` replace the recorded ones (a changed scenario is then
    compared as it is now)."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError("E0505", path=str(run_dir), where="--check")
    summary = _read_json(run_dir / "summary.json", run_dir)
    run = _read_json(run_dir / "run.json", run_dir)
    inputs = summary.get("inputs") or {}
    where = f"--check {run_dir}"
    if scenario_path is not None:
        scenario = load_scenario(scenario_path)
    else:
        copy = run_dir / "scenario.yaml"
        if not copy.is_file():
            raise InputError("E0506", path=str(run_dir), where=where)
        raw = read_run_file(copy, where)
        recorded = (inputs.get("scenario") or {}).get("sha256")
        if recorded and hashlib.sha256(raw).hexdigest() != recorded:
            raise InputError("E0507", where=where)
        original = (run.get("inputs") or {}).get("scenario")
        source = Path(original) if original else copy
        scenario = parse_scenario(raw, source=source, where=str(copy))
    history = _history_path(scenario, run, history_path, scenario_path is not None, where)
    hist_record = inputs.get("history") or {}
    solver = (summary.get("solver") or {}).get("name") or scenario.solver.name
    return Recorded(scenario, history, hist_record.get("sha256"), solver,
                    summary.get("versions") or {}, (inputs.get("scenario") or {}).get("sha256"),
                    (inputs.get("experiments") or {}).get("sha256"))


def _history_path(scenario: Scenario, run: dict, given, scenario_given: bool, where: str) -> Path:
    if given is not None:
        path = Path(given)
    elif scenario_given:
        path = scenario.history_path
    else:
        recorded = (run.get("inputs") or {}).get("history")
        path = Path(recorded) if recorded else scenario.history_path
    if not path.is_file():
        raise InputError("E0508", path=str(path), where=where)
    return path


def check_run(run_dir: str | Path, *, scenario_path=None, history_path=None,
              solver: str | None = None,
              progress: Callable[[int, int], None] | None = None) -> tuple[CheckReport, PlanResult]:
    """Re-run `run_dir` from its recorded inputs and compare every deterministic output."""
    run_dir = Path(run_dir)
    rec = recorded_inputs(run_dir, scenario_path=scenario_path, history_path=history_path)
    where = f"--check {run_dir}"
    digest = _file_sha256(rec.history)
    if rec.history_sha256 and digest != rec.history_sha256:
        raise InputError("E0509", history=str(rec.history), recorded=rec.history_sha256[:12],
                         now=digest[:12], where=where)
    name = rec.scenario.source.name if rec.scenario.source else "scenario"
    history = read_scenario_history(rec.scenario, rec.history, name)
    inputs = check_inputs(rec.scenario, history, name)
    now_tests = getattr(inputs, "experiments_sha256", None)
    if rec.experiments_sha256 and now_tests != rec.experiments_sha256:
        raise InputError("E0514", file=str(rec.scenario.experiments),
                         recorded=rec.experiments_sha256[:12],
                         now=now_tests[:12] if now_tests else "none", where=where)
    solver_name = solver or rec.solver
    make_solver(solver_name)
    result = plan_with(inputs, fit_curves(inputs, progress), solver=solver_name)
    report = compare_outputs(run_dir, plan_files(result))
    now = package_versions()
    changed = [f"{k} {rec.versions[k]} then, {now.get(k, 'not installed')} now"
               for k in sorted(rec.versions) if rec.versions[k] != now.get(k, "not installed")]
    if changed:
        report.notes.append("versions differ: " + "; ".join(changed))
    raw = rec.scenario.raw
    if scenario_path is not None and raw is not None and rec.scenario_sha256 and \
            hashlib.sha256(raw).hexdigest() != rec.scenario_sha256:
        report.notes.append(f"{scenario_path} is not the scenario the run used (its sha256 "
                            "differs)")
    if solver and solver != rec.solver:
        report.notes.append(f"solved with {solver}; the run used {rec.solver}")
    return report, result


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open_regular(path, where=str(path), what="history file", limit=MAX_HISTORY_BYTES,
                      fix_large=TOO_LARGE_FIX) as (f, _):
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def compare_outputs(run_dir: Path, files: dict[str, str]) -> CheckReport:
    """Byte comparison of the rerun's files with the run directory's."""
    report = CheckReport(run_dir)
    for name in sorted(files):
        new = files[name].encode("utf-8")
        path = run_dir / name
        if not path.is_file():
            report.missing.append(name)
            continue
        old = path.read_bytes()
        if old == new:
            report.identical.append(name)
        else:
            report.differing.append((name, _first_differing_line(old, new)))
    others = sorted(p.name for p in run_dir.iterdir()
                    if p.is_file() and p.suffix in (".csv", ".json")
                    and p.name not in files and p.name not in UNCHECKED)
    if others:
        report.notes.append(f"not re-made, so not compared: {', '.join(others)}")
    return report


def _first_differing_line(old: bytes, new: bytes) -> int:
    a, b = old.split(b"\n"), new.split(b"\n")
    for i, (x, y) in enumerate(zip(a, b), 1):
        if x != y:
            return i
    return min(len(a), len(b)) + 1
