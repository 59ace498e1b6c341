"""Which language a command speaks before (or without) a scenario being loaded: --lang, else the
scenario file's `report.language` (read leniently, so an invalid scenario still gets its error
in its planner's language: `budgetopt.scenario_language`), else the locale."""
from __future__ import annotations

from budgetopt import scenario_language
from budgetopt.optimizer.results.i18n import LANGUAGES, Words, resolve_language


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
