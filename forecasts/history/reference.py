"""What history says about spend around the plan: the comparable window a year earlier (the
reference for the historical mix, fixed-pool pacing and change vs history) and each unit's
historical spend range per period."""
from __future__ import annotations

import numpy as np
import pandas as pd

YEAR_DAYS = 364  # 52 weeks: keeps weekdays aligned


def daily_spend(frame: pd.DataFrame, unit_cols: list[str], step_days: int) -> pd.DataFrame:
    """History spend per unit per day; weekly rows are spread evenly over their 7 days."""
    if step_days == 1:
        return frame[["date", *unit_cols, "spend"]].copy()
    parts = []
    for offset in range(step_days):
        part = frame[["date", *unit_cols, "spend"]].copy()
        part["date"] = part["date"] + pd.Timedelta(days=offset)
        part["spend"] = part["spend"] / step_days
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def reference_shift(history_start, history_end, periods: pd.DataFrame) -> int:
    """Days to shift the horizon back to reach its reference window: the same calendar window
    52 weeks earlier when history covers it, else the latest whole-week shift that fits."""
    start, end = periods["period_start"].iloc[0], periods["period_end"].iloc[-1]
    history_start, history_end = pd.Timestamp(history_start), pd.Timestamp(history_end)
    if start - pd.Timedelta(days=YEAR_DAYS) >= history_start and \
            end - pd.Timedelta(days=YEAR_DAYS) <= history_end:
        return YEAR_DAYS
    shift = int(np.ceil((end - history_end).days / 7) * 7)
    return max(shift, 7)


def reference_spend(daily: pd.DataFrame, unit_cols: list[str], periods: pd.DataFrame,
                    shift_days: int) -> pd.DataFrame:
    """Spend per unit × plan period in the reference window (`shift_days` before the horizon)."""
    shifted = periods.assign(ref_start=periods["period_start"] - pd.Timedelta(days=shift_days),
                             ref_end=periods["period_end"] - pd.Timedelta(days=shift_days))
    rows = []
    for p in shifted.itertuples():
        window = daily[(daily["date"] >= p.ref_start) & (daily["date"] <= p.ref_end)]
        summed = window.groupby(unit_cols, sort=True)["spend"].sum()
        for unit, spend in summed.items():
            unit = unit if isinstance(unit, tuple) else (unit,)
            rows.append((*unit, p.period, float(spend)))
    return pd.DataFrame(rows, columns=[*unit_cols, "period", "spend"])


def spend_range(daily: pd.DataFrame, unit_cols: list[str], period_days: int) -> pd.DataFrame:
    """Per unit, the lowest and highest spend seen in any `period_days`-long stretch of history."""
    rows = []
    for unit, grp in daily.groupby(unit_cols, sort=True):
        unit = unit if isinstance(unit, tuple) else (unit,)
        series = grp.groupby("date")["spend"].sum().sort_index()
        rolled = series.rolling(period_days).sum().dropna()
        if rolled.empty:
            rolled = pd.Series([series.sum() * period_days / max(len(series), 1)])
        rows.append((*unit, float(rolled.min()), float(rolled.max())))
    return pd.DataFrame(rows, columns=[*unit_cols, "hist_period_min", "hist_period_max"])
