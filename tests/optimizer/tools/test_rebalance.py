"""rebalance: the as-of date, the actuals checks, and a real mid-quarter rebalance of the demo
with actuals from the demo world's true curves."""
from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from budgetopt.errors import InputError
from budgetopt.forecasts.history.loader import validate_history
from budgetopt.forecasts.history.periods import make_periods
from budgetopt.optimizer.tools.rebalance import _as_of, _combine

AS_OF = "2026-10-28"   # the end of the fourth week of the demo quarter


def history(start, end, channels=("a", "b")):
    days = pd.date_range(start, end)
    frame = pd.DataFrame([{"date": d, "channel": c, "spend": 1.0, "revenue": 5.0}
                          for d in days for c in channels])
    return validate_history(frame, "revenue", source="f.csv", min_history_days=1)


def test_as_of_must_end_a_plan_period_before_the_last():
    inputs = SimpleNamespace(periods=make_periods("2026-10-01", "2026-12-31", "month"))
    assert str(_as_of("2026-10-31", inputs)) == "2026-10-31"
    with pytest.raises(InputError, match="rebalance at one of: 2026-10-31, 2026-11-30"):
        _as_of("2026-11-15", inputs)
    with pytest.raises(InputError, match="not the last day"):
        _as_of("2026-12-31", inputs)
    with pytest.raises(InputError, match="is not a date"):
        _as_of("soon", inputs)


def test_actuals_must_follow_the_history_and_reach_the_as_of_date():
    past = history("2025-10-01", "2026-09-30")
    merged = _combine(past, history("2026-10-01", "2026-10-31"), pd.Timestamp("2026-10-31").date())
    assert merged.end == pd.Timestamp("2026-10-31") and len(merged.frame) == len(past.frame) + 62
    with pytest.raises(InputError, match="start 2026-10-02 but the history ends 2026-09-30"):
        _combine(past, history("2026-10-02", "2026-10-31"), pd.Timestamp("2026-10-31").date())
    with pytest.raises(InputError, match="end 2026-10-30 but --as-of is 2026-10-31"):
        _combine(past, history("2026-10-01", "2026-10-30"), pd.Timestamp("2026-10-31").date())
    with pytest.raises(InputError, match="not in the history: c"):
        _combine(past, history("2026-10-01", "2026-10-31", ("a", "b", "c")),
                 pd.Timestamp("2026-10-31").date())
    with pytest.raises(InputError, match="with no actuals: b"):
        _combine(past, history("2026-10-01", "2026-10-31", ("a",)),
                 pd.Timestamp("2026-10-31").date())


@pytest.fixture(scope="module")
def rebalanced(demo_fit, demo_scenario, write_actuals, tmp_path_factory):
    from budgetopt.optimizer.plan.pipeline import plan_with
    from budgetopt.optimizer.tools.rebalance import rebalance

    inputs, fitted_curves = demo_fit
    original = plan_with(inputs, fitted_curves)
    path = tmp_path_factory.mktemp("actuals") / "actuals.csv"
    actuals = write_actuals(original.allocation, AS_OF, path, overspend={"short_video": 1.2,
                                                                        "kol": 0.8})
    result = rebalance(demo_scenario, path, AS_OF, curves=fitted_curves)
    return original, actuals, path, result


