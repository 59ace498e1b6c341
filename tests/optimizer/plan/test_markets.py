"""The channel × market example (scenarios/markets.yaml, 20 units) end to end: the console shows
the largest units and totals by channel and by market, warnings come one line per kind (on the
unpooled variant, whose thin markets warn unit by unit), the report has a heat map and the
workbook two pivot sheets whose cells match allocation.csv."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from example_copies import example_copy

pytestmark = pytest.mark.slow
MARKETS = Path(__file__).resolve().parents[3] / "scenarios" / "markets.yaml"


def _plan(cli, scenario: Path, out: Path) -> tuple[Path, str]:
    capture = pytest.MonkeyPatch()
    buffer = io.StringIO()
    capture.setattr(sys, "stdout", buffer)
    try:
        code = cli("run", scenario, "--out", out)
    finally:
        capture.undo()
    assert code == 0
    return out, buffer.getvalue()


@pytest.fixture(scope="module")
def run(cli, tmp_path_factory):
    return _plan(cli, MARKETS, tmp_path_factory.mktemp("markets") / "plan")


@pytest.fixture(scope="module")
def unpooled(cli, tmp_path_factory):
    """The example with `forecast.pooling: none`: its thin markets then warn unit by unit."""
    folder = tmp_path_factory.mktemp("unpooled")
    scenario = example_copy("markets.yaml", folder, "pooling: none", prepend=True)
    return _plan(cli, scenario, folder / "plan")


def test_console_shows_top_units_and_totals_by_channel_and_market(run):
    out, text = run
    assert "top 15 of 20 units by spend" in text
    assert "… 5 more units" in text
    assert "By channel" in text and "By market" in text
    assert "highest first" in text and "… and 5 more (channels.csv)" in text
    allocation = pd.read_csv(out / "allocation.csv")
    north = allocation.loc[allocation["market"] == "north", "total_spend"].sum()
    north_line = next(line for line in text.splitlines() if line.startswith("│ north "))
    assert f"¥{north:,.0f}" in north_line


def test_warnings_are_one_line_per_kind_with_the_full_list_in_summary(unpooled):
    out, text = unpooled
    summary = json.loads((out / "summary.json").read_text())
    groups = summary["warning_groups"]
    assert sum(g["count"] for g in groups) == len(summary["warnings"])
    printed = [line for line in text.splitlines() if line.startswith("Warning:")]
    assert len(printed) == len(groups) < len(summary["warnings"])
    repeated = next(g for g in groups if g["count"] > 1)
    assert repeated["example"].startswith(repeated["units"][0] + ": ")
    grouped = (f"Warning: {repeated['count']} units, worst first — {repeated['example']}; "
               f"also {repeated['units'][1]}")
    assert " ".join(grouped.split()) in " ".join(text.split())   # the console wraps lines
    report = (out / "report.html").read_text(encoding="utf-8")
    assert f"All {len(summary['warnings'])} warnings, one per unit" in report
    assert all(w.replace("'", "&#39;") in report for w in summary["warnings"][:3])


def test_report_has_a_heat_map_and_the_workbook_pivot_sheets(run):
    out, _ = run
    assert 'id="chart-markets"' in (out / "report.html").read_text(encoding="utf-8")
    assert (out / "charts" / "markets.png").stat().st_size > 10_000
    book = openpyxl.load_workbook(out / "plan.xlsx", read_only=True)
    assert "Channel x market spend" in book.sheetnames
    assert "Channel x market KPI" in book.sheetnames
    rows = list(book["Channel x market spend"].iter_rows(values_only=True))
    header, body = rows[0], {r[0]: r for r in rows[1:]}
    assert header == ("channel", "east", "north", "south", "west", "total")
    allocation = pd.read_csv(out / "allocation.csv")
    cell = allocation[(allocation["channel"] == "kol") & (allocation["market"] == "south")]
    assert body["kol"][header.index("south")] == pytest.approx(cell["total_spend"].sum(), abs=0.05)
    assert body["total"][-1] == pytest.approx(allocation["total_spend"].sum(), abs=0.5)
