"""The scenario file (docs/scenario.md): example files load typed, paths resolve from the file, the
shipped JSON Schema matches the models, and every bad file is a one-line InputError (exit code 2)
naming the key, what is wrong and the fix — unknown keys included, with a did-you-mean."""
from __future__ import annotations

import copy
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from budgetopt.errors import InputError
from budgetopt.optimizer.scenario.spec import Budget, ChannelRule, Event, ForecastSettings, Group, Horizon, Limits, RiskSettings, Scenario, SolverSettings
from budgetopt.optimizer.scenario.schema import SCHEMA_FILE, json_schema
from budgetopt.optimizer.scenario.loader import load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[3]
SCENARIOS = ROOT / "scenarios"
EXAMPLES = sorted(SCENARIOS.glob("*.yaml"))
DEMO = SCENARIOS / "demo.yaml"

# The key contract as a planner would write it (with fixed_rule explicit so that `fixed` is read).
SPEC_EXAMPLE = """\
name: 2026 Q4 plan
currency: CNY
history: data/history.csv
kpi: revenue
horizon: {start: 2026-10-01, end: 2026-12-31, period: week}
budget:
  total: 12_000_000
  fixed_share: 0.6
  fixed_rule: explicit
  reserve_share: 0.05
  overspend_tolerance: 0.0
  dynamic_min_roi: "1:2"
  fixed: {search_ads: 0.3}
objective: max_revenue
target_roi: "1:4"
margin: 0.3
channels:
  search_ads:    {min: 500_000, max: 4_000_000}
  live_streaming: {max_share: 0.35, roi_floor: "1:4"}
  private_domain: {lock: 800_000}
  kol: {cac_cap: 120}
groups:
  high_efficiency: {channels: [content_seo, social, private_domain], min_share: 0.6, max_share: 0.9}
limits:
  max_change_vs_history: 0.5
  period_max_change: 0.3
events:
  - {name: brand_day, date: 2026-11-25, lower_window: -3, upper_window: 1}
forecast: {seasonality_mode: multiplicative, backend: local}
solver: {name: highs, time_limit_s: 60}
"""


def base() -> dict:
    """A valid scenario mapping (the demo file as parsed YAML), safe to modify."""
    return copy.deepcopy(_DEMO_DATA)


_DEMO_DATA = yaml.safe_load(DEMO.read_text(encoding="utf-8"))


def one_line(err: InputError, *parts: str) -> str:
    """The error is exit code 2, one line `where: what — fix: how`, and names every given part."""
    text = str(err)
    assert isinstance(err, InputError)
    assert err.exit_code == 2
    assert "\n" not in text and "\r" not in text
    assert " — fix: " in text
    assert err.fix and err.what
    for part in parts:
        assert part in text, f"{part!r} not in {text!r}"
    return text


def rejected(data: object, *parts: str, where: str = "scenario") -> str:
    with pytest.raises(InputError) as info:
        scenario_from_dict(data, where=where)
    text = one_line(info.value, *parts)
    assert text.startswith(f"{where}: ")
    return text


