"""Wide worlds: deterministic, internally consistent, and their attributed long form
over-counts the total as platform reports do."""
from __future__ import annotations

import numpy as np
import pandas as pd

from budgetopt.datasets.wide import (WIDE_FAMILIES, make_wide_world, wide_family_world,
                                     write_attributed_history, write_wide_history)


def test_the_same_arguments_give_the_same_world(tmp_path):
    a = make_wide_world(3, start="2024-01-01", end="2024-12-31", seed=4, control=True)
    b = make_wide_world(3, start="2024-01-01", end="2024-12-31", seed=4, control=True)
    write_wide_history(a, tmp_path / "a.csv", future_until="2025-02-28")
    write_wide_history(b, tmp_path / "b.csv", future_until="2025-02-28")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    c = make_wide_world(3, start="2024-01-01", end="2024-12-31", seed=5, control=True)
    assert not np.allclose(a.history["revenue"], c.history["revenue"])


def test_noise_free_total_is_baseline_plus_true_contributions():
    w = make_wide_world(3, start="2024-01-01", end="2024-12-31", seed=2, noise=0.0)
    total = w.history["revenue"].sum()
    baseline = sum(w.world.baseline(c, pd.to_datetime(w.history["date"])).sum()
                   for c in w.channels)
    shares = sum(w.true_contribution_share(c) for c in w.channels)
    assert abs(baseline / total + shares - 1) < 1e-3
    for c in w.channels:
        spend = w.history[w.spend_columns[c]].sum()
        assert abs(w.true_roi(c) - w.true_contribution_share(c) * total / spend) \
            < 1e-6 * w.true_roi(c)


def test_attributed_revenue_over_counts_the_total(tmp_path):
    w = make_wide_world(4, start="2024-01-01", end="2024-12-31", seed=3)
    assert w.attributed["revenue"].sum() > w.history["revenue"].sum()
    for c in w.channels:
        claimed = w.attributed.loc[w.attributed["channel"] == c, "revenue"].sum()
        assert claimed > w.true_contribution_share(c) * w.history["revenue"].sum()
    write_attributed_history(w, tmp_path / "long.csv")
    long = pd.read_csv(tmp_path / "long.csv")
    assert list(long.columns) == ["date", "channel", "spend", "revenue"]


def test_future_rows_carry_only_controls(tmp_path):
    w = make_wide_world(2, start="2024-01-01", end="2024-12-31", seed=1, control=True)
    write_wide_history(w, tmp_path / "h.csv", future_until="2025-01-31")
    h = pd.read_csv(tmp_path / "h.csv")
    future = h[pd.to_datetime(h["date"]) > "2024-12-31"]
    assert len(future) == 31
    assert future["revenue"].isna().all() and (future["discount"] == 0).all()


def test_every_family_builds():
    for family in WIDE_FAMILIES:
        w = wide_family_world(family, 0, channels=2)
        assert w.freq == ("W" if family == "weekly" else "D")
        assert bool(w.controls) == (family == "control")


def test_true_rows_are_the_noise_free_total_split_into_its_parts():
    w = make_wide_world(3, start="2024-01-01", end="2024-12-31", seed=2, noise=0.0, control=True)
    parts = w.true_rows
    assert list(parts.columns) == ["date", "baseline"] + w.channels
    assert list(parts["date"]) == list(w.history["date"])
    total = parts[["baseline"] + w.channels].sum(axis=1)
    assert np.allclose(total, w.history["revenue"], atol=0.01)
    spend_days = pd.to_datetime(w.history["date"])
    for c in w.channels:          # each part against the world's own history-long truth
        assert abs(parts[c].sum() / w.history[w.spend_columns[c]].sum() - w.true_roi(c)) \
            < 1e-6 * w.true_roi(c)
    organic = sum(np.asarray(w.world.baseline(c, spend_days)) for c in w.channels)
    assert np.allclose(parts["baseline"] / organic, np.exp(w.control_effect
                                                          * w.history["discount"]))
