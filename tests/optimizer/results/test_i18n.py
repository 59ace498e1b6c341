"""The report's languages: the language choice (command line, scenario, locale), Babel's money
and number formats (¥, 万 / 亿), gettext catalogs that are complete and compiled from their
sources, binding-rule sentences in both languages, and charts that draw Chinese."""
from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import matplotlib
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from browser_pages import missing
from budgetopt.optimizer.results import charts
from budgetopt.optimizer.results.i18n import (LOCALE_DIR, Words, language_from_environment,
                                              resolve_language)
from budgetopt.optimizer.rules.bounds import ChannelBound, DynamicBudget, PilotBound, RoiFloor, ShareBound
from budgetopt.units import SpendContext
from budgetopt.optimizer.rules.limits import ChangeVsHistory, PeriodBudgetCap
from budgetopt.optimizer.rules.returns import CacCap, TargetRoi

ROOT = Path(__file__).resolve().parents[3]
ZH = Words("zh")
EN = Words("en")
SPEND = SpendContext(10_000_000, {"直播带货": 2_000_000}, {"直播带货": 8_000_000})


# --- which language ------------------------------------------------------------------------

@pytest.mark.parametrize("environ, expected", [
    ({}, "en"), ({"LANG": "C.UTF-8"}, "en"), ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_TW.UTF-8"}, "zh"),
    ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
    ({"LANGUAGE": "zh_CN:en", "LANG": "en_US.UTF-8"}, "zh"),
])
def test_the_locale_decides_when_nothing_else_does(environ, expected):
    assert language_from_environment(environ) == expected
    assert resolve_language(None, None, environ=environ) == expected


def test_command_line_beats_scenario_beats_locale():
    zh_locale = {"LANG": "zh_CN.UTF-8"}
    assert resolve_language("en", "zh", environ=zh_locale) == "en"
    assert resolve_language(None, "en", environ=zh_locale) == "en"
    assert resolve_language(None, "zh", environ={}) == "zh"
    with pytest.raises(ValueError, match="'fr' is not one of en, zh"):
        resolve_language("fr")


# --- numbers and money -----------------------------------------------------------------------

@pytest.mark.parametrize("amount", [0, 7, 1234.4, 58_000, 1_204_080, 14_000_000, 987_654_321])
def test_whole_amounts(amount):
    grouped = f"{round(amount):,}"
    assert ZH.money(amount, "CNY") == "¥" + grouped
    assert EN.money(amount, "CNY") == "¥" + grouped
    assert ZH.money(amount, "USD") == "US$" + grouped


@pytest.mark.parametrize("amount, wan_or_yi", [
    (14_000_000, "¥1400万"), (1_204_080, "¥120.4万"), (58_000, "¥5.8万"),
    (158_015_819, "¥1.6亿"), (3_200_000_000, "¥32亿"), (9_999, "¥9,999")])
def test_compact_amounts_read_in_wan_and_yi(amount, wan_or_yi):
    assert ZH.compact_money(amount, "CNY") == wan_or_yi
    # independently: 万 = 10⁴, 亿 = 10⁸
    text = wan_or_yi.lstrip("¥").replace(",", "")
    unit = {"万": 1e4, "亿": 1e8}.get(text[-1], 1)
    number = float(text.rstrip("万亿"))
    assert abs(number * unit - amount) <= 0.051 * unit


def test_english_compact_amounts_keep_the_house_format():
    assert EN.compact_money(14_000_000, "CNY") == "¥14M"
    assert EN.compact_money(35_000, "CNY") == "¥35k"


def test_dates_in_each_language():
    from datetime import date
    assert ZH.day(date(2026, 10, 1)) == "2026年10月1日"
    assert EN.day(date(2026, 10, 1)) == "01 Oct 2026"


# --- the catalogs ----------------------------------------------------------------------------

def _catalog(path: Path):
    with open(path, "rb") as f:
        return read_po(f)


