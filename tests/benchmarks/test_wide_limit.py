"""The wide-history oracle: given the true parts, it recovers every gain where the total has
no noise, and its gains move with the noise where it has."""
from __future__ import annotations

import numpy as np

from benchmarks.wide_limit import oracle_gains
from budgetopt.datasets.mixed import mixed_world
from budgetopt.datasets.generate import noise_free
from budgetopt.datasets.wide import wide_from_world


def test_without_noise_the_oracle_finds_every_gain_at_one():
    ww = wide_from_world(noise_free(mixed_world(3, "W")), np.random.default_rng(1), 0.0)
    gains = oracle_gains(ww)
    assert set(gains) == {"baseline", *ww.channels}
    assert all(abs(g - 1) < 1e-3 for g in gains.values()), gains


def test_with_noise_the_gains_scatter_around_one():
    ww = wide_from_world(noise_free(mixed_world(3, "W")), np.random.default_rng(1), 0.1)
    gains = oracle_gains(ww)
    errors = [abs(gains[c] - 1) for c in ww.channels]
    assert max(errors) > 0.01 and abs(gains["baseline"] - 1) < 0.1
