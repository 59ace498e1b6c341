"""What a planner reads, as text, and the English in it: the visible text of report.html (no
styles, scripts or SVG metadata), every sheet name and text cell of a workbook, a console.
English words that are allowed anywhere: the product's abbreviations (ROI, CVaR, CNY, P10…),
names of software and solvers, the scenario's own keys when a rule is quoted, file names, and
whatever the planner named (channels, markets, shocks, runs, the scenario)."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser

ALLOWED = {"ROI", "mROI", "CVaR", "CNY", "KPI", "WAPE", "P10", "P50", "P90", "MILP", "PNG",
           "CSV", "SVG", "JSON", "YAML", "Excel", "Prophet", "PuLP", "HiGHS", "CBC", "budgetopt",
           "highs", "cbc", "python", "prophet", "cmdstanpy", "pulp", "highspy", "pandas", "numpy",
           "pydantic", "pyspark",
           # scenario keys quoted in rule sentences and fixes, exactly as written
           "max", "min", "lock", "min_share", "max_share", "roi_floor", "cac_cap", "exclude",
           "max_change_vs_history", "period_max_change", "target_roi", "history", "budget",
           "fixed", "total", "channels", "horizon", "summary", "json"}
_SKIP = {"style", "script", "metadata", "title"}
#: a word: letters (and _ ' -) not touching digits, dots or slashes (file names, versions, hashes)
_WORD = re.compile(r"(?<![\w./\\-])[A-Za-z][A-Za-z_'-]*(?![\w./\\])")


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag.split(":")[-1] in _SKIP:
            self.skip += 1

    def handle_endtag(self, tag):
        if tag.split(":")[-1] in _SKIP:
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def report_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def workbook_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    lines = []
    for sheet in book.worksheets:
        lines.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            lines += [str(v) for v in row if isinstance(v, str)]
    return "\n".join(lines)


def english_words(text: str, names=()) -> set[str]:
    """Distinct English words of `text` outside the allowed ones and the planner's `names`."""
    for name in sorted(names, key=len, reverse=True):     # names may contain spaces
        text = text.replace(name, " ")
    return {w for w in _WORD.findall(text) if w not in ALLOWED and w.strip("'-_")}


def english_sentences(text: str, names=(), words: int = 3) -> list[str]:
    """Runs of `words` or more English words (outside the allowed ones and `names`) with
    only spaces and punctuation between them: a sentence nobody translated."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    found = []
    for line in text.splitlines():
        run = []
        for token in re.split(r"[\s,;:()（）、，。；：·—–\"'“”]+", line):
            if _WORD.fullmatch(token) and token not in ALLOWED:
                run.append(token)
                continue
            if len(run) >= words:
                found.append(" ".join(run))
            run = []
        if len(run) >= words:
            found.append(" ".join(run))
    return found