def test_the_chinese_catalog_translates_every_message():
    template = _catalog(LOCALE_DIR / "budgetopt.pot")
    chinese = _catalog(LOCALE_DIR / "zh" / "LC_MESSAGES" / "budgetopt.po")
    ids = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in template if m.id}
    assert len(ids) > 150
    for message in chinese:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, message.id
    done = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in chinese if m.id}
    assert ids == done
    # placeholders survive translation
    for message in chinese:
        if message.id and isinstance(message.id, str):
            assert set(re.findall(r"\{\w+\}", message.id)) == \
                set(re.findall(r"\{\w+\}", message.string)), message.id


def test_the_template_lists_every_message_in_the_code():
    """budgetopt.pot is what `pybabel extract -F babel.cfg` finds now (no stale template)."""
    method_map = [("optimizer/**.py", "python"), ("forecasts/**.py", "python"),
                  ("budgetopt/**.py", "python"), ("optimizer/results/templates/**.j2", "jinja2")]
    options = {"optimizer/results/templates/**.j2": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext": None, "N_": None, "NC_": ((1, "c"), 2),
                "pgettext": ((1, "c"), 2), "ngettext": (1, 2), "Msg": None}
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options, keywords=keywords):
        found.add((message if isinstance(message, str) else message[0], context))
    template = {(m.id if isinstance(m.id, str) else m.id[0], m.context)
                for m in _catalog(LOCALE_DIR / "budgetopt.pot") if m.id}
    assert found == template


def test_the_compiled_catalog_is_compiled_from_its_source():
    source = LOCALE_DIR / "zh" / "LC_MESSAGES" / "budgetopt.po"
    buffer = io.BytesIO()
    write_mo(buffer, _catalog(source))
    assert buffer.getvalue() == source.with_suffix(".mo").read_bytes()


# --- binding-rule sentences ------------------------------------------------------------------

RULES = [
    (ChannelBound("max:直播带货", "<=", channel="直播带货", amount=1_000_000, label="max"),
     "直播带货 spends at most ¥1,000,000", "raising 直播带货 max by ¥1 adds ¥1.07 of revenue",
     "直播带货 最多投入 ¥1,000,000", "将 直播带货 的 max 提高 ¥1，增加 ¥1.07 收入"),
    (ChannelBound("min:直播带货", ">=", channel="直播带货", amount=500_000, label="min"),
     "直播带货 spends at least ¥500,000", "lowering 直播带货 min by ¥1 adds ¥1.07 of revenue",
     "直播带货 至少投入 ¥500,000", "将 直播带货 的 min 降低 ¥1，增加 ¥1.07 收入"),
    (ShareBound("g", ">=", channels=("小红书", "私域"), share=0.6, label="min_share",
                group="内容与私域"),
     "group 内容与私域 takes at least 60% of planned spend",
     "lowering group 内容与私域 min_share by 1 percentage point adds ¥107,000.00 of revenue",
     "渠道组 内容与私域 至少占计划投入的 60%",
     "将 渠道组 内容与私域 的 min_share 降低 1 个百分点，增加 ¥107,000.00 收入"),
    (RoiFloor("roi:直播带货", ">=", channel="直播带货", ratio=4.0),
     "直播带货 keeps ROI at or above 4 (1:4)", "lowering 直播带货 roi_floor by 0.1 adds "
     "¥214,000.00 of revenue", "直播带货 的 ROI 不低于 4（1:4）",
     "将 直播带货 的 roi_floor 降低 0.1，增加 ¥214,000.00 收入"),
    (DynamicBudget("budget", "==", amount=5_600_000), "the dynamic pool spends exactly "
     "¥5,600,000", "raising the budget by ¥1 adds ¥1.07 of revenue",
     "动态资金池恰好投入 ¥5,600,000", "预算每增加 ¥1，增加 ¥1.07 收入"),
]


