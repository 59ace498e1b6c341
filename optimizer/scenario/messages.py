"""Validation problems in a planner's words: the first pydantic error as one line with the key
path, what is wrong and the fix (with did-you-mean hints for misspelt keys)."""
from __future__ import annotations

import difflib
import typing

from pydantic import (BaseModel, ValidationError)

from budgetopt.errors import InputError
from budgetopt.messages import Msg, N_
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
        hint = (Msg("did you mean '{key}'?", key=close[0]) if close
                else Msg("allowed: {keys}", keys=", ".join(known)))
        at = ".".join(parent) or Msg("top level")
        return InputError("E0110", key=key, at=at, hint=hint, where=where)
    if kind == "missing":
        return InputError("E0111", key=dotted, where=where)
    msg = msg.removeprefix("Value error, ")
    got = err.get("input")
    shown = ""
    if isinstance(got, (int, float, str)) and kind != "value_error":
        text = repr(got)
        shown = Msg(" (got {value})", value=text if len(text) <= 60 else text[:57] + '...')
    at = f"{'.'.join(loc)}: " if loc else ""
    if kind == "string_pattern_mismatch":
        return InputError("E0114" if loc and loc[-1] == "currency" else "E0115", at=at,
                          value=repr(got), key=dotted, where=where)
    advice = Msg(_FIXES.get(kind, N_("see docs/scenario.md for the allowed values")), key=dotted,
                 msg=msg.removeprefix("Input should be "))
    if kind == "value_error":
        what, _, fix = msg.partition("; ")
        return InputError("E0113", at=at, problem=what, advice=fix or advice, where=where)
    return InputError("E0112", at=at, problem=msg, shown=shown, advice=advice, where=where)


_NUMBER_FIX = N_("write {key} as a plain number such as 12000000 or 12_000_000 "
                 "(no quotes, commas or currency signs)")


_FIXES = {
    **{k: N_("set {key} to a number {msg}") for k in (
        "greater_than", "greater_than_equal", "less_than", "less_than_equal")},
    "finite_number": N_("set {key} to a finite number"),
    "float_type": _NUMBER_FIX, "float_parsing": _NUMBER_FIX, "int_type": _NUMBER_FIX,
    "int_parsing": _NUMBER_FIX, "int_from_float": N_("write {key} as a whole number"),
    "literal_error": N_("use {msg}"),
    "bool_type": N_("write true or false"), "bool_parsing": N_("write true or false"),
    "dict_type": N_("write {key} as a mapping of names to values (name: value)"),
    "list_type": N_("write {key} as a list, e.g. [a, b]"),
    "string_type": N_("write {key} as text"),
    **{k: N_("write {key} as a date YYYY-MM-DD, e.g. 2026-10-01") for k in (
        "date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact")},
    "string_pattern_mismatch": N_("see docs/scenario.md for how to write {key}"),
    "too_short": N_("add at least one value to {key}"),
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


#: pydantic's and PyYAML's English phrases that the catalogs word in Chinese (the English
#: line keeps them exactly as the libraries write them)
LIBRARY_PHRASES = (
    N_("Input should be greater than {limit}"), N_("Input should be greater than or equal to {limit}"),
    N_("Input should be less than {limit}"), N_("Input should be less than or equal to {limit}"),
    N_("greater than {limit}"), N_("greater than or equal to {limit}"), N_("less than {limit}"),
    N_("less than or equal to {limit}"), N_("Input should be a finite number"),
    N_("Input should be a valid number, unable to parse string as a number"),
    N_("Input should be a valid number"), N_("Input should be a valid integer"),
    N_("Input should be a valid integer, unable to parse string as an integer"),
    N_("Input should be a valid integer, got a number with a fractional part"),
    N_("Input should be a valid boolean"),
    N_("Input should be a valid boolean, unable to interpret input"),
    N_("Input should be a valid dictionary"), N_("Input should be a valid list"),
    N_("Input should be a valid string"), N_("Input should be a valid date"),
    N_("Input should be a valid date or datetime, {detail}"), N_("Input should be {expected}"),
    N_("List should have at least {count} item after validation, not {got}"),
    N_("mapping values are not allowed here"), N_("could not find expected ':'"),
    N_("found character that cannot start any token"),
    N_("expected <block end>, but found '{token}'"),
    N_("found undefined alias"), N_("found unhashable key"),
)
