"""report.html as a person sees it: opened in headless Chromium (Debian's package, driven by
Playwright), it loads with no console errors and no network requests, shows the headline
numbers, the table and every chart, fits the window, and prints. Skips only when no Chromium
is installed on the machine."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from budgetopt.optimizer.cli.main import main

pytestmark = pytest.mark.slow
CHARTS = 6


def chromium_executable() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def browser():
    path = chromium_executable()
    if path is None:
        pytest.skip("Chromium is not installed here (.ci/run installs Debian's chromium "
                    "package; or: apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def report(demo_scenario, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "demo"
    with pytest.raises(SystemExit) as exit_info:
        main(["run", str(demo_scenario), "--out", str(out), "--quiet"])
    assert exit_info.value.code == 0
    return out / "report.html"


def _open(browser, report: Path, width: int, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height})
    events: list[str] = []
    page.on("console", lambda m: events.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: events.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: events.append(f"failed request: {r.url}"))
    page.on("request", lambda r: events.append(f"request: {r.url}")
            if not r.url.startswith(("data:", report.as_uri())) else None)
    response = page.goto(report.as_uri(), wait_until="load")
    assert response is None or response.ok
    return page, events


def _screenshot_dir(tmp_path: Path) -> Path:
    wanted = os.environ.get("BUDGETOPT_SCREENSHOTS")
    path = Path(wanted) if wanted else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_report_loads_cleanly_and_shows_every_chart(browser, report, tmp_path):
    page, events = _open(browser, report, 1300)
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
    shot = _screenshot_dir(tmp_path) / "report-1300.png"
    page.screenshot(path=str(shot), full_page=True)
    with Image.open(shot) as image:
        assert image.width == 1300 and image.height > 3000
        assert max(ImageStat.Stat(image.convert("L")).stddev) > 20  # not a blank page
    page.close()


def test_report_fits_a_narrow_window(browser, report, tmp_path):
    page, events = _open(browser, report, 700)
    assert events == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 700
    boxes = page.evaluate(
        "[...document.querySelectorAll('.card')].map(c => c.getBoundingClientRect().left)")
    assert len(set(round(x) for x in boxes)) == 1  # one card per row
    page.screenshot(path=str(_screenshot_dir(tmp_path) / "report-700.png"), full_page=False)
    page.close()


def test_report_prints_to_pdf_with_the_charts(browser, report):
    page, events = _open(browser, report, 1300)
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    assert events == []
    assert pdf.startswith(b"%PDF")
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages >= 3
    assert len(pdf) > 100_000                                # the vector charts are in it
    page.close()