def write(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def file_rejected(path: Path, *parts: str) -> str:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    text = one_line(info.value, *parts)
    assert text.startswith(f"{path}: ")
    return text


# --- the example scenarios ---------------------------------------------------------------------

def test_the_examples_are_there():
    assert {p.name for p in EXAMPLES} >= {"demo.yaml", "high_efficiency.yaml",
                                          "monthly_explicit.yaml"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_scenario_loads(path):
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    assert scenario.source == path.resolve()
    own = {"markets.yaml": "markets.csv", "demo_zh.yaml": "history_zh.csv"}.get(
        path.name, "history.csv")
    data = "wide_history.csv" if scenario.history_format == "wide" else own
    assert scenario.history_path == (SCENARIOS / "data" / data).resolve()
    assert scenario.history_path.is_file()
    assert type(scenario.horizon.start) is date and type(scenario.horizon.end) is date
    assert scenario.horizon.start < scenario.horizon.end
    assert type(scenario.budget.total) is float and scenario.budget.total > 0
    pool = scenario.budget
    assert pool.fixed_pool + pool.dynamic_pool + pool.reserve == pytest.approx(pool.total)


def test_bundled_demo_path_is_the_demo_file():
    from budgetopt.optimizer.cli.main import demo_scenario_path
    scenario = load_scenario(demo_scenario_path())
    assert scenario.name == "2026 Q4 demo plan"


def test_demo_values_are_typed():
    s = load_scenario(DEMO)
    assert s.name == "2026 Q4 demo plan"
    assert s.currency == "CNY" and s.kpi == "revenue"
    assert s.horizon == Horizon(start=date(2026, 10, 1), end=date(2026, 12, 31), period="week")
    assert s.budget.total == 14_000_000.0 and type(s.budget.total) is float
    assert s.budget.fixed_share == 0.6 and s.budget.fixed_rule == "historical"
    assert s.budget.reserve_share == 0.0 and s.budget.fixed == {}
    assert s.objective == "max_revenue"
    assert s.channels["search_ads"].min == 1_500_000.0
    assert s.channels["live_streaming"].max_share == 0.35
    assert s.channels["content_seo"].max == 1_000_000.0
    assert s.solver == SolverSettings(name="highs", time_limit_s=60.0)


def test_ratio_strings_load_as_floats():
    s = load_scenario(SCENARIOS / "high_efficiency.yaml")
    floor = s.channels["live_streaming"].roi_floor
    assert type(floor) is float and floor == 3.0
    assert s.budget.fixed_rule == "equal"
    assert s.groups["high_efficiency"] == Group(
        channels=["content_seo", "social", "private_domain"], min_share=0.6)


def test_monthly_explicit_reads_shares_and_reserve():
    s = load_scenario(SCENARIOS / "monthly_explicit.yaml")
    assert s.horizon.period == "month"
    assert s.budget.fixed_rule == "explicit"
    assert s.budget.explicit_fixed_shares() == {"search_ads": 0.30, "live_streaming": 0.20,
                                                "kol": 0.10, "short_video": 0.15}
    assert s.budget.reserve == pytest.approx(700_000)
    assert s.channels["private_domain"].lock == 500_000.0
    assert s.channels["kol"] == ChannelRule(min=900_000, max=2_000_000)


def test_the_spec_example_loads_with_every_contract_key(tmp_path):
    s = load_scenario(write(tmp_path, SPEC_EXAMPLE))
    assert s.budget.total == 12_000_000.0
    assert s.budget.dynamic_min_roi == 2.0 and s.target_roi == 4.0
    assert s.margin == 0.3
    assert s.channels["live_streaming"].roi_floor == 4.0
    assert s.channels["kol"].cac_cap == 120.0
    assert s.channels["private_domain"].lock == 800_000.0
    assert s.groups["high_efficiency"].max_share == 0.9
    assert s.limits == Limits(max_change_vs_history=0.5, period_max_change=0.3)
    assert s.events == [Event(name="brand_day", date=date(2026, 11, 25), lower_window=-3,
                              upper_window=1)]
    assert type(s.events[0].date) is date
    assert s.forecast == ForecastSettings(seasonality_mode="multiplicative", backend="local")


def test_underscored_numbers_parse_as_floats(tmp_path):
    text = DEMO.read_text(encoding="utf-8").replace("14_000_000", "12_000_000")
    s = load_scenario(write(tmp_path, text))
    assert s.budget.total == 12000000.0
    assert type(s.budget.total) is float


def test_quoted_dates_parse_as_dates():
    data = base()
    data["horizon"] = {"start": "2026-10-01", "end": "2026-12-31"}
    s = scenario_from_dict(data)
    assert type(s.horizon.start) is date and s.horizon.start == date(2026, 10, 1)
    assert s.horizon.period == "week"


def test_defaults_for_a_minimal_scenario():
    s = scenario_from_dict({"name": "q", "history": "h.csv",
                            "horizon": {"start": "2026-10-01", "end": "2026-12-31"},
                            "budget": {"total": 1_000_000}})
    assert s.currency == "CNY" and s.kpi == "revenue" and s.objective == "max_revenue"
    assert s.horizon.period == "week"
    b = s.budget
    assert (b.fixed_share, b.fixed_rule, b.reserve_share, b.overspend_tolerance) == \
        (0.6, "historical", 0.0, 0.0)
    assert b.dynamic_min_roi is None and b.fixed == {}
    assert s.target_roi is None and s.margin is None
    assert s.channels == {} and s.groups == {} and s.events == []
    assert s.limits == Limits()
    assert s.forecast == ForecastSettings(seasonality_mode="multiplicative", backend="local",
                                          calendar="builtin", interval_width=0.8)
    assert s.solver == SolverSettings(name="highs", time_limit_s=60.0)
    assert s.rule("anything") == ChannelRule()
    assert s.rule("anything").exclude is False


def test_scenarios_are_immutable():
    s = load_scenario(DEMO)
    with pytest.raises(ValidationError):
        s.name = "changed"
    with pytest.raises(ValidationError):
        s.budget.total = 1.0


# --- paths ------------------------------------------------------------------------------------

def _copy_demo(folder: Path) -> Path:
    (folder / "data").mkdir(parents=True)
    shutil.copy(SCENARIOS / "data" / "history.csv", folder / "data" / "history.csv")
    return Path(shutil.copy(DEMO, folder / "q4.yaml"))


def test_history_resolves_relative_to_the_scenario_file(tmp_path, monkeypatch):
    copied = _copy_demo(tmp_path / "plans" / "2026q4")
    monkeypatch.chdir(ROOT)
    s = load_scenario(copied)
    assert s.history == Path("data/history.csv")
    assert s.history_path == tmp_path / "plans" / "2026q4" / "data" / "history.csv"
    assert s.history_path.is_file()
    assert s.base_dir == copied.parent


def test_history_resolves_from_the_file_not_the_working_directory(tmp_path, monkeypatch):
    _copy_demo(tmp_path / "plans" / "2026q4")
    monkeypatch.chdir(tmp_path)
    s = load_scenario(Path("plans") / "2026q4" / "q4.yaml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert s.history_path.is_absolute()
    assert s.history_path == tmp_path / "plans" / "2026q4" / "data" / "history.csv"


def test_an_absolute_history_path_is_kept(tmp_path):
    target = (tmp_path / "elsewhere" / "h.csv").resolve()
    text = DEMO.read_text(encoding="utf-8").replace("history: data/history.csv",
                                                    f"history: {json.dumps(str(target))}")
    s = load_scenario(write(tmp_path, text, "sub.yaml"))
    assert s.history_path == target


def test_a_scenario_built_in_code_resolves_from_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = scenario_from_dict(base())
    assert s.source is None
    assert s.history_path == tmp_path / "data" / "history.csv"


# --- the JSON Schema --------------------------------------------------------------------------

def test_shipped_schema_is_valid_json_and_matches_the_models():
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    shipped = json.loads(text)
    assert shipped == json_schema(), \
        "optimizer/scenario.schema.json is stale: regenerate with python -m budgetopt.optimizer.scenario.schema"
    assert text == json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


def test_schema_file_sits_next_to_the_module():
    assert SCHEMA_FILE.name == "scenario.schema.json"
    assert SCHEMA_FILE.parent == ROOT / "optimizer" / "scenario"


def test_schema_forbids_additional_properties_everywhere():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["Budget"]["additionalProperties"] is False
    for name in ("ChannelRule", "Group", "Horizon", "Limits", "Event", "ForecastSettings",
                 "SolverSettings"):
        assert schema["$defs"][name]["additionalProperties"] is False, name


def test_schema_describes_the_format():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "budgetopt scenario"
    assert schema["type"] == "object"
    assert set(schema["required"]) == {"name", "history", "horizon", "budget"}
    assert set(schema["properties"]) == set(Scenario.model_fields)
    assert schema["$defs"]["Budget"]["required"] == ["total"]
    assert set(schema["$defs"]["Budget"]["properties"]) == set(Budget.model_fields)
    assert schema["$defs"]["Budget"]["properties"]["fixed_rule"]["enum"] == \
        ["historical", "equal", "explicit", "optimized"]
    assert schema["properties"]["objective"]["enum"] == \
        ["max_revenue", "max_roi", "max_profit", "target_roi"]

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = list(refs(schema))
    assert found
    for ref in found:
        assert ref.startswith("#/$defs/") and ref.removeprefix("#/$defs/") in schema["$defs"]


CONTRACT_KEYS = {
    None: {"name", "currency", "history", "kpi", "horizon", "budget", "objective", "target_roi",
           "margin", "channels", "groups", "limits", "events", "forecast", "solver"},
    Horizon: {"start", "end", "period"},
    Budget: {"total", "fixed_share", "fixed_rule", "reserve_share", "overspend_tolerance",
             "dynamic_min_roi", "fixed"},
    ChannelRule: {"min", "max", "max_share", "lock", "roi_floor", "cac_cap"},
    Group: {"channels", "min_share", "max_share"},
    Limits: {"max_change_vs_history", "period_max_change"},
    Event: {"name", "date", "lower_window", "upper_window"},
    ForecastSettings: {"seasonality_mode", "backend"},
    SolverSettings: {"name", "time_limit_s"},
}


@pytest.mark.parametrize("model", list(CONTRACT_KEYS), ids=lambda m: m.__name__ if m else "top")
def test_contract_keys_keep_their_names(model):
    fields = set((model or Scenario).model_fields)
    assert CONTRACT_KEYS[model] <= fields


# --- the reference in docs/ -------------------------------------------------------------------

DOC = ROOT / "docs" / "scenario.md"
DOC_PREFIX = {Scenario: "`", Horizon: "`horizon.", Budget: "`budget.", ChannelRule: "`channels.X.",
              Group: "`groups.G.", Limits: "`limits.", Event: "`events[].",
              ForecastSettings: "`forecast.", SolverSettings: "`solver.", RiskSettings: "`risk."}


def _yaml_blocks(text: str) -> list[str]:
    return [block.split("```", 1)[0] for block in text.split("```yaml\n")[1:]]


@pytest.mark.parametrize("model", list(DOC_PREFIX), ids=lambda m: m.__name__)
def test_every_key_is_documented(model):
    doc = DOC.read_text(encoding="utf-8")
    for field in model.model_fields:
        assert f"{DOC_PREFIX[model]}{field}`" in doc, f"{field} of {model.__name__} undocumented"


def test_the_documented_examples_are_valid():
    blocks = _yaml_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) > 10
    parsed = [yaml.safe_load(block) for block in blocks]
    complete = scenario_from_dict(parsed[0])
    assert complete.budget.explicit_fixed_shares() == {"search_ads": 0.3}
    for fragment in parsed[1:]:
        if not isinstance(fragment, dict):
            continue
        data = base()
        for key, value in fragment.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        scenario_from_dict(data)


# --- unknown keys -----------------------------------------------------------------------------

def _set(path: list, key: str):
    def mutate(data: dict):
        node = data
        for part in path:
            node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
        node[key] = 1
    return mutate


@pytest.mark.parametrize("path, typo, at, meant", [
    ([], "budgt", "top level", "budget"),
    ([], "channel", "top level", "channels"),
    ([], "histroy", "top level", "history"),
    (["budget"], "fixed_shares", "budget", "fixed_share"),
    (["budget"], "totl", "budget", "total"),
    (["channels", "search_ads"], "mx", "channels.search_ads", "max"),
    (["channels", "search_ads"], "roi_flor", "channels.search_ads", "roi_floor"),
    (["groups", "high_efficiency"], "min_shar", "groups.high_efficiency", "min_share"),
    (["horizon"], "perod", "horizon", "period"),
    (["forecast"], "backnd", "forecast", "backend"),
    (["solver"], "time_limit", "solver", "time_limit_s"),
    (["limits"], "max_change_vs_histroy", "limits", "max_change_vs_history"),
    (["events", 0], "upper_windw", "events.0", "upper_window"),
])
def test_unknown_keys_are_named_with_a_close_match(path, typo, at, meant):
    data = base()
    data["groups"] = {"high_efficiency": {"channels": ["content_seo", "social"]}}
    data["events"] = [{"name": "brand_day", "date": "2026-11-25"}]
    _set(path, typo)(data)
    rejected(data, f"unknown key '{typo}' in {at}", f"did you mean '{meant}'?")


def test_an_unknown_key_far_from_any_lists_the_allowed_keys():
    data = base()
    data["zzzzzz"] = 1
    text = rejected(data, "unknown key 'zzzzzz' in top level", "allowed: budget, channels")
    assert "did you mean" not in text


def test_an_unknown_key_is_reported_before_other_problems():
    data = base()
    data["budget"]["total"] = -1
    data["budget"]["fixd_share"] = 0.6
    rejected(data, "unknown key 'fixd_share' in budget", "did you mean 'fixed_share'?")


def test_unknown_keys_in_a_file_name_the_file(tmp_path):
    text = DEMO.read_text(encoding="utf-8").replace("budget:", "budgt:")
    path = write(tmp_path, text)
    file_rejected(path, "unknown key 'budgt' in top level", "did you mean 'budget'?")


# --- validation errors ------------------------------------------------------------------------

def test_explicit_fixed_shares_above_the_pool_name_channels_and_total():
    data = base()
    data["budget"].update(fixed_rule="explicit", fixed={
        "search_ads": 0.20, "live_streaming": 0.25, "kol": 0.15, "short_video": 0.10,
        "display_feed": 0.30, "social": 0.10})
    text = rejected(data, "budget:", "110%", "search_ads 20%", "live_streaming 25%",
                    "display_feed 30%", "social 10%", "sum to at most 1")
    assert "above 100% of the fixed pool" in text


def test_explicit_amounts_above_the_pool_are_shown_as_shares():
    data = base()   # total 14M, fixed pool 8.4M
    data["budget"].update(fixed_rule="explicit", fixed={"search_ads": 6_300_000,
                                                        "kol": 0.5})
    rejected(data, "sum to 125%", "search_ads 75%", "kol 50%")


def test_explicit_shares_may_sum_to_exactly_one():
    data = base()
    data["budget"].update(fixed_rule="explicit", fixed={"search_ads": 0.7, "kol": 0.3})
    assert sum(scenario_from_dict(data).budget.explicit_fixed_shares().values()) == \
        pytest.approx(1.0)


def test_fixed_needs_the_explicit_rule_and_the_explicit_rule_needs_fixed():
    data = base()
    data["budget"]["fixed"] = {"search_ads": 0.3}
    rejected(data, "only read with fixed_rule: explicit")
    data = base()
    data["budget"]["fixed_rule"] = "explicit"
    rejected(data, "fixed_rule: explicit needs 'fixed'")


def test_channel_min_shares_above_one():
    data = base()
    data["channels"] = {"content_seo": {"min_share": 0.5}, "social": {"min_share": 0.4},
                        "private_domain": {"min_share": 0.3}}
    rejected(data, "min_share values sum to 120%", "content_seo 50%", "social 40%",
             "private_domain 30%")


@pytest.mark.parametrize("value, words", [(1.2, "less than or equal to 1"),
                                          (-0.1, "greater than or equal to 0")])
def test_fixed_share_outside_zero_one(value, words):
    data = base()
    data["budget"]["fixed_share"] = value
    rejected(data, "budget.fixed_share", words, f"(got {value})")


def test_fixed_and_reserve_shares_above_one():
    data = base()
    data["budget"].update(fixed_share=0.7, reserve_share=0.4)
    rejected(data, "budget:", "fixed_share 0.7 + reserve_share 0.4 exceed 1",
             "dynamic pool is not negative")


def test_all_fixed_no_reserve_is_allowed():
    data = base()
    data["budget"].update(fixed_share=1.0, reserve_share=0.0)
    assert scenario_from_dict(data).budget.dynamic_pool == 0.0


@pytest.mark.parametrize("total", [0, -5, -1_000_000.0])
def test_budget_total_must_be_positive(total):
    data = base()
    data["budget"]["total"] = total
    rejected(data, "budget.total", "greater than 0", f"(got {total})")


@pytest.mark.parametrize("total", [float("nan"), float("inf")])
def test_budget_total_must_be_finite(total):
    data = base()
    data["budget"]["total"] = total
    rejected(data, "budget.total", "finite number")


def test_budget_total_with_thousands_separators_is_an_error():
    data = base()
    data["budget"]["total"] = "14,000,000"
    rejected(data, "budget.total", "valid number", "'14,000,000'")


def test_horizon_end_before_start():
    data = base()
    data["horizon"].update(start=date(2026, 10, 1), end=date(2026, 9, 30))
    rejected(data, "horizon:", "end 2026-09-30 is before start 2026-10-01")


def test_a_one_day_horizon_is_allowed():
    data = base()
    data["horizon"].update(start=date(2026, 10, 1), end=date(2026, 10, 1), period="day")
    assert scenario_from_dict(data).horizon.end == date(2026, 10, 1)


@pytest.mark.parametrize("bad", ["2026-13-01", "next monday", "2026-10-01T05:00:00"])
def test_horizon_dates_must_be_dates(bad):
    data = base()
    data["horizon"]["start"] = bad
    rejected(data, "horizon.start", repr(bad))


def test_horizon_period_must_be_day_week_or_month():
    data = base()
    data["horizon"]["period"] = "quarter"
    rejected(data, "horizon.period", "'day', 'week' or 'month'", "(got 'quarter')")


@pytest.mark.parametrize("place", ["roi_floor", "dynamic_min_roi", "target_roi"])
@pytest.mark.parametrize("bad", ["4:1", "abc", "1:3:5"])
def test_bad_ratio_strings(place, bad):
    data = base()
    if place == "roi_floor":
        data["channels"]["live_streaming"]["roi_floor"] = bad
        where = "channels.live_streaming.roi_floor"
    elif place == "dynamic_min_roi":
        data["budget"]["dynamic_min_roi"] = bad
        where = "budget.dynamic_min_roi"
    else:
        data.update(objective="target_roi", target_roi=bad)
        where = "target_roi"
    rejected(data, f"{where}: {bad!r} is not a ratio", '"1:4" (spend:return)')


def test_good_ratio_strings_become_numbers():
    data = base()
    data["channels"]["live_streaming"]["roi_floor"] = " 1 : 4 "
    data["budget"]["dynamic_min_roi"] = "1:2.5"
    data.update(objective="target_roi", target_roi=3)
    s = scenario_from_dict(data)
    assert s.channels["live_streaming"].roi_floor == 4.0
    assert s.budget.dynamic_min_roi == 2.5
    assert s.target_roi == 3.0 and type(s.target_roi) is float


def test_min_above_max():
    data = base()
    data["channels"]["search_ads"] = {"min": 2_000_000, "max": 1_000_000}
    rejected(data, "channels.search_ads:", "min 2,000,000 is above max 1,000,000")


def test_min_share_above_max_share():
    data = base()
    data["channels"]["social"] = {"min_share": 0.3, "max_share": 0.2}
    rejected(data, "channels.social:", "min_share 0.3 is above max_share 0.2")
    data = base()
    data["groups"] = {"g": {"channels": ["social"], "min_share": 0.5, "max_share": 0.4}}
    rejected(data, "groups.g:", "min_share 0.5 is above max_share 0.4")


@pytest.mark.parametrize("other", [{"min": 100_000}, {"max": 900_000}])
def test_lock_with_min_or_max(other):
    data = base()
    data["channels"]["private_domain"] = {"lock": 800_000, **other}
    rejected(data, "channels.private_domain:", "lock fixes the amount",
             "remove min/max or remove lock")


def test_excluded_channel_with_other_rules():
    data = base()
    data["channels"]["search_ads"]["exclude"] = True
    rejected(data, "channels.search_ads:", "an excluded channel gets no money")


def test_group_with_a_floor_cannot_include_an_excluded_channel():
    data = base()
    data["channels"]["social"] = {"exclude": True}
    data["groups"] = {"eff": {"channels": ["content_seo", "social"], "min_share": 0.6}}
    rejected(data, "group eff has a min_share", "excluded channel(s) social")


def test_group_lists_each_channel_once_and_at_least_one():
    data = base()
    data["groups"] = {"g": {"channels": ["social", "social"]}}
    rejected(data, "groups.g:", "listed twice")
    data["groups"] = {"g": {"channels": []}}
    rejected(data, "groups.g.channels")


def test_target_roi_objective_needs_target_roi():
    data = base()
    data["objective"] = "target_roi"
    rejected(data, "objective target_roi needs target_roi", 'target_roi: "1:4"')


def test_max_profit_needs_margin():
    data = base()
    data["objective"] = "max_profit"
    rejected(data, "objective max_profit needs margin", "margin: 0.3")
    data["margin"] = 0.3
    assert scenario_from_dict(data).margin == 0.3


def test_unknown_objective():
    data = base()
    data["objective"] = "max_gmv"
    rejected(data, "objective:", "'max_revenue'", "(got 'max_gmv')")


@pytest.mark.parametrize("name, why", [
    ("=cmd()", "spreadsheets read as a formula"), ("+cmd", "formula"), ("@cmd", "formula"),
    ("-cmd", "formula"), ("＝cmd", "formula"), ("a/b", "path separator '/'"),
    ("a\\b", "path separator"), ("", "is empty"), ("x" * 65, "longer than 64"),
    ("bell\x07", "control character U+0007"), ("rtl\u202eoverride", "control character U+202E"),
    (" 私域", "starts or ends with a space"), ("渠道;", "contains ';'"),
])
def test_bad_channel_names(name, why):
    data = base()
    data["channels"][name] = {"max": 1}
    rejected(data, "channels:", f"name {name!r}", why, "letters or digits in any script")


@pytest.mark.parametrize("name", ["搜索广告", "直播带货 (抖音)", "小红书·种草", "search ads",
                                  "ｗｉｄｅ＿ｃｈａｎｎｅｌ", "Wildberries-Россия", "मराठी"])
def test_names_in_any_script_are_allowed(name):
    data = base()
    data["channels"][name] = {"max": 1}
    data["groups"] = {"高效": {"channels": [name, "social"]}}
    scenario = scenario_from_dict(data)
    assert name in scenario.channels and scenario.groups["高效"].channels[0] == name


def test_names_are_nfc_normalized():
    import unicodedata
    nfd = unicodedata.normalize("NFD", "Café")
    assert nfd != "Café"
    data = base()
    data["channels"][nfd] = {"max": 1}
    data["groups"] = {"g": {"channels": [nfd]}}
    scenario = scenario_from_dict(data)
    assert "Café" in scenario.channels and scenario.groups["g"].channels == ["Café"]


@pytest.mark.parametrize("first, second", [("直播带货(抖音)", "直播带货（抖音）"),
                                           ("search_ads", "ｓｅａｒｃｈ＿ａｄｓ"),
                                           ("Café", "Cafe\u0301")])
def test_names_that_look_the_same_are_refused(first, second):
    if first == second:
        pytest.skip("same text")
    data = base()
    data["channels"][first] = {"max": 1}
    data["channels"][second] = {"max": 2}
    rejected(data, "channels:", "differ only in character width or Unicode form")


def test_bad_group_and_event_names():
    data = base()
    data["groups"] = {"=g": {"channels": ["social"]}}
    rejected(data, "groups:", "name '=g' starts with '='")
    data = base()
    data["groups"] = {"g": {"channels": ["=cmd()"]}}
    rejected(data, "groups.g.channels.0", "'=cmd()'")
    data = base()
    data["events"] = [{"name": "brand/day", "date": "2026-11-25"}]
    rejected(data, "events.0.name", "'brand/day'", "path separator")
    data = base()
    data["groups"] = {"g": {"channels": ["social", "ｓｏｃｉａｌ"]}}
    rejected(data, "groups.g:", "differ only in character width")


def test_a_channel_name_of_64_characters_is_allowed():
    data = base()
    data["channels"]["a" * 64] = {"max": 1}
    assert "a" * 64 in scenario_from_dict(data).channels


def test_a_channel_name_with_a_trailing_newline_is_rejected():
    data = base()
    data["channels"]["search_ads\n"] = {"max": 1}
    rejected(data, "channels:", "control character U+000A")


@pytest.mark.parametrize("key, value, words", [
    ("currency", "cny", "currency"),
    ("margin", 0, "margin"),
    ("margin", 11, "margin"),
    ("name", "", "name"),
    ("kpi", "", "kpi"),
])
def test_other_top_level_values(key, value, words):
    data = base()
    data[key] = value
    rejected(data, f"{words}:")


@pytest.mark.parametrize("section, key, value", [
    ("forecast", "backend", "dask"),
    ("forecast", "seasonality_mode", "linear"),
    ("forecast", "calendar", "us"),
    ("forecast", "interval_width", 1.0),
    ("solver", "name", "gurobi"),
    ("solver", "time_limit_s", 0),
    ("limits", "max_change_vs_history", 0),
    ("limits", "period_max_change", -0.1),
])
def test_settings_values_are_checked(section, key, value):
    data = base()
    data[section] = {key: value}
    rejected(data, f"{section}.{key}:")


@pytest.mark.parametrize("rule, place", [
    ({"min": -1}, "min"), ({"max": float("nan")}, "max"), ({"lock": -5}, "lock"),
    ({"max_share": 1.5}, "max_share"), ({"min_share": -0.1}, "min_share"),
    ({"cac_cap": 0}, "cac_cap"),
])
def test_channel_rule_values_are_checked(rule, place):
    data = base()
    data["channels"]["kol"] = rule
    rejected(data, f"channels.kol.{place}:")


@pytest.mark.parametrize("window, value", [("lower_window", 1), ("lower_window", -61),
                                           ("upper_window", -1), ("upper_window", 61)])
def test_event_windows_are_checked(window, value):
    data = base()
    data["events"] = [{"name": "brand_day", "date": "2026-11-25", window: value}]
    rejected(data, f"events.0.{window}:", f"(got {value})")


@pytest.mark.parametrize("key", ["budget", "name", "history", "horizon"])
def test_missing_required_key(key):
    data = base()
    del data[key]
    rejected(data, f"missing required key '{key}'", "see docs/scenario.md")


def test_missing_nested_required_key():
    data = base()
    del data["budget"]["total"]
    rejected(data, "missing required key 'budget.total'")
    data = base()
    del data["horizon"]["end"]
    rejected(data, "missing required key 'horizon.end'")


@pytest.mark.parametrize("section", ["channels", "limits", "forecast", "budget"])
def test_a_section_must_be_a_mapping(section):
    data = base()
    data[section] = ["not", "a", "mapping"]
    rejected(data, f"{section}:")


@pytest.mark.parametrize("data, kind", [([1, 2], "got a list"), ("name: x", "got text"),
                                        (None, "the scenario is empty"), (42, "got a number")])
def test_a_non_mapping_is_rejected(data, kind):
    rejected(data, kind, "'name:' and 'budget:'")


def test_the_where_label_leads_the_message():
    data = base()
    data["budgt"] = 1
    rejected(data, "unknown key 'budgt'", where="from the planning script")


def test_a_boolean_is_not_money():
    data = base()
    data["budget"]["total"] = True
    rejected(data, "budget.total")


# --- files ------------------------------------------------------------------------------------

def test_malformed_yaml_gives_line_and_column(tmp_path):
    text = DEMO.read_text(encoding="utf-8").replace("  fixed_share: 0.6", " fixed_share: 0.6")
    path = write(tmp_path, text)
    bad_line = next(n for n, line in enumerate(text.splitlines(), 1)
                    if line.startswith(" fixed_share:"))
    message = file_rejected(path, f"line {bad_line}, column ", "correct the YAML syntax")
    assert "Traceback" not in message


def test_unclosed_bracket_gives_line_and_column(tmp_path):
    path = write(tmp_path, "name: x\nchannels: {kol: {max: 5}\nbudget: {total: 1}\n")
    file_rejected(path, "line 3, column", "expected ',' or '}'")


def test_a_tab_in_indentation_is_a_yaml_error(tmp_path):
    path = write(tmp_path, "name: x\n\thistory: data/history.csv\n")
    file_rejected(path, "line 2, column 1", "'\\t'")


@pytest.mark.parametrize("text, kind", [("- a\n- b\n", "got a list"), ("just text\n", "got text"),
                                        ("", "the scenario is empty")])
def test_a_file_that_is_not_a_mapping(tmp_path, text, kind):
    file_rejected(write(tmp_path, text), kind, "start the file with keys")


def test_missing_file(tmp_path):
    path = tmp_path / "nope" / "plan.yaml"
    file_rejected(path, "scenario file not found", str(path.resolve()), "copy one from scenarios/")


def test_a_directory_is_not_a_scenario_file(tmp_path):
    file_rejected(tmp_path, "is a directory, not a regular scenario file")


def test_bytes_that_are_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    text = DEMO.read_text(encoding="utf-8").replace("2026 Q4 demo plan", "2026 Q4 démo plan")
    path.write_bytes(text.encode("latin-1"))
    line = text.splitlines().index("name: 2026 Q4 démo plan") + 1
    file_rejected(path, f"line {line}: bytes that are not UTF-8", "save the file as UTF-8")


def test_utf8_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + DEMO.read_bytes())
    assert load_scenario(path).name == "2026 Q4 demo plan"


def test_non_ascii_text_in_utf8_loads(tmp_path):
    text = DEMO.read_text(encoding="utf-8").replace("2026 Q4 demo plan", "2026 年第四季度 计划")
    assert load_scenario(write(tmp_path, text)).name == "2026 年第四季度 计划"


def test_missing_budget_in_a_file(tmp_path):
    text = "name: q\nhistory: data/history.csv\nhorizon: {start: 2026-10-01, end: 2026-12-31}\n"
    file_rejected(write(tmp_path, text), "missing required key 'budget'")


def test_a_bad_value_in_a_file_names_file_and_key(tmp_path):
    text = DEMO.read_text(encoding="utf-8").replace("live_streaming: {max_share: 0.35}",
                                                    'live_streaming: {roi_floor: "4:1"}')
    file_rejected(write(tmp_path, text), "channels.live_streaming.roi_floor", "'4:1'")


def test_a_repeated_key_is_rejected(tmp_path):
    text = DEMO.read_text(encoding="utf-8") + "channels:\n  kol: {max: 5}\n"
    file_rejected(write(tmp_path, text), "channels")


def test_a_quoted_ratio_in_a_file_reads_as_spend_return(tmp_path):
    text = DEMO.read_text(encoding="utf-8").replace("live_streaming: {max_share: 0.35}",
                                                    'live_streaming: {roi_floor: "1:4"}')
    assert load_scenario(write(tmp_path, text)).channels["live_streaming"].roi_floor == 4.0


def _unquoted_roi_floor(tmp_path, raw: str) -> Path:
    text = DEMO.read_text(encoding="utf-8").replace("live_streaming: {max_share: 0.35}",
                                                    f"live_streaming: {{roi_floor: {raw}}}")
    assert f"roi_floor: {raw}}}" in text
    return write(tmp_path, text)


# YAML 1.1 would read 1:4 as the base-60 number 64, 1:2.5 as 62.5 and 1:60 as 120
@pytest.mark.parametrize("raw, meant", [("1:4", 4.0), ("1:2.5", 2.5), ("1:60", 60.0),
                                        ("1:0.5", 0.5)])
def test_an_unquoted_spend_return_ratio_reads_as_its_return(tmp_path, raw, meant):
    floor = load_scenario(_unquoted_roi_floor(tmp_path, raw)).channels["live_streaming"].roi_floor
    assert type(floor) is float and floor == meant


@pytest.mark.parametrize("raw", ["4:1", "1:3:5", "2:8"])
def test_an_unquoted_ratio_that_is_not_one_to_x_is_rejected(tmp_path, raw):
    file_rejected(_unquoted_roi_floor(tmp_path, raw), "channels.live_streaming.roi_floor",
                  f"{raw!r} is not a ratio", '"1:4" (spend:return)')


def test_a_huge_integer_ratio_is_an_input_error():
    data = base()
    data["target_roi"] = 10 ** 400
    rejected(data, "target_roi")


def test_python_object_tags_are_rejected_not_executed(tmp_path):
    marker = tmp_path / "executed"
    text = DEMO.read_text(encoding="utf-8").replace(
        "name: 2026 Q4 demo plan", f'name: !!python/object/apply:os.system ["touch {marker}"]')
    path = write(tmp_path, text)
    message = file_rejected(path, "YAML tags such as", "are not allowed",
                            "python/object/apply:os.system")
    assert "line " in message and "column " in message
    assert not marker.exists()


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system [\"echo hi\"]",
                                 "!!python/name:os.system",
                                 "!!python/object/new:subprocess.Popen [[\"echo\", \"hi\"]]"])
