"""A valid long history with known contents, shared by the history tests."""
from __future__ import annotations

import numpy as np
import pandas as pd

START = "2023-01-01"


def make_rows(days: int = 400, channels=("search", "kol"), markets=None, step: int = 1,
              start: str = START, seed: int = 0) -> pd.DataFrame:
    """A valid long history, date-major (so loading must sort it), dates as ISO text."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=days, freq=f"{step}D").strftime("%Y-%m-%d")
    units = [(c, m) for c in channels for m in (markets or [None])]
    rows = []
    for d in dates:
        for c, m in units:
            spend = round(float(rng.uniform(0, 1000)), 2)
            row = {"date": d, "channel": c}
            if markets:
                row["market"] = m
            row |= {"spend": spend, "revenue": round(spend * 3 + float(rng.normal(500, 50)), 2),
                    "conversions": int(rng.integers(0, 50))}
            rows.append(row)
    return pd.DataFrame(rows)
