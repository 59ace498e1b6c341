"""CI's script and the tests that need a browser or a CJK font: under CI=true a missing
chromium or fonts-noto-cjk that cannot be installed stops the run, and the tests that need
them fail rather than skip; elsewhere they skip with the fix."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from browser_pages import missing

ROOT = Path(__file__).resolve().parents[1]


def _ci_run_without_browser_or_font(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    """.ci/run in a copy of the repository's layout, on a PATH with no chromium, a font list
    without CJK, and an apt-get that fails."""
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "grep"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    for tool, code in (("apt-get", 100), ("fc-list", 0)):
        (bin_dir / tool).write_text(f"#!/bin/sh\nexit {code}\n")
        (bin_dir / tool).chmod(0o755)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)} | ({"CI": ci} if ci else {})
    return subprocess.run([shutil.which("bash"), str(tmp_path / ".ci" / "run")], env=env,
                          capture_output=True, text=True, timeout=60)


def test_ci_stops_when_the_browser_and_font_cannot_be_installed(tmp_path):
    done = _ci_run_without_browser_or_font(tmp_path, "true")
    assert done.returncode == 1
    assert "error: could not install chromium fonts-noto-cjk" in done.stderr


def test_elsewhere_the_script_goes_on_and_says_the_tests_will_skip(tmp_path):
    done = _ci_run_without_browser_or_font(tmp_path, None)
    assert "note: could not install chromium fonts-noto-cjk; the browser and CJK chart tests " \
           "will skip" in done.stdout
    assert "python3: command not found" in done.stderr   # it went on to make the venv


def test_a_missing_browser_fails_under_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Chromium .* under CI=true"):
        missing("Chromium is not installed here")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed here"):
        missing("Chromium is not installed here")
