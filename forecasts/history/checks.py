"""Check a raw history frame cell by cell: columns, dates, names, numbers, duplicates,
frequency and length. Every problem names the file, the CSV line (header = line 1) or 1-based
row, the column and the fix."""
from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from budgetopt import names
from budgetopt.errors import InputError
from budgetopt.messages import Msg, N_
from budgetopt.forecasts.history.frame import FREQ_DAYS, History, REQUIRED, RESERVED


ISO_DATE_PATTERN = r"\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00(?:\.0+)?)?)?"


_NA_WORDS = {"", "nan", "na", "n/a", "null", "none", "<na>", "nat"}


@dataclass(frozen=True)
class Where:
    """Names places in the source: CSV lines (position + 2) or 1-based rows."""

    source: str
    lines: bool
    line_word: str = "line"     # "row" for a spreadsheet, whose header is row 1 too

    def at(self, pos: int, column: str | None = None) -> str:
        place = (Msg("line {number}", number=pos + 2) if self.lines and self.line_word == "line"
                 else Msg("row {number}", number=pos + 2 if self.lines else pos + 1))
        if column:
            return Msg("{file} {place}, column {column}", file=self.source, place=place,
                       column=repr(column))
        return Msg("{file} {place}", file=self.source, place=place)

    @property
    def header(self) -> str:
        if not self.lines:
            return Msg("{file} columns", file=self.source)
        return (Msg("{file} line 1 (header)", file=self.source) if self.line_word == "line"
                else Msg("{file} row 1 (header)", file=self.source))


def check_history(frame: pd.DataFrame, kpi: str, where: Where, min_days: int) -> History:
    """All column and row checks in order; `frame.index` holds each row's source position."""
    if len(frame) < 2:
        what = (N_("has a header but no data rows") if len(frame) == 0
                else N_("has only one data row"))
        if not where.lines:
            what = N_("has no rows") if len(frame) == 0 else N_("has only one row")
        raise InputError("E0230", problem=Msg.word(what), days=min_days, where=where.source)
    frame = frame.rename(columns=str)
    if frame.columns.duplicated().any():
        name = frame.columns[frame.columns.duplicated()][0]
        raise InputError("E0216", name=repr(name), where=where.header)
    extras = _check_columns(list(frame.columns), kpi, where)
    has_market = "market" in frame.columns
    for name in extras:
        _check_numeric_column(frame[name], name, where)

    out = {"date": _dates(frame["date"], where)}
    for name in ("channel", "market") if has_market else ("channel",):
        out[name] = _names(frame[name], name, where)
    for name in ["spend", kpi, *extras]:
        out[name] = _numbers(frame[name], name, where)
    spend = out["spend"]
    if (spend < 0).any():
        pos = spend.index[spend < 0][0]
        raise InputError("E0231", value=f"{spend[pos]:g}", where=where.at(pos, "spend"))
    data = pd.DataFrame(out)
    keys = ["channel", "market"] if has_market else ["channel"]
    _check_duplicates(data, keys, where)

    data = data.sort_values([*keys, "date"], kind="stable")
    freq = _check_frequency(data, keys, where)
    _check_length(data, keys, freq, where, min_days)
    return History(data.reset_index(drop=True), kpi, freq, where.source, None)


def _near(name: str, candidates: list[str], fuzzy: bool = True) -> str | None:
    """A column that is probably `name` misspelled: same letters ignoring case, or close."""
    for c in candidates:
        if c.strip().lower() == name.lower():
            return c
    if not fuzzy:
        return None
    lowered = {c.strip().lower(): c for c in candidates}
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.8)
    return lowered[match[0]] if match else None


def _check_columns(columns: list[str], kpi: str, where: Where) -> list[str]:
    """Required columns are present and spelled right; returns the extra (numeric) columns."""
    known = {*RESERVED, kpi}
    unknown = [c for c in columns if c not in known]
    listed = ", ".join(columns[:20]) + (", ..." if len(columns) > 20 else "")
    for name in (*REQUIRED, kpi):
        if name in columns:
            continue
        near = _near(name, unknown)
        if near is not None:
            raise InputError("E0232", found=repr(near), name=repr(name), where=where.header)
        separator = len(columns) == 1 and any(sep in columns[0] for sep in ";\t|")
        raise InputError("E0235" if separator else "E0234" if name == kpi else "E0233", role=Msg.word(N_("the KPI column") if name == kpi
                                             else N_("required column")),
                         name=repr(name), columns=listed, where=where.header)
    if "market" not in columns:
        near = _near("market", unknown, fuzzy=False)
        if near is not None:
            raise InputError("E0232", found=repr(near), name=repr("market"), where=where.header)
    return unknown


