"""The helpers the decision-quality benchmarks share: medians and means of the worlds that
planned, and the sentence that says how the rows were measured."""
from __future__ import annotations

import math

import pandas as pd

from benchmarks.valuation import mean_of, measured, median_of


def test_missing_worlds_are_left_out_of_medians_and_means():
    assert median_of([3.0, None, float("nan"), 1.0, 2.0]) == 2.0
    assert mean_of([1.0, None, 2.0, float("nan")]) == 1.5
    assert math.isnan(median_of([None, float("nan")])) and math.isnan(mean_of([]))


def test_rows_run_now_report_the_load_and_rows_read_back_say_so(tmp_path):
    rows = tmp_path / "rows.jsonl"

    def run_one():
        with rows.open("a") as f:
            f.write('{"seconds": 4}\n')
        return pd.DataFrame([{"seconds": 4.0}])

    _, ran = measured(run_one, rows)
    assert ran.startswith("Load average ") and "4 s per world (median)." in ran
    _, read = measured(lambda: pd.DataFrame([{"seconds": 6.0}, {"seconds": 8.0}]), rows,
                       ", both variants")
    assert read == ("Every row read back from rows.jsonl (measured earlier on 2 shared cores): "
                    "7 s per world (median, both variants).")
    _, none = measured(lambda: pd.DataFrame([{"seconds": 1.0}]), None)
    assert none.startswith("Load average ")
