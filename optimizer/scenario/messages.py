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
    if isinstance(got, bool) and kind in _YAML_BOOLEANS:
        # YAML turned an unquoted yes/no, on/off into a boolean where a word or number belongs
        at, value = f"{dotted}: ", str(got).lower()
        if kind == "literal_error":
            return InputError("E0121", at=at, value=value,
                              choices=msg.removeprefix("Input should be "), where=where)
        return InputError("E0122", at=at, value=value, key=dotted, where=where)
    shown = ""
    if isinstance(got, (int, float, str)) and kind != "value_error":
        text = repr(got)
        shown = Msg(" (got {value})", value=text if len(text) <= 60 else text[:57] + '...')
    at = f"{'.'.join(loc)}: " if loc else ""
    if kind == "string_pattern_mismatch":
        return InputError("E0114" if loc and loc[-1] == "currency" else "E0115", at=at,
                          value=repr(got), key=dotted, where=where)
    fix = _FIXES.get(kind, N_("see docs/scenario.md for the allowed values"))
    if fix == _NUMBER_FIX and _is_fraction(loc):
        fix = _FRACTION_FIX
    advice = Msg(fix, key=dotted, msg=msg.removeprefix("Input should be "))
    if kind == "value_error":
        what, _, fix = msg.partition("; ")
        return InputError("E0113", at=at, problem=what, advice=fix or advice, where=where)
    return InputError("E0112", at=at, problem=msg, shown=shown, advice=advice, where=where)


_NUMBER_FIX = N_("write {key} as a plain number such as 12000000 or 12_000_000 "
                 "(no quotes, commas or currency signs)")


_FRACTION_FIX = N_("write {key} as a plain number between 0 and 1 such as 0.2 "
                   "(no quotes or percent signs)")


_FIXES = {
    **{k: N_("set {key} to a number {msg}") for k in (
        "greater_than", "greater_than_equal", "less_than", "less_than_equal")},
    "finite_number": N_("set {key} to a finite number"),
    "float_type": _NUMBER_FIX, "float_parsing": _NUMBER_FIX,
    "int_type": N_("write {key} as a whole number such as 100"), "int_parsing": _NUMBER_FIX,
    "int_from_float": N_("write {key} as a whole number"),
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


#: The pydantic error kinds of a boolean where a word (E0121) or a number (E0122) is expected.
_YAML_BOOLEANS = {"literal_error", "float_type", "int_type", "float_parsing", "int_parsing"}


def _is_fraction(loc: list[str]) -> bool:
    """Whether the number at `loc` is bounded above by 1 (a share or a tail probability), so
    the fix shows a fraction rather than an amount of money."""
    annotation: object = Scenario
    field = None
    for part in loc:
        if typing.get_origin(annotation) in (dict, list):
            annotation = typing.get_args(annotation)[-1]
            continue
        model = _model_in(annotation)
        if model is None or part not in model.model_fields:
            return False
        field = model.model_fields[part]
        annotation = field.annotation
    if field is None:
        return False
    metadata = list(field.metadata)
    for item in typing.get_args(field.annotation):
        metadata += [m for m in getattr(item, "__metadata__", ())]
    highs = [getattr(m, name) for m in metadata for name in ("le", "lt")
             if getattr(m, name, None) is not None]
    return bool(highs) and min(highs) <= 1


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

#: The scenario validators' sentences (spec.py, ratios.py, budgetopt.names), each part of
#: "what; how to fix" as the catalogs word it: the validators raise plain English, the error
#: line rewords it through these templates in the planner's language.
VALIDATION_PHRASES = (
    N_("{value} is not a ratio"), N_("a {digits}-digit number is not a ratio (too large)"),
    N_("{value} is not a ratio ≥ 0"),
    N_("write a plain number such as 4 or 4.0, or \"1:4\" (spend:return)"),
    N_("{what} names {first} and {second} differ only in character width or Unicode form and "
       "would look the same in reports"),
    N_("spell each the same way everywhere, or rename one"),
    N_("end {end} is before start {start}"),
    N_("the horizon must end on or after the day it starts"),
    N_("fixed_share {fixed} + reserve_share {reserve} exceed 1"),
    N_("lower one of them so the dynamic pool is not negative"),
    N_("'fixed' amounts are only read with fixed_rule: explicit"),
    N_("set fixed_rule: explicit or remove 'fixed'"),
    N_("fixed_rule: explicit needs 'fixed' with a share or amount per channel"),
    N_("'fixed' gives fixed money but fixed_share is 0"), N_("raise fixed_share or remove 'fixed'"),
    N_("explicit fixed shares sum to {total} ({listed}), above {whole} of the fixed pool"),
    N_("lower them so they sum to at most 1"),
    N_("min {low} is above max {high}"), N_("swap or fix them"),
    N_("min_share {low} is above max_share {high}"),
    N_("lock fixes the amount"), N_("remove min/max or remove lock"),
    N_("an excluded channel gets no money"), N_("remove its other rules"),
    N_("a channel is listed twice"), N_("list each channel once"),
    N_("shock {name} changes nothing"),
    N_("give demand_change, cost_change and/or budget_change, e.g. demand_change: -0.22"),
    N_("shock {name} names channels but only changes the budget"),
    N_("remove channels or add demand_change/cost_change"),
    N_("shock {name} lists a channel twice"),
    N_("shock {name} has an empty channels list"),
    N_("name at least one channel, or leave channels out to shock every channel"),
    N_("objective target_roi needs target_roi"), N_("add it, e.g. target_roi: \"1:4\""),
    N_("objective max_profit needs margin"), N_("add it, e.g. margin: 0.3"),
    N_("channel min_share values sum to {total} ({listed}), above 100%"),
    N_("group {name} has a min_share but includes excluded channel(s) {channels}"),
    N_("remove them from the group"),
    N_("{key} is only read with history_format: wide"), N_("set history_format: wide or remove it"),
    N_("history_format: wide needs spend_columns"),
    N_("map each channel to its spend column, e.g. spend_columns: {search_ads: spend_search}"),
    N_("channel name 'total' is reserved in wide form (outputs show the total KPI under it)"),
    N_("rename the channel"),
    N_("control_values names {name}, which is not in controls"),
    N_("add it to controls or remove it"),
    N_("shock name(s) {names} used twice"), N_("give each shock its own name"),
    N_("name {value} {problem}"), N_("name {value} is not text"), N_("write it as text"),
    N_("is empty"), N_("is longer than {most} characters ({length})"),
    N_("contains the control character U+{code}"),
    N_("starts with {char}, which spreadsheets read as a formula"),
    N_("contains the path separator {char}"), N_("starts or ends with a space"),
    N_("contains {char} (U+{code}), which names may not use"),
    N_("rename it using letters or digits in any script, spaces inside and _ . - · ( ) (also "
       "full width), at most {length} characters, not starting with = + - @"),
    N_("letters or digits in any script, spaces inside and _ . - · ( ) (also full width), at "
       "most {length} characters, not starting with = + - @"),
)
