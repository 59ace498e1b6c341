"""Total-KPI ("wide") histories: one row per date (and market) with the total KPI, one spend
column per channel and optional control columns (docs/wide.md).

Validation is as strict as for the long form and reuses its cell checks: dates, names and
numbers are checked by `checks`, then the rows are checked for duplicates, gaps, frequency and
length. Rows after the last observed date whose KPI and spend cells are all empty are *future
rows*: they only carry control values for the forecast horizon.

The validated result is a `WideHistory`, which is a `History` whose long `frame` has the
channels' spend (date, channel, [market], spend) so everything that reads spend history (the
reference mix, units, never-spent channels) works unchanged; the KPI lives only in `wide`,
because no per-channel KPI exists.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from budgetopt.columns import clash_error, role_clash, wide_roles
from budgetopt.errors import InputError
from budgetopt.messages import Msg, N_
from budgetopt.forecasts.history.checks import (Where, _NA_WORDS, _check_frequency, _check_length,
                                                _dates, _names, _near, _numbers, _text)
from budgetopt.forecasts.history.frame import History
from budgetopt.forecasts.history.loader import read_history_file
from budgetopt.forecasts.history.readers import index_to_columns

SERIES = "history"          # stand-in unit key (no market): messages read "history total"
SERIES_VALUE = "total"


@dataclass(frozen=True, eq=False)
class WideHistory(History):
    """A validated total-KPI history. `wide`: date, [market], the KPI, the controls and one
    spend column per channel named by the channel (observed rows, sorted by market, date);
    `future`: date, [market] and the controls for rows after the history."""

    wide: pd.DataFrame | None = None
    spend_columns: tuple = ()       # (channel, source column) pairs, sorted by channel
    controls: tuple = ()
    future: pd.DataFrame | None = None

    @property
    def markets(self) -> list[str | None]:
        if not self.has_market:
            return [None]
        return sorted(self.wide["market"].unique().tolist())

    def market_frame(self, market: str | None) -> pd.DataFrame:
        """That market's observed rows, sorted by date."""
        rows = self.wide if market is None else self.wide[self.wide["market"] == market]
        return rows.sort_values("date", kind="stable").reset_index(drop=True)

    def future_frame(self, market: str | None) -> pd.DataFrame:
        rows = self.future
        if market is not None and len(rows):
            rows = rows[rows["market"] == market]
        return rows.sort_values("date", kind="stable").reset_index(drop=True)


def load_wide_history(path, kpi: str, spend_columns: dict[str, str], controls=(), *,
                      min_history_days: int = 365, encoding: str | None = None) -> WideHistory:
    """Read a total-KPI history file (.csv, .csv.gz, .xlsx, .parquet, .pq) and validate it;
    `encoding` as for `load_history`."""
    frame, digest, where = read_history_file(path, encoding)
    history = check_wide(frame, kpi, spend_columns, controls, where, min_history_days)
    return replace(history, sha256=digest)


def validate_wide_history(frame: pd.DataFrame, kpi: str, spend_columns: dict[str, str],
                          controls=(), *, source: str = "<frame>",
                          min_history_days: int = 365) -> WideHistory:
    """Validate an in-memory total-KPI frame (places are 1-based rows)."""
    return check_wide(index_to_columns(frame), kpi, spend_columns, controls,
                      Where(source, lines=False), min_history_days)


