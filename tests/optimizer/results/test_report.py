"""The report, charts and workbook of a real plan: every file is there, self-contained,
escaped, neutralized, consistent with the CSV outputs, and byte-identical on a rerun."""
from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from PIL import Image

from budgetopt.datasets import make_world
from budgetopt.optimizer.results.charts import MAX_PANELS
from budgetopt.optimizer.results.plan_charts import horizon_promotions
from budgetopt.money import money
from budgetopt.optimizer.results.outputs import write_outputs
from budgetopt.optimizer.plan.pipeline import plan

pytestmark = pytest.mark.slow

HOSTILE_NAME = '=HYPERLINK("http://x")<script>alert(1)</script> & co'
# the market plan also gets the channel × market heat map
CHART_NAMES = ["allocation", "channels", "curves", "forecast_total", "forecasts", "markets", "pool"]


@pytest.fixture(scope="module")
def market_plan(tmp_path_factory):
    """Two markets, an event, a reserve, and a hostile scenario name (channel names cannot
    carry formulas: the history loader refuses them)."""
    root = tmp_path_factory.mktemp("market")
    world = make_world(["spam", "search", "video"], start="2024-01-01", end="2026-06-30",
                       markets=["north", "south"], seed=3)
    world.history.to_csv(root / "history.csv", index=False)
    (root / "plan.yaml").write_text(
        f"name: '{HOSTILE_NAME}'\n"
        "history: history.csv\n"
        "horizon: {start: 2026-07-01, end: 2026-09-30, period: week}\n"
        "budget: {total: 3000000, reserve_share: 0.05}\n"
        "channels:\n  search: {max: 250000}\n"
        "events:\n  - {name: brand_day, date: 2026-08-08, lower_window: -3, upper_window: 1}\n")
    result = plan(root / "plan.yaml", n_jobs=1)
    out = write_outputs(result, root / "out")
    return result, out


