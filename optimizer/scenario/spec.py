"""The scenario file, parsed once into typed, validated objects (SPEC §3.2).

Unknown keys are errors, paths resolve relative to the scenario file, ratio strings follow
SPEC §2. Everything downstream reads these objects, never raw dicts.
"""
from __future__ import annotations

import difflib
import hashlib
import re
import typing
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr,
                      ValidationError, WithJsonSchema, field_validator, model_validator)

from budgetopt.errors import InputError
from budgetopt.optimizer.scenario.ratios import parse_ratio

NAME_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"

Ratio = Annotated[
    float,
    BeforeValidator(parse_ratio),
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0},
                              {"type": "string", "pattern": r"^\s*1\s*:\s*[0-9.]+\s*$"}],
                    "description": "a plain number, or \"1:X\" (spend:return) meaning X"}),
]
Money = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False, strict=True)]


class Spec(BaseModel):
    """Base for every scenario section: unknown keys are errors, values are not coerced loosely."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Horizon(Spec):
    start: date
    end: date
    period: Literal["day", "week", "month"] = "week"

    @model_validator(mode="after")
    def _ordered(self):
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}; "
                             "the horizon must end on or after the day it starts")
        return self


class Budget(Spec):
    total: Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)]
    fixed_share: Share = 0.6
    fixed_rule: Literal["historical", "equal", "explicit", "optimized"] = "historical"
    reserve_share: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False, strict=True)] = 0.0
    overspend_tolerance: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False, strict=True)] = 0.0
    dynamic_min_roi: Ratio | None = None
    fixed: dict[str, Money] = {}

    @model_validator(mode="after")
    def _pool(self):
        if self.fixed_share + self.reserve_share > 1 + 1e-12:
            raise ValueError(f"fixed_share {self.fixed_share} + reserve_share {self.reserve_share} "
                             "exceed 1; lower one of them so the dynamic pool is not negative")
        if self.fixed and self.fixed_rule != "explicit":
            raise ValueError("'fixed' amounts are only read with fixed_rule: explicit; "
                             "set fixed_rule: explicit or remove 'fixed'")
        if self.fixed_rule == "explicit" and not self.fixed:
            raise ValueError("fixed_rule: explicit needs 'fixed' with a share or amount per channel")
        if self.fixed and self.fixed_pool <= 0:
            raise ValueError("'fixed' gives fixed money but fixed_share is 0; raise fixed_share "
                             "or remove 'fixed'")
        shares = self.explicit_fixed_shares()
        if sum(shares.values()) > 1 + 1e-9:
            listed = " + ".join(f"{c} {s:.0%}" for c, s in shares.items())
            raise ValueError(f"explicit fixed shares sum to {sum(shares.values()):.0%} ({listed}), "
                             "above 100% of the fixed pool; lower them so they sum to at most 1")
        return self

    @property
    def fixed_pool(self) -> float:
        return self.total * self.fixed_share

    @property
    def reserve(self) -> float:
        return self.total * self.reserve_share

    @property
    def dynamic_pool(self) -> float:
        return self.total - self.fixed_pool - self.reserve

    def explicit_fixed_shares(self) -> dict[str, float]:
        """`fixed` as shares of the fixed pool: values ≤ 1 are shares, larger ones amounts."""
        pool = self.fixed_pool
        return {c: (v if v <= 1 else (v / pool if pool > 0 else float("inf")))
                for c, v in self.fixed.items()}


class ChannelRule(Spec):
    min: Money | None = None
    max: Money | None = None
    min_share: Share | None = None
    max_share: Share | None = None
    lock: Money | None = None
    roi_floor: Ratio | None = None
    cac_cap: Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)] | None = None
    exclude: bool = False

    @model_validator(mode="after")
    def _consistent(self):
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:,.0f} is above max {self.max:,.0f}; swap or fix them")
        if (self.min_share is not None and self.max_share is not None
                and self.min_share > self.max_share):
            raise ValueError(f"min_share {self.min_share} is above max_share {self.max_share}")
        if self.lock is not None and (self.min is not None or self.max is not None):
            raise ValueError("lock fixes the amount; remove min/max or remove lock")
        if self.exclude and any(v is not None for v in (self.min, self.max, self.min_share,
                                                        self.max_share, self.lock)):
            raise ValueError("an excluded channel gets no money; remove its other rules")
        return self


class Group(Spec):
    channels: Annotated[list[Annotated[str, Field(pattern=NAME_PATTERN)]], Field(min_length=1)]
    min_share: Share | None = None
    max_share: Share | None = None

    @model_validator(mode="after")
    def _consistent(self):
        if (self.min_share is not None and self.max_share is not None
                and self.min_share > self.max_share):
            raise ValueError(f"min_share {self.min_share} is above max_share {self.max_share}")
        if len(set(self.channels)) != len(self.channels):
            raise ValueError("a channel is listed twice; list each channel once")
        return self


class Limits(Spec):
    max_change_vs_history: Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)] | None = None
    period_max_change: Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)] | None = None
    # total spend of all channels in one period: one amount for every period, or amounts keyed
    # by the period's first day
    period_budget_max: Money | dict[date, Money] | None = None

    def period_caps(self) -> dict[str, float]:
        """Caps keyed by ISO period start, or "*" for every period."""
        cap = self.period_budget_max
        if cap is None:
            return {}
        if isinstance(cap, dict):
            return {str(d): float(v) for d, v in cap.items()}
        return {"*": float(cap)}


class Event(Spec):
    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    date: date
    lower_window: Annotated[int, Field(le=0, ge=-60)] = 0
    upper_window: Annotated[int, Field(ge=0, le=60)] = 0


class SparkSettings(Spec):
    """Where `forecast.backend: spark` runs: a master URL (default: the active session, else
    local[*]) and how many Spark tasks the units are spread over (default: its parallelism)."""
    master: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    partitions: Annotated[int, Field(ge=1, le=100_000, strict=True)] | None = None


class ForecastSettings(Spec):
    seasonality_mode: Literal["additive", "multiplicative"] = "multiplicative"
    backend: Literal["local", "spark"] = "local"
    spark: SparkSettings = SparkSettings()
    calendar: Literal["builtin", "none"] = "builtin"
    interval_width: Annotated[float, Field(gt=0, lt=1, strict=True)] = 0.8
    # channels whose curve the data pin only loosely stay within this change of their
    # historical share of the budget (null: no such limit); see docs/curves.md
    pilot_change: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)] | None = 0.3


class SolverSettings(Spec):
    name: Literal["highs", "cbc"] = "highs"
    time_limit_s: Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)] = 60.0
    # S-shaped curves: their concave envelope (an LP) or their true shape (a MILP)
    nonconcave: Literal["envelope", "milp"] = "envelope"
    # extra solves on breakpoints refined around the previous plan (0 = one solve)
    refine_rounds: Annotated[int, Field(ge=0, le=3, strict=True)] = 0


class Shock(Spec):
    """A what-if overlay: demand, cost per result and/or the budget change by a fraction."""

    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    channels: list[Annotated[str, Field(pattern=NAME_PATTERN)]] | None = None
    demand_change: Annotated[float, Field(gt=-1, le=10, allow_inf_nan=False, strict=True)] | None = None
    cost_change: Annotated[float, Field(gt=-1, le=10, allow_inf_nan=False, strict=True)] | None = None
    budget_change: Annotated[float, Field(gt=-1, le=10, allow_inf_nan=False, strict=True)] | None = None

    @model_validator(mode="after")
    def _something(self):
        if all(v is None for v in (self.demand_change, self.cost_change, self.budget_change)):
            raise ValueError(f"shock {self.name} changes nothing; give demand_change, "
                             "cost_change and/or budget_change, e.g. demand_change: -0.22")
        if self.channels is not None and self.demand_change is None and self.cost_change is None:
            raise ValueError(f"shock {self.name} names channels but only changes the budget; "
                             "remove channels or add demand_change/cost_change")
        if self.channels is not None and len(set(self.channels)) != len(self.channels):
            raise ValueError(f"shock {self.name} lists a channel twice; list each channel once")
        if self.channels == []:
            raise ValueError(f"shock {self.name} has an empty channels list; name at least one "
                             "channel, or leave channels out to shock every channel")
        return self


class Scenario(Spec):
    """A whole planning scenario. `history` is resolved against the scenario file's folder."""

    name: Annotated[str, Field(min_length=1)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CNY"
    history: Path
    kpi: Annotated[str, Field(min_length=1)] = "revenue"
    horizon: Horizon
    budget: Budget
    objective: Literal["max_revenue", "max_roi", "max_profit", "target_roi"] = "max_revenue"
    target_roi: Ratio | None = None
    margin: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False, strict=True)] | None = None
    channels: dict[str, ChannelRule] = {}
    groups: dict[str, Group] = {}
    limits: Limits = Limits()
    events: list[Event] = []
    forecast: ForecastSettings = ForecastSettings()
    solver: SolverSettings = SolverSettings()
    shocks: list[Shock] = []

    _source: Path | None = PrivateAttr(default=None)
    _raw: bytes | None = PrivateAttr(default=None)

    @field_validator("channels", "groups")
    @classmethod
    def _names(cls, value: dict) -> dict:
        for key in value:
            if not re.fullmatch(NAME_PATTERN[1:-1], str(key)) or str(key).startswith("-"):
                raise ValueError(f"name {key!r} may use only letters, digits, _ . - (≤ 64 chars) "
                                 "and may not start with - (spreadsheets read that as a formula)"
                                 "; rename it")
        return value

    @model_validator(mode="after")
    def _objective_needs(self):
        if self.objective == "target_roi" and self.target_roi is None:
            raise ValueError("objective target_roi needs target_roi; add it, e.g. target_roi: \"1:4\"")
        if self.objective == "max_profit" and self.margin is None:
            raise ValueError("objective max_profit needs margin; add it, e.g. margin: 0.3")
        return self

    @model_validator(mode="after")
    def _shares_fit(self):
        floors = {c: r.min_share for c, r in self.channels.items() if r.min_share}
        if sum(floors.values()) > 1 + 1e-9:
            listed = " + ".join(f"{c} {s:.0%}" for c, s in floors.items())
            raise ValueError(f"channel min_share values sum to {sum(floors.values()):.0%} "
                             f"({listed}), above 100%; lower them so they sum to at most 1")
        for name, group in self.groups.items():
            excluded = [c for c in group.channels if c in self.channels and self.channels[c].exclude]
            if excluded and group.min_share:
                raise ValueError(f"group {name} has a min_share but includes excluded "
                                 f"channel(s) {', '.join(excluded)}; remove them from the group")
        return self

    @model_validator(mode="after")
    def _shock_names(self):
        names = [s.name for s in self.shocks]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"shock name(s) {', '.join(twice)} used twice; give each shock "
                             "its own name")
        return self

    @property
    def source(self) -> Path | None:
        return self._source

    @property
    def base_dir(self) -> Path:
        return self._source.parent if self._source else Path.cwd()

    @property
    def history_path(self) -> Path:
        return self.history if self.history.is_absolute() else self.base_dir / self.history

    def rule(self, channel: str) -> ChannelRule:
        return self.channels.get(channel, ChannelRule())

    def with_source(self, source: Path | None) -> "Scenario":
        self._source = source
        return self

    @property
    def raw(self) -> bytes | None:
        """The file's exact bytes when the scenario was read from a file (kept with the outputs
        so a run can be reproduced from its own directory)."""
        return self._raw


