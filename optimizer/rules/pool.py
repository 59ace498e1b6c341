"""The budget pool (docs/scenario.md, "The budget pool"): reserve, fixed and dynamic pools, and how the fixed pool is split
across units and paced over periods by `fixed_rule`."""
from __future__ import annotations

from dataclasses import dataclass

from budgetopt.errors import InputError
from budgetopt.money import money


@dataclass(frozen=True)
class PoolSplit:
    """Budget B = fixed F + dynamic D + reserve R (amounts for the whole horizon)."""

    budget: float
    fixed: float
    dynamic: float
    reserve: float


def split_budget(total: float, fixed_share: float, reserve_share: float) -> PoolSplit:
    reserve = total * reserve_share
    fixed = total * fixed_share
    return PoolSplit(total, fixed, total - fixed - reserve, reserve)


def water_fill(amount: float, weights: dict[str, float], caps: dict[str, float]) -> dict[str, float]:
    """Split `amount` in proportion to `weights`, never above a cap; what a capped key cannot take
    goes to the others in proportion. Keys with zero weight get nothing."""
    alloc = {k: 0.0 for k in weights}
    open_keys = [k for k, w in weights.items() if w > 0]
    left = amount
    while left > 1e-9 and open_keys:
        total_w = sum(weights[k] for k in open_keys)
        offers = {k: left * weights[k] / total_w for k in open_keys}
        over = [k for k in open_keys if alloc[k] + offers[k] > caps.get(k, float("inf")) + 1e-9]
        if not over:
            for k in open_keys:
                alloc[k] += offers[k]
            left = 0.0
            break
        for k in over:
            left -= caps[k] - alloc[k]
            alloc[k] = caps[k]
            open_keys.remove(k)
    return alloc


def channel_fixed(rule: str, pool: float, history_weights: dict[str, float],
                  explicit: dict[str, float], caps: dict[str, float],
                  currency: str = "CNY") -> dict[str, float]:
    """Fixed money per channel for the horizon.

    historical: in proportion to the channels' spend in the reference window; equal: the same
    for every plannable channel; explicit: the file's shares of the pool (the rest in historical
    proportion over unlisted channels). Caps (max, lock, max_share) are honoured; money a capped
    channel cannot take goes to the others.
    """
    if rule == "equal":
        weights = {c: 1.0 for c in history_weights}
        return water_fill(pool, weights, caps)
    if rule == "historical":
        return water_fill(pool, history_weights, caps)
    if rule == "explicit":
        alloc = {c: explicit.get(c, 0.0) * pool for c in history_weights}
        for channel, amount in alloc.items():
            if amount > caps.get(channel, float("inf")) + 0.5:
                raise InputError("E0310", channel=channel, amount=money(amount, currency),
                                 cap=money(caps[channel], currency), where="budget.fixed")
        unlisted = {c: w for c, w in history_weights.items() if c not in explicit}
        rest = pool - sum(alloc.values())
        if rest > 0.5:
            alloc.update({c: a for c, a in water_fill(rest, unlisted, caps).items()})
        return alloc
    raise ValueError(f"fixed_rule {rule!r} is not a fixed split")


def pace(total: float, reference: list[float], days: list[int]) -> list[float]:
    """Spread a unit's fixed total over periods as its reference-window spend was paced (by
    days when it had none)."""
    weights = reference if sum(reference) > 0 else [float(d) for d in days]
    scale = sum(weights)
    return [total * w / scale for w in weights]


def commit_optimized(spend: dict, fixed_pool: float) -> dict:
    """fixed_rule optimized: the LP chose each unit × period's spend; the fixed pool is committed
    in proportion to it (every unit's fixed money is the same share of its planned spend), and
    the rest of each cell is dynamic money at the top of its curve."""
    total = sum(spend.values())
    if total <= 0:
        return {k: 0.0 for k in spend}
    share = min(fixed_pool / total, 1.0)
    return {k: v * share for k, v in spend.items()}
