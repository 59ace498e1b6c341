"""The 60/40 pool: amounts add up, the fixed split follows its rule and respects caps."""
from __future__ import annotations

import pytest

from budgetopt.errors import InputError
from budgetopt.optimizer.rules.pool import channel_fixed, pace, split_budget, water_fill


def test_pool_split_adds_up_to_the_budget():
    pool = split_budget(12_000_000, 0.6, 0.05)
    assert pool.fixed == pytest.approx(7_200_000)
    assert pool.reserve == pytest.approx(600_000)
    assert pool.dynamic == pytest.approx(4_200_000)
    assert pool.fixed + pool.dynamic + pool.reserve == pytest.approx(pool.budget)


def test_water_fill_is_proportional_without_caps():
    alloc = water_fill(1000.0, {"a": 1.0, "b": 3.0}, {})
    assert alloc == pytest.approx({"a": 250.0, "b": 750.0})


def test_water_fill_moves_what_a_capped_key_cannot_take():
    alloc = water_fill(1000.0, {"a": 1.0, "b": 1.0, "c": 2.0}, {"c": 100.0})
    assert alloc["c"] == pytest.approx(100.0)
    assert alloc["a"] == pytest.approx(450.0) and alloc["b"] == pytest.approx(450.0)
    assert sum(alloc.values()) == pytest.approx(1000.0)


def test_water_fill_leaves_money_unplaced_when_every_key_is_capped():
    alloc = water_fill(1000.0, {"a": 1.0, "b": 1.0}, {"a": 100.0, "b": 200.0})
    assert alloc == pytest.approx({"a": 100.0, "b": 200.0})


def test_historical_rule_follows_reference_shares():
    weights = {"search": 600.0, "social": 300.0, "kol": 100.0}
    alloc = channel_fixed("historical", 5_000.0, weights, {}, {})
    assert alloc == pytest.approx({"search": 3_000.0, "social": 1_500.0, "kol": 500.0})


def test_explicit_rule_uses_file_shares_and_spreads_the_rest_historically():
    weights = {"search": 600.0, "social": 300.0, "kol": 100.0}
    alloc = channel_fixed("explicit", 10_000.0, weights, {"search": 0.5}, {})
    assert alloc["search"] == pytest.approx(5_000.0)
    assert alloc["social"] == pytest.approx(5_000.0 * 0.75)
    assert alloc["kol"] == pytest.approx(5_000.0 * 0.25)


def test_explicit_share_above_a_channel_max_is_an_error():
    with pytest.raises(InputError, match="budget.fixed gives search .*above what its rules allow"):
        channel_fixed("explicit", 10_000.0, {"search": 1.0, "kol": 1.0}, {"search": 0.5},
                      {"search": 1_000.0})


def test_pacing_follows_the_reference_window_or_days():
    assert pace(700.0, [100.0, 300.0, 300.0], [7, 7, 7]) == pytest.approx([100.0, 300.0, 300.0])
    assert pace(300.0, [0.0, 0.0], [7, 14]) == pytest.approx([100.0, 200.0])


def test_text_that_a_spreadsheet_would_run_is_neutralized_in_csv():
    import pandas as pd

    from budgetopt.optimizer.results.files import csv_text
    frame = pd.DataFrame({"channel": ["=HYPERLINK(\"x\")", "-cmd", "+1", "@sum", "search_ads"],
                          "spend": [1.0, 2.0, 3.0, 4.0, 5.0]})
    lines = csv_text(frame).splitlines()
    assert lines[1].startswith("\"'=HYPERLINK")
    assert lines[2].startswith("'-cmd") and lines[3].startswith("'+1")
    assert lines[4].startswith("'@sum") and lines[5].startswith("search_ads,")
