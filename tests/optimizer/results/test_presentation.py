"""The building blocks of the report and workbook, without a plan: number labels, column
formats, formula neutralization in sheets, deterministic PNGs, and when progress is drawn."""
from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from budgetopt.optimizer.results.charts import bar_chart, compact, line_chart, png_bytes
from budgetopt.optimizer.cli.console import interactive
from budgetopt.optimizer.results.workbook import Sheet, column_kind, workbook_bytes


@pytest.mark.parametrize("value, text", [
    (0, "¥0"), (950, "¥950"), (35_000, "¥35k"), (1_250_000, "¥1.25M"),
    (1_200_000, "¥1.2M"), (14_000_000, "¥14M"), (123_400_000, "¥123M"), (2_500_000_000, "¥2.5B"), (-35_000, "−¥35k")])
def test_compact_money_labels(value, text):
    assert compact(value, "¥") == text


def test_column_kinds_follow_names_and_types():
    frame = pd.DataFrame({"channel": ["a"], "period_start": pd.to_datetime(["2026-10-01"]),
                          "total_spend": [1.0], "incremental_kpi": [2.0], "roi": [2.0],
                          "share": [0.5], "extrapolated": [True], "rows": [3]})
    kinds = {c: column_kind(c, frame[c]) for c in frame.columns}
    assert kinds == {"channel": "text", "period_start": "date", "total_spend": "money",
                     "incremental_kpi": "money", "roi": "ratio", "share": "percent",
                     "extrapolated": "text", "rows": "number"}
    assert column_kind("incremental_kpi", frame["incremental_kpi"], kpi_money=False) == "kpi"


def test_sheet_text_is_neutralized_and_never_a_formula():
    hostile = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "plain", "\t=x"]
    frame = pd.DataFrame({"channel": hostile, "total_spend": np.arange(6.0) * 1000,
                          "share": [0.1] * 6, "roi": [np.nan, np.inf, 1, 2, 3, 4]})
    data = workbook_bytes([Sheet("Plan", frame)], "USD",
                          summary=[("Scenario", "name", "=evil()", "text"),
                                   ("Totals", "budget", 1000.0, "money")])
    book = openpyxl.load_workbook(io.BytesIO(data))
    plan = book["Plan"]
    values = [plan.cell(r, 1).value for r in range(2, 8)]
    assert values == ["'=1+1", "'+cmd", "'-2+3", "'@SUM(A1)", "plain", "'\t=x"]
    assert all(plan.cell(r, 1).data_type == "s" for r in range(2, 8))
    assert plan.cell(2, 2).number_format == '"$"#,##0.00'
    assert plan.cell(2, 3).number_format == "0.0%"
    assert plan.cell(2, 4).value is None and plan.cell(3, 4).value is None  # NaN, inf blank
    assert plan.freeze_panes == "B2" and plan.auto_filter.ref == "A1:D7"
    summary = book["Summary"]
    assert summary.cell(2, 3).value == "'=evil()"
    assert summary.cell(3, 3).number_format == '"$"#,##0.00'


def test_workbook_bytes_are_reproducible():
    frame = pd.DataFrame({"channel": ["a", "b"], "total_spend": [1.5, 2.5]})
    first = workbook_bytes([Sheet("S", frame)], "CNY")
    assert workbook_bytes([Sheet("S", frame)], "CNY") == first
    assert openpyxl.load_workbook(io.BytesIO(first)).properties.created.year == 2000


def test_reusable_charts_render_to_identical_png_bytes():
    frame = pd.DataFrame({"scenario": ["base", "push"], "spend": [1e6, 2e6], "kpi": [4e6, 7e6]})
    first = png_bytes(bar_chart(frame, "scenario", ["spend", "kpi"], currency="CNY"))
    again = png_bytes(bar_chart(frame, "scenario", ["spend", "kpi"], currency="CNY"))
    assert first == again and first.startswith(b"\x89PNG")
    assert b"Software" not in first and b"matplotlib" not in first.lower()
    line = png_bytes(line_chart([1e6, 2e6, 3e6], {"return": [3e6, 5e6, 6e6]}, currency="CNY",
                                markers={"plan": (2e6, 5e6)}))
    assert line.startswith(b"\x89PNG") and line != first


class _Stream:
    def __init__(self, tty: bool):
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_progress_is_drawn_only_on_a_terminal_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert interactive(_Stream(True))
    assert not interactive(_Stream(False))
    monkeypatch.setenv("CI", "true")
    assert not interactive(_Stream(True))


def test_drawing_leaves_the_callers_matplotlib_backend_alone():
    import matplotlib

    before = matplotlib.get_backend()
    png_bytes(line_chart([1, 2], {"a": [1, 2]}))
    assert matplotlib.get_backend() == before
