"""Read what a Chinese planner reads, command by command, under `report: {language: zh}` or
`--lang zh`: no English sentence on any console (run, validate, compare, frontier, shocks,
rebalance, backtest, demo, experiments), in any workbook or in the report; the demo's report holds at most
10 distinct English words beyond the allowed ones (ROI, CVaR, CNY, P10…, software, the
scenario's keys, file names and the planner's own names). English is the default and stays
English."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from budgetopt.optimizer.cli.main import main

from planner_reads import english_sentences, english_words, report_text, workbook_text

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
DEMO_ZH = ROOT / "scenarios" / "demo_zh.yaml"
SHOCKS = ROOT / "scenarios" / "competitor_pressure.yaml"
AS_OF = "2026-10-28"


def _chinese_names() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("make_demo_zh", ROOT / "scripts" / "make_demo_zh.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CHINESE_NAMES


ZH_NAMES = _chinese_names()
ENGLISH_CHANNELS = list(ZH_NAMES)
NAMES = [*ZH_NAMES.values(), *ENGLISH_CHANNELS, "2026年第四季度 演示计划", "2026 Q4 demo plan",
         "2026 Q4 plan under competitor pressure", "rival_in_live", "soft_market",
         "search_cpc_up", "budget_cut", "plan", "plan-1", "plan-2"]


def _write_actuals():
    spec = importlib.util.spec_from_file_location(
        "workflow_fixtures", ROOT / "tests" / "optimizer" / "tools" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._write_actuals


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """The folder every command writes to."""
    return tmp_path_factory.mktemp("zh")


@pytest.fixture(scope="module")
def consoles(planned):
    """Every command once, in Chinese: what each printed (stdout and stderr)."""
    import contextlib
    import io

    root = planned
    out: dict[str, str] = {}

    def run(name, *args):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer), \
                pytest.raises(SystemExit) as done:
            main([str(a) for a in args])
        assert done.value.code == 0, buffer.getvalue()
        out[name] = buffer.getvalue()

    run("run", "run", DEMO_ZH, "--out", root / "plan")
    run("validate", "validate", DEMO_ZH)
    run("compare", "compare", root / "plan", root / "plan", "--out", root / "compare")
    run("frontier", "frontier", DEMO_ZH, "--from", "0.8", "--to", "1.2", "--steps", "2",
        "--out", root / "frontier")
    run("shocks", "shocks", SHOCKS, "--lang", "zh", "--out", root / "shocks")
    allocation = pd.read_csv(root / "plan" / "allocation.csv")
    english = {v: k for k, v in ZH_NAMES.items()}
    frame = _write_actuals()(allocation.assign(channel=allocation["channel"].map(english)), AS_OF,
                          root / "actuals_en.csv")
    frame.assign(channel=frame["channel"].map(ZH_NAMES)).to_csv(root / "actuals.csv", index=False,
                                                                encoding="gb18030")
    run("rebalance", "rebalance", DEMO_ZH, "--actuals", root / "actuals.csv", "--as-of", AS_OF,
        "--plan", root / "plan", "--out", root / "rebalance")
    run("backtest", "backtest", DEMO_ZH, "--folds", "1", "--out", root / "backtest.csv")
    run("demo", "demo", "--lang", "zh")
    run("experiments", "experiments", DEMO_ZH, "--units", "3")
    return out


COMMANDS = ["run", "validate", "compare", "frontier", "shocks", "rebalance", "backtest", "demo",
            "experiments"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_console_is_chinese(consoles, command):
    text = consoles[command]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    assert english_sentences(text, NAMES) == [], text


@pytest.mark.parametrize("workbook", ["plan/plan.xlsx", "compare/comparison.xlsx",
                                      "frontier/frontier.xlsx", "rebalance/plan.xlsx"])
def test_every_workbook_is_chinese(planned, consoles, workbook):
    text = workbook_text((planned / workbook).read_bytes())
    assert english_sentences(text, NAMES) == []


def test_the_report_holds_at_most_ten_english_words(planned, consoles):
    text = report_text((planned / "plan" / "report.html").read_text(encoding="utf-8"))
    words = english_words(text, NAMES)
    assert len(words) <= 10, sorted(words)
    assert english_sentences(text, NAMES) == []


def test_the_outcome_method_and_rule_read_in_chinese(planned, consoles):
    text = report_text((planned / "plan" / "report.html").read_text(encoding="utf-8"))
    assert "可信曲线" in text and "剖面似然" in text          # the method section
    assert "按“去年各渠道的投入占比”规则" in text              # the rule's meaning, not its key
    assert "applied" not in text and "historical" not in text
    assert "先做这些实验" in text and "实验的价值（EVSI）" in text     # the test table
    assert "条可信曲线下的结果：增量收入 P10" in consoles["run"]


def test_csv_and_json_stay_english(planned, consoles):
    summary = (planned / "plan" / "summary.json").read_text(encoding="utf-8")
    assert '"guard_status": "applied"' in summary
    assert "Prophet per unit for the baseline" in summary
    header = (planned / "frontier" / "frontier.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("multiple,budget,status")
