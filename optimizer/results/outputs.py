"""Write a plan's files into a directory completely or not at all: everything goes to a
temporary sibling first and is renamed into place; an existing directory needs `force`."""
from __future__ import annotations

import codecs
import glob
import json
import math
import os
import platform
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no locks, so leftover partial directories are kept
    fcntl = None

import numpy as np
import pandas as pd
import yaml

from budgetopt.errors import InputError
from budgetopt.optimizer.results.tables import PlanResult

MONEY_DECIMALS = 2
RATIO_DECIMALS = 6
RATIO_COLUMNS = {"roi", "net_roi", "marginal_roi", "share", "change_vs_history", "wape",
                 "accuracy", "coverage", "nominal_coverage"}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(text):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _text_cell(value):
    """A CSV text cell: a carriage return becomes a newline (a cell holding a bare CR would be
    written unquoted and split the row), then formulas are neutralized."""
    if isinstance(value, str) and "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return neutralize(value)


def tidy_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO strings, ratios to 6 decimals, amounts to 2; no negative zeros; text that
    a spreadsheet would read as a formula neutralized."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = series.map(_text_cell)
        elif pd.api.types.is_datetime64_any_dtype(series):
            out[col] = series.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(series):
            digits = RATIO_DECIMALS if col in RATIO_COLUMNS else MONEY_DECIMALS
            out[col] = series.round(digits) + 0.0
    return out


