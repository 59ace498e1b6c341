"""The `mixed` family: every difficulty at once, deterministic per seed, its truth consistent
with its history in long and in total-KPI form."""
from __future__ import annotations

import numpy as np
import pandas as pd

from budgetopt.datasets import mixed_wide_world, mixed_world, noise_free
from budgetopt.datasets.truth import PULSE_OFF, PULSE_ON, calendar_arrays


def test_the_same_seed_gives_the_same_world_byte_for_byte():
    a, b = mixed_world(3), mixed_world(3)
    assert a.channels == b.channels
    assert a.history.to_csv(index=False) == b.history.to_csv(index=False)
    wa, wb = mixed_wide_world(3, "W"), mixed_wide_world(3, "W")
    assert wa.history.to_csv(index=False) == wb.history.to_csv(index=False)
    assert mixed_world(4).channels != a.channels


def test_channels_draw_every_difficulty_within_their_ranges():
    truths = [c for seed in range(12) for c in mixed_world(seed).channels]
    counts = [len(mixed_world(seed).channels) for seed in range(12)]
    assert min(counts) >= 6 and max(counts) <= 10 and len(set(counts)) > 1
    assert {c.shape for c in truths} == {"exp", "hill", "log", "sqrt_cap"}
    carry = np.array([c.carryover for c in truths])
    assert carry.min() == 0.0 and carry.max() <= 0.85 and (carry > 0.6).any()
    assert any(c.pulse_weeks > 0 for c in truths) and any(c.pulse_weeks == 0 for c in truths)
    assert any(c.promo_spend_lift > 2 for c in truths)
    # the season and the promotions couple to the response by different amounts
    assert np.std([c.response_coupling - c.promo_coupling for c in truths]) > 0.2
    noises = [mixed_world(seed).noise for seed in range(12)]
    assert 0.03 <= min(noises) and max(noises) <= 0.15


def test_history_is_the_truth_plus_noise_and_weekly_rows_sum_the_days():
    world = mixed_world(5)
    clean = noise_free(world)
    for c in world.channels[:3]:
        spend = world.historical_daily_spend(c)
        expected = world.expected_revenue(c, spend.index, world.adstock(c, spend.to_numpy()))
        rows = clean.history[clean.history["channel"] == c.name]
        np.testing.assert_allclose(rows["revenue"].to_numpy(), expected, atol=0.006)
        noisy = world.history[world.history["channel"] == c.name]["revenue"].to_numpy()
        rel = noisy / expected - 1
        assert 0.5 * world.noise < rel.std() < 1.5 * world.noise
    weekly = mixed_world(5, "W")
    assert weekly.channels == world.channels
    c = weekly.channels[0]
    rows = weekly.history[weekly.history["channel"] == c.name]
    daily = weekly.historical_daily_spend(c)
    np.testing.assert_allclose(rows["spend"].iloc[:4].to_numpy(),
                               daily.iloc[:28].to_numpy().reshape(4, 7).sum(axis=1), atol=0.01)


def test_pulsed_channels_alternate_on_and_off_blocks():
    world = next(w for w in (mixed_world(s) for s in range(20))
                 if any(c.pulse_weeks for c in w.channels))
    c = next(c for c in world.channels if c.pulse_weeks)
    spend = world.historical_daily_spend(c).to_numpy()
    weeks = np.arange(len(spend)) // 7
    on = ((weeks + c.pulse_phase) // c.pulse_weeks) % 2 == 0
    _, promo = calendar_arrays(world.historical_daily_spend(c).index)
    calm = ~promo
    ratio = spend[on & calm].mean() / spend[~on & calm].mean()
    assert ratio > 0.5 * PULSE_ON / PULSE_OFF


def test_promotion_coupling_separates_from_the_season():
    world = mixed_world(1)
    c = next(c for c in world.channels if abs(c.promo_coupling - c.response_coupling) > 0.3)
    days = pd.date_range("2024-11-11", "2024-11-11")
    promo, _ = calendar_arrays(days)
    d = world.demand_index(c, days)
    expected = (d / promo) ** c.response_coupling * promo ** c.promo_coupling
    np.testing.assert_allclose(world.response_index(c, days), expected)
    assert not np.allclose(world.response_index(c, days), d ** c.response_coupling)


def test_wide_form_is_the_same_world_summed():
    long, wide = mixed_world(2, "W"), mixed_wide_world(2, "W")
    assert wide.world.channels == long.channels
    for c in long.channels:
        np.testing.assert_array_equal(wide.history[wide.spend_columns[c.name]].to_numpy(),
                                      long.history[long.history["channel"] == c.name]["spend"]
                                      .to_numpy())
    clean = noise_free(long).history.groupby("date")["revenue"].sum().to_numpy()
    rel = wide.history["revenue"].to_numpy() / clean - 1
    assert abs(rel.mean()) < 0.02 and 0.5 * long.noise < rel.std() < 1.5 * long.noise


def test_mixed_noise_is_the_worlds_own_without_building_it():
    from budgetopt.datasets import mixed_noise
    for seed in (0, 5):
        assert mixed_noise(seed) == mixed_world(seed).noise == mixed_world(seed, "W").noise
        assert 0.03 <= mixed_noise(seed) <= 0.15
