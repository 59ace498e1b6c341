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
from budgetopt.forecasts.history.frame import FREQ_DAYS, History, REQUIRED, RESERVED


ISO_DATE_PATTERN = r"\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00(?:\.0+)?)?)?"


_NA_WORDS = {"", "nan", "na", "n/a", "null", "none", "<na>", "nat"}


_NAME_FIX = f"rename it using {names.RULE}"


_NUMBER_FIX = "write a plain number such as 1234.5 (no currency signs, units or thousands separators)"


@dataclass(frozen=True)
class Where:
    """Names places in the source: CSV lines (position + 2) or 1-based rows."""

    source: str
    lines: bool
    line_word: str = "line"     # "row" for a spreadsheet, whose header is row 1 too

    def at(self, pos: int, column: str | None = None) -> str:
        place = f"{self.line_word} {pos + 2}" if self.lines else f"row {pos + 1}"
        return f"{self.source} {place}" + (f", column {column!r}" if column else "")

    @property
    def header(self) -> str:
        return (f"{self.source} {self.line_word} 1 (header)" if self.lines
                else f"{self.source} columns")


def check_history(frame: pd.DataFrame, kpi: str, where: Where, min_days: int) -> History:
    """All column and row checks in order; `frame.index` holds each row's source position."""
    if len(frame) < 2:
        what = "has a header but no data rows" if len(frame) == 0 else "has only one data row"
        if not where.lines:
            what = "has no rows" if len(frame) == 0 else "has only one row"
        raise InputError(what, where=where.source,
                         fix=f"supply daily or weekly rows covering at least {min_days} days per unit")
    frame = frame.rename(columns=str)
    if frame.columns.duplicated().any():
        name = frame.columns[frame.columns.duplicated()][0]
        raise InputError(f"column {name!r} appears twice", where=where.header,
                         fix="remove or rename one of the two columns")
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
        raise InputError(f"spend is negative ({spend[pos]:g})", where=where.at(pos, "spend"),
                         fix="correct the value: spend must be 0 or more")
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
            raise InputError(f"column {near!r} should be named {name!r}", where=where.header,
                             fix=f"rename the column {near!r} to {name!r}")
        role = "the KPI column" if name == kpi else "required column"
        fix = f"add a {name!r} column"
        if name == kpi:
            fix = f"add a {kpi!r} column, or pass kpi= naming the KPI column"
        if len(columns) == 1 and any(sep in columns[0] for sep in ";\t|"):
            fix = "separate fields with commas (the header looks like it uses another separator)"
        raise InputError(f"missing {role} {name!r} (columns found: {listed})",
                         where=where.header, fix=fix)
    if "market" not in columns:
        near = _near("market", unknown, fuzzy=False)
        if near is not None:
            raise InputError(f"column {near!r} should be named 'market'", where=where.header,
                             fix=f"rename the column {near!r} to 'market'")
    return unknown


def _check_numeric_column(col: pd.Series, name: str, where: Where) -> None:
    """An extra column must hold numbers: a text (or empty) column is an error naming it."""
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        return
    text = _text(col)
    filled = ~text.str.lower().isin(_NA_WORDS)
    if not filled.any():
        raise InputError(f"column {name!r} is empty", where=where.header,
                         fix=f"fill in {name!r} with numbers or remove the column")
    numbers = pd.to_numeric(text[filled], errors="coerce")
    if pd.api.types.is_datetime64_any_dtype(col) or numbers.isna().all():
        pos = text.index[filled][0]
        raise InputError(f"column {name!r} is text, not numbers (e.g. {_show(text[pos])} on "
                         f"{where.at(pos).removeprefix(where.source + ' ')})",
                         where=where.header, fix=f"remove the column {name!r} or make it numeric")


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
    fix = "write dates as YYYY-MM-DD, e.g. 2024-03-05"
    if pd.api.types.is_datetime64_any_dtype(col):
        if getattr(col.dt, "tz", None) is not None:
            col = col.dt.tz_localize(None)
        dates = col
        if dates.isna().any():
            raise InputError("date is missing", where=where.at(dates.index[dates.isna()][0], "date"), fix=fix)
        timed = dates != dates.dt.normalize()
        if timed.any():
            pos = dates.index[timed][0]
            raise InputError(f"{dates[pos]} has a time of day; rows must be whole days",
                             where=where.at(pos, "date"), fix="use dates at 00:00, one row per day or week")
    else:
        text = _text(col)
        iso = text.str.fullmatch(ISO_DATE_PATTERN)
        dates = pd.to_datetime(text.str.slice(0, 10).where(iso), format="%Y-%m-%d", errors="coerce")
        if dates.isna().any():
            pos = dates.index[dates.isna()][0]
            what = ("date is missing" if text[pos] == "" else
                    f"{_show(text[pos])} is not a calendar date" if iso[pos] else
                    f"{_show(text[pos])} is not a date in YYYY-MM-DD form")
            raise InputError(what, where=where.at(pos, "date"), fix=fix)
    odd = (dates.dt.year < 1900) | (dates.dt.year > 2199)
    if odd.any():
        pos = dates.index[odd][0]
        raise InputError(f"date {dates[pos].date()} is outside 1900-2199",
                         where=where.at(pos, "date"), fix=fix)
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
        what = f"{name} name {_show(value)} {problems[text[pos]]}" if value else f"{name} name is empty"
        raise InputError(what, where=where.at(pos, name), fix=_NAME_FIX)
    # on the names as written: NFC would make Unicode-form twins one name (and their rows
    # "duplicates"), hiding that the file spells one channel two ways
    pair = names.collision(text.unique())
    if pair:
        pos = text.index[text == pair[1]][0]
        raise InputError(f"{name} {names.collision_text(pair)}", where=where.at(pos, name),
                         fix="spell the same channel the same way everywhere, or rename one")
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
        what, fix = f"{name} is infinite ({values[pos]})", "replace it with a finite number"
    elif text is None or raw.lower() in _NA_WORDS:
        what = f"{name} is missing" + (f" ({raw})" if raw else "")
        fix = "fill in a number (0 if there was none that day)"
    else:
        what, fix = f"{_show(raw)} is not a number", _NUMBER_FIX
    raise InputError(what, where=where.at(pos, name), fix=fix)


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
    first_place = where.at(first).removeprefix(where.source + " ")
    raise InputError(f"duplicate row for date {row['date'].date()}, {_unit(row, keys)} "
                     f"(same as {first_place})", where=where.at(second),
                     fix="keep one row per date and unit (sum or remove the duplicate)")


