"""Planning periods: the horizon cut into days, 7-day weeks or calendar months."""
from __future__ import annotations

import pandas as pd

PERIOD_KINDS = ("day", "week", "month")


def make_periods(start, end, kind: str) -> pd.DataFrame:
    """Periods covering [start, end] inclusive: `period`, `period_start`, `period_end`, `days`.

    Weeks are consecutive 7-day blocks from `start`; a trailing stub of 1-3 days joins the
    week before it (a quarter is 13 weeks, the last 8 days long). Months are calendar months
    clipped to the horizon.
    """
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if kind == "day":
        starts = pd.date_range(start, end, freq="D")
    elif kind == "week":
        starts = pd.date_range(start, end, freq="7D")
        if len(starts) > 1 and (end - starts[-1]).days + 1 < 4:
            starts = starts[:-1]
    elif kind == "month":
        month_starts = pd.date_range(start.to_period("M").to_timestamp(), end, freq="MS")
        starts = pd.DatetimeIndex([start] + [m for m in month_starts if m > start])
    else:
        raise ValueError(f"unknown period kind {kind!r}; use one of {PERIOD_KINDS}")
    ends = list(starts[1:] - pd.Timedelta(days=1)) + [end]
    frame = pd.DataFrame({"period_start": starts, "period_end": pd.DatetimeIndex(ends)})
    frame["days"] = (frame["period_end"] - frame["period_start"]).dt.days + 1
    frame.insert(0, "period", range(len(frame)))
    return frame


def period_days(periods: pd.DataFrame) -> pd.DataFrame:
    """One row per day of the horizon with the period it belongs to: `date`, `period`."""
    rows = [(day, p.period) for p in periods.itertuples()
            for day in pd.date_range(p.period_start, p.period_end, freq="D")]
    return pd.DataFrame(rows, columns=["date", "period"])
