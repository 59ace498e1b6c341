"""Load a history file or check an in-memory frame into one validated `History`: read
(`readers`), then check (`checks`)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from budgetopt.errors import InputError
from budgetopt.forecasts.history.checks import Where, check_history
from budgetopt.forecasts.history.readers import (check_size, index_to_columns, read_csv, read_parquet,
                                                  read_xlsx)
from budgetopt.forecasts.history.frame import History, RESERVED


def load_history(path, kpi: str = "revenue", *, min_history_days: int = 365,
                 encoding: str | None = None) -> History:
    """Read a history file (.csv, .csv.gz, .xlsx, .parquet, .pq) and validate it. `encoding`
    names a CSV's text encoding (utf-8, utf-8-sig, gb18030, gbk); None detects it."""
    _check_kpi(kpi)
    frame, digest, where = read_history_file(path, encoding)
    return replace(check_history(frame, kpi, where, min_history_days), sha256=digest)


def read_history_file(path, encoding: str | None = None) -> tuple[pd.DataFrame, str, Where]:
    """A history file's raw frame, the sha256 of its bytes and how to name its places, for the
    long and the wide form alike (.csv, .csv.gz, .xlsx, .parquet, .pq)."""
    source, p = str(path), Path(path)
    if not p.exists():
        raise InputError("E0201", path=str(p.absolute()), where=source)
    if p.is_dir():
        raise InputError("E0202", where=source)
    name = p.name.lower()
    if not name.endswith((".csv", ".csv.gz", ".parquet", ".pq", ".xlsx")):
        raise InputError("E0203", suffix=repr("".join(p.suffixes) or "(no extension)"),
                         where=source)
    check_size(p, source)
    if name.endswith((".parquet", ".pq")):
        frame, digest = read_parquet(p, source)
        where = Where(source, lines=False)
    elif name.endswith(".xlsx"):
        frame, digest = read_xlsx(p, source)
        where = Where(source, lines=True, line_word="row")
    else:
        frame, digest = read_csv(p, source, gz=name.endswith(".gz"), encoding=encoding)
        where = Where(source, lines=True)
    return frame, digest, where


def validate_history(frame: pd.DataFrame, kpi: str = "revenue", *, source: str = "<frame>",
                     min_history_days: int = 365) -> History:
    """Validate an in-memory history frame (places are 1-based rows); the input is not changed."""
    _check_kpi(kpi)
    return check_history(index_to_columns(frame), kpi, Where(source, lines=False), min_history_days)


def _check_kpi(kpi) -> None:
    if not isinstance(kpi, str) or not kpi or kpi in RESERVED:
        raise InputError("E0222", kpi=repr(kpi), where="kpi")
