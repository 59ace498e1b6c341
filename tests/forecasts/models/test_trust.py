"""Do no harm: the pilot limit for loosely pinned curves, the extrapolation flag, and the
backtest's arithmetic (fast: no Prophet)."""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from budgetopt.forecasts.models.backtest import origins, score
from budgetopt.forecasts.models.fit import PILOT_BAND, UnitFit
from budgetopt.forecasts.models.response import Response
from budgetopt.datasets import draw_channel, world_from_truths, write_history
from budgetopt.optimizer.lp.allocate import allocate
from budgetopt.optimizer.rules.bounds import DynamicBudget, PilotBound
from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.plan.ruleset import pilot_rules
from budgetopt.optimizer.results.tables import channels_table
from budgetopt.optimizer.scenario.loader import load_scenario


def _fit(gain=1.0, low=1.0, high=1.0):
    return UnitFit(("x", None), 1.0, 1, "{}", response=Response("exp", 1.0, 1.0, 0.0, gain, True),
                   band={"mroi_typical_low": low, "mroi_typical_high": high})


def test_loosely_pinned_reads_the_marginal_band_and_a_missing_effect():
    assert _fit(low=0.9, high=0.9 * PILOT_BAND * 0.99).loosely_pinned is None
    assert "marginal return" in _fit(low=0.5, high=0.5 * PILOT_BAND * 1.01).loosely_pinned
    assert _fit(gain=0.0).loosely_pinned == "no effect of spend found"


def test_pilot_limits_are_opt_in(demo_scenario):
    inputs = load_inputs(load_scenario(demo_scenario))
    assert inputs.scenario.forecast.pilot_change is None
    fits = {u.key: SimpleNamespace(loosely_pinned="wide band") for u in inputs.units}
    ref = {u.key: 1000.0 for u in inputs.units}
    assert pilot_rules(inputs, SimpleNamespace(unit=fits.get), ref, {}, 1_000_000.0) == ([], {})


def test_pilot_limits_only_unruled_loose_channels_around_their_historical_share(demo_scenario):
    inputs = load_inputs(load_scenario(demo_scenario))
    scenario = inputs.scenario
    inputs = replace(inputs, scenario=scenario.model_copy(update={
        "forecast": scenario.forecast.model_copy(update={"pilot_change": 0.3})}))
    loose = {"display_feed", "kol", "search_ads"}     # search_ads has a min rule in the demo
    fits = {u.key: SimpleNamespace(loosely_pinned="wide band" if u.channel in loose else None)
            for u in inputs.units}
    ref = {u.key: 1000.0 * (i + 1) for i, u in enumerate(inputs.units)}
    total = sum(ref.values())
    rules, info = pilot_rules(inputs, SimpleNamespace(unit=fits.get), ref, {}, 1_000_000.0)
    assert sorted(info) == ["display_feed", "kol"]
    for channel, item in info.items():
        share = ref[channel] / total
        assert item["low"] == pytest.approx(0.7 * share * 1_000_000.0)
        assert item["high"] == pytest.approx(1.3 * share * 1_000_000.0)
    assert {r.name for r in rules} == {"pilot_min:display_feed", "pilot_max:display_feed",
                                       "pilot_min:kol", "pilot_max:kol"}
    # committed fixed money above the band widens the top so the plan stays feasible
    fixed = {("kol", 0): 1_000_000.0}
    _, info = pilot_rules(inputs, SimpleNamespace(unit=fits.get), ref, fixed, 1_000_000.0)
    assert info["kol"]["high"] == 1_000_000.0
    off = inputs.scenario.model_copy(update={"forecast": inputs.scenario.forecast.model_copy(
        update={"pilot_change": None})})
    assert pilot_rules(SimpleNamespace(scenario=off, units=inputs.units),
                       SimpleNamespace(unit=fits.get), ref, {}, 1e6) == ([], {})