def test_every_python_tag_is_refused(tmp_path, tag):
    path = write(tmp_path, f"name: {tag}\n")
    file_rejected(path, "YAML tags such as '!!python/", "are not allowed", "fix: remove the tag")


# --- the budget pool --------------------------------------------------------------------------

def test_pool_amounts():
    b = Budget(total=12_000_000, fixed_share=0.6, reserve_share=0.05)
    assert b.fixed_pool == pytest.approx(7_200_000)
    assert b.reserve == pytest.approx(600_000)
    assert b.dynamic_pool == pytest.approx(4_200_000)
    assert b.fixed_pool + b.dynamic_pool + b.reserve == pytest.approx(b.total)


def test_default_pool_is_sixty_forty():
    b = Budget(total=1_000_000)
    assert (b.fixed_pool, b.dynamic_pool, b.reserve) == pytest.approx((600_000, 400_000, 0))


@given(total=st.floats(min_value=1, max_value=1e12),
       fixed_share=st.floats(min_value=0, max_value=1),
       reserve_fraction=st.floats(min_value=0, max_value=0.999))
def test_pools_add_up_to_the_budget(total, fixed_share, reserve_fraction):
    reserve_share = min((1 - fixed_share) * reserve_fraction, 0.999)
    b = Budget(total=total, fixed_share=fixed_share, reserve_share=reserve_share)
    assert b.fixed_pool + b.dynamic_pool + b.reserve == pytest.approx(total, rel=1e-12)
    assert b.fixed_pool >= 0 and b.reserve >= 0
    assert b.dynamic_pool >= -1e-9 * total


