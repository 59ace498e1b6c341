"""What a plan is truly worth in a world: the exact true incremental KPI of any spend plan, the
true response curves of a planning horizon (to solve for the true optimum with the same LP), and
a ready-to-run scenario for the world. The truth is read from the world, never from a fit."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from budgetopt.datasets.demo import write_history
from budgetopt.datasets.worlds import World
from budgetopt.units import unit_key

#: Carryover is followed until its remaining share falls below this.
TAIL_SHARE = 1e-4
#: Points per true curve (geometric in spend, plus 0).
CURVE_POINTS = 160


def tail_days(theta: float) -> int:
    """Days after a period that still carry its spend's effect, for daily decay `theta`."""
    return 0 if theta <= 0 else int(math.ceil(math.log(TAIL_SHARE) / math.log(theta)))


def _unit(row) -> tuple[str, str | None]:
    market = getattr(row, "market", None)
    return (row.channel, None if market is None or market != market else market)


def starting_adstock(world: World, unit) -> float:
    """The unit's carryover state at the end of its history (where a plan starts from)."""
    return float(world.adstock(unit, world.historical_daily_spend(unit).to_numpy())[-1])


def plan_value(world: World, allocation: pd.DataFrame) -> float:
    """True incremental KPI of a plan: rows with `channel` (`market`), `period_start`,
    `period_end` and `total_spend` (budgetopt's allocation.csv), each period's spend spread
    evenly over its days, carryover simulated from the end of history, tails counted."""
    return float(sum(unit_values(world, allocation).values()))


def unit_values(world: World, allocation: pd.DataFrame) -> dict[tuple[str, str | None], float]:
    """`plan_value` per unit (channel, market)."""
    frame = allocation.assign(period_start=pd.to_datetime(allocation["period_start"]),
                              period_end=pd.to_datetime(allocation["period_end"]))
    out: dict[tuple[str, str | None], float] = {}
    for unit in world.units:
        truth = world.truth(unit)
        rows = [r for r in frame.itertuples() if _unit(r) == unit]
        if not rows:
            continue
        rows.sort(key=lambda r: r.period_start)
        days = [(r.period_end - r.period_start).days + 1 for r in rows]
        daily = np.concatenate([np.full(d, r.total_spend / d) for r, d in zip(rows, days)])
        out[unit] = world.plan_incremental(truth, rows[0].period_start, daily,
                                           tail_days(truth.carryover),
                                           starting_adstock(world, unit))
    return out


def true_curves(world: World, periods: pd.DataFrame, max_spend: float) -> pd.DataFrame:
    """True response curves per unit × period in budgetopt's curve-table form (`unit`,
    `channel`, `market`, `period`, `spend`, `incremental_kpi`): the period's spend at its own
    saturation, its carryover tail included — the curves the LP would need to find the true
    optimum. `periods` has `period`, `period_start`, `period_end`, `days`."""
    frames = []
    end = periods["period_end"].iloc[-1]
    grid = np.unique(np.concatenate([[0.0], np.geomspace(max_spend * 1e-4, max_spend,
                                                          CURVE_POINTS)]))
    for c in world.channels:
        tail = tail_days(c.carryover)
        days = pd.date_range(periods["period_start"].iloc[0], end + pd.Timedelta(days=tail))
        d = world.response_index(c, days) * c.beta
        theta = c.carryover
        weights = (1 - theta) * theta ** np.arange(tail + 1) if theta > 0 else np.ones(1)
        valued = np.convolve(d[::-1], weights)[:len(d)][::-1][:len(d) - tail]
        key = unit_key(c.name, c.market)
        for p in periods.itertuples():
            mask = (days[:len(valued)] >= p.period_start) & (days[:len(valued)] <= p.period_end)
            values = valued[mask].sum() * c.saturation(grid / p.days)
            frames.append(pd.DataFrame({"unit": key, "channel": c.name, "market": c.market,
                                        "period": p.period, "spend": grid,
                                        "incremental_kpi": values}))
    return pd.concat(frames, ignore_index=True)


def same_window_spend(world: World, start, end) -> float:
    """What the world spent in the same calendar window one year (52 weeks) earlier — the
    budget a planner would start from."""
    shift = pd.Timedelta(days=364)
    lo, hi = pd.Timestamp(start) - shift, pd.Timestamp(end) - shift
    total = 0.0
    for unit in world.units:
        daily = world.historical_daily_spend(unit)
        total += float(daily[(daily.index >= lo) & (daily.index <= hi)].sum())
    return total


def write_scenario(world: World, folder, start: str, end: str, *, period: str = "week",
                   budget: float | None = None, **keys) -> Path:
    """Write the world's history and a scenario planning [start, end] into `folder`; the
    budget defaults to the same window's spend a year earlier (rounded to thousands). Extra
    scenario keys (`channels=`, `forecast=`, `risk=` …) are written as given."""
    folder = Path(folder)
    write_history(world, folder / "history.csv")
    total = same_window_spend(world, start, end) if budget is None else budget
    data = {"name": f"world seed {world.seed}", "history": "history.csv", "kpi": "revenue",
            "horizon": {"start": start, "end": end, "period": period},
            "budget": {"total": float(round(total, -3)), "fixed_share": 0.6,
                       "reserve_share": 0.0},
            "objective": "max_revenue", **keys}
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
