"""Simulated lift tests from a world with known truth: what a planner's experiments file holds.

A test runs `weeks` weeks on one unit inside the history. The history's spend over the window
is the test arm; the control arm spent it divided by (1 + change), so the test spent `change`
(e.g. +30% or −30%) more than the control. The true lift is the true KPI difference between the
arms from the window's first day until the carryover of the window's spend has faded (the
adstock tail after the window counts; both arms start from the history's carryover state).

The standard error is that of a study comparing two arms over the measured days: each arm's
KPI carries the world's day-to-day noise, so se = √2 · noise · √(Σ E[KPI_t]²) over the window
and its tail (E[KPI_t] the true expected KPI per day). The measured lift is the true lift plus
a normal error with that standard error (seeded); a draw whose sign crosses the spend change's
is reported as 0, as a study would report "no detectable effect".
"""
from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from budgetopt.datasets.evaluate import tail_days
from budgetopt.datasets.worlds import World

TEST_WEEKS = 4
TEST_CHANGE = 0.3
WEEKS_BEFORE_END = 12        # the default window starts this many weeks before history ends
COLUMNS = ("channel", "market", "start", "end", "spend_change", "lift", "std_error", "kind",
           "note")


def simulated_lift_test(world: World, unit, *, change: float = TEST_CHANGE,
                        weeks: int = TEST_WEEKS, start=None, seed: int = 0) -> dict:
    """One simulated lift test on `unit` (a channel name or (channel, market)): a row of an
    experiments file (COLUMNS) plus `true_lift`. `start`: the window's first day (default
    WEEKS_BEFORE_END weeks before the history ends, on the history's week grid)."""
    if change <= -1 or change == 0:
        raise ValueError("change must be above -1 and not 0")
    c = world.truth(unit)
    daily = world.historical_daily_spend(c)
    days = daily.index
    if start is None:
        whole = len(days) // 7
        first = days[7 * max(whole - WEEKS_BEFORE_END, 0)]
    else:
        first = pd.Timestamp(start).normalize()
    last = first + pd.Timedelta(days=7 * weeks - 1)
    if first < days[0] or last > days[-1]:
        raise ValueError(f"test window {first.date()}–{last.date()} is outside the history")
    i0, i1 = days.get_loc(first), days.get_loc(last)
    tail = tail_days(c.carryover)
    stop = i1 + 1 + tail
    spend = daily.to_numpy()
    if stop > len(spend):
        spend = np.concatenate([spend, np.full(stop - len(spend), spend[-1])])
    span = pd.date_range(first, periods=stop - i0, freq="D")
    treated = spend[i0:stop].copy()
    control = treated.copy()
    control[: i1 + 1 - i0] = treated[: i1 + 1 - i0] / (1 + change)
    state = float(world.adstock(c, spend[:i0])[-1]) if i0 > 0 else None
    with_test = world.simulated_incremental(c, span, treated, state)
    without = world.simulated_incremental(c, span, control, state)
    true_lift = float(np.sum(with_test - without))
    expected = world.baseline(c, span) + with_test
    se = float(np.sqrt(2.0) * world.noise * np.sqrt(np.sum(expected ** 2)))
    rng = np.random.default_rng([31, int(seed), int(i0),
                                 zlib.crc32(f"{c.name}|{c.market}".encode("utf-8"))])
    measured = true_lift + se * float(rng.standard_normal())
    if measured * true_lift < 0:
        measured = 0.0
    spend_change = float(np.sum(treated[: i1 + 1 - i0] - control[: i1 + 1 - i0]))
    return {"channel": c.name, "market": c.market, "start": str(first.date()),
            "end": str(last.date()), "spend_change": round(spend_change, 2),
            "lift": round(measured, 2), "std_error": round(se, 2), "kind": "simulated",
            "note": f"{change:+.0%} spend for {weeks} weeks", "true_lift": true_lift}


def write_experiments(tests: list[dict], path) -> Path:
    """An experiments file (CSV) of simulated tests; `market` only where the world has one."""
    path = Path(path)
    frame = pd.DataFrame(tests)
    cols = [c for c in COLUMNS if c in frame.columns and
            (c != "market" or frame["market"].notna().any())]
    frame[cols].to_csv(path, index=False, lineterminator="\n")
    return path