def test_explicit_amounts_become_shares_of_the_fixed_pool():
    b = Budget(total=10_000_000, fixed_share=0.6, fixed_rule="explicit",
               fixed={"search_ads": 3_000_000, "kol": 0.25, "content_seo": 600_000})
    assert b.fixed_pool == pytest.approx(6_000_000)
    assert b.explicit_fixed_shares() == pytest.approx(
        {"search_ads": 0.5, "kol": 0.25, "content_seo": 0.1})


def test_an_explicit_value_of_one_is_the_whole_pool_and_above_one_is_money():
    whole = Budget(total=10_000_000, fixed_rule="explicit", fixed={"social": 1})
    assert whole.explicit_fixed_shares() == {"social": 1.0}
    money = Budget(total=10_000_000, fixed_rule="explicit", fixed={"social": 1.5})
    assert money.explicit_fixed_shares() == pytest.approx({"social": 1.5 / 6_000_000})


def test_explicit_shares_are_kept_as_given():
    b = Budget(total=14_000_000, fixed_rule="explicit", fixed={"search_ads": 0.3, "kol": 0.1})
    assert b.explicit_fixed_shares() == {"search_ads": 0.3, "kol": 0.1}


def test_explicit_amounts_above_a_zero_fixed_pool_are_an_input_error():
    data = base()
    data["budget"].update(fixed_share=0.0, fixed_rule="explicit", fixed={"kol": 100_000})
    rejected(data, "budget:", "fixed_share is 0", "raise fixed_share or remove")