def tidy_json(value):
    """Round floats (6 significant decimals) and replace NaN/inf by null, recursively."""
    if isinstance(value, dict):
        return {k: tidy_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [tidy_json(v) for v in value]
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return round(value, 6) + 0.0 if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def json_text(value) -> str:
    return json.dumps(tidy_json(value), indent=2, ensure_ascii=False) + "\n"


def csv_text(frame: pd.DataFrame) -> str:
    return tidy_frame(frame).to_csv(index=False, lineterminator="\n")


def excel_bytes(text: str) -> bytes:
    """CSV text as UTF-8 with a byte-order mark, which Excel needs to read it as UTF-8."""
    return codecs.BOM_UTF8 + text.encode("utf-8")


def plan_files(result: PlanResult) -> dict[str, str]:
    """File name → text for every deterministic output of a plan."""
    return {
        "allocation.csv": csv_text(result.allocation),
        "channels.csv": csv_text(result.channels),
        "forecast.csv": csv_text(result.forecast),
        "curves.csv": csv_text(result.curves),
        "summary.json": json_text(result.summary),
        "scenario.yaml": scenario_text(result.scenario),
    }


def scenario_text(scenario) -> str:
    """The scenario as planned: the file's exact text, or for a scenario built in code its
    values as YAML (what `budgetopt run --check` re-runs)."""
    if scenario.raw is not None:
        return scenario.raw.decode("utf-8")
    data = scenario.model_dump(mode="json", exclude_none=True)
    return "# built in code\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def run_record(result: PlanResult, started: datetime) -> dict:
    """run.json: when, how long, on what machine, and where the inputs were (absolute paths
    differ between machines, so they live here rather than in summary.json)."""
    scenario = result.scenario
    return {"started_at": started.isoformat(timespec="seconds"),
            "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "stages_s": result.run_info.get("stages_s", {}),
            "machine": {"platform": platform.platform(), "processor": platform.machine(),
                        "cpus": os.cpu_count(), "python": platform.python_version()},
            "inputs": {"scenario": str(scenario.source) if scenario.source else None,
                       "history": os.path.abspath(scenario.history_path)}}


def write_outputs(result: PlanResult, out_dir: str | Path, *, force: bool = False,
                  started: datetime | None = None, extra: dict[str, bytes] | None = None,
                  report: bool = True, excel_csv: bool | None = None) -> Path:
    """Write all outputs to `out_dir` atomically; refuse an existing directory unless `force`.
    With `report` (the default) report.html, plan.xlsx and charts/*.png go in too. With
    `excel_csv` (default: the scenario's `report.excel_csv`) CSVs start with a UTF-8 BOM."""
    started = started or datetime.now(timezone.utc)
    if excel_csv is None:
        excel_csv = result.scenario.report.excel_csv
    files = {name: excel_bytes(text) if excel_csv and name.endswith(".csv") else text.encode("utf-8")
             for name, text in plan_files(result).items()}
    if report:
        from budgetopt.optimizer.results.report import report_files
        files.update(report_files(result))
    files.update(extra or {})
    files["run.json"] = json_text(run_record(result, started)).encode("utf-8")
    return write_directory(files, out_dir, force=force)


def write_directory(files: dict[str, bytes], out_dir: str | Path, *, force: bool = False) -> Path:
    """Put `files` into a fresh directory by writing a locked temporary sibling
    (`.NAME.*.partial`) and renaming it into place; a run killed on the way leaves only that
    hidden sibling, which the next write to NAME removes."""
    out = prepare_output(out_dir, force=force)
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=PARTIAL, dir=parent))
        lock = _lock(tmp)
    except OSError as exc:
        raise _unwritable(out, exc) from None
    try:
        for name, data in files.items():
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_file(target, data)
        os.chmod(tmp, 0o755)
        _fsync_dir(tmp)
        if out.exists():
            old = parent / f".{out.name}{REPLACED}"
            shutil.rmtree(old, ignore_errors=True)
            os.rename(out, old)
            os.rename(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
        _fsync_dir(parent)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise InputError(f"could not write {out}: {exc.strerror or exc}", where="--out",
                         fix="check the disk space and permissions of the output location") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if lock is not None:
            os.close(lock)
    return out


PARTIAL = ".partial"
REPLACED = ".replaced"


def prepare_output(out_dir: str | Path, *, force: bool = False) -> Path:
    """Check before any work that `out_dir` may be written (new, or `force`; its folder
    writable), and clear what killed runs left beside it. Returns the absolute path."""
    out = Path(os.path.abspath(out_dir))
    if out.exists() and not force:
        raise InputError(f"output directory {out_dir} already exists", where="--out",
                         fix="choose another --out, or add --force to replace it")
    if out.exists() and not out.is_dir():
        raise InputError(f"{out_dir} exists and is not a directory", where="--out",
                         fix="choose another --out")
    anchor = out.parent  # the nearest existing folder: missing ones are made only to write
    while not anchor.exists() and anchor != anchor.parent:
        anchor = anchor.parent
    try:
        if not anchor.is_dir():
            raise NotADirectoryError(20, f"{anchor} is a file")
        probe = tempfile.mkdtemp(prefix=f".{out.name}.", suffix=PARTIAL, dir=anchor)
        os.rmdir(probe)
    except OSError as exc:
        raise _unwritable(out, exc) from None
    if out.parent.is_dir():
        clear_stale(out)
    return out


def clear_stale(out: Path) -> list[Path]:
    """Remove `.NAME.*.partial` siblings no live writer holds (their run was killed), and put
    back a previous output a killed --force run had moved aside. Returns what was removed."""
    removed = []
    for partial in [] if fcntl is None else sorted(out.parent.glob(f".{glob.escape(out.name)}.*{PARTIAL}")):
        try:
            held = _lock(partial)
        except OSError:
            continue  # another process still writes it, or it vanished meanwhile
        try:
            shutil.rmtree(partial, ignore_errors=True)
            removed.append(partial)
        finally:
            if held is not None:
                os.close(held)
    old = out.parent / f".{out.name}{REPLACED}"
    if old.is_dir():
        if out.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(old, out)
    return removed


def _lock(directory: Path) -> int | None:
    """An exclusive lock on the directory, held while the returned descriptor is open; the
    system releases it when the process dies, however it dies. OSError if another holds it."""
    if fcntl is None:
        return None
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise
    return fd


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unwritable(out: Path, exc: OSError) -> InputError:
    return InputError(f"cannot create output directory {out}: {exc.strerror or exc}",
                      where="--out", fix="choose a writable location for --out")

def backtest_frames(result) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The backtest's score and detail tables with channel (and market) columns."""
    has_market = result.detail["market"].notna().any()
    keys = ["channel", "market"] if has_market else ["channel"]
    scores = result.scores.copy()
    split = scores["unit"].str.split("/", n=1, expand=True)
    scores["channel"] = split[0]
    if has_market:
        scores["market"] = split[1] if split.shape[1] > 1 else None
    scores["nominal_coverage"] = result.interval_width
    scores = scores[[*keys, "folds", "periods", "actual", "forecast", "wape", "accuracy",
                     "coverage", "nominal_coverage"]]
    detail = result.detail[[*keys, "fold", "origin", "period_start", "period_end", "actual",
                            "forecast", "lower", "upper"]]
    return scores, detail


def write_backtest(result, out: str | Path, detail: str | Path | None = None) -> None:
    """Write the scores (and optionally every holdout period) as CSV, each file atomically."""
    scores, rows = backtest_frames(result)
    for frame, path in ((scores, out), (rows, detail)):
        if path is None:
            continue
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(csv_text(frame))
        os.replace(tmp, path)
