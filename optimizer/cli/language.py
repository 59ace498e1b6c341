"""Which language a command speaks before (or without) a scenario being loaded: --lang, else the
scenario file's `report.language` (read leniently, so an invalid scenario still gets its error
in its planner's language), else the locale."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from budgetopt.optimizer.results.i18n import LANGUAGES, Words, resolve_language

_LANGUAGE_LINE = re.compile(r"""\blanguage\s*:\s*["']?(zh|en)\b""")


def scenario_language(path) -> str | None:
    """`report.language` of a scenario file (or of a run directory's scenario.yaml), or None
    when the file cannot be read or does not say."""
    try:
        path = Path(path)
        if path.is_dir():
            path = path / "scenario.yaml"
        if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
            return None
        text = path.read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError):
        return None
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, RecursionError):   # broken YAML: look for the line
        found = _LANGUAGE_LINE.search(text)
        return found[1] if found else None
    report = data.get("report") if isinstance(data, dict) else None
    language = report.get("language") if isinstance(report, dict) else None
    return language if language in LANGUAGES else None


def command_words(lang: str | None = None, *paths) -> Words:
    """The words of a command: --lang, else the first scenario that names a language, else
    the locale's."""
    return Words(resolve_language(lang, *(scenario_language(p) for p in paths if p)))


def words_of_arguments(args: list[str]) -> Words:
    """The words of a command line (for its error message): --lang X / --lang=X, else the
    first scenario argument that names a language, else the locale's."""
    lang = None
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            lang = args[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.partition("=")[2]
    if lang not in LANGUAGES:
        lang = None
    return command_words(lang, *(a for a in args if not a.startswith("-")))
