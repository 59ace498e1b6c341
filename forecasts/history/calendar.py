"""The Chinese e-commerce promotion calendar (618, Double 11, Double 12, Spring Festival) as
Prophet holiday rows, plus a scenario's own events."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import holidays
import pandas as pd


@dataclass(frozen=True)
class Promotion:
    """One recurring or one-off demand event: a peak date and the days around it it affects."""

    name: str
    day: date
    lower_window: int = 0
    upper_window: int = 0

    def days(self) -> list[date]:
        return [d.date() for d in pd.date_range(
            pd.Timestamp(self.day) + pd.Timedelta(days=self.lower_window),
            pd.Timestamp(self.day) + pd.Timedelta(days=self.upper_window))]


# Windows: 618 pre-sales run from early June to the 18th; Double 11 pre-sales open in late
# October; Double 12 is a shorter echo; Spring Festival depresses demand for about two weeks.
BUILTIN_WINDOWS = {
    "promo_618": ((6, 18), -10, 2),
    "double_11": ((11, 11), -10, 2),
    "double_12": ((12, 12), -3, 1),
}
SPRING_FESTIVAL_WINDOW = (-7, 7)


def spring_festival(year: int) -> date:
    """First day of the Chinese New Year holiday in `year` (from the `holidays` package)."""
    cn = holidays.China(years=year)
    return min(d for d, name in cn.items() if name.startswith("Chinese New Year (Spring Festival)"))


def builtin_promotions(years: Iterable[int]) -> list[Promotion]:
    """The built-in calendar for the given years, in date order."""
    out: list[Promotion] = []
    for year in sorted(set(years)):
        for name, ((month, day), lo, hi) in BUILTIN_WINDOWS.items():
            out.append(Promotion(name, date(year, month, day), lo, hi))
        lo, hi = SPRING_FESTIVAL_WINDOW
        out.append(Promotion("spring_festival", spring_festival(year), lo, hi))
    return sorted(out, key=lambda p: (p.day, p.name))


def holiday_frame(start: date, end: date, events: Iterable[Promotion] = (),
                  builtin: bool = True) -> pd.DataFrame:
    """Prophet's `holidays` frame covering [start, end] (a year of margin either side)."""
    years = range(pd.Timestamp(start).year - 1, pd.Timestamp(end).year + 2)
    promos = (builtin_promotions(years) if builtin else []) + list(events)
    frame = pd.DataFrame({
        "holiday": [p.name for p in promos],
        "ds": pd.to_datetime([p.day for p in promos]),
        "lower_window": [p.lower_window for p in promos],
        "upper_window": [p.upper_window for p in promos],
    })
    return frame.sort_values(["ds", "holiday"], kind="stable").reset_index(drop=True)


def promotion_days(start: date, end: date, events: Iterable[Promotion] = (),
                   builtin: bool = True) -> pd.Series:
    """Boolean series indexed by day: is the day inside any promotion window?"""
    idx = pd.date_range(start, end, freq="D")
    hol = holiday_frame(start, end, events, builtin)
    flag = pd.Series(False, index=idx)
    for row in hol.itertuples():
        window = pd.date_range(row.ds + pd.Timedelta(days=row.lower_window),
                               row.ds + pd.Timedelta(days=row.upper_window))
        flag[flag.index.isin(window)] = True
    return flag


COMPACT_PIECE_DAYS = 4   # days of a promotion window that share one regressor


def compact_holidays(holidays: pd.DataFrame, piece_days: int = COMPACT_PIECE_DAYS) -> pd.DataFrame:
    """The same promotion windows as a few regressors each instead of one per day: the peak
    day itself, and the days before and after it in pieces of at most `piece_days` (counted
    outward from the peak, so the run-up nearest the peak gets its own piece). A 13-day window
    becomes 5 regressors (3 before, the day, 1 after) instead of 13; each piece is a Prophet
    holiday with no window of its own, named `promotion:before1`, `promotion:day`,
    `promotion:after1` and so on. Fits keep the windows' shape at a third of the columns."""
    names, days = [], []
    for row in holidays.itertuples(index=False):
        peak = pd.Timestamp(row.ds)
        for offset in range(int(row.lower_window), int(row.upper_window) + 1):
            if offset == 0:
                piece = "day"
            else:
                side = "before" if offset < 0 else "after"
                piece = f"{side}{(abs(offset) - 1) // piece_days + 1}"
            names.append(f"{row.holiday}:{piece}")
            days.append(peak + pd.Timedelta(days=offset))
    frame = pd.DataFrame({"holiday": names, "ds": pd.to_datetime(days) if days else
                          pd.to_datetime(pd.Series([], dtype="datetime64[ns]")),
                          "lower_window": 0, "upper_window": 0})
    frame = frame.drop_duplicates(["holiday", "ds"])
    return frame.sort_values(["ds", "holiday"], kind="stable").reset_index(drop=True)
