"""What docs/security.md promises: YAML is only read safely, nothing is unpickled from or
pickled into an input or output, and text a spreadsheet would run is neutralized."""
from __future__ import annotations

import ast
import io
from pathlib import Path

import pandas as pd
import pytest
import yaml

from budgetopt.errors import InputError
from budgetopt.optimizer.results.files import csv_text, neutralize
from budgetopt.optimizer.scenario.loader import ScenarioLoader, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(p for pkg in ("budgetopt", "forecasts", "optimizer", "scenarios", "benchmarks")
                 for p in (ROOT / pkg).rglob("*.py"))
UNSAFE_MODULES = {"pickle", "cPickle", "dill", "cloudpickle", "marshal", "shelve", "jsonpickle"}
UNSAFE_CALLS = {"read_pickle", "to_pickle", "unsafe_load", "full_load", "eval", "exec"}


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            yield node, f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)


def test_the_sources_were_found():
    names = {p.name for p in SOURCES}
    assert {"pipeline.py", "worlds.py", "outputs.py", "main.py"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_pickle_and_no_unsafe_loading_in_the_code(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not {a.name.split(".")[0] for a in node.names} & UNSAFE_MODULES
        if isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] not in UNSAFE_MODULES
    for call, name in _calls(tree):
        assert name not in UNSAFE_CALLS, f"{name}() at line {call.lineno}"
        if name == "load" and isinstance(call.func, ast.Attribute) and \
                getattr(call.func.value, "id", None) == "yaml":
            loader = {k.arg: k.value for k in call.keywords}.get("Loader")
            assert loader is not None and getattr(loader, "id", None) == "ScenarioLoader", \
                f"yaml.load without ScenarioLoader at line {call.lineno}"
        for k in call.keywords:
            if k.arg == "allow_pickle":
                assert isinstance(k.value, ast.Constant) and k.value.value is False


def test_the_scenario_loader_is_a_safe_loader():
    assert issubclass(ScenarioLoader, yaml.SafeLoader)
    assert not issubclass(ScenarioLoader, (yaml.FullLoader, yaml.UnsafeLoader))


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['touch {marker}']",
                                 "!!python/name:os.system", "!!python/object/new:os.system ['x']",
                                 "!!python/module:os"])
def test_python_tags_are_refused_and_never_run(tmp_path, tag):
    marker = tmp_path / "ran"
    path = tmp_path / "plan.yaml"
    path.write_text(f"name: {tag.format(marker=marker)}\nhistory: h.csv\n")
    with pytest.raises(InputError, match="YAML tags such as '!!python/.* are not allowed"):
        load_scenario(path)
    assert not marker.exists()


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx",
                                  "=HYPERLINK(\"http://x\",\"y\")"])
def test_formula_text_is_neutralized_and_kept_readable(text):
    assert neutralize(text) == "'" + text
    frame = pd.DataFrame({"channel": [text], "market": pd.array([text], dtype="string"),
                          "spend": [-1.5]})
    back = pd.read_csv(io.StringIO(csv_text(frame)), dtype=str, keep_default_na=False)
    assert back.loc[0, "channel"] == back.loc[0, "market"] == "'" + text
    assert back.loc[0, "spend"] == "-1.5"  # numbers are numbers, not neutralized


def test_a_carriage_return_in_text_cannot_split_a_csv_row():
    assert neutralize("\rx") == "'\rx"
    frame = pd.DataFrame({"channel": ["\r=1+1", "a\r\nb"], "spend": [1.0, 2.0]})
    back = pd.read_csv(io.StringIO(csv_text(frame)), dtype=str, keep_default_na=False)
    assert back["channel"].tolist() == ["\n=1+1", "a\nb"] and back["spend"].tolist() == ["1.0", "2.0"]


def test_plain_text_and_numbers_are_left_alone():
    assert neutralize("search_ads") == "search_ads" and neutralize(-3.0) == -3.0
    assert neutralize("") == "" and neutralize(None) is None
