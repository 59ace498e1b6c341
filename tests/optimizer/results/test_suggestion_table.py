"""The table "test these first" wherever a plan is read: summary.json, plan.xlsx's sheet (in
English and Chinese) and report.html's section, each row the summary's."""
from __future__ import annotations

import dataclasses
import json

import openpyxl
import pytest

from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.results.outputs import write_outputs
from budgetopt.optimizer.results.suggestion_table import suggestion_frame
from budgetopt.optimizer.scenario.loader import scenario_from_dict

CHANNELS = ("content_seo", "display_feed", "kol", "live_streaming", "private_domain",
            "search_ads", "short_video", "social")


@pytest.fixture(scope="module")
def result(demo_scenario, toy_curves):
    scenario = scenario_from_dict({
        "name": "known curves", "history": "data/history.csv",
        "horizon": {"start": "2026-10-01", "end": "2026-12-31", "period": "week"},
        "budget": {"total": 7_000_000.0, "fixed_share": 0.5}, "risk": {"samples": 20},
        "report": {"test_suggestions": True, "test_units": 3}}, source=demo_scenario)
    inputs = load_inputs(scenario)
    units = {u.key: (u.channel, u.market, 30_000.0 + 8_000.0 * i, 9_000.0)
             for i, u in enumerate(inputs.units)}
    curves = toy_curves.build(units, inputs.periods, plausible_gains=(0.5, 1.0, 1.7))
    curves = dataclasses.replace(curves, units=tuple(dataclasses.replace(u, noise=0.05)
                                                     for u in curves.units))
    return plan_with(inputs, curves)


def _sheet(path, name):
    book = openpyxl.load_workbook(path, read_only=True)
    assert name in book.sheetnames, book.sheetnames
    return [list(r) for r in book[name].iter_rows(values_only=True)]


def test_summary_workbook_and_report_hold_the_same_rows(result, tmp_path):
    out = write_outputs(result, tmp_path / "run")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rows = summary["test_suggestions"]["rows"]
    assert len(rows) == 3 and summary["test_suggestions"]["screened_out"] == len(CHANNELS) - 3
    sheet = _sheet(out / "plan.xlsx", "Test these first")
    assert sheet[0][:4] == ["rank", "unit", "evsi", "evpi"]
    assert [r[1] for r in sheet[1:]] == [r["unit"] for r in rows]
    assert [r[2] for r in sheet[1:]] == pytest.approx([r["evsi"] for r in rows])
    html = (out / "report.html").read_text(encoding="utf-8")
    section = html[html.index('id="test-suggestions"'):html.index('id="warnings"')]
    assert all(r["unit"] in section for r in rows)
    assert "5 of 8 units were screened out" in section


def test_the_chinese_workbook_and_report_speak_chinese(result, tmp_path):
    result = dataclasses.replace(result)
    result.language = "zh"
    out = write_outputs(result, tmp_path / "zh")
    sheet = _sheet(out / "plan.xlsx", "先做这些实验")
    assert sheet[0][:4] == ["排名", "单元", "实验信息价值", "完全信息价值"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "先做这些实验" in html and "个被筛掉" in html


def test_no_table_without_the_setting():
    assert suggestion_frame({"status": "optimal"}) is None
