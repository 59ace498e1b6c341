"""The curve set: one immutable object carries what planning reads, and its curves, forecasts,
carryover and plausible curves are read from its data alone (checked against the responses
the test built it from, computed independently)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from budgetopt.forecasts.curves.curveset import CurveSet, frozen, period_rows

PERIODS = pd.DataFrame({"period": [0, 1], "period_start": pd.to_datetime(["2026-10-01",
                                                                          "2026-10-08"]),
                        "period_end": pd.to_datetime(["2026-10-07", "2026-10-10"]),
                        "days": [7, 3]})
UNITS = {"a": ("a", None, 2.0, 300.0), "b": ("b", None, 5.0, 100.0)}


@pytest.fixture
def curves(toy_curves) -> CurveSet:
    return toy_curves.build(UNITS, PERIODS, flat=[("c", "c", None)])


def test_the_curve_set_cannot_be_changed(curves):
    with pytest.raises(dataclasses.FrozenInstanceError):
        curves.units = ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        curves.unit("a").response = None
    with pytest.raises(ValueError, match="read-only"):
        curves.unit("a").valued[0] = 99.0
    with pytest.raises(ValueError, match="read-only"):
        curves.unit("a").baselines[0].draws[0] = 99.0
    with pytest.raises(TypeError):
        curves.unit("a").notes["gain"] = 99.0
    # what it hands out are copies: changing them leaves the set as it was
    table = curves.table(1000.0)
    table["incremental_kpi"] = 0.0
    assert curves.table(1000.0)["incremental_kpi"].max() > 0
    described = curves.describe()
    described["a"]["gain"] = -1.0
    assert curves.describe()["a"]["gain"] == 2.0
    source = np.array([1.0, 2.0])
    copy = frozen(source)
    source[0] = 5.0
    assert copy[0] == 1.0


def test_curves_are_read_from_the_responses_at_any_breakpoints(curves, toy_curves):
    table = curves.table(1000.0)
    for (unit, period), g in table.groupby(["unit", "period"]):
        assert g["spend"].iloc[0] == 0.0 and g["incremental_kpi"].iloc[0] == 0.0
        assert g["spend"].iloc[-1] == pytest.approx(1000.0)
        if unit == "c":        # locked and never spent: flat at zero
            assert (g["incremental_kpi"] == 0.0).all() and len(g) == 2
            continue
        _, _, gain, scale = UNITS[unit]
        days = int(PERIODS["days"][period])
        exact = toy_curves.value(g["spend"], gain, scale, days)
        assert np.allclose(g["incremental_kpi"], exact, rtol=1e-12)
        # the chords between breakpoints stay within 0.1% of the curve (of 1% of its top value
        # near zero, where a relative bound cannot hold)
        mid = (g["spend"].to_numpy()[1:] + g["spend"].to_numpy()[:-1]) / 2
        chord = np.interp(mid, g["spend"], g["incremental_kpi"])
        curve = toy_curves.value(mid, gain, scale, days)
        assert np.all(curve - chord <= 1e-3 * np.maximum(curve, 0.01 * exact.max()))
    # a refining pass adds breakpoints around the chosen spend, on the same curve
    dense = curves.table(1000.0, {("a", 0): [400.0]})
    before = table[(table.unit == "a") & (table.period == 0)]
    after = dense[(dense.unit == "a") & (dense.period == 0)]
    assert len(after) > len(before) and set(before["spend"]) <= set(after["spend"])
    assert np.allclose(after["incremental_kpi"], toy_curves.value(after["spend"], 2.0, 300.0, 7))


def test_forecast_carryover_and_samples_at_a_planned_spend(curves, toy_curves):
    spend = {("a", 0): 700.0, ("a", 1): 0.0, ("b", 0): 70.0, ("b", 1): 30.0}
    forecast = curves.forecast_table(spend).set_index(["unit", "period"])
    lift = toy_curves.value(700.0, 2.0, 300.0, 7)
    assert forecast.loc[("a", 0), "baseline_kpi"] == pytest.approx(7 * 1000.0)
    assert forecast.loc[("a", 0), "forecast_kpi"] == pytest.approx(7000.0 + lift)
    assert forecast.loc[("a", 1), "forecast_kpi"] == pytest.approx(3000.0)
    # the toy's draws spread the baseline ±10% evenly: the 80% interval is their 10–90% range
    draws = np.linspace(0.9, 1.1, 50) * 7000.0
    assert forecast.loc[("a", 0), "baseline_lower"] == pytest.approx(np.quantile(draws, 0.1))
    assert forecast.loc[("a", 0), "forecast_upper"] == pytest.approx(
        np.quantile(draws + lift, 0.9))
    carry = curves.carryover_table(spend).set_index("unit")
    assert carry.loc["b", "incremental_in_horizon"] == pytest.approx(
        toy_curves.value(70.0, 5.0, 100.0, 7) + toy_curves.value(30.0, 5.0, 100.0, 3))
    assert carry.loc["b", "incremental_after_horizon"] == 0.0     # no carryover, no tail
    table = curves.table(1000.0)
    samples = curves.samples(table, 3)
    assert sorted(samples["sample"].unique()) == [0, 1, 2]
    point = table.set_index(["unit", "period", "spend"])["incremental_kpi"]
    for s, g in samples.groupby("sample"):   # a single plausible response: every sample is it
        got = g.set_index(["unit", "period", "spend"])["incremental_kpi"]
        assert np.allclose(got.sort_index(), point.sort_index())


def test_plausible_responses_give_curves_in_proportion(toy_curves):
    curves = toy_curves.build(UNITS, PERIODS, plausible_gains=(0.5, 1.5))
    table = curves.table(1000.0)
    samples = curves.samples(table, 40, seed=3)
    a = samples[(samples.unit == "a") & (samples.period == 0) & (samples.spend > 0)]
    ratio = a["incremental_kpi"] / toy_curves.value(a["spend"], 2.0, 300.0, 7)
    assert set(np.round(ratio, 9)) == {0.5, 1.5}
    again = curves.samples(table, 40, seed=3)
    pd.testing.assert_frame_equal(samples, again)              # seeded: the same draws


def test_a_set_made_for_other_periods_is_refused(curves):
    assert curves.matches(PERIODS)
    assert not curves.matches(PERIODS.iloc[:1])
    assert curves.periods == period_rows(PERIODS) == ((0, "2026-10-01", 7), (1, "2026-10-08", 3))


def test_samples_carry_the_baseline_level_error_shared_by_one_baseline(curves):
    """Each sample scales a unit's curve by exp(ρ · level shift), the shift a seeded normal
    with the unit's level error; units of one baseline (one level key) shift together."""
    from budgetopt.forecasts.models.plausible import baseline_level_draws

    def coupled(level_error, key=""):
        return dataclasses.replace(curves, units=tuple(
            dataclasses.replace(u, response=dataclasses.replace(u.response, coupling=rho),
                                plausible=(), level_error=level_error, level_key=key)
            for u, rho in zip(curves.units, (0.8, 0.5))))

    table = curves.table(1000.0)
    index = ["unit", "period", "sample", "spend"]
    still = coupled(0.0).samples(table, 50, seed=7).set_index(index)["incremental_kpi"]
    moved = coupled(0.1, "baseline of market m").samples(table, 50, seed=7).set_index(index)
    level = baseline_level_draws(0.1, 50, 7, "baseline of market m")
    assert level.std() > 0.05
    ratio = (moved["incremental_kpi"] / still)[still > 0].reset_index()
    expected = np.exp(ratio["unit"].map({"a": 0.8, "b": 0.5}).to_numpy()
                      * level[ratio["sample"].to_numpy()])
    assert np.allclose(ratio["incremental_kpi"], expected, rtol=1e-9)
    assert ratio["incremental_kpi"].std() > 0.03
    # a unit of its own baseline draws its own shifts
    own = coupled(0.1).samples(table, 50, seed=7).set_index(index)["incremental_kpi"]
    a = (own / still)[still > 0].xs("a", level="unit").groupby("sample").first()
    assert np.allclose(a.to_numpy(), np.exp(0.8 * baseline_level_draws(0.1, 50, 7, "a")))