_KINDS = {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false",
          set: "a set"}


def scenario_from_dict(data: object, *, source: Path | None = None,
                       where: str = "scenario") -> Scenario:
    """Validate a scenario mapping (from YAML or built in code) into a Scenario."""
    if not isinstance(data, dict):
        what = ("the scenario is empty" if data is None else
                f"expected a mapping of scenario keys, got {_KINDS.get(type(data), type(data).__name__)}")
        raise InputError(what, where=where,
                         fix="start the file with keys such as 'name:' and 'budget:'")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise _one_line(exc, where) from None
    return scenario.with_source(source)


class ScenarioLoader(yaml.SafeLoader):
    """Safe YAML loading with two planner-proofings: `1:4` stays text (YAML 1.1 would read it
    as the base-60 number 64) and a key written twice is an error, not a silent overwrite."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value if isinstance(node, yaml.MappingNode) else ():
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *defaults` merges are fine; the keys written here win
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a list or mapping is used as a key", key_node.start_mark) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' appears twice (first on line {seen[key]})",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a calendar date", node.start_mark) from None


ScenarioLoader.add_constructor("tag:yaml.org,2002:timestamp",
                               ScenarioLoader.construct_yaml_timestamp)


ScenarioLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))
ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9_]+"
               r"|[0-9][0-9_]*[eE][-+]?[0-9]+|\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file (safe loading only)."""
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise InputError(f"scenario file not found (looked for {path.resolve()})", where=where,
                         fix="check the path, or copy one from scenarios/")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", where=where,
                         fix="check the file's permissions") from None
    return parse_scenario(raw, source=path.resolve(), where=where)


