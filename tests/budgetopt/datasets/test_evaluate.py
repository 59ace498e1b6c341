"""The datasets API values plans from the truth: checked against day-by-day sums written out
here, and its scenario runs through the product's own loader."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from budgetopt import datasets
from budgetopt.forecasts.history.periods import make_periods
from budgetopt.optimizer.scenario.loader import load_scenario


def _truth(name, carryover=0.0, **kw):
    base = dict(name=name, baseline=20_000, spend_level=4_000, beta=30_000, shape="exp",
                half_saturation=6_000, season_amplitude=0.1, trend_per_year=0.05,
                promo_spend_lift=1.5, aov=200, carryover=carryover)
    return datasets.ChannelTruth(**{**base, **kw})


@pytest.fixture(scope="module")
def world():
    return datasets.world_from_truths([_truth("a"), _truth("b", carryover=0.5, beta=10_000)],
                                      "2024-01-01", "2025-12-31", seed=4)


def _plan(periods, spend_a, spend_b):
    rows = []
    for p in periods.itertuples():
        for channel, spend in (("a", spend_a), ("b", spend_b)):
            rows.append({"channel": channel, "period_start": p.period_start.strftime("%Y-%m-%d"),
                         "period_end": p.period_end.strftime("%Y-%m-%d"),
                         "total_spend": spend * (1 + p.period / 10)})
    return pd.DataFrame(rows)


def test_plan_value_without_carryover_is_the_sum_of_daily_true_increments(world):
    periods = make_periods("2026-01-01", "2026-01-28", "week")
    plan = _plan(periods, 70_000, 0.0)
    expected = 0.0
    for p in periods.itertuples():
        days = pd.date_range(p.period_start, p.period_end)
        daily = 70_000 * (1 + p.period / 10) / len(days)
        c = world.truth("a")
        d = world.demand_index(c, days)
        expected += float(np.sum(d * c.beta * (1 - 2.0 ** (-daily / c.half_saturation))))
    values = datasets.unit_values(world, plan)
    assert values[("a", None)] == pytest.approx(expected, rel=1e-12)
    assert values[("b", None)] == pytest.approx(0.0, abs=1e-6)


def test_plan_value_with_carryover_follows_the_adstock_day_by_day(world):
    periods = make_periods("2026-01-01", "2026-01-14", "week")
    plan = _plan(periods, 0.0, 35_000)
    c = world.truth("b")
    state0 = c.carryover * 0 + datasets.starting_adstock(world, "b")
    history = world.historical_daily_spend("b").to_numpy()
    state = history[0]
    for x in history:                      # the adstock recursion written out again
        state = c.carryover * state + (1 - c.carryover) * x
    assert state0 == pytest.approx(state, rel=1e-12)
    tail = datasets.tail_days(c.carryover)
    spend = np.concatenate([np.full(7, 35_000 / 7), np.full(7, 35_000 * 1.1 / 7), np.zeros(tail)])
    days = pd.date_range("2026-01-01", periods=len(spend))
    d = world.demand_index(c, days)
    with_plan, without = [], []
    s1 = s0 = state
    for x in spend:
        s1 = c.carryover * s1 + (1 - c.carryover) * x
        s0 = c.carryover * s0
        with_plan.append(s1)
        without.append(s0)
    sat = lambda a: 1 - 2.0 ** (-np.asarray(a) / c.half_saturation)  # noqa: E731
    expected = float(np.sum(d * c.beta * (sat(with_plan) - sat(without))))
    assert datasets.unit_values(world, plan)[("b", None)] == pytest.approx(expected, rel=1e-9)
    assert datasets.tail_days(0.5) == 14          # 0.5**14 < 1e-4 <= 0.5**13


def test_true_curves_read_the_period_value_at_even_spend(world):
    periods = make_periods("2026-01-01", "2026-01-21", "week")
    curves = datasets.true_curves(world, periods, 200_000)
    a = curves[(curves["channel"] == "a") & (curves["period"] == 1)]
    assert a["spend"].iloc[0] == 0.0 and a["incremental_kpi"].iloc[0] == 0.0
    x = float(a["spend"].iloc[100])
    p = periods.iloc[1]
    assert float(a["incremental_kpi"].iloc[100]) == pytest.approx(
        world.period_incremental("a", p.period_start, p.period_end, x), rel=1e-12)
    assert np.all(np.diff(a["incremental_kpi"]) >= 0)


def test_write_scenario_plans_the_window_with_last_years_budget(world, tmp_path):
    path = datasets.write_scenario(world, tmp_path, "2025-10-01", "2025-12-31",
                                   channels={"a": {"max_share": 0.7}})
    scenario = load_scenario(path)
    daily = [world.historical_daily_spend(u) for u in world.units]
    window = sum(float(s["2024-10-02":"2025-01-01"].sum()) for s in daily)
    assert scenario.budget.total == pytest.approx(round(window, -3))
    assert scenario.channels["a"].max_share == 0.7
    assert (tmp_path / "history.csv").read_bytes().startswith(b"date,channel,spend,revenue")