def _check_numeric_column(col: pd.Series, name: str, where: Where) -> None:
    """An extra column must hold numbers: a text (or empty) column is an error naming it."""
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        return
    text = _text(col)
    filled = ~text.str.lower().isin(_NA_WORDS)
    if not filled.any():
        raise InputError("E0236", name=repr(name), where=where.header)
    numbers = pd.to_numeric(text[filled], errors="coerce")
    if pd.api.types.is_datetime64_any_dtype(col) or numbers.isna().all():
        pos = text.index[filled][0]
        raise InputError("E0237", name=repr(name), value=_show(text[pos]),
                         place=where.at(pos).values["place"], where=where.header)


def _plain(col: pd.Series) -> pd.Series:
    """The values as str, missing ones as ""."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype(object)
    return col.where(col.notna(), "").astype(str)


def _text(col: pd.Series) -> pd.Series:
    return _plain(col).str.strip()


def _show(value, limit: int = 40) -> str:
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _dates(col: pd.Series, where: Where) -> pd.Series:
    """Parse strict ISO dates (YYYY-MM-DD, or a datetime at 00:00) to datetime64[ns]."""
    if pd.api.types.is_datetime64_any_dtype(col):
        if getattr(col.dt, "tz", None) is not None:
            col = col.dt.tz_localize(None)
        dates = col
        if dates.isna().any():
            raise InputError("E0238", where=where.at(dates.index[dates.isna()][0], "date"))
        timed = dates != dates.dt.normalize()
        if timed.any():
            pos = dates.index[timed][0]
            raise InputError("E0239", value=str(dates[pos]), where=where.at(pos, "date"))
    else:
        text = _text(col)
        iso = text.str.fullmatch(ISO_DATE_PATTERN)
        dates = pd.to_datetime(text.str.slice(0, 10).where(iso), format="%Y-%m-%d", errors="coerce")
        if dates.isna().any():
            pos = dates.index[dates.isna()][0]
            raise InputError("E0238" if text[pos] == "" else "E0240" if iso[pos] else "E0241",
                             value=_show(text[pos]), where=where.at(pos, "date"))
    odd = (dates.dt.year < 1900) | (dates.dt.year > 2199)
    if odd.any():
        pos = dates.index[odd][0]
        raise InputError("E0242", value=str(dates[pos].date()), where=where.at(pos, "date"))
    return dates.astype("datetime64[ns]")


def _names(col: pd.Series, name: str, where: Where) -> pd.Series:
    """Channel / market names by the rule of `budgetopt.names` (any script, NFC, ≤ 64 chars),
    NFC-normalized; two names that differ only by width or Unicode form are an error."""
    text = _plain(col)
    normal = {value: names.normalize(value) for value in text.unique()}
    problems = {value: names.name_problem(nfc) for value, nfc in normal.items()}
    bad = text.map(problems).notna()
    if bad.any():
        pos = text.index[bad][0]
        value = normal[text[pos]]
        if not value:
            raise InputError("E0244", column=name, rule=names.RULE, where=where.at(pos, name))
        raise InputError("E0243", column=name, value=_show(value), problem=problems[text[pos]],
                         rule=names.RULE, where=where.at(pos, name))
    # on the names as written: NFC would make Unicode-form twins one name (and their rows
    # "duplicates"), hiding that the file spells one channel two ways
    pair = names.collision(text.unique())
    if pair:
        pos = text.index[text == pair[1]][0]
        raise InputError("E0245", column=name, problem=names.collision_text(pair),
                         where=where.at(pos, name))
    return text.map(normal)


def _numbers(col: pd.Series, name: str, where: Where) -> pd.Series:
    """The column as float64; text, missing, NaN or infinite values are errors."""
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
        values = pd.Series(col.to_numpy(dtype="float64", na_value=np.nan), index=col.index)
        text = None
    else:
        text = _text(col)
        values = pd.to_numeric(text, errors="coerce").astype("float64")
    bad = ~np.isfinite(values)
    if not bad.any():
        return values
    pos = values.index[bad][0]
    raw = "" if text is None else text[pos]
    if np.isinf(values[pos]):
        raise InputError("E0246", column=name, value=str(values[pos]), where=where.at(pos, name))
    if text is None or raw.lower() in _NA_WORDS:
        raise InputError("E0247", column=name, shown=f" ({raw})" if raw else "",
                         where=where.at(pos, name))
    raise InputError("E0248", value=_show(raw), where=where.at(pos, name))


def _unit(row, keys: list[str]) -> str:
    return ", ".join(f"{k} {row[k]}" for k in keys)


def _check_duplicates(data: pd.DataFrame, keys: list[str], where: Where) -> None:
    cols = ["date", *keys]
    dup = data.duplicated(cols, keep="first")
    if not dup.any():
        return
    second = dup.index[dup][0]
    row = data.loc[second]
    first = (data[cols] == row[cols]).all(axis=1).idxmax()
    raise InputError("E0249", date=str(row["date"].date()), unit=_unit(row, keys),
                     place=where.at(first).values["place"], where=where.at(second))


def _more(n: int) -> str:
    if not n:
        return ""
    return Msg(" (and {count} more units)", count=n) if n > 1 else Msg(" (and 1 more unit)")


def _missing(n: int, base: int) -> str:
    if base == 1:
        return Msg("1 missing day") if n == 1 else Msg("{count} missing days", count=n)
    return Msg("1 missing week") if n == 1 else Msg("{count} missing weeks", count=n)


def _freq_word(days: int) -> str:
    return (Msg("daily") if days == 1 else Msg("weekly") if days == 7
            else Msg("{days}-day-spaced", days=days))


def _most_common(values: np.ndarray) -> int:
    """The most frequent value (the smallest on a tie)."""
    found, counts = np.unique(values, return_counts=True)
    return int(found[np.argmax(counts)])


def _check_frequency(data: pd.DataFrame, keys: list[str], where: Where) -> str:
    """Rows are evenly daily or weekly in every unit, and every unit ends on the same date."""
    unit = data.groupby(keys, sort=False).ngroup().to_numpy()
    dates = data["date"].to_numpy()
    same = unit[1:] == unit[:-1]
    step = (dates[1:] - dates[:-1]) // np.timedelta64(1, "D")
    freq = "D"
    if same.any():
        rows = np.flatnonzero(same) + 1  # sorted positions of rows that have a row before them
        base = _most_common(step[same])
        if base not in (1, 7):
            i = rows[np.flatnonzero(step[same] == base)[0]]
            raise InputError("E0252", unit=_unit(data.iloc[i], keys), days=base,
                             first=str(data["date"].iloc[i - 1].date()),
                             then=str(data["date"].iloc[i].date()), where=where.at(data.index[i]))
        freq = "D" if base == 1 else "W"
        has_base = pd.Series(step[same] == base).groupby(unit[rows]).any()
        if not has_base.all():
            odd = has_base.index[~has_base][0]
            i = rows[np.flatnonzero(unit[rows] == odd)[0]]
            j = rows[np.flatnonzero(unit[rows] == has_base.index[has_base][0])[0]]
            own = _most_common(step[same][unit[rows] == odd])
            raise InputError("E0253", unit=_unit(data.iloc[i], keys), own=_freq_word(own),
                             other=_unit(data.iloc[j], keys), base=_freq_word(base),
                             where=where.source)
        off = np.flatnonzero(same & (step != base))
        if len(off):
            i = off[0] + 1
            before, after = data["date"].iloc[i - 1], data["date"].iloc[i]
            gap = int(step[off[0]])
            label = _unit(data.iloc[i], keys)
            if gap % base == 0:
                n = gap // base - 1
                word = "day" if base == 1 else "week"
                raise InputError("E0254" if base == 1 else "E0255", first=str(before.date()),
                                 last=str(after.date()), unit=label,
                                 missing=_missing(n, base),
                                 where=where.at(data.index[i]))
            raise InputError("E0256", unit=label, first=str(before.date()), last=str(after.date()),
                             gap=gap, rows=_freq_word(base), days=base,
                             where=where.at(data.index[i]))
    last = data.groupby(unit)["date"].transform("max").to_numpy()
    end = dates.max()
    early = np.flatnonzero((last < end) & (dates == last))
    if len(early):
        i = early[0]
        more = _more(len(early) - 1)
        raise InputError("E0251", unit=_unit(data.iloc[i], keys),
                         last=str(data["date"].iloc[i].date()), end=str(pd.Timestamp(end).date()),
                         more=more, where=where.at(data.index[i]))
    return freq


def _check_length(data: pd.DataFrame, keys: list[str], freq: str, where: Where, min_days: int) -> None:
    """Every unit covers at least `min_days` days (first date to last date plus one period)."""
    span = data.groupby(keys, sort=True)["date"].agg(["min", "max", "size"])
    days = (span["max"] - span["min"]).dt.days + FREQ_DAYS[freq]
    short = days[days < min_days]
    if short.empty:
        return
    key = short.idxmin()
    key = key if isinstance(key, tuple) else (key,)
    label = ", ".join(f"{k} {v}" for k, v in zip(keys, key))
    more = _more(len(short) - 1)
    first, lastd = span.loc[short.idxmin(), "min"].date(), span.loc[short.idxmin(), "max"].date()
    raise InputError("E0250", unit=label, days=int(short.min()), first=str(first),
                     last=str(lastd), need=min_days, more=more, where=where.source)
