"""Chinese names end to end through the real command line: a GB18030 history (CRLF, as Chinese
Excel saves it) with channels named in Chinese, planned with a Chinese report; the names come
out intact in every CSV, summary.json, the console table, report.html, plan.xlsx and the chart
files, and through compare, frontier and rebalance. UTF-8 and UTF-8-BOM copies of the same
history give byte-identical plans."""
from __future__ import annotations

import codecs
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from rich.cells import cell_len


pytestmark = pytest.mark.slow
GOOD = Path(__file__).parents[2] / "fixtures" / "bad" / "good" / "history.csv"
NAMES = {"kol": "达人合作", "search_ads": "搜索广告", "social": "小红书 (种草)"}
PLAN_FILES = ("allocation.csv", "channels.csv", "forecast.csv", "curves.csv",
              "plausible_curves.csv")


def scenario_text(history: str, encoding: str | None) -> str:
    return (f"name: 第一季度 计划\nhistory: {history}\n"
            + (f"history_encoding: {encoding}\n" if encoding else "")
            + "horizon: {start: 2026-01-04, end: 2026-03-28, period: week}\n"
              "budget: {total: 3_000_000, fixed_share: 0.6}\n"
              "channels:\n  搜索广告: {min: 100_000}\n  达人合作: {max: 1_200_000}\n"
              "groups:\n  内容·社交: {channels: [小红书 (种草), 达人合作], min_share: 0.2}\n"
              "report: {language: zh}\n")


