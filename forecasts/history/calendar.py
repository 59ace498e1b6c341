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
