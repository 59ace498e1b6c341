"""The "which test to run next" benchmark's table states the issue's yardsticks: the median
world's realized ÷ predicted gain and how many worlds land within ±50% of the prediction."""
from __future__ import annotations

import pandas as pd

from benchmarks import test_value


def _world(seed: int, predicted: float, realized: float, random: float) -> dict:
    return {"seed": seed, "freq": "W", "top": "ch01", "top_test": "+30% × 4 w",
            "predicted_evsi": predicted, "predicted_net": predicted * 0.9, "evpi": predicted * 2,
            "realized_top": realized, "random": "ch02", "random_test": "-20% × 2 w",
            "realized_random": random, "captured_0": 0.8, "captured_top": 0.85,
            "captured_random": 0.8, "seconds": 1.0}


def test_the_median_ratio_and_the_worlds_within_half_of_the_prediction():
    worlds = [_world(0, 100.0, 40.0, 50.0),    # 0.4: outside
              _world(1, 200.0, 120.0, 10.0),   # 0.6: inside
              _world(2, 50.0, 70.0, 0.0),      # 1.4: inside
              _world(3, 10.0, -5.0, 1.0)]      # -0.5: outside
    text = test_value.report(pd.DataFrame(worlds), "abc", "")
    assert "| first-ranked test: realized ÷ predicted, median world | 0.50 | 0.5–1.5 |" in text
    assert "| worlds where realized ÷ predicted lies in 0.5–1.5 | 2 of 4 | |" in text
    assert "| worlds where the first-ranked test realized at least the random one | 2 of 4 | most |" in text
    assert "Command:" not in text   # the section writer adds the command line once
