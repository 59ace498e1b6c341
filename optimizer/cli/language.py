"""Which language a command speaks before (or without) a scenario being loaded: --lang, else the
scenario file's `report.language` (read leniently, so an invalid scenario still gets its error
in its planner's language), else the locale. The file is read as the loader reads it — a
regular file within the size limit, YAML with a bounded expansion — so finding the language
of a hostile file cannot hang or exhaust memory."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from budgetopt.errors import InputError
from budgetopt.input_files import read_regular
from budgetopt.optimizer.results.i18n import LANGUAGES, Words, resolve_language
from budgetopt.optimizer.scenario.loader import MAX_SCENARIO_BYTES
from budgetopt.optimizer.scenario.yaml_text import ScenarioLoader

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
        text = read_regular(path, where=str(path), what="scenario file",
                            limit=MAX_SCENARIO_BYTES).decode("utf-8", errors="replace")
    except (OSError, ValueError, InputError):
        return None
    try:
        data = yaml.load(text, Loader=ScenarioLoader)  # a SafeLoader with bounded expansion
    except (yaml.YAMLError, ValueError, RecursionError):   # broken YAML: look for the line
        found = _LANGUAGE_LINE.search(text)
        return found[1] if found else None
    report = data.get("report") if isinstance(data, dict) else None
    language = report.get("language") if isinstance(report, dict) else None
    return language if language in LANGUAGES else None


def command_words(lang: str | None = None, *paths) -> Words:
    """The words of a command: --lang, else the first scenario that names a language, else
    the locale's."""
    if lang is not None:            # the command line decides: no file is read
        return Words(resolve_language(lang))
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