def check_wide(frame: pd.DataFrame, kpi: str, spend_columns: dict[str, str], controls,
               where: Where, min_days: int) -> WideHistory:
    """All checks in order; `frame.index` holds each row's source position."""
    controls = tuple(controls)
    if len(frame) < 2:
        raise InputError("E0260", problem=Msg.word(N_("has no data rows") if len(frame) == 0
                                                   else N_("has only one data row")),
                         days=min_days, where=where.source)
    frame = frame.rename(columns=str)
    if frame.columns.duplicated().any():
        name = frame.columns[frame.columns.duplicated()][0]
        raise InputError("E0216", name=repr(name), where=where.header)
    clash = role_clash(wide_roles(kpi, spend_columns, controls))
    if clash:
        raise clash_error(clash, where.source)
    _check_wide_columns(list(frame.columns), kpi, spend_columns, controls, where)
    has_market = "market" in frame.columns
    dates = _dates(frame["date"], where)
    spend_cols = [spend_columns[c] for c in sorted(spend_columns)]
    blank = _blank(frame[kpi])
    for col in spend_cols:
        blank &= _blank(frame[col])
    # future rows: KPI and every spend empty, after the last observed date
    last = dates[~blank].max() if (~blank).any() else None
    future = blank & (dates > last) if last is not None else blank
    observed = ~future
    if observed.sum() < 2:
        raise InputError("E0260", problem=Msg.word(N_("has fewer than two rows with a KPI and "
                                                      "spend")), days=min_days, where=where.source)
    obs = frame[observed]
    data = {"date": dates[observed]}
    if has_market:
        data["market"] = _names(obs["market"], "market", where)
    data[kpi] = _numbers(obs[kpi], kpi, where)
    for channel in sorted(spend_columns):
        col = spend_columns[channel]
        values = _numbers(obs[col], col, where)
        if (values < 0).any():
            pos = values.index[values < 0][0]
            raise InputError("E0261", channel=channel, value=f"{values[pos]:g}",
                             where=where.at(pos, col))
        data[channel] = values
    for name in controls:
        data[name] = _numbers(obs[name], name, where)
    wide = pd.DataFrame(data)
    keys = ["market"] if has_market else [SERIES]
    if not has_market:
        wide[SERIES] = SERIES_VALUE
    _check_duplicate_dates(wide, keys, where)
    wide = wide.sort_values([*keys, "date"], kind="stable")
    freq = _check_frequency(wide, keys, where)
    _check_length(wide, keys, freq, where, min_days)
    fut = _future_rows(frame[future], dates[future], controls, has_market, where)
    wide = wide.drop(columns=[SERIES], errors="ignore").reset_index(drop=True)
    long = _long(wide, sorted(spend_columns), has_market)
    return WideHistory(long, kpi, freq, where.source, None, wide=wide,
                       spend_columns=tuple(sorted(spend_columns.items())), controls=controls,
                       future=fut)


