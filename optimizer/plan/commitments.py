"""The fixed commitments of a plan: last year's spend in the same calendar window (the
reference every historical rule reads), the rules that cannot hold whatever the curves, and the
fixed pool split across units and periods by the scenario's `fixed_rule` (docs/scenario.md,
"The budget pool")."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from budgetopt.forecasts.history.reference import daily_spend, reference_shift, reference_spend
from budgetopt.optimizer.intake.inputs import PlanInputs
from budgetopt.optimizer.rules.pool import PoolSplit, channel_fixed, pace
from budgetopt.optimizer.rules.rulebook import channel_caps, precheck
from budgetopt.units import split_key, unit_key


@dataclass(frozen=True)
class Reference:
    """Spend in the same calendar window 52 weeks earlier: daily rows, per (unit key, period)
    cell and per unit over the horizon."""

    daily: pd.DataFrame
    by_cell: dict[tuple[str, int], float]
    by_unit: dict[str, float]
    unit_cols: list[str]

    def table(self, has_market: bool) -> pd.DataFrame:
        """Per unit: `channel` (`market`), `historical_spend`."""
        rows = []
        for key, value in sorted(self.by_unit.items()):
            channel, market = split_key(key)
            rows.append((channel, market, value) if has_market else (channel, value))
        return pd.DataFrame(rows, columns=[*self.unit_cols, "historical_spend"])


@dataclass(frozen=True)
class Commitments:
    """The fixed money per (unit key, period) — empty while `optimized` leaves it to the LP —
    the part of the fixed pool no unit could take, the money the LP places, and last year's
    spend the historical rules read."""

    fixed: dict[tuple[str, int], float]
    optimized: bool
    unplaced: float
    placed: float
    reference: Reference


def commit(inputs: PlanInputs, pool: PoolSplit,
           fixed: dict[tuple[str, int], float] | None = None) -> Commitments:
    """Last year's window, the rules that cannot hold whatever the curves (money bounds against
    the pool, found before anything is committed or solved), and the fixed pool committed."""
    reference = reference_of(inputs)
    channels = sorted({u.channel for u in inputs.units})
    precheck(inputs.scenario, channels, pool, pool.fixed + pool.dynamic)
    return commit_fixed(inputs, pool, reference, fixed)


def reference_of(inputs: PlanInputs) -> Reference:
    """Last year's spend in the window the plan covers, shifted by whole weeks."""
    history, periods = inputs.history, inputs.periods
    unit_cols = ["channel", "market"] if history.has_market else ["channel"]
    daily = daily_spend(history.frame, unit_cols, inputs.step_days)
    shift = reference_shift(history.start, history.end, periods)
    by_cell = _keyed(reference_spend(daily, unit_cols, periods, shift), unit_cols)
    by_unit = {u.key: sum(by_cell.get((u.key, p), 0.0) for p in periods["period"])
               for u in inputs.units}
    return Reference(daily, by_cell, by_unit, unit_cols)


def commit_fixed(inputs: PlanInputs, pool: PoolSplit, reference: Reference,
                 fixed: dict[tuple[str, int], float] | None = None) -> Commitments:
    """The fixed pool under `fixed_rule`, or `fixed` as given (a rebalance keeps what was
    committed); with `optimized` the LP places all money and commits afterwards."""
    budget = inputs.scenario.budget
    spendable = pool.fixed + pool.dynamic
    optimized = budget.fixed_rule == "optimized" and fixed is None
    if fixed is None:
        fixed = {} if optimized else _fixed_split(inputs, pool.fixed, reference, spendable)
    unplaced = 0.0 if optimized else pool.fixed - sum(fixed.values())
    placed = spendable if optimized else pool.dynamic + unplaced
    return Commitments(fixed, optimized, unplaced, placed, reference)


def _fixed_split(inputs: PlanInputs, pool_fixed: float, reference: Reference,
                 spendable: float) -> dict[tuple[str, int], float]:
    """Fixed money per unit × period under the scenario's fixed_rule."""
    scenario = inputs.scenario
    budget = scenario.budget
    ref_by_unit = reference.by_unit
    channels = sorted({u.channel for u in inputs.units})
    learned = [u for u in inputs.units if u not in inputs.locked_unlearned]
    weights = {c: sum(ref_by_unit[u.key] for u in learned if u.channel == c) for c in channels}
    if budget.fixed_rule == "equal":
        weights = {c: float(any(u.channel == c for u in learned)) for c in channels}
    caps = channel_caps(scenario, channels, spendable)
    per_channel = channel_fixed("historical" if budget.fixed_rule == "equal" else budget.fixed_rule,
                                pool_fixed, weights, budget.explicit_fixed_shares(), caps,
                                scenario.currency)
    periods = inputs.periods
    fixed = {}
    for unit in inputs.units:
        siblings = [u for u in learned if u.channel == unit.channel]
        ref_total = sum(ref_by_unit[u.key] for u in siblings)
        share = (ref_by_unit[unit.key] / ref_total if ref_total > 0
                 else (1 / len(siblings) if unit in siblings else 0.0))
        amount = per_channel.get(unit.channel, 0.0) * share
        pattern = [reference.by_cell.get((unit.key, p), 0.0) for p in periods["period"]]
        if budget.fixed_rule == "equal":
            pattern = [0.0] * len(pattern)
        for p, value in zip(periods["period"], pace(amount, pattern, list(periods["days"]))):
            fixed[(unit.key, int(p))] = value
    return fixed


def _keyed(frame: pd.DataFrame, unit_cols: list[str]) -> dict[tuple[str, int], float]:
    out = {}
    for row in frame.itertuples(index=False):
        market = row.market if "market" in unit_cols else None
        out[(unit_key(row.channel, market), int(row.period))] = float(row.spend)
    return out
