"""Error codes: every code has its wording in English and Chinese (placeholders kept), is
documented in docs/errors.md (the page is what scripts/errors_doc.py writes now), is raised
somewhere with the values its template needs, and reaches the planner as one line in the
scenario's language with the code at its end."""
from __future__ import annotations

import ast
import codecs
import importlib.util
import re
from pathlib import Path

import pytest

from budgetopt.error_codes import ERRORS
from budgetopt.errors import InputError
from budgetopt.optimizer.cli.main import main
from budgetopt.optimizer.results.i18n import Words

ROOT = Path(__file__).resolve().parents[2]
ZH = Words("zh")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_every_code_speaks_both_languages(code):
    text = ERRORS[code]
    for template in filter(None, (text.what, text.fix, text.meaning)):
        chinese = ZH._(template)
        assert set(PLACEHOLDER.findall(chinese)) == set(PLACEHOLDER.findall(template)), code
        if PLACEHOLDER.sub("", template).strip():     # text beyond placeholders is translated
            assert chinese != template and HAN.search(chinese), (code, template)


def _doc_script():
    spec = importlib.util.spec_from_file_location("errors_doc", ROOT / "scripts" / "errors_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_list_every_code_with_both_fixes():
    page = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert page == _doc_script().page(page), "docs/errors.md is stale: run scripts/errors_doc.py"
    for code, text in ERRORS.items():
        row = next(line for line in page.splitlines() if line.startswith(f"| `{code}` |"))
        if text.fix and PLACEHOLDER.sub("", text.fix).strip():
            assert text.fix.replace("|", "\\|") in row, code
            assert ZH._(text.fix).replace("|", "\\|") in row, code


def _raised_codes() -> dict[str, set[str]]:
    """code → the keyword names of every InputError/PlanError("Exxxx", ...) in the sources."""
    found: dict[str, set[str]] = {}
    for folder in ("budgetopt", "forecasts", "optimizer"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and node.args and getattr(
                        node.func, "id", None) in ("InputError", "PlanError")):
                    continue
                branches, first = [], [node.args[0]]
                while first:                    # "E0105" if … else "E0104", nested too
                    arg = first.pop()
                    if isinstance(arg, ast.IfExp):
                        first += [arg.body, arg.orelse]
                    else:
                        branches.append(arg)
                for branch in branches:
                    if isinstance(branch, ast.Constant) and re.fullmatch(r"E\d{4}",
                                                                         str(branch.value)):
                        found.setdefault(branch.value, set()).update(
                            k.arg for k in node.keywords if k.arg not in ("where", "fix"))
    return found


def test_every_code_is_raised_with_the_values_its_template_needs():
    raised = _raised_codes()
    assert set(raised) == set(ERRORS)          # no code without a raise site, none unknown
    for code, names in raised.items():
        text = ERRORS[code]
        needed = set(PLACEHOLDER.findall(text.what)) | set(PLACEHOLDER.findall(text.fix or ""))
        assert needed <= names, (code, needed - names)


def test_a_coded_error_keeps_its_english_line_and_ends_with_its_code():
    err = InputError("E0216", name=repr("spend"), where="h.csv line 1 (header)")
    assert str(err) == ("h.csv line 1 (header): column 'spend' appears twice — fix: remove or "
                        "rename one of the two columns [E0216]")
    assert err.code == "E0216" and err.exit_code == 2
    with pytest.raises(KeyError, match="no error code 'E9999'"):
        InputError("E9999")
    with pytest.raises(TypeError, match="values without an error code"):
        InputError("a sentence", name="x")


def _scenario(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "计划.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def _error(capsys, *args) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return exit_info.value.code, err.strip()


def test_an_invalid_chinese_scenario_gets_one_chinese_line_with_its_code(tmp_path, capsys):
    path = _scenario(tmp_path, "name: 计划\nreport: {language: zh}\nbudget: {totl: 5}\n")
    code, line = _error(capsys, "validate", str(path))
    assert code == 2
    assert line == (f"错误：{path}：budget中有未知的键 'totl' — 修改方法：删除它或改正拼写（是不是想写 "
                    "'total'？） [E0110]")
    # the same file in English on request, the key quoted exactly as written
    code, line = _error(capsys, "validate", str(path), "--lang", "en")
    assert line == (f"error: {path}: unknown key 'totl' in budget — fix: remove it or correct "
                    "the spelling (did you mean 'total'?) [E0110]")


def test_a_broken_yaml_file_still_finds_its_language(tmp_path, capsys):
    path = _scenario(tmp_path, "name: x\nreport: {language: zh}\nbudget: {total: 5\n")
    _, line = _error(capsys, "validate", str(path))
    assert line.startswith(f"错误：{path}：第 4 行第 1 列：") and line.endswith("[E0104]")
    assert "修正 YAML 语法" in line


def test_a_missing_history_names_the_file_as_written(tmp_path, capsys):
    path = _scenario(tmp_path, (ROOT / "scenarios" / "demo_zh.yaml").read_text(encoding="utf-8")
                     .replace("data/history_zh.csv", "数据/没有.csv"))
    code, line = _error(capsys, "validate", str(path))
    assert code == 2
    assert line == (f"错误：计划.yaml：history：找不到文件 '数据/没有.csv'（查找位置："
                    f"{tmp_path / '数据' / '没有.csv'}） — 修改方法：改正方案文件中的 'history:'；"
                    "相对路径从方案文件所在的文件夹算起 [E0301]")


def test_a_history_row_error_in_chinese_quotes_the_value_and_the_place(tmp_path, capsys):
    (tmp_path / "历史.csv").write_text("date,channel,spend,revenue\n2025-01-01,直播,10,100\n"
                                      "01/26/2025,直播,10,100\n", encoding="utf-8")
    path = _scenario(tmp_path, "name: 计划\nhistory: 历史.csv\nhorizon: {start: 2026-10-01, "
                               "end: 2026-12-31, period: week}\nbudget: {total: 100}\n"
                               "report: {language: zh}\n")
    code, line = _error(capsys, "validate", str(path))
    assert code == 2
    assert line == (f"错误：{tmp_path / '历史.csv'} 第 3 行，列 'date'：'01/26/2025' 不是 YYYY-MM-DD "
                    "格式的日期 — 修改方法：日期写成 YYYY-MM-DD，例如 2024-03-05 [E0241]")
    code, line = _error(capsys, "validate", str(path), "--lang", "en")
    assert line == (f"error: {tmp_path / '历史.csv'} line 3, column 'date': '01/26/2025' is not "
                    "a date in YYYY-MM-DD form — fix: write dates as YYYY-MM-DD, e.g. 2024-03-05 "
                    "[E0241]")


@pytest.mark.parametrize("body, expected", [
    ("horizon: {start: 2026-10-01, end: 2026-09-01, period: week}\n",
     "horizon: 结束日期 2026-09-01 早于开始日期 2026-10-01 — 修改方法：计划期的结束日期不能早于开始日期 [E0113]"),
    ("horizon: {start: 2026-10-01, end: 2026-12-31, period: week}\ntarget_roi: \"4:1\"\n",
     "[E0113]"),
    ("horizon: {start: 2026-10-01, end: 2026-12-31, period: week}\nbudget: {total: -5}\n",
     "budget.total: 应大于 0（实际为 -5） — 修改方法：把 budget.total 设为大于 0 的数 [E0112]"),
])
def test_scenario_rules_and_ranges_are_worded_in_chinese(tmp_path, capsys, body, expected):
    base = "name: 计划\nhistory: h.csv\nreport: {language: zh}\n"
    if "budget:" not in body:
        base += "budget: {total: 5}\n"
    path = _scenario(tmp_path, base + body)
    code, line = _error(capsys, "validate", str(path))
    assert code == 2 and line.startswith(f"错误：{path}：") and line.endswith(expected), line
    keys = {"horizon", "budget", "total", "target_roi", "target", "roi"}
    words = set(re.findall(r"[A-Za-z]{3,}", line.replace(str(path), ""))) - keys
    assert not words, line


BAD = ROOT / "tests" / "fixtures" / "bad"


@pytest.mark.parametrize("case, expected", [
    ("yaml_custom_tag", "第 1 行第 7 列：不允许使用 '!env' 这样的 YAML 标签 — 修改方法：删除该标签；方案文件只包含"
                        "文本、数字、日期、列表和映射 [E0118]"),
    ("yaml_merge_bomb", "第 18 行第 16 列：文档经锚点、别名（*name）和合并键（<<:）展开后超过 200,000 个值 — "
                        "修改方法：把值直接写出来，不要反复使用别名；方案文件需要的值要少得多 [E0119]"),
    ("type_pilot_change_yes", "forecast.pilot_change: 实际为 true，这是 YAML 从未加引号的 yes/no、on/off 或 "
                              "true/false 读出的布尔值 — 修改方法：把 forecast.pilot_change 写成数字；布尔值不是数字 "
                              "[E0122]"),
    ("wide_spend_is_kpi", "列 'revenue' 既是KPI（kpi），又是渠道 search_ads 的投入（spend_columns.search_ads） — "
                          "修改方法：每种角色各用一列：日期、市场、KPI、每个渠道的投入和每个控制变量都是不同的列 [E0113]"),
])
def test_the_hardened_readers_refuse_in_chinese_with_their_codes(tmp_path, capsys, case, expected):
    """The refusals of the YAML reader and the column-role rule, in a Chinese scenario: the
    language is found without building the file (a merge bomb too), keys and values as written."""
    body = (BAD / f"{case}.yaml").read_text(encoding="utf-8")
    path = tmp_path / f"{case}.yaml"
    path.write_text(body.replace("good/", f"{BAD}/good/") + "report: {language: zh}\n",
                    encoding="utf-8")
    code, line = _error(capsys, "validate", str(path))
    assert code == 2 and line == f"错误：{path}：{expected}", line


def test_an_encoding_mix_up_is_worded_in_chinese_with_the_line_shown(tmp_path, capsys):
    history = tmp_path / "历史.csv"
    history.write_bytes(codecs.BOM_UTF8 + "date,channel,spend,revenue\n2025-01-01,直播,10,100\n"
                        .encode("utf-8"))
    path = _scenario(tmp_path, "name: 计划\nhistory: 历史.csv\nhistory_encoding: gb18030\n"
                               "horizon: {start: 2026-10-01, end: 2026-12-31, period: week}\n"
                               "budget: {total: 100}\nreport: {language: zh}\n")
    code, line = _error(capsys, "validate", str(path))
    assert code == 2
    assert line == (f"错误：{history} 第 1 行：文件以 UTF-8 字节顺序标记（BOM）开头，但 history_encoding 为 "
                    "gb18030，按它读取会成为乱码（'锘縟ate,channel,spend,reve'） — 修改方法：设置 "
                    "history_encoding: utf-8（或删除 history_encoding，让程序自动检测编码） [E0225]")
