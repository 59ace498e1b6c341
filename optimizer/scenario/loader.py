"""Read a scenario file: safe YAML (ratios stay text, repeated keys are errors), then
validation into the typed models of `spec`. See docs/scenario.md."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml
from pydantic import (ValidationError)

from budgetopt.messages import Msg, N_
from budgetopt.errors import InputError
from budgetopt.optimizer.scenario.messages import one_line_error
from budgetopt.optimizer.scenario.spec import Scenario


_KINDS = {list: N_("a list"), str: N_("text"), int: N_("a number"), float: N_("a number"),
          bool: N_("true/false"), set: N_("a set")}


def scenario_from_dict(data: object, *, source: Path | None = None,
                       where: str = "scenario") -> Scenario:
    """Validate a scenario mapping (from YAML or built in code) into a Scenario."""
    if data is None:
        raise InputError("E0107", where=where)
    if not isinstance(data, dict):
        raise InputError("E0108", kind=Msg(_KINDS[type(data)]) if type(data) in _KINDS
                         else type(data).__name__, where=where)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise one_line_error(exc, where) from None
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
                    None, None, N_("a list or mapping is used as a key"),
                    key_node.start_mark) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, Msg("key '{key}' appears twice (first on line {line})", key=key,
                                    line=seen[key]), key_node.start_mark)
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
        raise InputError("E0101", path=str(path.resolve()), where=where)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError("E0102", reason=str(exc.strerror or exc), where=where) from None
    return parse_scenario(raw, source=path.resolve(), where=where)


def parse_scenario(raw: bytes, *, source: Path | None, where: str) -> Scenario:
    """Validate scenario YAML bytes; `source` is the file they came from (paths resolve from
    its folder)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError("E0103", line=line, where=where) from None
    try:
        data = yaml.load(text, Loader=ScenarioLoader)  # a SafeLoader: no Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = Msg("line {line}, column {column}: ", line=mark.line + 1,
                 column=mark.column + 1) if mark else ""
        problem = getattr(exc, "problem", None) or N_("malformed YAML")
        raise InputError("E0105" if "calendar date" in problem else "E0104", at=at,
                         problem=problem, where=where) from None
    except RecursionError:
        raise InputError("E0106", where=where) from None
    scenario = scenario_from_dict(data, source=source, where=where)
    scenario._raw = raw
    return scenario


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
