"""report.html as a person sees it: opened in headless Chromium (Debian's package, driven by
Playwright), it loads with no console errors and no network requests, shows the headline
numbers, the table and every chart, fits the window, and prints. Skips only when no Chromium
is installed on the machine, and fails then under CI=true."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageStat

from browser_pages import browser, open_page, screenshot_dir  # noqa: F401 (fixture)
from budgetopt.optimizer.cli.main import main

pytestmark = pytest.mark.slow
CHARTS = 6


@pytest.fixture(scope="module")
def report(demo_scenario, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "demo"
    with pytest.raises(SystemExit) as exit_info:
        main(["run", str(demo_scenario), "--out", str(out), "--quiet"])
    assert exit_info.value.code == 0
    return out / "report.html"


def test_report_loads_cleanly_and_shows_every_chart(browser, report, tmp_path):
    page, events = open_page(browser, report, 1300)
    assert events == []
    assert page.title().startswith("2026 Q4 demo plan")
    assert page.locator("h1").inner_text() == "2026 Q4 demo plan"
    charts = page.evaluate("""[...document.querySelectorAll('figure > svg')].map(s => ({
        label: s.parentElement.getAttribute('aria-label'), texts: s.querySelectorAll('text').length,
        shown: s.getBoundingClientRect().width, tall: s.getBoundingClientRect().height}))""")
    assert len(charts) == CHARTS
    assert page.evaluate("document.images.length") == 0     # charts are inline SVG, not images
    for chart in charts:
        assert chart["label"] and chart["texts"] >= 3, chart  # real text, drawn by the browser
        assert chart["shown"] >= 900 and chart["tall"] >= 100, chart  # across the page
    assert page.locator(".card").count() == 7      # the outcome over the plausible curves too
    assert all(page.locator(".card").nth(i).is_visible() for i in range(7))
    assert "p10–p90 over 100 plausible curves" in page.locator(".cards").inner_text().lower()
    rows = page.locator("#channels tbody tr")
    assert rows.count() == 8
    assert "content_seo spends at most" in page.locator("#rules").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1300
    shot = screenshot_dir(tmp_path) / "report-1300.png"
    page.screenshot(path=str(shot), full_page=True)
    with Image.open(shot) as image:
        assert image.width == 1300 and image.height > 3000
        assert max(ImageStat.Stat(image.convert("L")).stddev) > 20  # not a blank page
    page.close()


def test_report_fits_a_narrow_window(browser, report, tmp_path):
    page, events = open_page(browser, report, 700)
    assert events == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 700
    boxes = page.evaluate(
        "[...document.querySelectorAll('.card')].map(c => c.getBoundingClientRect().left)")
    assert len(set(round(x) for x in boxes)) == 1  # one card per row
    page.screenshot(path=str(screenshot_dir(tmp_path) / "report-700.png"), full_page=False)
    page.close()


def test_report_prints_to_pdf_with_the_charts(browser, report):
    page, events = open_page(browser, report, 1300)
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    assert events == []
    assert pdf.startswith(b"%PDF")
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages >= 3
    assert len(pdf) > 100_000                                # the vector charts are in it
    page.close()
