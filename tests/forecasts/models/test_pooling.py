"""Partial pooling across markets: the size-free numbers a response is pooled on, each unit's
first-pass estimate, the channel's random-effects prior from the siblings, and the penalty the
prior puts on a candidate — each against an independent computation."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from budgetopt.forecasts.components.response import Response
from budgetopt.forecasts.models.pooling import (HUBER_Z, MIN_MARKETS, NUMBERS, TAU_FLOOR,
                                                ChannelPrior, EvidenceSum, PooledEvidence,
                                                between_variance, channel_priors,
                                                response_numbers, unit_evidence)


def _exp(scale=2.0, gain=0.4, carry=0.3, mult=True, base_level=1.0):
    return Response("exp", scale, 1.0, carry, gain, mult, None, base_level)


def test_response_numbers_match_the_closed_forms():
    r = _exp(scale=2.0, gain=0.4, carry=0.3)
    x = 1.5
    u = x / 2.0
    got = response_numbers(r, x)
    assert got["log_lift"] == pytest.approx(math.log(0.4 * (1 - math.exp(-u))))
    # exp: x·s'(x)/s(x) = u·e^(−u) / (1 − e^(−u))
    assert got["elasticity"] == pytest.approx(u * math.exp(-u) / (1 - math.exp(-u)), rel=1e-3)
    assert got["carryover"] == 0.3
    hill = Response("hill", 3.0, 0.7, 0.0, 0.2, True)
    sat = x ** 0.7 / (x ** 0.7 + 3.0 ** 0.7)
    assert response_numbers(hill, x)["elasticity"] == pytest.approx(0.7 * (1 - sat), rel=1e-3)
    # additive: the lift is relative to the mean baseline
    add = _exp(gain=500.0, mult=False, base_level=10_000.0)
    assert response_numbers(add, x)["log_lift"] == pytest.approx(
        math.log(500.0 * (1 - math.exp(-u)) / 10_000.0))


def test_unit_evidence_integrates_the_gain_uncertainty():
    a, b = _exp(scale=2.0, gain=0.4), _exp(scale=4.0, gain=0.6, carry=0.1)
    ev = unit_evidence(((a, 0.7, 0.05), (b, 0.3, 0.0)), 1.5)
    # independent: Monte Carlo over the same mixture
    rng = np.random.default_rng(0)
    n = 400_000
    pick = rng.random(n) < 0.7
    gain = np.where(pick, np.maximum(0.4 + 0.05 * rng.standard_normal(n), 0), 0.6)
    sat = np.where(pick, 1 - math.exp(-0.75), 1 - math.exp(-1.5 / 4.0))
    log_lift = np.log(gain * sat)
    assert ev["log_lift"][0] == pytest.approx(log_lift.mean(), abs=2e-3)
    assert ev["log_lift"][1] == pytest.approx(log_lift.var(), rel=0.02)
    carry = np.where(pick, 0.3, 0.1)
    assert ev["carryover"] == pytest.approx([carry.mean(), carry.var()], rel=0.01)
    assert set(ev) == set(NUMBERS)


def test_a_unit_without_an_effect_gives_no_estimate():
    assert unit_evidence(((_exp(gain=0.0), 1.0, 0.0),), 1.5) is None
    assert unit_evidence(((_exp(), 1.0, 0.1),), 0.0) is None


def test_between_variance_with_equal_variances_is_the_sample_variance_less_the_noise():
    m = np.array([0.1, 0.5, -0.2, 0.3, 0.9])
    v = np.full(5, 0.01)
    assert between_variance(m, v) == pytest.approx(np.var(m, ddof=1) - 0.01)
    assert between_variance(np.array([0.0, 0.01, -0.01]), np.full(3, 1.0)) == 0.0


def test_between_variance_recovers_a_known_spread():
    rng = np.random.default_rng(3)
    k, tau = 4000, 0.3
    v = rng.uniform(0.01, 0.2, k)
    m = 1.0 + tau * rng.standard_normal(k) + np.sqrt(v) * rng.standard_normal(k)
    assert between_variance(m, v) == pytest.approx(tau ** 2, rel=0.08)


def _evidence(means: dict, var: float = 0.01) -> dict:
    return {u: {k: [m, var] for k in NUMBERS} for u, m in means.items()}


def test_a_units_prior_comes_from_its_siblings_only():
    means = {("tv", "a"): 0.0, ("tv", "b"): 0.2, ("tv", "c"): 0.4, ("tv", "d"): 5.0}
    ev = _evidence(means)
    priors = channel_priors(ev)
    tau2 = between_variance(np.array(list(means.values())), np.full(4, 0.01))
    for unit in means:
        others = [m for u, m in means.items() if u != unit]
        # equal variances: the siblings' plain mean, variance τ² + (τ² + v)/(k − 1)
        assert priors[unit].means[0] == pytest.approx(np.mean(others))
        assert priors[unit].sds[0] == pytest.approx(math.sqrt(tau2 + (tau2 + 0.01) / 3))
        assert priors[unit].siblings == 3
    # d's own extreme value does not pull its own prior
    assert priors[("tv", "d")].means[0] == pytest.approx(0.2)


def test_precise_siblings_weigh_more_and_the_spread_has_a_floor():
    ev = {("tv", "a"): {k: [0.0, 1e-6] for k in NUMBERS},
          ("tv", "b"): {k: [0.0, 1e-6] for k in NUMBERS},
          ("tv", "c"): {k: [1.0, 100.0] for k in NUMBERS},
          ("tv", "d"): {k: [0.5, 1.0] for k in NUMBERS}}
    prior = channel_priors(ev)[("tv", "d")]
    tau2 = TAU_FLOOR["log_lift"] ** 2          # the siblings agree: τ² is its floor
    w = 1 / (tau2 + np.array([1e-6, 1e-6, 100.0]))
    assert prior.means[0] == pytest.approx(float(w @ [0.0, 0.0, 1.0] / w.sum()))
    assert prior.sds[0] == pytest.approx(math.sqrt(tau2 + 1 / w.sum()))


def test_too_few_markets_or_no_markets_give_no_prior():
    ev = _evidence({("tv", "a"): 0.0, ("tv", "b"): 0.1, ("tv", None): 0.2,
                    ("radio", "a"): 0.0, ("radio", "b"): 0.1, ("radio", "c"): 0.3,
                    ("radio", "d"): None})
    ev[("radio", "d")] = None                  # no effect found: receives, gives nothing
    priors = channel_priors(ev)
    assert MIN_MARKETS == 3
    assert set(priors) == {("radio", "a"), ("radio", "b"), ("radio", "c"), ("radio", "d")}
    assert priors[("radio", "d")].siblings == 3 and priors[("radio", "a")].siblings == 2


def test_the_penalty_is_quadratic_near_the_prior_and_linear_far_from_it():
    r = _exp(scale=2.0, gain=0.4, carry=0.3)
    numbers = response_numbers(r, 1.5)
    at = ChannelPrior(tuple(numbers[k] for k in NUMBERS), (0.1, 0.1, 0.1), 5)
    assert at.chi2(r, 1.5) == pytest.approx(0.0, abs=1e-12)
    near = ChannelPrior((numbers["log_lift"] + 0.15, numbers["elasticity"],
                         numbers["carryover"]), (0.1, 0.1, 0.1), 5)
    assert near.chi2(r, 1.5) == pytest.approx(1.5 ** 2)
    far = ChannelPrior((numbers["log_lift"] - 0.5, numbers["elasticity"],
                        numbers["carryover"] + 0.3), (0.1, 0.1, 0.1), 5)
    assert far.chi2(r, 1.5) == pytest.approx((2 * HUBER_Z * 5 - HUBER_Z ** 2)
                                             + (2 * HUBER_Z * 3 - HUBER_Z ** 2))
    term = PooledEvidence(near, 1.5)
    assert term(r) == near.chi2(r, 1.5)
    assert EvidenceSum(term, lambda _: 2.0)(r) == pytest.approx(1.5 ** 2 + 2.0)
