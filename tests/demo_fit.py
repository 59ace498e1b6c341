"""The demo scenario's inputs and fitted forecasts, fitted once per test process and shared by
the workflow tests (compare, frontier, shocks, rebalance)."""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from budgetopt.datasets import demo_world
from budgetopt.optimizer.workflows.inputs import load_inputs
from budgetopt.optimizer.workflows.pipeline import fit_forecasts
from budgetopt.optimizer.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo.yaml"


@functools.lru_cache(maxsize=None)
def demo_fit():
    inputs = load_inputs(load_scenario(DEMO))
    return inputs, fit_forecasts(inputs)


def write_actuals(allocation: pd.DataFrame, as_of: str, path: Path,
                  overspend: dict[str, float] | None = None) -> pd.DataFrame:
    """Daily actuals from the demo world's true curves at a plan's spend (times `overspend`
    per channel) for every period ending on or before `as_of`; written as a history CSV."""
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


def segment_value(curve: pd.DataFrame, spend: float) -> float:
    """Incremental KPI at `spend` on a curve table's breakpoints (linear between them)."""
    return float(np.interp(spend, curve["spend"], curve["incremental_kpi"]))