def parse_scenario(raw: bytes, *, source: Path | None, where: str) -> Scenario:
    """Validate scenario YAML bytes; `source` is the file they came from (paths resolve from
    its folder)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError(f"line {line}: bytes that are not UTF-8", where=where,
                         fix="save the file as UTF-8") from None
    try:
        data = yaml.load(text, Loader=ScenarioLoader)  # a SafeLoader: no Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or "malformed YAML"
        fix = ("write dates as YYYY-MM-DD, e.g. 2026-10-01" if "calendar date" in problem
               else "correct the YAML syntax (indentation, colons, quotes)")
        raise InputError(f"{at}{problem}", where=where, fix=fix) from None
    except RecursionError:
        raise InputError("values are nested too deeply to be a scenario", where=where,
                         fix="correct the brackets; a scenario nests a few levels at most") from None
    scenario = scenario_from_dict(data, source=source, where=where)
    scenario._raw = raw
    return scenario


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _one_line(exc: ValidationError, where: str) -> InputError:
    """The first validation problem as one InputError: the key path, what is wrong, the fix."""
    errors = exc.errors(include_url=False)
    err = min(errors, key=lambda e: e["type"] != "extra_forbidden")
    loc = [str(p) for p in err["loc"]]
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
    shown = ""
    if isinstance(got, (int, float, str)) and kind != "value_error":
        text = repr(got)
        shown = f" (got {text if len(text) <= 60 else text[:57] + '...'})"
    what, _, fix = msg.partition("; ") if kind == "value_error" else (msg, "", "")
    if kind == "string_pattern_mismatch":
        what, fix = ((f"{got!r} is not a three-letter currency code in capitals", "write e.g. CNY or USD")
                     if loc and loc[-1] == "currency" else
                     (f"name {got!r} may use only letters, digits, _ . - (≤ 64 chars)", "rename it"))
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
    "float_type": _NUMBER_FIX, "float_parsing": _NUMBER_FIX, "int_type": _NUMBER_FIX,
    "int_parsing": _NUMBER_FIX, "int_from_float": "write {key} as a whole number",
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


SCHEMA_FILE = Path(__file__).with_name("scenario.schema.json")


def json_schema() -> dict:
    """JSON Schema of the scenario format (shipped as optimizer/scenario.schema.json)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "budgetopt scenario"
    return schema


if __name__ == "__main__":
    import json
    SCHEMA_FILE.write_text(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
