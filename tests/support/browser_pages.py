"""Headless Chromium for the report tests (Debian's package, driven by Playwright), and the
rule for a missing browser or CJK font: skip with the fix on a developer's machine, fail
under CI=true, where .ci/run must have installed them."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def missing(what: str) -> None:
    """Skip (or, under CI=true, fail) because `what` is not installed."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} under CI=true: .ci/run should have installed it")
    pytest.skip(what)


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
        missing("Chromium is not installed here (.ci/run installs Debian's chromium package; "
                "or: apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


def open_page(browser, report: Path, width: int, height: int = 900):
    """The report opened at `width`, and the console errors, page errors and outside requests
    seen while it loaded."""
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


def screenshot_dir(tmp_path: Path) -> Path:
    wanted = os.environ.get("BUDGETOPT_SCREENSHOTS")
    path = Path(wanted) if wanted else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path
