"""A unit's spend response: a saturation shape of carried-over spend, scaled by a gain that
moves with the baseline as its coupling says (forecasts/models/response.py fits it)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from budgetopt.forecasts.components import carryover
from budgetopt.forecasts.components.coupling import coupling_weight
from budgetopt.forecasts.components.saturation import saturation


@dataclass(frozen=True)
class Response:
    """A fitted spend response (see forecasts/models/response.py for the model)."""

    shape: str
    scale: float
    hill_n: float
    carryover: float
    gain: float
    multiplicative: bool
    coupling: float | None = None     # ρ: response ∝ baseline^ρ (None: 1 multiplicative, 0 additive)
    base_level: float = 1.0           # mean in-sample baseline the coupling is relative to

    @property
    def rho(self) -> float:
        if self.coupling is None:
            return 1.0 if self.multiplicative else 0.0
        return float(self.coupling)

    def coupling_weight(self, baseline) -> np.ndarray:
        """Factor on the gain per step from how the response moves with the baseline
        (`components.coupling`)."""
        return coupling_weight(baseline, self.rho, self.multiplicative, self.base_level)

    def saturate(self, spend_per_step) -> np.ndarray:
        return saturation(self.shape, spend_per_step, self.scale, self.hill_n)

    def adstock(self, spend_per_step, initial: float | None = None) -> np.ndarray:
        return carryover.adstock(spend_per_step, self.carryover, initial)

    def tail_steps(self) -> int:
        """Steps after a step's spend until its remaining effect is below TAIL_SHARE."""
        return carryover.tail_steps(self.carryover)

    def mean_lag_steps(self) -> float:
        return self.carryover / (1.0 - self.carryover)

    def smear(self, factors: np.ndarray) -> np.ndarray:
        """Carryover-weighted factor per step (`components.carryover.smear`)."""
        return carryover.smear(factors, self.carryover)

    def describe(self) -> dict:
        return {"shape": self.shape, "scale": self.scale,
                "hill_n": self.hill_n if self.shape == "hill" else None,
                "carryover": self.carryover, "gain": self.gain,
                "form": "multiplicative" if self.multiplicative else "additive",
                "coupling": self.rho}
