"""Validation problems in a planner's words: the first pydantic error as one line with the key
path, what is wrong and the fix (with did-you-mean hints for misspelt keys)."""
from __future__ import annotations

import difflib
import typing

from pydantic import (BaseModel, ValidationError)

from budgetopt.errors import InputError
from budgetopt.optimizer.scenario.spec import Scenario


def one_line_error(exc: ValidationError, where: str) -> InputError:
    """The first validation problem as one InputError: the key path, what is wrong, the fix."""
    errors = exc.errors(include_url=False)
    err = min(errors, key=lambda e: e["type"] != "extra_forbidden")
    loc = [str(p) for p in err["loc"]]
    if "[key]" in loc:          # a bad dict key: the key itself is shown in the message
        loc = loc[:loc.index("[key]") - 1]
    dotted = ".".join(loc) or "(top level)"
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        parent, key = loc[:-1], loc[-1]
        known = _known_keys(parent)
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(known)}"
        at = ".".join(parent) or "top level"
        return InputError(f"unknown key '{key}' in {at}", where=where,
                          fix=f"remove it or correct the spelling ({hint})")
    if kind == "missing":
        return InputError(f"missing required key '{dotted}'", where=where,
                          fix="add it (see docs/scenario.md)")
    msg = msg.removeprefix("Value error, ")
    got = err.get("input")
    if isinstance(got, bool) and kind in _YAML_BOOLEAN_FIXES:
        return InputError(f"{dotted}: got {str(got).lower()}, which YAML reads from an unquoted "
                          "yes/no, on/off or true/false", where=where,
                          fix=_YAML_BOOLEAN_FIXES[kind].format(
                              key=dotted, msg=msg.removeprefix("Input should be ")))
    shown = ""
    if isinstance(got, (int, float, str)) and kind != "value_error":
        text = repr(got)
        shown = f" (got {text if len(text) <= 60 else text[:57] + '...'})"
    what, _, fix = msg.partition("; ") if kind == "value_error" else (msg, "", "")
    if kind == "string_pattern_mismatch":
        what, fix = ((f"{got!r} is not a three-letter currency code in capitals", "write e.g. CNY or USD")
                     if loc and loc[-1] == "currency" else
                     (f"{got!r} does not have the form this key needs", ""))
        shown = ""
    at = f"{'.'.join(loc)}: " if loc else ""
    return InputError(f"{at}{what}{shown}", where=where,
                      fix=fix or _FIXES.get(kind, "see docs/scenario.md for the allowed values")
                      .format(key=dotted, msg=msg.removeprefix("Input should be ")))


_NUMBER_FIX = ("write {key} as a plain number such as 12000000 or 12_000_000 "
               "(no quotes, commas or currency signs)")


_FIXES = {
    **{k: "set {key} to a number {msg}" for k in (
        "greater_than", "greater_than_equal", "less_than", "less_than_equal")},
    "finite_number": "set {key} to a finite number",
    "float_type": _NUMBER_FIX, "float_parsing": _NUMBER_FIX,
    "int_type": "write {key} as a whole number such as 100", "int_parsing": _NUMBER_FIX, "int_from_float": "write {key} as a whole number",
    "literal_error": "use {msg}",
    "bool_type": "write true or false", "bool_parsing": "write true or false",
    "dict_type": "write {key} as a mapping of names to values (name: value)",
    "list_type": "write {key} as a list, e.g. [a, b]",
    "string_type": "write {key} as text",
    **{k: "write {key} as a date YYYY-MM-DD, e.g. 2026-10-01" for k in (
        "date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact")},
    "string_pattern_mismatch": "see docs/scenario.md for how to write {key}",
    "too_short": "add at least one value to {key}",
}


#: A boolean where a word or a number is expected: YAML turned an unquoted word into it.
_YAML_BOOLEAN_FIXES = {
    "literal_error": "quote the word so YAML keeps it as text, and use {msg}",
    **{k: "write {key} as a number; a boolean is never a number" for k in (
        "float_type", "int_type", "float_parsing", "int_parsing")},
}


def _known_keys(loc: list[str]) -> list[str]:
    """The keys allowed at a location in the scenario, for did-you-mean hints."""
    annotation: object = Scenario
    parts = list(loc)
    while parts:
        if typing.get_origin(annotation) in (dict, list):
            annotation = typing.get_args(annotation)[-1]
            parts.pop(0)
            continue
        model = _model_in(annotation)
        if model is None or parts[0] not in model.model_fields:
            return []
        annotation = model.model_fields[parts.pop(0)].annotation
    model = _model_in(annotation)
    return sorted(model.model_fields) if model is not None else []


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The model class an annotation names (directly or as `Model | None`)."""
    for item in (annotation, *typing.get_args(annotation)):
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None
