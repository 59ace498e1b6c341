"""Total-KPI (wide) histories: strict reading, and each validation error as one line with exit
code 2 through the command line."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from budgetopt.datasets.wide import make_wide_world, write_wide_history
from budgetopt.errors import InputError
from budgetopt.forecasts.history.wide import (WideHistory, check_future_controls,
                                              future_controls, validate_wide_history)

SPEND = {"a": "spend_a", "b": "spend_b"}


def frame(days: int = 400, market: str | None = None) -> pd.DataFrame:
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    rng = np.random.default_rng(0)
    out = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"),
                        "revenue": 1000 + rng.uniform(0, 100, days),
                        "spend_a": rng.uniform(10, 20, days),
                        "spend_b": rng.uniform(5, 10, days),
                        "price": rng.uniform(9, 11, days)})
    if market:
        out.insert(1, "market", market)
    return out


def test_a_wide_history_reads_into_channels_and_spend():
    h = validate_wide_history(frame(), "revenue", SPEND)
    assert isinstance(h, WideHistory)
    assert h.channels == ["a", "b"] and h.freq == "D"
    assert len(h.frame) == 2 * 400
    assert h.unit_frame("b")["spend"].iloc[3] == pytest.approx(frame()["spend_b"].iloc[3])
    assert list(h.wide.columns) == ["date", "revenue", "a", "b"]


def test_markets_give_units_per_market():
    both = pd.concat([frame(market="north"), frame(market="south")], ignore_index=True)
    h = validate_wide_history(both, "revenue", SPEND)
    assert h.markets == ["north", "south"]
    assert h.units == [("a", "north"), ("a", "south"), ("b", "north"), ("b", "south")]


def test_future_rows_carry_control_values():
    f = frame()
    future = pd.DataFrame({"date": pd.date_range("2025-02-04", periods=10).strftime("%Y-%m-%d"),
                           "price": 8.0})
    h = validate_wide_history(pd.concat([f, future], ignore_index=True), "revenue", SPEND,
                              ("price",))
    assert len(h.wide) == 400 and len(h.future) == 10
    got = future_controls(h, None, pd.date_range("2025-02-05", periods=3), {})
    assert got["price"].tolist() == [8.0, 8.0, 8.0]
    assert future_controls(h, None, pd.date_range("2025-02-05", periods=1),
                           {"price": 7.5})["price"].tolist() == [7.5]
    check_future_controls(h, "2025-02-04", "2025-02-13", {}, "s.yaml")
    with pytest.raises(InputError, match="control 'price' has no values for the horizon"):
        check_future_controls(h, "2025-02-04", "2025-03-31", {}, "s.yaml")


@pytest.mark.parametrize("change, message", [
    (lambda f: f.drop(columns=["spend_b"]), "missing spend column 'spend_b' for channel b"),
    (lambda f: f.assign(spend_a=f["spend_a"].where(f.index != 7, -3.0)),
     "spend of a is negative (-3)"),
    (lambda f: f.assign(spend_a=f["spend_a"].astype(object).where(f.index != 9, "lots")),
     "'lots' is not a number"),
    (lambda f: pd.concat([f, f.iloc[[4]]]).reset_index(drop=True),
     "duplicate row for date 2024-01-05"),
    (lambda f: f.drop(index=[20, 21]).reset_index(drop=True),
     "no rows between 2024-01-20 and 2024-01-23"),
    (lambda f: f.assign(channel="x"), "has a 'channel' column, which is the long form"),
])
def test_bad_wide_histories_say_what_is_wrong(change, message):
    with pytest.raises(InputError) as info:
        validate_wide_history(change(frame()), "revenue", SPEND)
    assert message in str(info.value)


# -- through the command line ---------------------------------------------------------------

@pytest.fixture(scope="module")
def world():
    return make_wide_world(3, start="2024-01-01", end="2025-06-30", seed=5, control=True)


def write_case(tmp_path, world, *, edit=None, scenario_edit=None, future=True):
    path = tmp_path / "wide.csv"
    write_wide_history(world, path, future_until="2025-09-30" if future else None)
    if edit:
        data = pd.read_csv(path, dtype=str, keep_default_na=False)
        edit(data)
        data.to_csv(path, index=False)
    scenario = {"name": "wide case", "history": "wide.csv", "history_format": "wide",
                "spend_columns": dict(world.spend_columns), "controls": ["discount"],
                "horizon": {"start": "2025-07-01", "end": "2025-09-30", "period": "week"},
                "budget": {"total": 1_000_000}}
    if scenario_edit:
        scenario_edit(scenario)
    out = tmp_path / "s.yaml"
    out.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return out


def _never(data):
    data.loc[data["revenue"] != "", "spend_ch02"] = "0"


def _negative(data):
    data.loc[30, "spend_ch01"] = "-12.5"


def _text(data):
    data.loc[31, "spend_ch03"] = "n/a spend"


CASES = {
    "missing": (None, lambda s: s["spend_columns"].update(ch03="spend_ch9"), True,
                "missing spend column 'spend_ch9' for channel ch03"),
    "duplicated": (None, lambda s: s["spend_columns"].update(ch03="spend_ch01"), True,
                   "column 'spend_ch01' is both the spend of ch01 (spend_columns.ch01) and the spend of "
                   "ch03 (spend_columns.ch03)"),
    "negative": (_negative, None, True, "spend of ch01 is negative (-12.5)"),
    "text": (_text, None, True, "'n/a spend' is not a number"),
    "never": (_never, None, True, "channel 'ch02' never spent"),
    "no_future": (None, None, False, "control 'discount' has no values for the horizon"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_validation_errors_exit_2_with_one_line(cli, case, world, tmp_path, capsys):
    edit, scenario_edit, future, message = CASES[case]
    path = write_case(tmp_path, world, edit=edit, scenario_edit=scenario_edit, future=future)
    assert cli("validate", path) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert message in err
    assert "Traceback" not in err


def test_control_values_in_the_scenario_stand_in_for_future_rows(cli, world, tmp_path, capsys):
    path = write_case(tmp_path, world, future=False,
                      scenario_edit=lambda s: s.update(control_values={"discount": 0.0}))
    assert cli("validate", path) == 0


def test_wide_keys_need_the_wide_format(cli, world, tmp_path, capsys):
    path = write_case(tmp_path, world, scenario_edit=lambda s: s.pop("history_format"))
    assert cli("validate", path) == 2
    assert "spend_columns is only read with history_format: wide" in capsys.readouterr().err
