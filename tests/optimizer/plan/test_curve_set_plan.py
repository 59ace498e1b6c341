"""Planning runs from the inputs and a curve set alone: a curve set built in the test from known
responses (no fit, Prophet not importable) gives a plan within 0.1% of the exact optimum, and
the run folder's curves.csv is the curve set's own table."""
from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from budgetopt.errors import InputError
from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.results.outputs import write_outputs
from budgetopt.optimizer.scenario.loader import scenario_from_dict

BUDGET = 7_000_000.0
#: channel → (gain per day, saturation scale in daily spend)
TRUTH = {"content_seo": (40_000.0, 6_000.0), "display_feed": (60_000.0, 12_000.0),
         "kol": (30_000.0, 9_000.0), "live_streaming": (90_000.0, 15_000.0),
         "private_domain": (20_000.0, 3_000.0), "search_ads": (70_000.0, 20_000.0),
         "short_video": (50_000.0, 10_000.0), "social": (25_000.0, 5_000.0)}


@pytest.fixture(scope="module")
def inputs(demo_scenario):
    scenario = scenario_from_dict({
        "name": "known curves", "history": "data/history.csv",
        "horizon": {"start": "2026-10-01", "end": "2026-12-31", "period": "week"},
        "budget": {"total": BUDGET, "fixed_share": 0.0, "reserve_share": 0.0}},
        source=demo_scenario)
    return load_inputs(scenario)


@pytest.fixture(scope="module")
def known(inputs, toy_curves):
    units = {u.key: (u.channel, u.market, *TRUTH[u.channel]) for u in inputs.units}
    return toy_curves.build(units, inputs.periods)


def _exact_optimum(inputs, budget):
    """Σ D·g·(1 − exp(−s/(D·λ))) over units × periods with Σ s = budget: equal marginal
    return μ, s = D·λ·ln(g/(λ·μ)) where positive; bisection on μ."""
    cells = [(TRUTH[u.channel], int(d)) for u in inputs.units for d in inputs.periods["days"]]

    def spend(mu):
        return np.array([max(d * lam * np.log(g / (lam * mu)), 0.0) for (g, lam), d in cells])

    lo, hi = 1e-9, max(g / lam for (g, lam), _ in cells)
    for _ in range(200):
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if spend(mid).sum() > budget else (lo, mid)
    s = spend(np.sqrt(lo * hi))
    return sum(d * g * (1 - np.exp(-x / (d * lam))) for ((g, lam), d), x in zip(cells, s))


def test_a_plan_from_a_curve_set_alone_is_the_exact_optimum(inputs, known, toy_curves,
                                                            monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "prophet", None)      # any fit would fail to import
    result = plan_with(inputs, known)
    alloc = result.allocation
    assert len(alloc) == len(inputs.units) * len(inputs.periods) > 0
    assert alloc["total_spend"].sum() == pytest.approx(BUDGET, rel=1e-9)
    days = dict(zip(inputs.periods["period_start"], inputs.periods["days"]))
    exact = [toy_curves.value(r.total_spend, *TRUTH[r.channel], int(days[r.period_start]))
             for r in alloc.itertuples()]
    np.testing.assert_allclose(alloc["incremental_kpi"], exact, rtol=1e-3, atol=1e-6)
    best = _exact_optimum(inputs, BUDGET)
    assert best * (1 - 1e-3) <= sum(exact) <= best * (1 + 1e-9)
    assert result.summary["curves"]["source"] == "known responses"
    assert "a warning" in result.summary["warnings"]

    # the run folder's curves.csv is the curve set's table at the plan's breakpoints
    out = write_outputs(result, tmp_path / "run", report=False)
    written = pd.read_csv(out / "curves.csv")
    table = known.table(BUDGET).merge(inputs.periods[["period", "period_start"]], on="period")
    table["period_start"] = table["period_start"].dt.strftime("%Y-%m-%d")
    table = table.sort_values(["channel", "period_start", "spend"], kind="stable")
    assert len(written) == len(table) > 0
    assert list(written["channel"]) == list(table["channel"])
    assert list(written["period_start"]) == list(table["period_start"])
    np.testing.assert_allclose(written["spend"], table["spend"], atol=0.005)
    np.testing.assert_allclose(written["incremental_kpi"], table["incremental_kpi"], atol=0.005)


def test_plan_with_refuses_a_curve_set_made_for_other_periods(inputs, toy_curves):
    units = {u.key: (u.channel, u.market, *TRUTH[u.channel]) for u in inputs.units}
    other = toy_curves.build(units, inputs.periods.iloc[:4])
    with pytest.raises(InputError, match="curve set made for these inputs' plan periods"):
        plan_with(inputs, other)
