"""The outcome distribution summary.json carries, against direct numpy computations."""
from __future__ import annotations

import numpy as np
import pytest

from budgetopt.optimizer.results.outcome import outcome_line, outcome_rows, outcome_summary
from budgetopt.risk_measures import cvar, distribution

INFO = {"measure": "cvar", "alpha": 0.2, "guard": "history", "guard_status": "applied"}


def test_outcome_holds_every_statistic_of_plan_roi_and_uplift():
    rng = np.random.default_rng(1)
    values = rng.normal(1000.0, 100.0, 50)
    history = values - rng.normal(50.0, 30.0, 50)
    out = outcome_summary(values, history, 200.0, 5000.0, INFO)
    assert out["samples"] == 50 and out["alpha"] == 0.2
    assert out["incremental_kpi"]["p10"] == pytest.approx(np.quantile(values, 0.1))
    assert out["incremental_kpi"]["p90"] == pytest.approx(np.quantile(values, 0.9))
    assert out["roi"]["mean"] == pytest.approx(values.mean() / 200.0)
    worst = np.sort(values - history)[:10]
    assert out["uplift_vs_history"]["cvar"] == pytest.approx(worst.mean())
    assert out["predicted_kpi"]["p50"] == pytest.approx(5000.0 + np.median(values))
    assert out["share_of_samples_beating_history"] == pytest.approx(
        np.mean(values > history))
    assert len(outcome_rows(out)) == 4 * 5
    line = outcome_line(out, "CNY", "revenue")
    assert "\n" not in line and "P10" in line and "CVaR20%" in line


def test_distribution_orders_its_statistics():
    v = np.arange(1.0, 101.0)
    d = distribution(v, 0.1)
    assert d["cvar"] == pytest.approx(5.5)
    assert d["cvar"] <= d["p10"] <= d["p50"] <= d["p90"]
    assert cvar(v, 0.1) == d["cvar"]


@pytest.mark.parametrize("objective, measure, language, words", [
    ("max_revenue", "cvar", "en",
     "CVaR20% of incremental revenue over 100 plausible curves (the mean of the worst 20%)"),
    ("max_revenue", "mean", "en", "the mean of incremental revenue over 100 plausible curves"),
    ("max_profit", "cvar", "en", "CVaR20% of profit (0.3 × incremental revenue − spend) over "
                                 "100 plausible curves (the mean of the worst 20%)"),
    ("max_roi", "mean", "en",
     "ROI: the mean of incremental revenue over 100 plausible curves ÷ spend"),
    ("max_revenue", "cvar", "zh", "100 条可信曲线下增量收入的 CVaR20%（最差 20% 的均值）"),
    ("max_profit", "mean", "zh", "100 条可信曲线下利润（0.3 × 增量收入 − 投入）的均值"),
    ("max_roi", "cvar", "zh", "ROI：100 条可信曲线下增量收入的 CVaR20%（最差 20% 的均值） ÷ 投入"),
])
def test_the_objective_is_named_in_words(objective, measure, language, words):
    from types import SimpleNamespace

    from budgetopt.optimizer.results.i18n import Words
    from budgetopt.optimizer.results.wording import objective_in_words
    risk = SimpleNamespace(measure=measure, alpha=0.2, samples=100)
    assert objective_in_words(objective, "revenue", risk, 0.3, Words(language)) == words