@pytest.mark.slow
def test_fixed_commitments_stay_and_the_unspent_dynamic_pool_is_replanned(rebalanced):
    original, actuals, _, result = rebalanced
    alloc = original.allocation.assign(period_start=pd.to_datetime(original.allocation[
        "period_start"]))
    done = alloc["period_end"] <= pd.Timestamp(AS_OF)
    new = result.plan.allocation.assign(period_start=pd.to_datetime(
        result.plan.allocation["period_start"]))
    assert new["period_start"].min() == pd.Timestamp("2026-10-29")
    assert new["period_start"].nunique() == 9
    kept = alloc[~done].merge(new, on=["channel", "period_start"], suffixes=("_old", "_new"))
    assert len(kept) == 8 * 9
    assert np.allclose(kept["fixed_spend_old"], kept["fixed_spend_new"], atol=1e-6)
    # the dynamic pool less dynamic money spent to date: spend above a channel's fixed plan
    actual_by = actuals.groupby("channel")["spend"].sum()
    fixed_by = alloc[done].groupby("channel")["fixed_spend"].sum()
    spent_dynamic = (actual_by - fixed_by).clip(lower=0).sum()
    assert result.plan.totals["dynamic"] == pytest.approx(5_600_000 - spent_dynamic, abs=1.0)
    assert result.summary["pool"]["dynamic_spent_to_date"] == pytest.approx(spent_dynamic)
    assert result.summary["to_date"]["fixed_underspent"] > 0     # kol spent below its plan


@pytest.mark.slow
def test_rules_over_the_quarter_count_what_was_spent_to_date(rebalanced):
    _, actuals, _, result = rebalanced
    spent = actuals.groupby("channel")["spend"].sum()
    planned = result.plan.channels.set_index("channel")["total_spend"]
    assert spent["content_seo"] + planned["content_seo"] <= 1_000_000 + 1.0
    assert spent["search_ads"] + planned["search_ads"] >= 1_500_000 - 1.0


@pytest.mark.slow
def test_plan_vs_actual_matches_the_actuals_and_the_plan(rebalanced):
    original, actuals, _, result = rebalanced
    vs = result.plan_vs_actual
    assert len(vs) == 8 * 4
    by_channel = vs.groupby("channel")[["actual_spend", "actual_kpi"]].sum()
    raw = actuals.groupby("channel")[["spend", "revenue"]].sum()
    assert np.allclose(by_channel["actual_spend"], raw["spend"], atol=0.01)
    assert np.allclose(by_channel["actual_kpi"], raw["revenue"], atol=0.01)
    first = original.allocation.iloc[0]
    row = vs[(vs.channel == first.channel)
             & (vs.period_start == pd.Timestamp(first.period_start))].iloc[0]
    assert row["planned_kpi"] == pytest.approx(first.baseline_kpi + first.incremental_kpi)
    assert row["spend_variance"] == pytest.approx(row["actual_spend"] - row["planned_spend"])
    # the forecasts were refit on history + actuals
    hist = result.plan.summary["inputs"]["history"]
    assert hist["end"] == AS_OF and hist["rows"] == 8 * 1096 + len(actuals)


@pytest.mark.slow
def test_rebalance_command_with_the_original_run(rebalanced, demo_scenario, tmp_path, capsys):
    from budgetopt.optimizer.cli.main import main
    from budgetopt.optimizer.results.outputs import write_outputs

    original, _, actuals, result = rebalanced
    run = write_outputs(original, tmp_path / "q4")
    out = tmp_path / "rebalanced"
    with pytest.raises(SystemExit) as code:
        main(["rebalance", str(demo_scenario), "--actuals", str(actuals), "--as-of", AS_OF,
              "--plan", str(run), "--out", str(out)])
    assert code.value.code == 0
    assert {"allocation.csv", "plan_vs_actual.csv", "rebalance.json",
            "summary.json"} <= {p.name for p in out.iterdir()}
    summary = json.loads((out / "rebalance.json").read_text())
    assert summary["original_plan"] == "read from q4"
    # the run's two-decimal figures give the same rebalance as the plan in memory
    assert summary["pool"]["dynamic_unspent"] == pytest.approx(
        result.summary["pool"]["dynamic_unspent"], abs=5.0)
    assert "Plan vs actual to 2026-10-28" in capsys.readouterr().out
    with pytest.raises(SystemExit) as code:
        main(["rebalance", str(demo_scenario), "--actuals", str(actuals), "--as-of", "2026-10-21",
              "--out", str(tmp_path / "x")])
    assert code.value.code == 2
    err = capsys.readouterr().err
    assert "the actuals end 2026-10-28 but --as-of is 2026-10-21" in err
    assert not (tmp_path / "x").exists()
