"""Plan periods and the promotion calendar."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from budgetopt.forecasts.history.calendar import (builtin_promotions, holiday_frame,
                                                  promotion_days, spring_festival)
from budgetopt.forecasts.history.periods import make_periods


def test_quarter_in_weeks_is_13_periods_covering_every_day_once():
    periods = make_periods("2026-10-01", "2026-12-31", "week")
    assert len(periods) == 13
    assert periods["days"].sum() == 92
    assert periods["days"].iloc[-1] == 8          # the 1-day stub joined the last week
    gaps = periods["period_start"].iloc[1:].to_numpy() - periods["period_end"].iloc[:-1].to_numpy()
    assert (gaps == pd.Timedelta(days=1)).all()


def test_months_are_calendar_months_clipped_to_the_horizon():
    periods = make_periods("2026-10-15", "2026-12-31", "month")
    assert periods["days"].tolist() == [17, 30, 31]
    assert periods["period_start"].dt.strftime("%Y-%m-%d").tolist() == \
        ["2026-10-15", "2026-11-01", "2026-12-01"]


def test_days_are_one_period_each():
    assert len(make_periods("2026-01-01", "2026-01-31", "day")) == 31


def test_unknown_period_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown period kind"):
        make_periods("2026-01-01", "2026-01-31", "fortnight")


def test_builtin_calendar_has_the_big_promotions():
    promos = {(p.name, p.day) for p in builtin_promotions([2026])}
    assert ("double_11", date(2026, 11, 11)) in promos
    assert ("promo_618", date(2026, 6, 18)) in promos
    assert ("double_12", date(2026, 12, 12)) in promos
    assert ("spring_festival", date(2026, 2, 17)) in promos
    assert spring_festival(2025) == date(2025, 1, 29)


def test_holiday_frame_is_prophet_shaped_and_includes_events():
    from budgetopt.forecasts.history.calendar import Promotion
    frame = holiday_frame(date(2025, 1, 1), date(2026, 12, 31),
                          [Promotion("brand_day", date(2026, 11, 25), -3, 1)])
    assert list(frame.columns) == ["holiday", "ds", "lower_window", "upper_window"]
    assert ((frame["holiday"] == "brand_day") & (frame["ds"] == "2026-11-25")).sum() == 1
    flags = promotion_days(date(2026, 11, 1), date(2026, 11, 30))
    assert flags[pd.Timestamp("2026-11-11")] and flags[pd.Timestamp("2026-11-01")]
    assert not flags[pd.Timestamp("2026-11-20")]
