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
from optimizer.ratios import parse_ratio

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


class Event(Spec):
    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    date: date
    lower_window: Annotated[int, Field(le=0, ge=-60)] = 0
    upper_window: Annotated[int, Field(ge=0, le=60)] = 0


class ForecastSettings(Spec):
    seasonality_mode: Literal["additive", "multiplicative"] = "multiplicative"
    backend: Literal["local", "spark"] = "local"
    calendar: Literal["builtin", "none"] = "builtin"
    interval_width: Annotated[float, Field(gt=0, lt=1, strict=True)] = 0.8
    # channels whose curve the data pin only loosely stay within this change of their
    # historical share of the budget (null: no such limit); see docs/curves.md
    pilot_change: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)] | None = 0.3


class SolverSettings(Spec):
    name: Literal["highs", "cbc"] = "highs"
    time_limit_s: Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)] = 60.0


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

    _source: Path | None = PrivateAttr(default=None)

    @field_validator("channels", "groups")
    @classmethod
    def _names(cls, value: dict) -> dict:
        for key in value:
            if not re.fullmatch(NAME_PATTERN[1:-1], str(key)):
                raise ValueError(f"name {key!r} may use only letters, digits, _ . - (≤ 64 chars)")
        return value

    @model_validator(mode="after")
    def _objective_needs(self):
        if self.objective == "target_roi" and self.target_roi is None:
            raise ValueError("objective target_roi needs target_roi, e.g. target_roi: \"1:4\"")
        if self.objective == "max_profit" and self.margin is None:
            raise ValueError("objective max_profit needs margin, e.g. margin: 0.3")
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


def scenario_from_dict(data: object, *, source: Path | None = None,
                       where: str = "scenario") -> Scenario:
    """Validate a scenario mapping (from YAML or built in code) into a Scenario."""
    if not isinstance(data, dict):
        raise InputError(f"expected a mapping of scenario keys, got {type(data).__name__}",
                         where=where, fix="start the file with keys such as 'name:' and 'budget:'")
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
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' appears twice (first on line {seen[key]})",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


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
    raw = path.read_bytes()
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
        raise InputError(f"{at}{problem}", where=where,
                         fix="correct the YAML syntax (indentation, colons, quotes)") from None
    return scenario_from_dict(data, source=path.resolve(), where=where)


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
    shown = f" (got {got!r})" if isinstance(got, (int, float, str)) and kind != "value_error" else ""
    return InputError(f"{dotted}: {msg}{shown}", where=where,
                      fix="see docs/scenario.md for the allowed values")


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
