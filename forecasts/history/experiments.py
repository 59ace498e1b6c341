"""Lift tests (experiments) a planner supplies beside the history: one row per test, read with
the history's readers (CSV, CSV.gz, xlsx, Parquet) and checked against the history. A bad row
is a one-line coded error naming the row.

Columns: channel, market (where the history has markets), start and end (the test window,
inclusive), spend_change (extra spend in the test over the window; negative for a cut) or
test_spend and control_spend (their difference), lift (the KPI the change caused, carryover
after the window included), std_error or lift_low and lift_high (a 95% interval), and the
optional kind and note.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from budgetopt.errors import InputError
from budgetopt.messages import Msg
from budgetopt.forecasts.history.frame import History
from budgetopt.forecasts.history.loader import read_history_file

REQUIRED = ("channel", "start", "end", "lift")
SPEND = (("spend_change",), ("test_spend", "control_spend"))
ERROR = (("std_error",), ("lift_low", "lift_high"))
OPTIONAL = ("market", "kind", "note")
Z_95 = 1.959964             # a 95% interval is the lift ± this many standard errors


@dataclass(frozen=True)
class LiftTest:
    """One checked lift test: where it came from, the unit, the window, the spend change over
    the window, the measured lift and its standard error."""

    place: str
    channel: str
    market: str | None
    start: pd.Timestamp
    end: pd.Timestamp
    spend_change: float
    lift: float
    se: float
    kind: str = ""
    note: str = ""

    @property
    def unit(self) -> tuple[str, str | None]:
        return (self.channel, self.market)

    def describe(self) -> dict:
        return {"row": self.place, "channel": self.channel, "market": self.market,
                "start": str(self.start.date()), "end": str(self.end.date()),
                "spend_change": self.spend_change, "lift": self.lift, "std_error": self.se,
                "interval_95": [self.lift - Z_95 * self.se, self.lift + Z_95 * self.se],
                "kind": self.kind, "note": self.note}


def load_experiments(path, history: History, encoding: str | None = None) -> tuple[tuple, str]:
    """The checked lift tests in `path`, in file order, and the sha256 of the file's bytes."""
    frame, digest, where = read_history_file(path, encoding)
    frame.columns = [str(c).strip() for c in frame.columns]
    columns = set(frame.columns)
    missing = [c for c in REQUIRED if c not in columns]
    spend = next((s for s in SPEND if set(s) <= columns), None)
    error = next((e for e in ERROR if set(e) <= columns), None)
    if history.has_market and "market" not in columns:
        missing.append("market")
    if spend is None:
        missing.append("spend_change")
    if error is None:
        missing.append("std_error")
    if missing:
        raise InputError("E0341", column=missing[0], where=where.header)
    tests: list[LiftTest] = []
    seen: dict[tuple, str] = {}
    for pos, row in frame.iterrows():
        test = _row_test(row, int(pos), where, history, spend, error)
        key = (test.channel, test.market, test.start, test.end)
        if key in seen:
            raise InputError("E0347", other=seen[key], where=test.place)
        seen[key] = _row_word(where, int(pos))
        tests.append(test)
    return tuple(tests), digest


def _row_word(where, pos: int) -> str:
    """'line N' (CSV) or 'row N' (spreadsheet, table) of a data row, without the file."""
    if where.lines and where.line_word == "line":
        return Msg("line {number}", number=pos + 2)
    return Msg("row {number}", number=pos + 2 if where.lines else pos + 1)


def _text(row, column: str) -> str:
    value = row.get(column, "")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(row, column: str, place: str) -> float:
    text = _text(row, column).replace(",", "")
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError("E0348", column=column, value=repr(_text(row, column)), where=place)
    return value


def _date(row, column: str, place: str) -> pd.Timestamp:
    value = row.get(column)
    try:
        stamp = pd.Timestamp(value) if isinstance(value, pd.Timestamp) else (
            pd.to_datetime(_text(row, column), format="%Y-%m-%d"))
    except (ValueError, TypeError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise InputError("E0349", column=column, value=repr(_text(row, column)), where=place)
    return pd.Timestamp(stamp).normalize()


def _row_test(row, pos: int, where, history: History, spend, error) -> LiftTest:
    place = where.at(pos)
    channel = _text(row, "channel")
    if channel not in history.channels:
        raise InputError("E0342", channel=repr(channel), channels=", ".join(history.channels),
                         where=where.at(pos, "channel"))
    market = None
    if history.has_market:
        market = _text(row, "market")
        markets = sorted({m for c, m in history.units if c == channel})
        if market not in markets:
            raise InputError("E0343", market=repr(market), channel=channel,
                             markets=", ".join(markets), where=where.at(pos, "market"))
    start, end = _date(row, "start", place), _date(row, "end", place)
    first, last = history.start, history.end + pd.Timedelta(days=6 if history.freq == "W" else 0)
    if start > end or start < first or end > last:
        raise InputError("E0344", start=str(start.date()), end=str(end.date()),
                         first=str(first.date()), last=str(last.date()), where=place)
    if len(spend) == 1:
        change = _number(row, "spend_change", place)
    else:
        change = _number(row, "test_spend", place) - _number(row, "control_spend", place)
    lift = _number(row, "lift", place)
    if len(error) == 1:
        se = _number(row, "std_error", place)
        if se <= 0:
            raise InputError("E0345", value=f"{se:g}", where=where.at(pos, "std_error"))
    else:
        low, high = _number(row, "lift_low", place), _number(row, "lift_high", place)
        if not low < high:
            raise InputError("E0346", low=f"{low:g}", high=f"{high:g}", where=place)
        se = (high - low) / (2 * Z_95)
    if change == 0:
        raise InputError("E0350", where=place)
    if lift != 0 and (lift > 0) != (change > 0):
        raise InputError("E0351", lift=f"{lift:g}", change=f"{change:g}", where=place)
    unit = history.unit_frame(channel, market)
    inside = (unit["date"] >= start) & (unit["date"] <= end)
    spent = float(unit.loc[inside, "spend"].sum())
    if not inside.any():
        raise InputError("E0344", start=str(start.date()), end=str(end.date()),
                         first=str(first.date()), last=str(last.date()), where=place)
    if change > spent:
        raise InputError("E0352", change=f"{change:,.0f}", spent=f"{spent:,.0f}", where=place)
    return LiftTest(place, channel, market, start, end, change, lift, se,
                    _text(row, "kind"), _text(row, "note"))
