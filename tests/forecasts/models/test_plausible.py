"""Coupling to the baseline profiled per unit, and the plausible set: weights from the profile
likelihood, widened when a parameter sits at a bound; seeded draws; the baseline's level error
from the holdouts (least squares only)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from budgetopt.datasets import ChannelTruth, world_from_truths
from budgetopt.forecasts.history.calendar import holiday_frame
from budgetopt.forecasts.models.fit import UnitFit, baseline_level_error
from budgetopt.forecasts.models.plausible import (CHI2_1_95, baseline_level_draws, draw_responses,
                                                  effective_share, not_identified)
from budgetopt.forecasts.models.response import MAX_GAIN, Response, profile_response

START, END = "2023-01-01", "2025-12-31"


def _truth(**kw):
    base = dict(name="ch", baseline=100_000, spend_level=20_000, beta=90_000, shape="exp",
                half_saturation=25_000, season_amplitude=0.15, trend_per_year=0.08,
                promo_spend_lift=1.0, flight_sigma=0.4)
    base.update(kw)
    return ChannelTruth(**base)


def _profile(truth, seed=3, noise=0.03):
    world = world_from_truths([truth], START, END, seed=seed, noise=noise)
    hist = world.history
    ds = pd.to_datetime(hist["date"]).reset_index(drop=True)
    holidays = holiday_frame(world.start, world.end, [], True)
    return world, profile_response(ds, hist["revenue"].to_numpy(), hist["spend"].to_numpy(),
                                   holidays, 1, True)


def test_coupling_is_profiled_per_unit_between_additive_and_proportional():
    _, weak = _profile(_truth(response_coupling=0.0, season_amplitude=0.3))
    _, full = _profile(_truth(response_coupling=1.0, season_amplitude=0.3))
    assert weak.response.rho <= 0.25
    assert full.response.rho == 1.0
    # the coupling reaches the curves: the factor per step follows baseline^ρ
    base = np.array([50_000.0, 100_000.0, 200_000.0])
    r = weak.response
    factor = r.gain * r.coupling_weight(base) * base
    assert factor[2] / factor[1] == pytest.approx(2.0 ** r.rho, rel=1e-9)


def test_plausible_weights_are_a_distribution_and_the_best_fit_dominates_when_pinned():
    _, prof = _profile(_truth())
    weights = np.array([w for _, w, _ in prof.plausible])
    assert weights.sum() == pytest.approx(1.0) and (weights > 0).all()
    assert prof.not_identified == ()
    assert all(se >= 0 for _, _, se in prof.plausible)
    top = max(prof.plausible, key=lambda item: item[1])[0]
    assert top.shape == prof.response.shape


def test_a_scale_beyond_any_spend_seen_is_not_identified_and_widens_the_set():
    # saturation far beyond the spend history reached: the data see an almost straight line
    _, prof = _profile(_truth(half_saturation=600_000, beta=1_500_000))
    assert any("beyond any spend seen" in why for why in prof.not_identified)
    weights = np.array([w for _, w, _ in prof.plausible])
    assert np.allclose(weights, weights[0])          # every unrejected candidate counts alike
    assert len(prof.plausible) >= 3
    scales = {round(r.scale) for r, _, _ in prof.plausible}
    assert min(scales) < 0.75 * prof.response.scale   # curves that saturate sooner stay in


def test_not_identified_reads_the_gain_cap_and_the_spend_seen():
    spend = np.array([1.0, 5.0, 10.0])
    at_cap = Response("exp", 5.0, 1.0, 0.0, MAX_GAIN[True], True)
    assert "gain at its cap" in not_identified(at_cap, spend, MAX_GAIN[True])[0]
    wide = Response("exp", 50.0, 1.0, 0.0, 1.0, True)
    assert "beyond any spend seen" in not_identified(wide, spend, MAX_GAIN[True])[0]
    assert not_identified(Response("exp", 5.0, 1.0, 0.0, 1.0, True), spend, 20.0) == ()


def test_draws_are_seeded_per_unit_and_keep_gains_non_negative():
    plausible = ((Response("exp", 5.0, 1.0, 0.0, 0.1, True), 0.7, 0.2),
                 (Response("hill", 9.0, 0.8, 0.2, 0.3, True), 0.3, 0.05))
    a = draw_responses(plausible, 200, 0, "kol")
    assert a == draw_responses(plausible, 200, 0, "kol")
    assert a != draw_responses(plausible, 200, 0, "social")
    assert a != draw_responses(plausible, 200, 1, "kol")
    assert all(r.gain >= 0 for r in a)
    share = np.mean([r.shape == "exp" for r in a])
    assert share == pytest.approx(0.7, abs=0.1)


def test_effective_share_discounts_autocorrelated_residuals():
    rng = np.random.default_rng(0)
    white = rng.standard_normal(5000)
    assert effective_share(white) == pytest.approx(1.0, abs=0.05)
    red = np.convolve(white, np.ones(5) / 5, mode="same")
    assert effective_share(red) < 0.5
    assert CHI2_1_95 == pytest.approx(3.841)


def _fit_with_holdouts(errors, sigma=0.05, multiplicative=True):
    response = Response("exp", 5.0, 1.0, 0.0, 0.1, multiplicative)
    return UnitFit(("ch", None), 5.0, 1, "{}", response=response, sigma=sigma,
                   holdout_errors=tuple(errors))


def test_the_baseline_level_error_is_the_holdouts_mean_error_over_the_horizon():
    # every holdout misses by 2σ on every step: the level over any horizon is off by 2σ
    biased = _fit_with_holdouts([(k, 2.0) for k in range(1, 5) for _ in range(91)])
    assert baseline_level_error(biased, np.ones(91), 91) == pytest.approx(2.0 * 0.05)
    # additive form: relative to the baseline's mean
    additive = _fit_with_holdouts([(k, 2.0) for k in range(1, 5) for _ in range(91)],
                                  sigma=500.0, multiplicative=False)
    assert baseline_level_error(additive, np.full(91, 10_000.0), 91) == pytest.approx(0.1)
    # noisy holdouts: the root-mean-square of the four holdout means, at least σ/√steps
    errors = np.random.default_rng(1).standard_normal((4, 91)) + [[0.1], [-0.3], [0.2], [0.0]]
    noisy = _fit_with_holdouts([(k + 1, float(e)) for k in range(4) for e in errors[k]])
    rms = np.sqrt(np.mean(errors.mean(axis=1) ** 2))
    assert baseline_level_error(noisy, np.ones(91), 91) == pytest.approx(
        max(rms, 1 / np.sqrt(91)) * 0.05)
    assert baseline_level_error(_fit_with_holdouts([]), np.ones(91), 91) == 0.0


def test_level_draws_are_seeded_and_spread_as_the_level_error():
    a = baseline_level_draws(0.08, 4000, 0, "kol")
    assert np.array_equal(a, baseline_level_draws(0.08, 4000, 0, "kol"))
    assert not np.array_equal(a, baseline_level_draws(0.08, 4000, 0, "social"))
    assert a.std() == pytest.approx(0.08, rel=0.05) and abs(a.mean()) < 0.01
    assert not baseline_level_draws(0.0, 10, 0, "kol").any()
