"""Compact promotion regressors: every day of every window is in exactly one piece, pieces
are the peak day and runs of at most four days counted outward from it."""
from __future__ import annotations

from datetime import date

import pandas as pd

from budgetopt.forecasts.history.calendar import Promotion, compact_holidays, holiday_frame


def test_a_13_day_window_becomes_five_pieces():
    frame = holiday_frame(date(2025, 1, 1), date(2025, 12, 31), builtin=True)
    d11 = frame[(frame["holiday"] == "double_11") & (frame["ds"].dt.year == 2025)]
    compact = compact_holidays(d11)
    pieces = compact.groupby("holiday")["ds"].apply(lambda s: sorted(s.dt.day.tolist()))
    assert pieces.to_dict() == {"double_11:before1": [7, 8, 9, 10], "double_11:before2": [3, 4, 5, 6],
                                "double_11:before3": [1, 2], "double_11:day": [11],
                                "double_11:after1": [12, 13]}
    assert (compact["lower_window"] == 0).all() and (compact["upper_window"] == 0).all()


def test_every_window_day_is_covered_once():
    events = [Promotion("brand_day", date(2025, 11, 25), -3, 1)]
    frame = holiday_frame(date(2024, 1, 1), date(2025, 12, 31), events, builtin=True)
    expected = sorted((row.holiday, row.ds + pd.Timedelta(days=k))
                      for row in frame.itertuples()
                      for k in range(row.lower_window, row.upper_window + 1))
    compact = compact_holidays(frame)
    got = sorted((name.split(":")[0], ds) for name, ds in zip(compact["holiday"], compact["ds"]))
    assert got == expected
    full_columns = sum(row.upper_window - row.lower_window + 1
                       for row in frame.drop_duplicates("holiday").itertuples())
    assert compact["holiday"].nunique() < full_columns / 2
