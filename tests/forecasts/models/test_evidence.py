"""Outside evidence in the profile search: a likelihood term per candidate that moves the best
fit and the plausible weights, and changes nothing when it does not discriminate."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from budgetopt.datasets import ChannelTruth, world_from_truths
from budgetopt.forecasts.history.calendar import holiday_frame
from budgetopt.forecasts.models.response import profile_response


@pytest.fixture(scope="module")
def loose_world():
    """Saturation far beyond the spend seen: the history alone cannot pin the scale."""
    truth = ChannelTruth(name="ch", baseline=100_000, spend_level=20_000, beta=1_500_000,
                         shape="exp", half_saturation=600_000, season_amplitude=0.15,
                         trend_per_year=0.08, promo_spend_lift=1.0, flight_sigma=0.4)
    world = world_from_truths([truth], "2023-01-01", "2025-12-31", seed=3, noise=0.03)
    hist = world.history
    ds = pd.to_datetime(hist["date"]).reset_index(drop=True)
    holidays = holiday_frame(world.start, world.end, [], True)
    return ds, hist["revenue"].to_numpy(), hist["spend"].to_numpy(), holidays


def _fit(world, evidence=None):
    ds, y, spend, holidays = world
    return profile_response(ds, y, spend, holidays, 1, True, evidence)


def test_constant_evidence_changes_nothing(loose_world):
    plain = _fit(loose_world)
    flat = _fit(loose_world, lambda r: 7.0)
    assert flat.response == plain.response
    assert [w for _, w, _ in flat.plausible] == pytest.approx([w for _, w, _ in plain.plausible])
    assert flat.not_identified == plain.not_identified


def test_evidence_on_the_scale_moves_the_fit_and_narrows_the_plausible_set(loose_world):
    plain = _fit(loose_world)
    target = float(np.median([r.scale for r, _, _ in plain.plausible]))

    def evidence(r):   # a Gaussian measurement of log scale, s.e. 0.1
        return ((math.log(r.scale) - math.log(target)) / 0.1) ** 2

    told = _fit(loose_world, evidence)
    assert abs(math.log(told.response.scale / target)) < 0.3
    spread = lambda prof: np.ptp([math.log(r.scale) for r, _, _ in prof.plausible])  # noqa: E731
    assert spread(told) < spread(plain)
    # every kept candidate sits within the evidence's own 95% region (χ²₁ ≤ 3.84) or close
    assert all(evidence(r) <= 3.841 + 1e-9 for r, w, _ in told.plausible if w > 0.01)
