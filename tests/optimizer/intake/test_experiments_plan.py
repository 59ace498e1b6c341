"""Lift tests through a whole plan: the tested unit's fit moves toward the test, the summary
reports the test before and after, and a test the history contradicts is named in a warning."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import budgetopt

GOOD = Path(__file__).parents[2] / "fixtures" / "bad" / "good"


def _plan(tmp_path: Path, rows: str):
    shutil.copyfile(GOOD / "history.csv", tmp_path / "history.csv")
    data = yaml.safe_load((GOOD / "scenario.yaml").read_text(encoding="utf-8"))
    data["experiments"] = "tests.csv"
    (tmp_path / "tests.csv").write_text("channel,start,end,spend_change,lift,std_error\n" + rows,
                                        encoding="utf-8")
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return budgetopt.plan(path)


def test_a_contradicting_test_moves_the_curve_and_is_named(tmp_path):
    result = _plan(tmp_path, "kol,2025-09-07,2025-09-28,15000,2000000,50000\n")
    section = result.summary["experiments"]
    assert section["tests"] == 1 and section["contradicted"] == 1
    report = section["units"]["kol"]
    (test,) = report["tests"]
    assert test["contradicted_by_history"]
    low, high = test["history_range_95"]
    assert high < 2_000_000 - 1.96 * 50_000
    # the fit moves toward the measured lift, away from the history's own prediction
    assert test["predicted_after"] > test["predicted_by_history"]
    assert report["roi_after"] > report["roi_before"]
    assert any("kol: the lift test at" in str(w) for w in result.summary["warnings"])
    assert "lift_tests" not in result.summary["curves"]["units"]["kol"]
    assert result.summary["inputs"]["experiments"]["tests"] == 1


def test_a_test_the_history_agrees_with_is_not_flagged(tmp_path):
    first = _plan(tmp_path, "kol,2025-09-07,2025-09-28,15000,1,50000\n")
    predicted = first.summary["experiments"]["units"]["kol"]["tests"][0]["predicted_by_history"]
    result = _plan(tmp_path, f"kol,2025-09-07,2025-09-28,15000,{predicted:.0f},"
                             f"{max(predicted, 1.0) * 0.2:.0f}\n")
    (test,) = result.summary["experiments"]["units"]["kol"]["tests"]
    assert not test["contradicted_by_history"]
    assert test["predicted_after"] == pytest.approx(predicted, rel=0.1)
    assert not any("the lift test at" in str(w) for w in result.summary["warnings"])
