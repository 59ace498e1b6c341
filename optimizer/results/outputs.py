"""Write a run's directory completely or not at all: files go to a locked `.partial` folder that
is renamed into place, an existing directory is replaced only with `force`, and a partial folder
left by a killed run is cleared by the next one."""
from __future__ import annotations

import codecs
import errno
import glob
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no locks, so leftover partial directories are kept
    fcntl = None

from budgetopt.errors import InputError
from budgetopt.optimizer.results.files import (backtest_frames, csv_text, json_text,
                                               plan_file_parts, run_record)
from budgetopt.optimizer.results.tables import PlanResult


def write_outputs(result: PlanResult, out_dir: str | Path, *, force: bool = False,
                  started: datetime | None = None, extra: dict[str, bytes] | None = None,
                  report: bool = True, excel_csv: bool | None = None) -> Path:
    """Write all outputs to `out_dir` atomically; refuse an existing directory unless `force`.
    With `report` (the default) report.html, plan.xlsx and charts/*.png go in too. With
    `excel_csv` (default: the scenario's `report.excel_csv`) CSVs start with a UTF-8 BOM."""
    started = started or datetime.now(timezone.utc)
    if excel_csv is None:
        excel_csv = result.scenario.report.excel_csv
    files = {name: _encoded(parts, excel_csv and name.endswith(".csv"))
             for name, parts in plan_file_parts(result).items()}
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
        if out.exists() and not force:   # another run wrote it since prepare_output
            raise InputError("E0404", path=str(out_dir), where="--out")
        if out.exists():
            old = parent / f".{out.name}{REPLACED}"
            shutil.rmtree(old, ignore_errors=True)
            os.rename(out, old)
            os.rename(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            _rename_new(tmp, out, out_dir)
        _fsync_dir(parent)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise InputError("E0407", path=str(out), reason=str(exc.strerror or exc),
                         where="--out") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if lock is not None:
            os.close(lock)
    return out


def _rename_new(tmp: Path, out: Path, out_dir: str | Path) -> None:
    """Rename `tmp` to `out`, which did not exist a moment ago: if another run's folder took the
    name meanwhile, this run is refused instead of replacing it."""
    try:
        os.rename(tmp, out)
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
            raise InputError("E0404", path=str(out_dir), where="--out") from None
        raise


PARTIAL = ".partial"


REPLACED = ".replaced"


def prepare_output(out_dir: str | Path, *, force: bool = False) -> Path:
    """Check before any work that `out_dir` may be written (new, or `force`; its folder
    writable), and clear what killed runs left beside it. Returns the absolute path."""
    out = Path(os.path.abspath(out_dir))
    if out.exists() and not force:
        raise InputError("E0404", path=str(out_dir), where="--out")
    if out.exists() and not out.is_dir():
        raise InputError("E0405", path=str(out_dir), where="--out")
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


def _encoded(parts, bom: bool):
    """A file's text parts as UTF-8 bytes, one part at a time (with a byte-order mark first
    for Excel)."""
    if bom:
        yield codecs.BOM_UTF8
    for part in parts:
        yield part.encode("utf-8")


def _write_file(path: Path, data) -> None:
    """Write bytes, or an iterable of byte parts as they come."""
    with open(path, "wb") as f:
        for part in [data] if isinstance(data, bytes) else data:
            f.write(part)
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
    return InputError("E0406", path=str(out), reason=str(exc.strerror or exc), where="--out")


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
