"""Fixtures for the tools tests: actuals drawn from the demo world's true curves."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


def _write_actuals(allocation: pd.DataFrame, as_of: str, path: Path,
                   overspend: dict[str, float] | None = None) -> pd.DataFrame:
    from budgetopt.datasets import demo_world
    world = demo_world()
    rows = []
    alloc = allocation.assign(period_start=pd.to_datetime(allocation["period_start"]),
                              period_end=pd.to_datetime(allocation["period_end"]))
    for r in alloc[alloc["period_end"] <= pd.Timestamp(as_of)].itertuples():
        days = pd.date_range(r.period_start, r.period_end)
        spend = round(r.total_spend * (overspend or {}).get(r.channel, 1.0) / len(days), 2)
        revenue = world.expected_revenue(r.channel, days, spend)
        rows += [{"date": d.strftime("%Y-%m-%d"), "channel": r.channel, "spend": spend,
                  "revenue": round(float(v), 2)} for d, v in zip(days, revenue)]
    frame = pd.DataFrame(rows).sort_values(["date", "channel"], kind="stable")
    frame.to_csv(path, index=False)
    return frame


@pytest.fixture(scope="session")
def write_actuals():
    """write_actuals(allocation, as_of, path, overspend=None) -> frame: daily actuals from the
    demo world's true curves at a plan's spend (times `overspend` per channel) for every period
    ending on or before `as_of`, written to `path` as a history CSV."""
    return _write_actuals