@pytest.mark.parametrize("rule, en_what, en_worth, zh_what, zh_worth", RULES,
                         ids=lambda v: v.name if hasattr(v, "name") else None)
def test_rule_sentences_in_both_languages(rule, en_what, en_worth, zh_what, zh_worth):
    assert rule.describe("CNY") == en_what                     # unchanged English default
    assert rule.shadow(1.07, "revenue", "CNY", SPEND) == en_worth
    assert rule.describe("CNY", EN) == en_what
    assert rule.describe("CNY", ZH) == zh_what
    assert rule.shadow(1.07, "revenue", "CNY", SPEND, ZH) == zh_worth


@pytest.mark.parametrize("rule", [
    PilotBound("pilot:私域", ">=", channel="私域", amount=1_204_080, change=0.3),
    ChangeVsHistory("chg:私域", "<=", channel="私域", reference=1_000_000, fraction=0.5),
    PeriodBudgetCap("cap:1", "<=", period=1, amount=2_500_000, when="2026-11-05"),
    CacCap("cac:私域", ">=", channel="私域", cap=120.0, per_kpi=0.004, metric="conversions"),
    TargetRoi("target_roi", ">=", target=4.0)], ids=lambda r: r.name)
def test_every_rule_speaks_chinese(rule):
    for text in (rule.describe("CNY", ZH), rule.shadow(0.5, "revenue", "CNY", SPEND, ZH)):
        assert re.search(r"[\u4e00-\u9fff]", text), text
        words = set(re.findall(r"[A-Za-z_]{3,}", text)) - {"ROI", "CNY", "roi_floor", "cac_cap",
                                                          "max_change_vs_history", "target_roi"}
        assert not words, text


# --- charts ----------------------------------------------------------------------------------

@pytest.fixture
def cjk_font():
    """Skips without a CJK font on a developer's machine; fails under CI=true."""
    if charts.CJK_FAMILY is None:
        missing("no CJK font installed (apt-get install fonts-noto-cjk; .ci/run installs it)")


needs_cjk_font = pytest.mark.usefixtures("cjk_font")


@needs_cjk_font
def test_png_charts_draw_chinese_without_missing_glyphs():
    fig = charts.new_figure(4, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # matplotlib warns "Glyph … missing from font"
        with matplotlib.rc_context(charts.STYLE):
            ax = fig.add_subplot()
            ax.barh([0, 1], [3, 4])
            ax.set_yticks([0, 1], ["直播带货", "小红书·种草（KOL）"])
            ax.set_title("2026年第四季度 ¥1400万")
        png = charts.png_bytes(fig)
    assert png.startswith(b"\x89PNG")


def test_svg_charts_keep_their_text_as_text():
    fig = charts.new_figure(4, 2)
    with matplotlib.rc_context(charts.STYLE):
        fig.add_subplot().set_title("私域 & <script>")
    svg = charts.svg_text(fig)
    assert svg.startswith("<svg") and "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert re.search(r"<text[^>]*>私域 &amp; &lt;script&gt;</text>", svg)
    assert "sans-serif" in svg and "<path" in svg
    assert charts.svg_text(fig) == svg          # deterministic


def test_the_report_language_does_not_change_the_settings_hash():
    """Two runs that differ only in the report's language or CSV dress planned the same."""
    from budgetopt.optimizer.results.summary import _settings_hash
    from budgetopt.optimizer.scenario.loader import scenario_from_dict

    base = {"name": "q", "history": "h.csv",
            "horizon": {"start": "2026-01-04", "end": "2026-03-28"}, "budget": {"total": 1e6}}
    plain = _settings_hash(scenario_from_dict(base))
    assert _settings_hash(scenario_from_dict({**base, "report": {"language": "zh",
                                                                   "excel_csv": True}})) == plain
    assert _settings_hash(scenario_from_dict({**base, "history_encoding": "gb18030"})) != plain
