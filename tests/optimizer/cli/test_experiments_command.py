"""`budgetopt experiments SCENARIO`: the ranked table printed and written (the curve set is
one of known responses, so nothing is fitted), and bad input refused in one line, exit 2,
nothing written."""
from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from budgetopt.optimizer.tools import experiment_value as tool


@pytest.fixture
def scenario(tmp_path, scenarios_dir):
    path = tmp_path / "scenario.yaml"
    path.write_text(f"""name: known curves
history: {scenarios_dir / 'data' / 'history.csv'}
horizon: {{start: 2026-10-01, end: 2026-12-31, period: week}}
budget: {{total: 7_000_000, fixed_share: 0.5}}
risk: {{samples: 20}}
""", encoding="utf-8")
    return path


@pytest.fixture
def known_curves(monkeypatch, toy_curves):
    def fit(inputs, progress=None, n_jobs=None):
        units = {u.key: (u.channel, u.market, 30_000.0 + 8_000.0 * i, 9_000.0)
                 for i, u in enumerate(inputs.units)}
        made = toy_curves.build(units, inputs.periods, plausible_gains=(0.5, 1.0, 1.7))
        return dataclasses.replace(made, units=tuple(dataclasses.replace(u, noise=0.05)
                                                     for u in made.units))
    monkeypatch.setattr(tool, "fit_curves", fit)


def test_the_command_prints_and_writes_the_ranked_table(scenario, known_curves, cli, tmp_path,
                                                        capsys):
    out = tmp_path / "out"
    assert cli("experiments", scenario, "--units", "4", "--out", out) == 0
    printed = " ".join(capsys.readouterr().out.split())     # the console wraps lines
    assert "known curves: test these first" in printed
    assert "4 of 8 units were screened out" in printed
    table = pd.read_csv(out / "test_suggestions.csv")
    written = json.loads((out / "test_suggestions.json").read_text(encoding="utf-8"))
    assert list(table["unit"]) == [r["unit"] for r in written["rows"]]
    assert list(table["rank"]) == [1, 2, 3, 4]
    top = written["rows"][0]
    assert top["unit"] in printed and written["scenario"] == "known curves"
    assert (table["evsi"] <= table["evpi"] + 1e-6).all()


def test_the_api_returns_the_same_rows(scenario, known_curves):
    import budgetopt
    value = budgetopt.experiment_value(scenario, units=3)
    assert len(value.table) == 3
    assert value.section == value.plan.summary["test_suggestions"]


@pytest.mark.parametrize("args, words", [
    (["experiments", "no/such/scenario.yaml"], "scenario.yaml"),
    (["experiments", "{scenario}", "--units", "0"], "--units 0"),
])
def test_bad_input_is_one_line_and_exit_2(args, words, scenario, known_curves, cli, tmp_path,
                                          capsys):
    out = tmp_path / "never"
    args = [a.format(scenario=scenario) for a in args] + ["--out", str(out)]
    assert cli(*args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err and "Traceback" not in err
    assert not out.exists()
