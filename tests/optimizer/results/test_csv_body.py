"""The column-wise CSV writer gives exactly pandas' text, on tidied tables of every kind the
outputs hold, and declines what it does not format."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from budgetopt.optimizer.results.csv_body import csv_text_fast
from budgetopt.optimizer.results.files import csv_text, tidy_frame

TEXTS = st.sampled_from(["kol", "直播带货", "a,b", 'say "hi"', "", "two\nlines", " lead",
                         "=SUM(A1)", "私域/华东"])


def pandas_text(frame: pd.DataFrame) -> str:
    return tidy_frame(frame).to_csv(index=False, lineterminator="\n")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(TEXTS, st.integers(-10**9, 10**9),
                          st.floats(-1e11, 1e11) | st.just(float("nan")),
                          st.just(0.0) | st.floats(1e-3, 50) | st.floats(-50, -1e-3)),
                min_size=1, max_size=40))
def test_the_same_text_as_pandas(rows):
    frame = pd.DataFrame(rows, columns=["channel", "sample", "spend", "roi"])
    fast = csv_text_fast(tidy_frame(frame), {"spend": 2, "roi": 6})
    assert fast is not None and fast == pandas_text(frame)
    assert csv_text(frame) == fast


def test_edge_values_match_pandas():
    spend = [0.0, -0.0, 0.001, 0.005, 0.015, 0.29, 1.005, 2.675, 100.0, -3.5, 123456789.99,
             8.9e12, np.nan, 1e-3, 0.1 + 0.2]
    frame = pd.DataFrame({"channel": ["x"] * len(spend), "spend": spend,
                          "roi": np.linspace(0.0001, 3, len(spend))})
    assert csv_text(frame) == pandas_text(frame)
    fast = csv_text_fast(tidy_frame(frame), {"spend": 2, "roi": 6})
    assert fast == pandas_text(frame)                     # the fast path, not the fallback


def test_what_it_does_not_format_is_left_to_pandas():
    tiny = pd.DataFrame({"channel": ["x", "y"], "roi": [0.00005, 1.0]})     # 5e-05 in pandas
    huge = pd.DataFrame({"channel": ["x", "y"], "spend": [1e16, 1.0]})
    nullable = pd.DataFrame({"channel": ["x", "y"], "n": pd.array([1, None], "Int64")})
    for frame, digits in ((tiny, {"roi": 6}), (huge, {"spend": 2}), (nullable, {})):
        assert csv_text_fast(tidy_frame(frame), digits) is None
        assert csv_text(frame) == pandas_text(frame)
    assert "5e-05" in csv_text(tiny)


def test_parts_without_header_continue_the_table():
    frame = pd.DataFrame({"channel": ["a", "b", "c"], "spend": [1.0, 2.5, 3.25]})
    whole = csv_text(frame)
    assert csv_text(frame.iloc[:1]) + csv_text(frame.iloc[1:], header=False) == whole
