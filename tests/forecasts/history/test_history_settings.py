"""Every history setting reaches every history form, and one rule keeps each column to one
role (docs/wide.md, docs/errors.md): the same GBK bytes are read, or refused naming GB18030,
alike in long and wide form; a BOM file declared GB18030 is refused naming the mojibake; a
column given two roles is refused by the scenario and by the history check alike."""
from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pytest

from budgetopt.columns import role_clash, wide_roles
from budgetopt.errors import InputError
from budgetopt.forecasts.history.wide import validate_wide_history
from budgetopt.optimizer.scenario.loader import scenario_from_dict
from budgetopt.optimizer.scenario.spec import Scenario
from budgetopt.optimizer.intake.inputs import read_scenario_history

GOOD = Path(__file__).parents[2] / "fixtures" / "bad" / "good"
SPEND = {"search_ads": "spend_search_ads", "达人": "达人花费", "social": "spend_social"}


def _files(tmp_path: Path, form: str, encode) -> tuple[Path, dict]:
    """The corpus' good history in `form`, with the channel kol renamed 达人, as `encode` writes
    it, and the scenario keys that read it."""
    if form == "long":
        text = (GOOD / "history.csv").read_text(encoding="utf-8").replace("kol", "达人")
        keys = {}
    else:
        text = (GOOD / "wide_history.csv").read_text(encoding="utf-8").replace("spend_kol", "达人花费")
        keys = {"history_format": "wide", "spend_columns": SPEND, "controls": ["discount"]}
    path = tmp_path / f"{form}.csv"
    path.write_bytes(encode(text))
    return path, keys


def _scenario(keys: dict, **more) -> Scenario:
    return scenario_from_dict({"name": "t", "history": "h.csv", "budget": {"total": 1e6},
                               "horizon": {"start": "2026-01-04", "end": "2026-03-28"},
                               **keys, **more})


def test_the_history_settings_are_the_ones_this_file_checks():
    settings = {k for k in Scenario.model_fields if k.startswith("history_")}
    assert settings == {"history_encoding", "history_format"}


@pytest.mark.parametrize("form", ["long", "wide"])
def test_a_gbk_file_declared_gb18030_is_read_in_either_form(tmp_path, form):
    path, keys = _files(tmp_path, form, lambda t: t.encode("gbk"))
    history = read_scenario_history(_scenario(keys, history_encoding="gb18030"), path, "s.yaml")
    assert "达人" in history.channels


@pytest.mark.parametrize("form", ["long", "wide"])
def test_a_gbk_file_declared_utf8_is_refused_naming_gb18030_in_either_form(tmp_path, form):
    path, keys = _files(tmp_path, form, lambda t: t.encode("gbk"))
    with pytest.raises(InputError) as info:
        read_scenario_history(_scenario(keys, history_encoding="utf-8"), path, "s.yaml")
    line = str(info.value)
    assert "cannot be read as utf-8 text; read as GB18030 (Chinese Excel's encoding) the line is" in line
    assert "达人" in line and "fix: if that reads right, set history_encoding: gb18030" in line


@pytest.mark.parametrize("form", ["long", "wide"])
def test_a_bom_file_declared_gb18030_is_refused_naming_the_mojibake(tmp_path, form):
    path, keys = _files(tmp_path, form, lambda t: codecs.BOM_UTF8 + t.encode("utf-8"))
    with pytest.raises(InputError) as info:
        read_scenario_history(_scenario(keys, history_encoding="gb18030"), path, "s.yaml")
    line = str(info.value)
    assert line.startswith(f"{path} line 1: the file starts with a UTF-8 byte-order mark but "
                           "history_encoding is gb18030, which reads it as mojibake ('锘縟ate,")
    assert line.endswith("fix: set history_encoding: utf-8 (or remove history_encoding to "
                         "detect the encoding) [E0225]")


def test_utf8_text_without_a_bom_declared_gb18030_is_refused_too(tmp_path):
    path, keys = _files(tmp_path, "long", lambda t: t.encode("utf-8"))
    with pytest.raises(InputError, match=r"line 2: the file is UTF-8 text but history_encoding "
                                         r"is gbk, which reads it as mojibake \('2024-12-29,"):
        read_scenario_history(_scenario(keys, history_encoding="gbk"), path, "s.yaml")


def test_ascii_declared_gb18030_is_read():   # nothing to mistake: ASCII is the same in both
    from budgetopt.forecasts.history.loader import load_history
    assert load_history(GOOD / "history.csv", encoding="gb18030").channels == [
        "kol", "search_ads", "social"]


ROLE_FIX = ("give each role its own column: the date, the market, the KPI, each channel's "
            "spend and each control are different columns")


@pytest.mark.parametrize("spend, controls, kpi, what", [
    ({"a": "revenue"}, [], "revenue", "column 'revenue' is both the KPI (kpi) and the spend of a "
                                      "(spend_columns.a)"),
    ({"a": "x", "b": "x"}, [], "revenue", "column 'x' is both the spend of a (spend_columns.a) "
                                          "and the spend of b (spend_columns.b)"),
    ({"a": "x"}, ["x"], "revenue", "column 'x' is both the spend of a (spend_columns.a) and a "
                                   "control (controls)"),
    ({"a": "x"}, ["revenue"], "revenue", "column 'revenue' is both the KPI (kpi) and a control "
                                         "(controls)"),
    ({"a": "x"}, ["t", "t"], "revenue", "column 't' is given twice as a control (controls)"),
    ({"a": "x"}, [], "date", "column 'date' is both the date and the KPI (kpi)"),
    ({"a": "market"}, [], "revenue", "column 'market' is both the market and the spend of a "
                                     "(spend_columns.a)"),
])
def test_one_rule_refuses_a_column_in_two_roles(spend, controls, kpi, what):
    assert role_clash(wide_roles(kpi, spend, controls)) == (what, ROLE_FIX)
    with pytest.raises(InputError, match="^s.yaml: " + what.replace("(", r"\(").replace(")", r"\)")):
        scenario_from_dict({"name": "t", "history": "h.csv", "budget": {"total": 1e6},
                            "horizon": {"start": "2026-01-04", "end": "2026-03-28"}, "kpi": kpi,
                            "history_format": "wide", "spend_columns": spend,
                            "controls": controls}, where="s.yaml")


def test_distinct_roles_pass_the_rule():
    assert role_clash(wide_roles("revenue", {"a": "sa", "b": "sb"}, ["t"])) is None


def test_the_history_check_applies_the_same_rule_without_a_scenario():
    wide = pd.read_csv(GOOD / "wide_history.csv").dropna(subset=["revenue"])
    with pytest.raises(InputError) as info:
        validate_wide_history(wide, "revenue", {"search_ads": "revenue", "kol": "spend_kol"})
    assert str(info.value) == ("<frame>: column 'revenue' is both the KPI (kpi) and the spend of "
                               f"search_ads (spend_columns.search_ads) — fix: {ROLE_FIX} [E0270]")