class _Page(HTMLParser):
    """Collects tags, attributes and text of an HTML page."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _page(out: Path) -> tuple[str, _Page]:
    html = (out / "report.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    return html, page


def test_every_presentation_file_is_written(market_plan):
    _, out = market_plan
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert names == sorted(["allocation.csv", "channels.csv", "curves.csv", "forecast.csv",
                            "plausible_curves.csv", "summary.json", "run.json", "scenario.yaml", "report.html",
                            "plan.xlsx",
                            *(f"charts/{n}.png" for n in CHART_NAMES)])
    for name in CHART_NAMES:
        with Image.open(out / "charts" / f"{name}.png") as image:
            assert image.format == "PNG"
            assert image.width >= 1200 and image.height >= 150


def test_report_is_self_contained_and_embeds_exactly_the_chart_files(market_plan):
    _, out = market_plan
    html, page = _page(out)
    # the charts are inline SVG (text the browser draws); charts/ has the same figures as PNG
    assert not [attrs for tag, attrs in page.tags if tag == "img"]
    assert len([tag for tag, _ in page.tags if tag == "svg"]) == len(CHART_NAMES)
    figures = [attrs.get("aria-label") for tag, attrs in page.tags if tag == "figure"]
    assert len(figures) == len(CHART_NAMES) and all(figures)
    assert html.count("<text ") > 10 * len(CHART_NAMES)
    for name in CHART_NAMES:
        assert (out / "charts" / f"{name}.png").read_bytes().startswith(b"\x89PNG")
    for tag, attrs in page.tags:
        assert tag not in ("script", "link", "iframe", "object")
        for key in ("src", "href"):
            assert not str(attrs.get(key, "")).startswith(("http:", "https:", "//"))
    assert "@import" not in html
    # url() only for the SVGs' own clip paths (#id in the same page), never a fetch
    assert html.count("url(") == html.count("url(#") > 0


def test_report_escapes_the_scenario_name(market_plan):
    _, out = market_plan
    html, page = _page(out)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE_NAME in "".join(page.text)


def test_headline_numbers_match_the_csv_outputs(market_plan):
    result, out = market_plan
    _, page = _page(out)
    text = " ".join(" ".join(page.text).split())
    allocation = pd.read_csv(out / "allocation.csv")
    spend = allocation["total_spend"].sum()
    roi = allocation["incremental_kpi"].sum() / spend
    assert f"ROI {roi:.2f}" in text
    summary = json.loads((out / "summary.json").read_text())
    budget = summary["totals"]["budget"]
    assert f"Budget {money(budget, 'CNY')}" in text
    fixed_pct = allocation["fixed_spend"].sum() / budget
    dynamic_pct = allocation["dynamic_spend"].sum() / budget
    assert f"{fixed_pct:.0%} / {dynamic_pct:.0%}" in text
    reserve = budget - spend
    assert f"reserve {money(reserve, 'CNY')}" in text
    predicted = allocation["baseline_kpi"].sum() + allocation["incremental_kpi"].sum()
    assert money(predicted, "CNY") in text
    mix = summary["historical_mix"]
    assert f"{roi:.2f} vs {mix['incremental_kpi'] / spend:.2f}" in text


def test_report_states_binding_rules_and_warnings_in_words(market_plan):
    result, out = market_plan
    _, page = _page(out)
    text = " ".join(" ".join(page.text).split())
    binding = result.summary["binding_constraints"]
    assert any(b["rule"] == "max:search" for b in binding)
    for rule in binding:
        assert rule["description"] in text and rule["explanation"] in text
    warnings = result.summary["warnings"]
    assert warnings, "the market plan should carry warnings to show"
    for warning in warnings:
        assert warning in text
    for row in result.channels.itertuples():        # marked exactly when extrapolated
        assert (f"{row.channel} / {row.market} (!)" in text) == bool(row.extrapolated), row


def test_promotion_windows_come_from_the_calendar_and_the_events(market_plan):
    result, _ = market_plan
    names = [p.name for p in horizon_promotions(result)]
    assert names == ["brand_day"]  # July–September has no built-in peak; the event is marked
    monthly = result.scenario.model_copy(update={"horizon": result.scenario.horizon.model_copy(
        update={"start": pd.Timestamp("2026-10-01").date(),
                "end": pd.Timestamp("2026-12-31").date()})})
    q4 = type(result)(monthly, result.status, result.allocation, result.channels,
                      result.forecast, result.curves, result.summary)
    assert [p.name for p in horizon_promotions(q4)] == ["double_11", "double_12"]


def test_workbook_matches_the_csvs_with_formats_frozen_headers_and_no_formulas(market_plan):
    result, out = market_plan
    book = openpyxl.load_workbook(out / "plan.xlsx")
    assert book.sheetnames == ["Summary", "Channels", "Channel x market spend", "Channel x market KPI",
                               "Allocation", "Forecast", "Curves"]
    channels_csv = pd.read_csv(out / "channels.csv", keep_default_na=False)
    sheet = book["Channels"]
    header = [c.value for c in sheet[1]]
    assert header == list(channels_csv.columns)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(channels_csv)
    col = header.index("total_spend")
    assert np.allclose([r[col] for r in rows], channels_csv["total_spend"], atol=0.01)
    assert [r[0] for r in rows] == channels_csv["channel"].tolist()
    assert "spam" in channels_csv["channel"].tolist()
    assert sheet.cell(2, col + 1).number_format == '"¥"#,##0.00'
    assert sheet.cell(2, header.index("share") + 1).number_format == "0.0%"
    assert sheet.cell(2, header.index("roi") + 1).number_format == "0.000"
    assert sheet.freeze_panes == "C2"
    assert book["Allocation"].freeze_panes == "D2"
    assert book["Allocation"].cell(2, 3).number_format == "yyyy-mm-dd"
    widths = {i: dim.width for dim in sheet.column_dimensions.values()
              for i in range(dim.min, dim.max + 1)}
    assert all(widths[i] >= len(h) for i, h in enumerate(header, start=1))
    for ws in book:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@"))
    summary = {(r[0], r[1]): r[2] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary[("Scenario", "name")] == "'" + HOSTILE_NAME
    assert summary[("Totals", "budget")] == pytest.approx(3_000_000)
    assert summary[("Totals", "ROI")] == pytest.approx(result.totals["roi"])
    assert book.properties.created.year == 2000


def test_rerun_gives_identical_bytes_for_everything_but_run_json(market_plan, tmp_path):
    result, out = market_plan
    again = write_outputs(result, tmp_path / "again")
    compared = set()
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.name != "run.json":
            assert (again / path.relative_to(out)).read_bytes() == path.read_bytes(), path.name
            compared.add(path.name)
    assert compared >= {"allocation.csv", "channels.csv", "curves.csv", "forecast.csv",
                        "plausible_curves.csv", "summary.json", "scenario.yaml", "report.html",
                        "plan.xlsx", "pool.png"}
    assert sorted(p.name for p in again.rglob("*") if p.is_file()) == sorted(
        p.name for p in out.rglob("*") if p.is_file())


def test_report_can_be_skipped(market_plan, tmp_path):
    result, _ = market_plan
    out = write_outputs(result, tmp_path / "bare", report=False)
    assert sorted(p.name for p in out.iterdir()) == [
        "allocation.csv", "channels.csv", "curves.csv", "forecast.csv", "plausible_curves.csv",
        "run.json", "scenario.yaml", "summary.json"]


def test_many_units_are_capped_to_the_largest_panels(market_plan):
    result, _ = market_plan
    from budgetopt.optimizer.results.plan_charts import _units_by_spend
    shown, count = _units_by_spend(result)
    assert count == 6 and len(shown) == min(6, MAX_PANELS)
    spends = [result.channels.set_index(["channel", "market"]).loc[u, "total_spend"] for u in shown]
    assert spends == sorted(spends, reverse=True)
