"""Write the error-code tables of docs/errors.md (between its `codes: begin` and `codes: end`
markers) from budgetopt.error_codes and the Chinese catalog: every code with what it means and
how to fix it, in English and Chinese. Run from the repository root after adding or changing a
code (tests/budgetopt/test_error_codes.py checks the page is current):

    python scripts/errors_doc.py
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "errors.md"

BEGIN, END = "<!-- codes: begin (scripts/errors_doc.py) -->", "<!-- codes: end -->"

HEAD = """## Error codes · 错误代码

Every error budgetopt reports is one line: where the problem is, what is wrong, how to fix it,
and a stable code at the end, the same in every language:

    error: scenario.yaml: unknown key 'totl' in budget — fix: remove it or correct the spelling (did you mean 'total'?) [E0110]
    错误：scenario.yaml：budget中有未知的键 'totl' — 修改方法：删除它或改正拼写（是不是想写 'total'？） [E0110]

The sentence is in the planner's language (`--lang`, else the scenario's `report.language`,
else the locale; see [i18n.md](i18n.md)); keys, values, file names and positions are quoted
exactly as they were written. Search for the code, not the sentence. `{name}` below stands for
what the line fills in. Exit code 2 for bad input, 1 for a plan that cannot be made or a
run that cannot be reproduced.

每条错误信息都是一行：出错位置、错误内容、修改方法，行尾是不随语言变化的错误代码。句子使用计划人员的语言
（`--lang`，否则方案文件的 `report.language`，否则系统区域设置）；键、值、文件名和位置一律按原样引用。
搜索时请用错误代码。下表中的 `{name}` 表示由错误信息填入的内容。

Every error budgetopt reports on purpose has a code. A line without one is a mistake on the
command line itself (`… (see budgetopt --help)`, from the argument parser), an interruption
(exit 130 or 143), or `error: internal error …` — a bug, to be reported with the traceback
that `--debug` shows.

命令行本身的用法错误（`… (see budgetopt --help)`）、中断（退出码 130 或 143）和
`error: internal error …`（程序缺陷：请附上 `--debug` 显示的调用栈报告）之外，每条错误都有错误代码。
"""

OPEN_FIX = ("the line says how to write the key (a number, a date, one of the allowed values…)",
            "错误信息会说明该键的正确写法（数字、日期、允许的取值……）")


def codes_section() -> str:
    from budgetopt.error_codes import ERRORS, TOPICS
    from budgetopt.optimizer.results.i18n import Words

    zh = Words("zh")
    out = [HEAD]
    for topic, title in TOPICS.items():
        out.append(f"\n### {title} · {zh._(title)}\n")
        out.append("| code | what | fix | 错误内容 | 修改方法 |")
        out.append("|---|---|---|---|---|")
        for code, text in ERRORS.items():
            if text.topic != topic:
                continue
            fix = text.fix or ""
            open_fix = not re.sub(r"\{\w+\}", "", fix).strip()
            en_fix, zh_fix = OPEN_FIX if open_fix else (fix, zh._(fix))
            what = text.meaning or text.what
            cells = [f"`{code}`", what, en_fix, zh._(what), zh_fix]
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(out) + "\n"


def page(current: str) -> str:
    """`current` (the page) with its code tables replaced by what the code says now."""
    start, end = current.index(BEGIN), current.index(END)
    return current[:start + len(BEGIN)] + "\n" + codes_section() + current[end:]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").strip() or "—"


if __name__ == "__main__":
    PAGE.write_text(page(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