def _more(n: int) -> str:
    return f" (and {n} more unit{'s' if n > 1 else ''})" if n else ""


def _freq_word(days: int) -> str:
    return {1: "daily", 7: "weekly"}.get(days, f"{days}-day-spaced")


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
            raise InputError(
                f"rows for {_unit(data.iloc[i], keys)} are {base} days apart "
                f"({data['date'].iloc[i - 1].date()} then {data['date'].iloc[i].date()}); "
                "history rows must be daily or weekly", where=where.at(data.index[i]),
                fix="supply one row per day, or one row per week (7 days apart), for every unit")
        freq = "D" if base == 1 else "W"
        has_base = pd.Series(step[same] == base).groupby(unit[rows]).any()
        if not has_base.all():
            odd = has_base.index[~has_base][0]
            i = rows[np.flatnonzero(unit[rows] == odd)[0]]
            j = rows[np.flatnonzero(unit[rows] == has_base.index[has_base][0])[0]]
            own = _most_common(step[same][unit[rows] == odd])
            raise InputError(
                f"{_unit(data.iloc[i], keys)} has {_freq_word(own)} rows but "
                f"{_unit(data.iloc[j], keys)} has {_freq_word(base)} rows",
                where=where.source, fix="use one frequency (all daily or all weekly) for every unit")
        off = np.flatnonzero(same & (step != base))
        if len(off):
            i = off[0] + 1
            before, after = data["date"].iloc[i - 1], data["date"].iloc[i]
            gap = int(step[off[0]])
            label = _unit(data.iloc[i], keys)
            if gap % base == 0:
                n = gap // base - 1
                word = "day" if base == 1 else "week"
                raise InputError(
                    f"no rows between {before.date()} and {after.date()} for {label} "
                    f"({n} missing {word}{'s' if n > 1 else ''})", where=where.at(data.index[i]),
                    fix=f"add the missing rows, with spend 0 on {word}s without spend")
            raise InputError(
                f"rows for {label} on {before.date()} and {after.date()} are {gap} days apart; "
                f"{_freq_word(base)} rows must be exactly {base} days apart",
                where=where.at(data.index[i]), fix="put one row per week, all on the same weekday")
    last = data.groupby(unit)["date"].transform("max").to_numpy()
    end = dates.max()
    early = np.flatnonzero((last < end) & (dates == last))
    if len(early):
        i = early[0]
        more = _more(len(early) - 1)
        raise InputError(
            f"{_unit(data.iloc[i], keys)} ends on {data['date'].iloc[i].date()} but the history "
            f"runs to {pd.Timestamp(end).date()}{more}", where=where.at(data.index[i]),
            fix=f"add rows up to {pd.Timestamp(end).date()} (spend 0 on days without spend), "
                "or remove the unit")
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
    raise InputError(
        f"{label} has {int(short.min())} days of history ({first} to {lastd}); "
        f"{min_days} days are needed{more}", where=where.source,
        fix=f"supply at least {min_days} days per unit (a full year lets the model learn yearly "
            "seasonality), or lower min_history_days")
