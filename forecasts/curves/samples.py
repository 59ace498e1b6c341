"""Plausible curves read from a curve set: each unit × period's curve under S responses drawn
from its plausible set (forecasts/models/plausible.py), on the breakpoints the plan is solved
on. The draws leave here as a table with a `sample` column."""
from __future__ import annotations

import numpy as np
import pandas as pd

from budgetopt.forecasts.models.plausible import draw_responses


def sample_table(curve_set, curves: pd.DataFrame, samples: int, seed: int = 0) -> pd.DataFrame:
    """Each unit × period's curve under `samples` plausible responses, read at the same spend
    breakpoints as `curves` (the table the plan is solved on): columns unit, period, sample,
    spend, incremental_kpi. Units the set has no response for (locked, never spent) keep their
    curve in every sample."""
    frames = []
    shock = curve_set.shock
    grouped = {k: g for k, g in curves.groupby(["unit", "period"], sort=True)}
    sample_ids = np.arange(samples)
    period_ids = [p for p, _, _ in curve_set.periods]
    days = {p: d for p, _, d in curve_set.periods}
    for key in sorted({u for u, _ in grouped}):
        cells = {p: g["spend"].to_numpy(float) for (u, p), g in grouped.items() if u == key}
        unit = curve_set.unit(key)
        if unit is None:
            for p, x in cells.items():
                y = grouped[(key, p)]["incremental_kpi"].to_numpy(float)
                frames.append(_cell_frame(key, p, sample_ids, x, np.tile(y, (samples, 1))))
            continue
        plausible = unit.plausible or ((unit.response, 1.0, 0.0),)
        draws = draw_responses(plausible, samples, seed, key)
        step = unit.step_days
        base, which = unit.baseline, unit.which    # baseline up to the longest tail
        sums = np.zeros((samples, len(period_ids)))
        for s, r in enumerate(draws):
            factor = r.gain * r.coupling_weight(base) * (base if r.multiplicative else 1.0)
            valued = r.smear(np.maximum(factor, 0.0))
            for j, p in enumerate(period_ids):
                sums[s, j] = float(valued[which == p].sum())
        for j, p in enumerate(period_ids):
            if p not in cells:
                continue
            x = cells[p]
            per_step = step / days[p]
            read = x if shock is None else x / shock.cost(unit.channel)
            y = np.stack([sums[s, j] * r.saturate(read * per_step) for s, r in enumerate(draws)])
            if shock is not None:
                y = y * shock.demand(unit.channel)
            frames.append(_cell_frame(key, p, sample_ids, x, y))
    return pd.concat(frames, ignore_index=True)


def _cell_frame(key, period, sample_ids, x, y) -> pd.DataFrame:
    k = len(x)
    return pd.DataFrame({"unit": key, "period": int(period),
                         "sample": np.repeat(sample_ids, k), "spend": np.tile(x, len(sample_ids)),
                         "incremental_kpi": np.asarray(y, float).ravel()})
