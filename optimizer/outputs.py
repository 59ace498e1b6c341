"""Write a plan's files into a directory completely or not at all: everything goes to a
temporary sibling first and is renamed into place; an existing directory needs `force`."""
from __future__ import annotations

import json
import math
import os
import platform
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from budgetopt.errors import InputError
from optimizer.results import PlanResult

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


def tidy_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO strings, ratios to 6 decimals, amounts to 2; no negative zeros; text that
    a spreadsheet would read as a formula neutralized."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = series.map(neutralize)
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


def plan_files(result: PlanResult) -> dict[str, str]:
    """File name → text for every deterministic output of a plan."""
    return {
        "allocation.csv": csv_text(result.allocation),
        "channels.csv": csv_text(result.channels),
        "forecast.csv": csv_text(result.forecast),
        "curves.csv": csv_text(result.curves),
        "summary.json": json_text(result.summary),
    }


def run_record(result: PlanResult, started: datetime) -> dict:
    return {"started_at": started.isoformat(timespec="seconds"),
            "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "stages_s": result.run_info.get("stages_s", {}),
            "machine": {"platform": platform.platform(), "processor": platform.machine(),
                        "cpus": os.cpu_count(), "python": platform.python_version()}}


def write_outputs(result: PlanResult, out_dir: str | Path, *, force: bool = False,
                  started: datetime | None = None, extra: dict[str, bytes] | None = None) -> Path:
    """Write all outputs to `out_dir` atomically; refuse an existing directory unless `force`."""
    started = started or datetime.now(timezone.utc)
    files = {name: text.encode("utf-8") for name, text in plan_files(result).items()}
    files.update(extra or {})
    files["run.json"] = json_text(run_record(result, started)).encode("utf-8")
    return write_directory(files, out_dir, force=force)


def write_directory(files: dict[str, bytes], out_dir: str | Path, *, force: bool = False) -> Path:
    """Put `files` into a fresh directory by writing a temporary sibling and renaming it."""
    out = Path(out_dir)
    if out.exists() and not force:
        raise InputError(f"output directory {out} already exists", where="--out",
                         fix="choose another --out, or add --force to replace it")
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a directory", where="--out",
                         fix="choose another --out")
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=parent))
    except OSError as exc:
        raise InputError(f"cannot create output directory {out}: {exc.strerror}",
                         where="--out", fix="choose a writable location") from None
    try:
        for name, data in files.items():
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        os.chmod(tmp, 0o755)
        if out.exists():
            old = parent / f".{out.name}.replaced"
            shutil.rmtree(old, ignore_errors=True)
            os.rename(out, old)
            os.rename(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise InputError(f"could not write {out}: {exc.strerror}", where="--out",
                         fix="check the disk space and permissions of the output location") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


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
