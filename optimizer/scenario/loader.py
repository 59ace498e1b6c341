"""Read a scenario file: safe YAML (ratios stay text, repeated keys are errors), then
validation into the typed models of `spec`. See docs/scenario.md."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml
from pydantic import (ValidationError)

from budgetopt.errors import InputError
from budgetopt.optimizer.scenario.messages import one_line_error
from budgetopt.optimizer.scenario.spec import Scenario


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