def _blank(col: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(col):
        return col.isna()
    return _text(col).str.lower().isin(_NA_WORDS)


def _check_wide_columns(columns: list[str], kpi: str, spend_columns: dict[str, str],
                        controls: tuple, where: Where) -> None:
    listed = ", ".join(columns[:20]) + (", ..." if len(columns) > 20 else "")
    named = {*spend_columns.values(), *controls, kpi, "date", "market"}
    unknown = [c for c in columns if c not in named]
    wanted = [("date", Msg("required column 'date'"), Msg("add a 'date' column")),
              (kpi, Msg("the KPI column {name}", name=repr(kpi)),
               Msg("add a {name} column, or set kpi: to the total KPI column", name=repr(kpi)))]
    wanted += [(spend_columns[c], Msg("spend column {column} for channel {channel}",
                                      column=repr(spend_columns[c]), channel=c),
                Msg("add the column or correct spend_columns.{channel}", channel=c))
               for c in sorted(spend_columns)]
    wanted += [(c, Msg("control column {name}", name=repr(c)),
                Msg("add the column or remove it from controls")) for c in controls]
    for name, what, fix in wanted:
        if name in columns:
            continue
        near = _near(name, unknown)
        if near is not None:
            fix = Msg("rename the column {found} to {name} (or name {found} in the scenario)",
                      found=repr(near), name=repr(name))
        raise InputError("E0262", missing=what, columns=listed, advice=fix, where=where.header)
    if "channel" in columns:
        raise InputError("E0263", where=where.header)


def _check_duplicate_dates(data: pd.DataFrame, keys: list[str], where: Where) -> None:
    dup = data.duplicated(["date", *keys], keep="first")
    if not dup.any():
        return
    second = dup.index[dup][0]
    row = data.loc[second]
    raise InputError("E0265" if "market" in keys else "E0264", date=str(row["date"].date()),
                     market=row["market"] if "market" in keys else "", where=where.at(second))


def _future_rows(rows: pd.DataFrame, dates: pd.Series, controls: tuple, has_market: bool,
                 where: Where) -> pd.DataFrame:
    """Rows after the history: their control values (a missing one is an error)."""
    data = {"date": dates}
    if has_market:
        data["market"] = _names(rows["market"], "market", where) if len(rows) else rows["market"]
    for name in controls:
        data[name] = _numbers(rows[name], name, where) if len(rows) else rows[name]
    out = pd.DataFrame(data)
    out["date"] = pd.to_datetime(out["date"])
    return out.reset_index(drop=True)


def _long(wide: pd.DataFrame, channels: list[str], has_market: bool) -> pd.DataFrame:
    """date, channel, [market], spend — one row per channel and date, sorted as a History."""
    keys = ["market"] if has_market else []
    frames = [wide[["date", *keys]].assign(channel=c, spend=wide[c].to_numpy(float))
              for c in channels]
    long = pd.concat(frames, ignore_index=True)
    cols = ["date", "channel", *keys, "spend"]
    return long[cols].sort_values(["channel", *keys, "date"], kind="stable").reset_index(drop=True)


def future_controls(history: WideHistory, market: str | None, dates: pd.DatetimeIndex,
                    given: dict[str, float]) -> pd.DataFrame:
    """Control values on `dates` (model steps after the history): a value given in the
    scenario, else the history's future row at or before the date (the last one carried on)."""
    out = pd.DataFrame({"ds": pd.DatetimeIndex(dates)})
    future = history.future_frame(market)
    for name in history.controls:
        if name in given:
            out[name] = float(given[name])
            continue
        rows = future[["date", name]].dropna().sort_values("date")
        if rows.empty:
            out[name] = np.nan
            continue
        idx = np.searchsorted(rows["date"].to_numpy(), out["ds"].to_numpy(), side="right") - 1
        values = rows[name].to_numpy(float)
        out[name] = np.where(idx >= 0, values[np.maximum(idx, 0)], np.nan)
    return out


def check_future_controls(history: WideHistory, start, end, given: dict[str, float],
                          where: str) -> None:
    """Every control needs a value on every day of the horizon [start, end]: from the
    scenario's control_values or the history's future rows (one per day or week)."""
    step = 7 if history.freq == "W" else 1
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    for market in history.markets:
        future = history.future_frame(market)
        for name in history.controls:
            if name in given:
                continue
            dates = future["date"] if len(future) else pd.Series([], dtype="datetime64[ns]")
            label = "" if market is None else Msg(" in market {market}", market=market)
            if dates.empty or dates.min() > start or dates.max() + pd.Timedelta(days=step - 1) < end:
                have = (Msg("no future rows") if dates.empty else
                        Msg("future rows from {first} to {last}", first=str(dates.min().date()),
                            last=str(dates.max().date())))
                raise InputError("E0266", name=repr(name), column=name, start=str(start.date()),
                                 end=str(end.date()), market=label, have=have, where=where)
            gaps = np.diff(np.sort(dates.to_numpy())) / np.timedelta64(1, "D")
            if len(gaps) and gaps.max() > step:
                i = int(np.argmax(gaps))
                raise InputError("E0268" if step == 7 else "E0267", name=repr(name), market=label,
                                 first=str(pd.Timestamp(np.sort(dates.to_numpy())[i]).date()),
                                 last=str(pd.Timestamp(np.sort(dates.to_numpy())[i + 1]).date()),
                                 where=where)