def test_budget_rules_raise_validation_errors_when_built_in_code():
    with pytest.raises(ValidationError, match="exceed 1"):
        Budget(total=1_000, fixed_share=0.8, reserve_share=0.3)
    with pytest.raises(ValidationError, match="total"):
        Budget(total=0)


def test_the_schema_number_pattern_accepts_what_the_files_use():
    """Every ratio string in the example files is a "1:X" the schema's pattern accepts too."""
    import re
    pattern = json_schema()["$defs"]["ChannelRule"]["properties"]["roi_floor"]["anyOf"][0][
        "anyOf"][1]["pattern"]
    ratios = [found for path in EXAMPLES
              for found in re.findall(r'"(1\s*:[^"]*)"', path.read_text(encoding="utf-8"))]
    assert ratios, "the example files write ratios as \"1:X\""
    for found in ratios:
        assert re.fullmatch(pattern.removeprefix("^").removesuffix("$"), found), found
    assert re.match(pattern, "1:4") and not re.match(pattern, "4:1")



@pytest.mark.parametrize("written", ["off", "Off", "OFF", "'off'", '"off"', "no", "false"])
def test_an_unquoted_guard_off_turns_the_guard_off(tmp_path, written):
    """YAML 1.1 reads unquoted off (and no, false) as false: the guard is off, not refused."""
    text = DEMO.read_text(encoding="utf-8")
    path = write(tmp_path, f"{text.rstrip()}\nrisk: {{guard: {written}}}\n")
    path.with_name("data").symlink_to(DEMO.parent / "data")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["risk"]["guard"] in (False, "off")
    assert load_scenario(path).risk.guard == "off"


def test_a_guard_of_true_or_another_word_is_refused():
    for value in (True, "on", "yes please"):
        data = base()
        data["risk"] = {"guard": value}
        rejected(data, "risk.guard", "history", "off")


@pytest.mark.parametrize("section, key, example", [
    ("budget", "total", "such as 12000000 or 12_000_000"),
    ("budget", "fixed_share", "between 0 and 1 such as 0.2"),
    ("budget", "reserve_share", "between 0 and 1 such as 0.2"),
    ("risk", "alpha", "between 0 and 1 such as 0.2"),
])
def test_a_number_written_as_text_gets_an_example_of_its_own_kind(section, key, example):
    data = base()
    data.setdefault(section, {})[key] = "abc"
    text = rejected(data, f"{section}.{key}", "(got 'abc')", example)
    other = ("between 0 and 1" if "12_000_000" in example else "12_000_000")
    assert other not in text
