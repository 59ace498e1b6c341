"""Turn a scenario's rules into rule objects for the LP, and catch rules that cannot hold
before solving (mins above the budget, caps below it), with the fix in the message."""
from __future__ import annotations

from budgetopt.errors import PlanError
from optimizer.constraints import (ChannelBound, DynamicBudget, RoiFloor, Rule, ShareBound,
                                   money)
from optimizer.pool import PoolSplit
from optimizer.scenario import Scenario


def channel_caps(scenario: Scenario, channels: list[str], spendable: float) -> dict[str, float]:
    """The most each channel may receive over the horizon under its own rules."""
    caps = {}
    for channel in channels:
        rule = scenario.rule(channel)
        limits = [v for v in (rule.max, rule.lock) if v is not None]
        if rule.max_share is not None:
            limits.append(rule.max_share * spendable)
        if limits:
            caps[channel] = min(limits)
    return caps


def scenario_rules(scenario: Scenario, channels: list[str], dynamic_amount: float) -> list[Rule]:
    """Rule objects for the budget, each channel's bounds and shares, and each group."""
    rules: list[Rule] = [DynamicBudget("budget", "==", amount=dynamic_amount)]
    for channel in channels:
        rule = scenario.rule(channel)
        for label, sense, value in (("min", ">=", rule.min), ("max", "<=", rule.max),
                                    ("lock", "==", rule.lock)):
            if value is not None:
                rules.append(ChannelBound(f"{label}:{channel}", sense, channel=channel,
                                          amount=value, label=label))
        if rule.roi_floor is not None:
            rules.append(RoiFloor(f"roi_floor:{channel}", ">=", channel=channel,
                                  ratio=rule.roi_floor))
        for label, sense, value in (("min_share", ">=", rule.min_share),
                                    ("max_share", "<=", rule.max_share)):
            if value is not None:
                rules.append(ShareBound(f"{label}:{channel}", sense, channels=(channel,),
                                        share=value, label=label))
    for name, group in scenario.groups.items():
        members = tuple(c for c in group.channels if c in channels)
        for label, sense, value in (("min_share", ">=", group.min_share),
                                    ("max_share", "<=", group.max_share)):
            if value is not None:
                rules.append(ShareBound(f"group_{label}:{name}", sense, channels=members,
                                        share=value, label=label, group=name))
    return rules


def precheck(scenario: Scenario, channels: list[str], pool: PoolSplit, spendable: float) -> None:
    """Rules that obviously cannot hold with this budget: a plan error naming them and the fix."""
    cur = scenario.currency
    floors = {c: (r.lock if r.lock is not None else r.min) for c in channels
              if ((r := scenario.rule(c)).lock is not None or r.min is not None)}
    if sum(floors.values()) > spendable + 0.5:
        listed = ", ".join(f"{c} {money(v, cur)}" for c, v in floors.items())
        raise PlanError(f"channel mins and locks need {money(sum(floors.values()), cur)} "
                        f"({listed}) but the plan can spend only {money(spendable, cur)} "
                        f"(budget {money(pool.budget, cur)} less reserve {money(pool.reserve, cur)})",
                        where="channels",
                        fix="lower some mins or locks, raise budget.total or lower reserve_share")
    caps = channel_caps(scenario, channels, spendable)
    if len(caps) == len(channels) and sum(caps.values()) < spendable - 0.5:
        raise PlanError(f"channel max, lock and max_share limits allow only "
                        f"{money(sum(caps.values()), cur)} but the plan must spend "
                        f"{money(spendable, cur)}", where="channels",
                        fix="raise some max limits, lower budget.total, or raise reserve_share")
