"""Read a scenario file: safe YAML (`yaml_text`: ratios stay text, repeated keys, tags and
unbounded expansion are errors), then validation into the typed models of `spec`. See docs/scenario.md."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml
from pydantic import (ValidationError)

from budgetopt.messages import Msg, N_
from budgetopt.errors import InputError
from budgetopt.input_files import read_regular
from budgetopt.optimizer.scenario.messages import one_line_error
from budgetopt.optimizer.scenario.spec import Scenario
from budgetopt.optimizer.scenario.yaml_text import ScenarioLoader, load_yaml  # noqa: F401


#: A scenario is a few kilobytes; anything above this is not one (and is not read further).
MAX_SCENARIO_BYTES = 10 * 1024**2


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


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file (safe loading only)."""
    path = Path(path)
    where = str(path)
    if not path.exists() and not path.is_symlink():
        raise InputError("E0101", path=str(path.resolve()), where=where)
    raw = read_regular(path, where=where, what="scenario file", limit=MAX_SCENARIO_BYTES)
    return parse_scenario(raw, source=path.resolve(), where=where)


def parse_scenario(raw: bytes, *, source: Path | None, where: str) -> Scenario:
    """Validate scenario YAML bytes; `source` is the file they came from (paths resolve from
    its folder)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError("E0103", line=line, where=where) from None
    data = load_yaml(text, where)
    scenario = scenario_from_dict(data, source=source, where=where)
    scenario._raw = raw
    return scenario


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


_LANGUAGES = ("en", "zh")
_LANGUAGE_LINE = re.compile(r"""\blanguage\s*:\s*["']?(zh|en)\b""")


def scenario_language(path) -> str | None:
    """`report.language` of a scenario file (or of a run directory's scenario.yaml), or None
    when the file cannot be read or does not say; read leniently, so an invalid scenario still
    gets its error in its planner's language, and as `load_scenario` reads — a regular file
    within the size limit, YAML of bounded expansion — so a hostile file cannot hang it."""
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
    return language if language in _LANGUAGES else None
