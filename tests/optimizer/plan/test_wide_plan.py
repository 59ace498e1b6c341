"""The wide-form example scenario plans end to end through the unchanged pool, rules, LP and
outputs; where a per-channel baseline has no meaning the outputs say so."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from budgetopt.scenarios import __file__ as scenarios_init

pytestmark = pytest.mark.slow
SCENARIO = __import__("pathlib").Path(scenarios_init).parent / "wide_total.yaml"


@pytest.fixture(scope="module")
def out(cli, tmp_path_factory):
    folder = tmp_path_factory.mktemp("wide") / "plan"
    assert cli("run", SCENARIO, "--out", folder) == 0
    return folder


def test_the_plan_spends_the_budget_in_the_pool(out):
    alloc = pd.read_csv(out / "allocation.csv")
    summary = json.loads((out / "summary.json").read_text())
    t = summary["totals"]
    assert t["fixed"] + t["dynamic"] + t["reserve"] - t["overspend"] == pytest.approx(t["budget"])
    assert alloc["total_spend"].sum() == pytest.approx(t["spend"])
    assert sorted(alloc["channel"].unique()) == ["ch01", "ch02", "ch03", "ch04"]


def test_per_channel_baselines_are_empty_and_the_total_carries_it(out):
    alloc = pd.read_csv(out / "allocation.csv")
    forecast = pd.read_csv(out / "forecast.csv")
    summary = json.loads((out / "summary.json").read_text())
    assert alloc["baseline_kpi"].isna().all()
    channel_rows = forecast[forecast["channel"] != "total"]
    total_rows = forecast[forecast["channel"] == "total"]
    assert channel_rows["baseline_kpi"].isna().all()
    assert len(total_rows) == alloc["period_start"].nunique()
    assert (total_rows["baseline_lower"] <= total_rows["baseline_kpi"]).all()
    assert (total_rows["forecast_kpi"] > total_rows["baseline_kpi"]).all()
    assert summary["totals"]["baseline_kpi"] == pytest.approx(total_rows["baseline_kpi"].sum())
    assert summary["history_format"] == "wide"
    assert "belongs to the whole business" in summary["baseline"]["note"]
    incr = summary["totals"]["incremental_kpi"]
    assert summary["totals"]["predicted_kpi"] == pytest.approx(
        summary["totals"]["baseline_kpi"] + incr)


def test_the_decomposition_is_written_and_charted(out):
    d = pd.read_csv(out / "decomposition.csv")
    assert set(d["component"]) == {"kpi", "baseline", "ch01", "ch02", "ch03", "ch04"}
    wide = d.pivot(index="date", columns="component", values="value")
    parts = wide[["baseline", "ch01", "ch02", "ch03", "ch04"]].sum(axis=1)
    assert np.median(np.abs(parts / wide["kpi"] - 1)) < 0.1
    assert (out / "charts" / "decomposition.png").exists()
    summary = json.loads((out / "summary.json").read_text())
    shares = summary["decomposition"]["all"]["channels"]
    assert all(v["roi"] > 0 for v in shares.values())


def test_curves_start_at_zero_and_rise(out):
    curves = pd.read_csv(out / "curves.csv")
    allocation = pd.read_csv(out / "allocation.csv")
    cells = curves.groupby(["channel", "period_start"])
    assert cells.ngroups == len(allocation) > 0     # one curve per unit × period
    for _, g in cells:
        assert len(g) >= 2 and g["incremental_kpi"].iloc[-1] > 0
        assert g["spend"].iloc[0] == 0 and g["incremental_kpi"].iloc[0] == 0
        assert (np.diff(g["incremental_kpi"].to_numpy()) >= -1e-9).all()


def test_a_rerun_gives_byte_identical_outputs(cli, out, capsys):
    capsys.readouterr()
    assert cli("run", "--check", out) == 0, capsys.readouterr()


def test_rebalance_says_it_does_not_read_wide_actuals(tmp_path, capsys):
    from budgetopt.errors import InputError
    from budgetopt.optimizer.scenario.loader import load_scenario
    from budgetopt.optimizer.tools.rebalance import rebalance
    with pytest.raises(InputError, match="rebalance does not read total-KPI"):
        rebalance(load_scenario(SCENARIO), tmp_path / "actuals.csv", as_of="2026-02-01")
