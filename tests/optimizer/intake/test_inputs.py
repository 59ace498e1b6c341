"""Scenario × history checks for the newer keys: they fail at validate time with one line."""
from __future__ import annotations


import pandas as pd
import pytest
import yaml

from budgetopt.errors import InputError
from budgetopt.forecasts.history.loader import load_history
from budgetopt.optimizer.intake.inputs import check_inputs
from budgetopt.optimizer.scenario.loader import scenario_from_dict


@pytest.fixture(scope="module")
def history(scenarios_dir):
    return load_history(scenarios_dir / "data" / "history.csv")


@pytest.fixture(scope="module")
def scenario_with(demo_scenario):
    """The demo scenario with some top-level keys replaced."""
    def make(**changes):
        data = yaml.safe_load(demo_scenario.read_text())
        data.update(changes)
        return scenario_from_dict(data, source=demo_scenario)
    return make


def test_period_caps_must_name_period_starts(scenario_with, history):
    ok = scenario_with(limits={"period_budget_max": {"2026-10-08": 900_000}})
    periods = check_inputs(ok, history).periods
    # 7-day blocks from the start; the 1-day stub (Dec 31) joins the last week
    weeks = pd.date_range(ok.horizon.start, ok.horizon.end, freq="7D")[:-1]
    assert len(weeks) == 13 and list(periods["period_start"]) == list(weeks)
    assert periods["days"].tolist() == [7] * 12 + [8]
    assert pd.Timestamp("2026-10-08") in set(periods["period_start"])
    bad = scenario_with(limits={"period_budget_max": {"2026-10-09": 900_000}})
    with pytest.raises(InputError, match="names 2026-10-09, which is not the first day of a "
                                         "plan period") as err:
        check_inputs(bad, history)
    assert "2026-10-01, 2026-10-08" in str(err.value) and err.value.exit_code == 2


def test_cac_cap_needs_a_conversions_column(scenario_with, history):
    inputs = check_inputs(scenario_with(channels={"kol": {"cac_cap": 80}}), history)
    assert "kol" in {u.channel for u in inputs.units}
    assert inputs.scenario.channels["kol"].cac_cap == 80
    no_conversions = history.frame.drop(columns="conversions")
    from budgetopt.forecasts.history.loader import validate_history
    bare = validate_history(no_conversions, source="bare.csv")
    with pytest.raises(InputError, match="channels.kol.cac_cap needs a conversions column, and "
                                         "bare.csv has none"):
        check_inputs(scenario_with(channels={"kol": {"cac_cap": 80}}), bare)


def test_new_keys_validate_their_values(scenario_with):
    with pytest.raises(InputError, match="refine_rounds"):
        scenario_with(solver={"refine_rounds": 5})
    with pytest.raises(InputError, match="nonconcave"):
        scenario_with(solver={"nonconcave": "sos"})
    assert scenario_with(limits={"period_budget_max": 1_000_000}).limits.period_caps() == {
        "*": 1_000_000.0}