def chinese_history() -> str:
    frame = pd.read_csv(GOOD, dtype={"channel": str}, keep_default_na=False)
    frame["channel"] = frame["channel"].map(NAMES)
    return frame.to_csv(index=False, lineterminator="\r\n")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("zh")
    text = chinese_history()
    (root / "历史_gb18030.csv").write_bytes(text.encode("gb18030"))
    (root / "history_bom.csv").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    (root / "history_utf8.csv").write_bytes(text.encode("utf-8"))
    assert (root / "历史_gb18030.csv").read_bytes() != (root / "history_utf8.csv").read_bytes()
    for name, history, encoding in (("gb18030", "历史_gb18030.csv", "gb18030"),
                                    ("bom", "history_bom.csv", None),
                                    ("utf8", "history_utf8.csv", None)):
        (root / f"{name}.yaml").write_text(scenario_text(history, encoding), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def planned(cli, world):
    import io
    from contextlib import redirect_stdout

    out = world / "plan"
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = cli("run", world / "gb18030.yaml", "--out", out)
    assert code == 0
    return out, buffer.getvalue()


def test_names_intact_in_every_csv_and_the_summary(planned):
    out, _ = planned
    for name in PLAN_FILES:
        frame = pd.read_csv(out / name, dtype={"channel": str})
        assert set(frame["channel"]) == set(NAMES.values()), name
    raw = (out / "summary.json").read_text(encoding="utf-8")
    summary = json.loads(raw)
    assert set(summary["channels_marginal_roi"]) == set(NAMES.values())
    assert summary["scenario"]["name"] == "第一季度 计划"
    for name in NAMES.values():
        assert name in raw                       # written as text, not \\u escapes
    # summary.json keeps its English sentences in every language
    assert all(re.search(r"[a-z]", b["description"]) for b in summary["binding_constraints"])
    assert (out / "allocation.csv").read_bytes()[:3] != codecs.BOM_UTF8


def test_file_names_never_carry_channel_names(planned):
    out, _ = planned
    files = [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()]
    assert sorted(files) == sorted([*PLAN_FILES, "summary.json", "scenario.yaml", "run.json",
                                    "report.html", "plan.xlsx",
                                    *(f"charts/{c}.png" for c in (
                                        "pool", "channels", "allocation", "forecast_total",
                                        "forecasts", "curves"))])


def test_the_console_table_is_chinese_and_aligned(planned):
    _, printed = planned
    lines = printed.splitlines()
    rows = [line for line in lines if line.startswith(("┃", "│"))]
    assert len(rows) >= 1 + len(NAMES) + 1
    widths = {cell_len(line) for line in rows}
    assert len(widths) == 1, widths              # wide characters counted as two cells
    header = rows[0]
    assert "渠道" in header and "固定" in header and "动态" in header and "合计" in printed
    for name in NAMES.values():
        assert any(line.startswith("│ " + name) for line in rows), name
    assert "起作用的规则：" in printed or "资金池：" in printed


def test_report_and_workbook_are_chinese_with_the_names(planned):
    out, _ = planned
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    assert "限制计划的规则" in html and "分渠道计划" in html and "预算资金池" in html
    svg_text = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", html))
    for name in NAMES.values():
        assert name in html and name in svg_text, name
    assert "万" in svg_text                      # chart axes in 万
    book = openpyxl.load_workbook(out / "plan.xlsx", read_only=True)
    assert book.sheetnames == ["摘要", "渠道", "分配明细", "预测", "响应曲线"]
    sheet = book["渠道"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "渠道" and "总投入" in rows[0]
    assert {r[0] for r in rows[1:]} == set(NAMES.values())
    summary = [r for r in book["摘要"].iter_rows(values_only=True)]
    assert summary[0] == ("分类", "项目", "数值")
    assert any(r[0] == "约束规则" and "搜索广告" in str(r[1]) + str(r[2]) for r in summary) or \
        any(r[0] == "约束规则" for r in summary)


def test_gb18030_bom_and_utf8_histories_give_the_same_plan(cli, planned, world):
    out, _ = planned
    for name in ("bom", "utf8"):
        other = world / f"plan_{name}"
        assert cli("run", world / f"{name}.yaml", "--out", other, "--no-report", "--quiet") == 0
        for file in PLAN_FILES:
            assert (other / file).read_bytes() == (out / file).read_bytes(), (name, file)
        a = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        b = json.loads((other / "summary.json").read_text(encoding="utf-8"))
        assert a["inputs"]["history"]["sha256"] != b["inputs"]["history"]["sha256"]
        a.pop("inputs"), b.pop("inputs")
        assert a == b


def test_excel_csv_writes_a_bom_and_compare_reads_it(cli, planned, world, capsys):
    out, _ = planned
    bom = world / "plan_excel"
    assert cli("run", world / "utf8.yaml", "--out", bom, "--no-report", "--quiet",
               "--excel-csv") == 0
    for file in PLAN_FILES:
        data = (bom / file).read_bytes()
        assert data.startswith(codecs.BOM_UTF8)
        assert data[3:] == (out / file).read_bytes()
    capsys.readouterr()
    assert cli("compare", out, bom) == 0
    printed = capsys.readouterr().out
    for name in NAMES.values():
        assert name in printed


def test_frontier_keeps_the_names(cli, world):
    out = world / "frontier"
    assert cli("frontier", world / "gb18030.yaml", "--steps", 3, "--out", out, "--quiet") == 0
    data = json.loads((out / "frontier.json").read_text(encoding="utf-8"))
    assert data["scenario"] == "第一季度 计划"


def test_rebalance_with_chinese_actuals(cli, planned, world):
    out, _ = planned
    allocation = pd.read_csv(out / "allocation.csv", dtype={"channel": str},
                             parse_dates=["period_start"])
    done = allocation[allocation["period_start"] < "2026-01-18"]
    actuals = pd.DataFrame({
        "date": done["period_start"].dt.strftime("%Y-%m-%d"), "channel": done["channel"],
        "spend": done["total_spend"].round(2),
        "revenue": (done["baseline_kpi"] + done["incremental_kpi"]).round(2),
        "conversions": ((done["baseline_kpi"] + done["incremental_kpi"]) / 250).round()})
    path = world / "实际_1月.csv"
    path.write_bytes(actuals.to_csv(index=False, lineterminator="\r\n").encode("gb18030"))
    rebalanced = world / "rebalanced"
    assert cli("rebalance", world / "gb18030.yaml", "--actuals", path, "--as-of", "2026-01-17",
               "--plan", out, "--out", rebalanced, "--quiet") == 0
    frame = pd.read_csv(rebalanced / "allocation.csv", dtype={"channel": str})
    assert set(frame["channel"]) == set(NAMES.values())
    versus = pd.read_csv(rebalanced / "plan_vs_actual.csv", dtype={"channel": str})
    assert set(versus["channel"]) == set(NAMES.values())


def test_lang_on_the_command_line_beats_the_scenario(cli, world, capsys):
    capsys.readouterr()
    out = world / "plan_en"
    assert cli("run", world / "gb18030.yaml", "--out", out, "--lang", "en") == 0
    printed = capsys.readouterr().out
    assert "┃ channel" in printed and "Pool: budget" in printed and "渠道" not in printed
    assert all(name in printed for name in NAMES.values())
    book = openpyxl.load_workbook(out / "plan.xlsx", read_only=True)
    assert book.sheetnames == ["Summary", "Channels", "Allocation", "Forecast", "Curves"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "What limits the plan" in html
    assert all(name in html for name in NAMES.values())
