"""Small Excel workbooks for finance (compare, frontier, planning scripts): one sheet per table,
text that a spreadsheet would run as a formula neutralized, fixed document dates so the same
tables give the same file."""
from __future__ import annotations

import io
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd

from budgetopt.optimizer.results.files import neutralize

FIXED_DATE = datetime(2000, 1, 1)
MAX_SHEET_NAME = 31


def workbook_bytes(sheets: dict[str, pd.DataFrame],
                   percent_columns: Callable[[str, str], bool] | None = None,
                   images: dict[str, bytes] | None = None, words=None) -> bytes:
    """An .xlsx with one sheet per frame (name → frame), header row frozen, columns sized;
    columns for which `percent_columns(sheet, column)` is true are shown as percentages.
    `images` (sheet name → PNG bytes) become sheets holding one picture. With `words` in
    Chinese, sheet names, column headers and the sentences of text columns are translated
    (numbers and names untouched)."""
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        book = writer.book
        book.set_properties({"created": FIXED_DATE})
        percent = book.add_format({"num_format": "0.0%"})
        number = book.add_format({"num_format": "#,##0.00"})
        for name, frame in sheets.items():
            sheet_name = _sheet_name(_say(words, name))
            pct = [percent_columns is not None and percent_columns(name, str(c))
                   for c in frame.columns]
            table = _cells(_translated(frame, words))
            table.to_excel(writer, sheet_name=sheet_name, index=False)
            sheet = writer.sheets[sheet_name]
            sheet.freeze_panes(1, 0)
            for i, col in enumerate(table.columns):
                width = min(40, max(10, len(str(col)) + 2,
                                    *(len(str(v)) + 2 for v in table[col].head(200))))
                is_pct = pct[i]
                is_num = pd.api.types.is_float_dtype(table[col])
                sheet.set_column(i, i, width, percent if is_pct else (number if is_num else None))
        for name, png in (images or {}).items():
            sheet = book.add_worksheet(_sheet_name(_say(words, name)))
            sheet.insert_image(0, 0, f"{name}.png", {"image_data": io.BytesIO(png)})
    return buffer.getvalue()


def write_workbook(path, sheets: dict[str, pd.DataFrame],
                   percent_columns: Callable[[str, str], bool] | None = None) -> Path:
    """Write `sheets` (name → frame) as one .xlsx at `path`, via a temporary file and a rename."""
    path = Path(path)
    data = workbook_bytes(sheets, percent_columns)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


#: text columns whose cells are sentences or keys the catalogs word (not names)
SENTENCE_COLUMNS = ("note", "status", "description", "reoptimized_status")
KEY_COLUMNS = ("metric", "mark", "setting")


def _say(words, text: str) -> str:
    return words.say(text) if words is not None and words.chinese else text


def _translated(frame: pd.DataFrame, words) -> pd.DataFrame:
    """Headers through the column catalog (a delta column keeps its run label), sentence cells
    through the catalog, key cells through the column catalog."""
    if words is None or not words.chinese:
        return frame
    out = frame.copy()
    for col in out.columns:
        text = out[col].dtype == object or pd.api.types.is_string_dtype(out[col])
        if col in SENTENCE_COLUMNS and text:
            out[col] = out[col].map(lambda v: words.say(v) if isinstance(v, str) else v)
        elif col in KEY_COLUMNS and text:
            out[col] = out[col].map(lambda v: words.pgettext("column", v)
                                    if isinstance(v, str) else v)

    def header(col) -> str:
        col = str(col)
        for mark in ("Δ% ", "Δ "):
            if col.startswith(mark):
                return col
        return words.pgettext("column", col)
    out.columns = [header(c) for c in out.columns]
    return out


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)
    return cleaned[:MAX_SHEET_NAME] or "sheet"


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text, text neutralized; numbers left as numbers for finance to sum."""
    out = frame.copy()
    out.columns = [neutralize(str(c)) for c in out.columns]
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[col] = series.dt.strftime("%Y-%m-%d")
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = series.map(neutralize)
    return out
