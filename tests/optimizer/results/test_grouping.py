"""Big plans, readable: warnings grouped by kind with their worst units, totals by channel and
by market, and the channel × market pivot — checked against sums computed here."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from budgetopt.optimizer.results.grouping import (market_pivot, totals_by, warning_groups,
                                                 warning_lines)

EXTRAPOLATED = ("{u}: planned up to {a:,} in a period, more than 50% above its historical "
                "maximum {b:,}; the curve is extrapolated there")


def _warnings():
    out = [EXTRAPOLATED.format(u=u, a=a, b=b) for u, a, b in
           [("kol/east", 73_223, 37_345), ("kol/west", 93_001, 40_000),
            ("search_ads/east", 13_223, 7_345), ("social/north", 3_223, 1_345)]]
    out.insert(2, "social/east: spend hardly varies in history, so its response curve is "
                  "poorly identified")
    out.append("1,000 of the fixed pool could not be committed within the rules")
    return out


def test_one_group_per_kind_with_count_and_units_largest_figure_first():
    groups = warning_groups(_warnings())
    assert [g["count"] for g in groups] == [4, 1, 1]
    first = groups[0]
    assert first["kind"] == ("UNIT: planned up to # in a period, more than #% above its "
                             "historical maximum #; the curve is extrapolated there")
    assert first["units"] == ["kol/west", "kol/east", "search_ads/east", "social/north"]
    assert first["worst"] == ["kol/west", "kol/east", "search_ads/east"]
    assert groups[2]["units"] == []      # a plan-wide warning names no unit


def test_console_lines_shorten_only_repeated_kinds():
    warnings = _warnings()
    lines = warning_lines(warnings)
    assert len(lines) == 3
    assert lines[0] == ("4 units, worst first — " + warnings[1]
                        + "; also kol/east, search_ads/east and 1 more; each one in summary.json")
    assert "#" not in lines[0]
    assert lines[1] == warnings[2] and lines[2] == warnings[-1]
    assert warning_lines(warnings[:1]) == warnings[:1]


def test_units_with_chinese_names_group_too():
    warnings = [EXTRAPOLATED.format(u=f"直播带货/{m}", a=a, b=1_000)
                for m, a in (("华东", 5_000), ("华北", 9_000))]
    (group,) = warning_groups(warnings)
    assert group["units"] == ["直播带货/华北", "直播带货/华东"]


@pytest.fixture
def allocation():
    rng = np.random.default_rng(4)
    rows = [(c, m, p, *rng.uniform(0, 100, 3)) for c in ("kol", "search_ads", "social")
            for m in ("east", "north") for p in range(3)]
    frame = pd.DataFrame(rows, columns=["channel", "market", "period", "fixed_spend",
                                        "dynamic_spend", "incremental_kpi"])
    frame["total_spend"] = frame["fixed_spend"] + frame["dynamic_spend"]
    return frame


def test_totals_by_market_add_up(allocation):
    table = totals_by(allocation, "market").set_index("market")
    east = allocation[allocation["market"] == "east"]
    assert table.loc["east", "total_spend"] == pytest.approx(east["total_spend"].sum())
    assert table.loc["east", "roi"] == pytest.approx(east["incremental_kpi"].sum()
                                                     / east["total_spend"].sum())
    assert table["share"].sum() == pytest.approx(1.0)
    assert table.loc["north", "units"] == 3
    assert totals_by(allocation, "channel").set_index("channel").loc["kol", "units"] == 2


def test_pivot_has_channels_down_markets_across_and_totals(allocation):
    pivot = market_pivot(allocation).set_index("channel")
    assert list(pivot.columns) == ["east", "north", "total"]
    assert list(pivot.index) == ["kol", "search_ads", "social", "total"]
    cell = allocation[(allocation["channel"] == "social") & (allocation["market"] == "north")]
    assert pivot.loc["social", "north"] == pytest.approx(cell["total_spend"].sum())
    assert pivot.loc["total", "total"] == pytest.approx(allocation["total_spend"].sum())
    assert pivot.loc["kol", "total"] == pytest.approx(
        allocation.loc[allocation["channel"] == "kol", "total_spend"].sum())


def test_grouped_extrapolation_warnings_of_a_market_plan_name_channel_and_market():
    """A market history: one channel planned far above its history in 15 markets. The grouped
    line's worst units are the full channel/market keys, the largest planned peak first."""
    from budgetopt.optimizer.results.summary import extrapolation_warnings
    from budgetopt.optimizer.results.tables import channels_table
    from budgetopt.optimizer.scenario.spec import RiskSettings
    markets = [f"m{i:03d}" for i in range(15)]
    peaks = {m: 1_000.0 * (i + 3) for i, m in enumerate(markets)}       # m014 the largest
    allocation = pd.DataFrame(
        [("content_seo", m, p, 0.0, peaks[m] * (p + 1) / 2, 10.0, 1.0)
         for m in markets for p in range(2)] + [("kol", "m000", p, 0.0, 500.0, 5.0, 1.0)
                                                for p in range(2)],
        columns=["channel", "market", "period", "fixed_spend", "dynamic_spend",
                 "incremental_kpi", "marginal_roi"])
    allocation["total_spend"] = allocation["fixed_spend"] + allocation["dynamic_spend"]
    history = pd.DataFrame({"channel": ["content_seo"] * 15 + ["kol"], "market": markets + ["m000"],
                            "historical_spend": 1_000.0})
    ranges = history[["channel", "market"]].assign(hist_period_max=1_000.0)
    rows = channels_table(allocation, history, ranges, has_market=True)
    warnings = extrapolation_warnings(rows, RiskSettings())
    assert len(warnings) == 15                              # kol at 500 is within its history
    assert warnings[0].startswith("content_seo/m000: planned up to 3,000 in a period")
    (line,) = warning_lines(warnings)
    worst = next(w for w in warnings if w.startswith("content_seo/m014: "))
    assert line == ("15 units, worst first — " + worst + "; also content_seo/m013, "
                    "content_seo/m012 and 12 more; each one in summary.json")
