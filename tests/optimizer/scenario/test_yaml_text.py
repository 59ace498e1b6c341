"""The scenario's YAML reader and key types (optimizer/scenario/yaml_text.py, docs/security.md):
the expanded size is bounded for aliases and merge keys alike, tags and self-referring aliases
are refused by name, YAML's booleans become the one word a key allows, and no numeric key of
any section takes a boolean."""
from __future__ import annotations

import typing
from datetime import date

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from budgetopt.errors import InputError
from budgetopt.optimizer.scenario import spec
from budgetopt.optimizer.scenario.loader import load_scenario, parse_scenario
from budgetopt.optimizer.scenario.yaml_text import MAX_VALUES, ScenarioLoader, check_nodes

BASE = ("name: plan\nhistory: h.csv\nhorizon: {start: 2026-01-04, end: 2026-03-28}\n"
        "budget: {total: 1_000_000}\n")


def _parse(text: str):
    return parse_scenario(text.encode(), source=None, where="plan.yaml")


def merge_bomb(levels: int) -> str:
    """Each level merges the one before it twice: 2**levels keys once merged."""
    lines = ["a0: &a0 {k: 1}"]
    lines += [f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}]}}" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def alias_bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text", [merge_bomb(32), alias_bomb(9)], ids=["merges", "aliases"])
def test_a_small_file_that_expands_without_bound_is_refused_before_it_is_built(text, tmp_path):
    assert len(text.encode()) < 1024
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_scenario(path)   # built, 2**32 merged keys would not fit in memory
    line = str(info.value)
    assert f"the document expands to more than {MAX_VALUES:,} values" in line
    assert "merge keys (<<:)" in line and " — fix: write the values out" in line
    assert line.startswith(f"{path}: line ")


def test_the_expanded_size_counts_every_alias_and_merge_as_often_as_it_is_used():
    # a0 holds 3 values (mapping, key, value); each of a1's merges copies them again
    text = "a0: &a0 {k: 1}\na1: {<<: [*a0, *a0, *a0]}\n"
    node = yaml.compose(text, Loader=ScenarioLoader)
    # root 1 + key a0 1 + a0 3 + key a1 1 + a1 (1 + key '<<' 1 + list 1 + 3 × 3)
    check_nodes(node, limit=1 + 1 + 3 + 1 + 12)
    with pytest.raises(yaml.YAMLError, match="expands to more than 16 values"):
        check_nodes(node, limit=17 - 1)


def test_merges_still_work_and_the_keys_written_next_to_them_win():
    text = BASE + "defaults: &d {min: 1000, max: 5000}\n"
    scenario_text = text.replace("defaults: &d {min: 1000, max: 5000}\n", "") + (
        "channels:\n  kol: &d {min: 1000, max: 5000}\n  social: {<<: *d, max: 9000}\n")
    scenario = _parse(scenario_text)
    assert scenario.channels["social"].min == 1000 and scenario.channels["social"].max == 9000


def test_an_alias_inside_its_own_value_is_refused():
    with pytest.raises(InputError, match=r"line 5, column 9: an alias refers to the value that "
                                         r"contains it — fix: remove the alias"):
        _parse(BASE + "events: &e [*e]\n")


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['x']", "!!python/name:os.system",
                                 "!!binary aGk=", "!custom x", "!!set {a: null}"])
def test_tags_are_refused_as_tags(tag):
    with pytest.raises(InputError) as info:
        _parse(BASE.replace("name: plan", f"name: {tag}"))
    shown = tag.split()[0].replace("!!", "!!", 1)
    assert f"line 1, column 7: YAML tags such as '{shown}' are not allowed" in str(info.value)
    assert "fix: remove the tag" in str(info.value)


def test_plain_explicit_core_tags_are_still_read():
    assert _parse(BASE.replace("name: plan", "name: !!str 2026")).name == "2026"


@pytest.mark.parametrize("written, read", [("off", "off"), ("no", "off"), ("false", "off")])
def test_an_unquoted_word_yaml_reads_as_false_is_the_one_word_the_key_allows(written, read):
    assert _parse(BASE + f"risk: {{guard: {written}}}\n").risk.guard == read


def test_a_boolean_no_word_of_the_key_stands_for_asks_to_quote_it():
    with pytest.raises(InputError) as info:
        _parse(BASE + "risk: {guard: on}\n")
    assert str(info.value) == (
        "plan.yaml: risk.guard: got true, which YAML reads from an unquoted yes/no, on/off or "
        "true/false — fix: quote the word so YAML keeps it as text, and use 'history' or 'off' "
        "[E0121]")


def test_a_boolean_for_a_number_is_refused_with_the_key():
    with pytest.raises(InputError) as info:
        _parse(BASE + "forecast: {pilot_change: yes}\n")
    assert str(info.value) == (
        "plan.yaml: forecast.pilot_change: got true, which YAML reads from an unquoted yes/no, "
        "on/off or true/false — fix: write forecast.pilot_change as a number; a boolean is "
        "never a number [E0122]")


def _numeric(annotation) -> bool:
    if annotation in (int, float):
        return True
    return any(_numeric(a) for a in typing.get_args(annotation) if not isinstance(a, str))


def _errors_at(model: type[BaseModel], name: str, value) -> set[str]:
    """The kinds of validation error the key `name` alone gets for `value`."""
    try:
        model.model_validate({name: value})
    except ValidationError as exc:
        return {e["type"] for e in exc.errors() if e["loc"][:1] == (name,)}
    return set()


RANGE = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


MODELS = [m for m in vars(spec).values()
          if isinstance(m, type) and issubclass(m, spec.Spec) and m is not spec.Spec]
NUMERIC = [(m, n) for m in MODELS for n, f in m.model_fields.items() if _numeric(f.annotation)]


def test_numeric_keys_were_found_in_every_section_that_has_them():
    found = {f"{m.__name__}.{n}" for m, n in NUMERIC}
    assert {"Budget.total", "ForecastSettings.pilot_change", "Event.lower_window",
            "RiskSettings.samples", "Scenario.control_values", "Limits.period_budget_max",
            "Budget.fixed", "ChannelRule.roi_floor"} <= found
    assert len(found) >= 30


@pytest.mark.parametrize("model, name", NUMERIC, ids=[f"{m.__name__}.{n}" for m, n in NUMERIC])
def test_no_numeric_key_takes_a_boolean(model, name):
    pairs = [(True, 1), (False, 0), ({"a": True}, {"a": 1}),
             ({date(2026, 1, 5): True}, {date(2026, 1, 5): 1})]
    checked = 0
    for boolean, number in pairs:
        if _errors_at(model, name, number) - RANGE:
            continue            # this form is not one the key takes at all
        refused = _errors_at(model, name, boolean)
        assert refused - RANGE, f"{model.__name__}.{name} took {boolean!r} as a number"
        checked += 1
    assert checked, f"no form of a number was accepted by {model.__name__}.{name}"