def test_pilot_bound_holds_in_the_lp_and_is_priced_in_words(log_curves):
    units, a, b = log_curves.world(3, 2, seed=4)
    a[0] *= 6          # unit 0 is far better: unconstrained, it takes most of the money
    budget = 600_000.0
    curves = log_curves.table(units, a, b, budget)
    free = allocate(curves, units, [0, 1], {}, [DynamicBudget("budget", "==", amount=budget)])
    free_spend = sum(free.solution.spend[(units[0].key, p)] for p in (0, 1))
    cap = 0.5 * free_spend
    rules = [DynamicBudget("budget", "==", amount=budget),
             PilotBound("pilot_max:ch00", "<=", channel="ch00", amount=cap, change=0.3)]
    run = allocate(curves, units, [0, 1], {}, rules)
    spend = sum(run.solution.spend[(units[0].key, p)] for p in (0, 1))
    assert spend == pytest.approx(cap, rel=1e-6)
    assert run.solution.objective < free.solution.objective
    row = next(r for r in run.solution.rows if r.rule.name == "pilot_max:ch00")
    assert row.price > 0
    assert "within 30% of its historical share" in row.rule.describe("CNY")
    assert row.rule.shadow(row.price, "revenue", "CNY", None).startswith(
        "raising ch00's pilot limit by ¥1 adds")


def test_extrapolation_flag_is_strictly_more_than_half_above_the_historical_range():
    allocation = pd.DataFrame({
        "channel": ["a", "a", "b", "b", "c", "c"], "fixed_spend": 0.0,
        "dynamic_spend": [100.0, 150.0, 100.0, 151.0, 10.0, 20.0],
        "total_spend": [100.0, 150.0, 100.0, 151.0, 10.0, 20.0],
        "incremental_kpi": 1.0, "marginal_roi": 1.0})
    history = pd.DataFrame({"channel": ["a", "b", "c"], "historical_spend": 100.0})
    ranges = pd.DataFrame({"channel": ["a", "b", "c"], "hist_period_min": 10.0,
                           "hist_period_max": 100.0})
    table = channels_table(allocation, history, ranges, False).set_index("channel")
    assert table.loc["a", "plan_period_max"] == 150.0 and not table.loc["a", "extrapolated"]
    assert table.loc["b", "extrapolated"]          # 151 > 1.5 × 100
    assert not table.loc["c", "extrapolated"]


def test_origins_tile_the_end_of_history_and_keep_a_year_of_training():
    start, end = pd.Timestamp("2023-10-01"), pd.Timestamp("2026-09-30")
    cuts = origins(start, end, 92, 3, 1)
    assert [c + pd.Timedelta(days=92 * k) for c, k in zip(cuts, (3, 2, 1))] == [end] * 3
    assert origins(start, end, 92, 12, 1)[0] - start >= pd.Timedelta(days=364)
    assert len(origins(start, end, 92, 12, 1)) < 12
    weekly = origins(pd.Timestamp("2023-01-02"), pd.Timestamp("2025-12-28"), 91, 2, 7)
    assert all((c - pd.Timestamp("2023-01-02")).days % 7 == 6 for c in weekly)


def test_score_is_one_minus_wape_and_coverage_counts_inside_the_interval():
    frame = pd.DataFrame({"fold": [1, 1, 2, 2], "actual": [100.0, 200.0, 100.0, 100.0],
                          "forecast": [110.0, 190.0, 100.0, 80.0],
                          "lower": [95.0, 195.0, 90.0, 70.0], "upper": [120.0, 210.0, 99.0, 90.0]})
    s = score(frame)
    assert s["wape"] == pytest.approx(40 / 500)
    assert s["accuracy"] == pytest.approx(1 - 40 / 500)
    assert s["coverage"] == pytest.approx(2 / 4)
    assert s["folds"] == 2 and s["periods"] == 4


def test_backtest_refuses_to_overwrite_and_explains_too_short_history(demo_scenario, cli, tmp_path,
                                                                      capsys):
    out = tmp_path / "scores.csv"
    out.write_text("keep")
    assert cli("backtest", demo_scenario, "--out", out) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--force" in err and out.read_text() == "keep"

    rng = np.random.default_rng(0)
    world = world_from_truths([draw_channel(rng, "a")], "2024-01-01", "2025-02-28", seed=1)
    write_history(world, tmp_path / "h.csv")
    (tmp_path / "s.yaml").write_text(
        "name: short\nhistory: h.csv\nhorizon: {start: 2025-03-01, end: 2025-05-31, "
        "period: week}\nbudget: {total: 1000000}\n")
    assert cli("backtest", tmp_path / "s.yaml", "--out", tmp_path / "b.csv") == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "too short for a backtest" in err and "needs at least 457" in err
    assert not (tmp_path / "b.csv").exists()
