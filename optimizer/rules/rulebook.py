"""Turn a scenario's rules into rule objects for the LP, and catch rules that cannot hold
before solving (mins above the budget, caps below it), with the fix in the message."""
from __future__ import annotations

from dataclasses import dataclass, field

from budgetopt.errors import PlanError
from budgetopt.optimizer.rules.bounds import ChannelBound, DynamicBudget, RoiFloor, ShareBound
from budgetopt.optimizer.rules.base import Rule
from budgetopt.money import money
from budgetopt.optimizer.rules.limits import ChangeVsHistory, PeriodBudgetCap, PeriodPacing
from budgetopt.optimizer.rules.pool import PoolSplit
from budgetopt.optimizer.rules.returns import CacCap, FixedCommitted, ReturnHurdle, TargetRoi
from budgetopt.optimizer.scenario.spec import Scenario

BREAK_EVEN_ROI = 1.0


@dataclass(frozen=True)
class PlanFrame:
    """What the rules need besides the scenario: the pool, the plan's units and periods, last
    year's spend per channel, and each channel's historical conversions per unit of KPI."""

    pool: PoolSplit
    units: list[str] = field(default_factory=list)            # unit keys
    periods: list[tuple[int, int, str]] = field(default_factory=list)   # (period, days, start)
    reference: dict[str, float] = field(default_factory=dict)  # channel → spend a year earlier
    conversions_per_kpi: dict[str, float] = field(default_factory=dict)
    conversions_metric: str = "conversions"


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


def budget_rules(scenario: Scenario, dynamic_amount: float, budget_sense: str,
                 frame: PlanFrame | None) -> list[Rule]:
    """The pool rows. `dynamic_amount` is the money the LP places: the dynamic pool, or fixed +
    dynamic with fixed_rule optimized. The row is a ceiling (<=) when the objective or the
    hurdle may leave money unspent, or when overspend is allowed; the overspend may only go
    where marginal ROI reaches dynamic_min_roi (or break-even, ROI 1, without a hurdle)."""
    budget = scenario.budget
    optimized = budget.fixed_rule == "optimized"
    pool = "the plan" if optimized else "the dynamic pool"
    extra = budget.overspend_tolerance * budget.total
    hurdle = budget.dynamic_min_roi
    sense = "<=" if (extra > 0 or hurdle is not None) else budget_sense
    rules: list[Rule] = [DynamicBudget("budget", sense, amount=dynamic_amount + extra, pool=pool)]
    if optimized and frame is not None:
        rules.append(FixedCommitted("fixed_pool", ">=", amount=frame.pool.fixed))
    if hurdle is not None:
        rules.append(ReturnHurdle("dynamic_min_roi", "<=", threshold=hurdle, allowed=0.0))
    elif extra > 0:
        rules.append(ReturnHurdle("overspend", "<=", threshold=BREAK_EVEN_ROI,
                                  allowed=dynamic_amount, label="overspend"))
    return rules


def scenario_rules(scenario: Scenario, channels: list[str], dynamic_amount: float,
                   frame: PlanFrame | None = None, budget_sense: str = "==") -> list[Rule]:
    """Rule objects for the budget, each channel's bounds, shares and returns, each group, the
    change limits and the per-period caps."""
    rules = budget_rules(scenario, dynamic_amount, budget_sense, frame)
    if scenario.objective == "target_roi":
        rules.append(TargetRoi("target_roi", ">=", target=scenario.target_roi))
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
    if frame is not None:
        rules += frame_rules(scenario, channels, frame)
    return rules


def frame_rules(scenario: Scenario, channels: list[str], frame: PlanFrame) -> list[Rule]:
    """Rules that need the history or the periods: CAC caps, change vs history, pacing, caps."""
    rules: list[Rule] = []
    for channel in channels:
        cap = scenario.rule(channel).cac_cap
        if cap is not None:
            rules.append(CacCap(f"cac_cap:{channel}", ">=", channel=channel, cap=cap,
                                per_kpi=frame.conversions_per_kpi.get(channel, 0.0),
                                metric=frame.conversions_metric))
    change = scenario.limits.max_change_vs_history
    if change is not None:
        for channel in channels:
            ref = frame.reference.get(channel, 0.0)
            if ref <= 0:
                continue        # nothing spent a year earlier: no run-rate to stay near
            for label, sense in (("up", "<="), ("down", ">=")):
                rules.append(ChangeVsHistory(f"change_{label}:{channel}", sense, channel=channel,
                                             reference=ref, fraction=change, label=label))
    pacing = scenario.limits.period_max_change
    if pacing is not None:
        for unit in frame.units:
            for (prev, prev_days, _), (p, days, when) in zip(frame.periods, frame.periods[1:]):
                ratio = days / prev_days
                rules.append(PeriodPacing(f"pacing_up:{unit}:{p}", "<=", unit=unit, period=p,
                                          previous=prev, factor=(1 + pacing) * ratio,
                                          fraction=pacing, when=when))
                rules.append(PeriodPacing(f"pacing_down:{unit}:{p}", ">=", unit=unit, period=p,
                                          previous=prev, factor=max(1 - pacing, 0.0) * ratio,
                                          fraction=pacing, when=when))
    caps = scenario.limits.period_caps()
    for p, days, when in frame.periods:
        amount = caps.get(when, caps.get("*"))
        if amount is not None:
            rules.append(PeriodBudgetCap(f"period_cap:{when}", "<=", period=p, amount=amount,
                                         when=when))
    return rules


def precheck(scenario: Scenario, channels: list[str], pool: PoolSplit, spendable: float) -> None:
    """Rules that obviously cannot hold with this budget: a plan error naming them and the fix."""
    cur = scenario.currency
    floors = {c: (r.lock if r.lock is not None else r.min) for c in channels
              if ((r := scenario.rule(c)).lock is not None or r.min is not None)}
    if sum(floors.values()) > spendable + 0.5:
        listed = ", ".join(f"{c} {money(v, cur)}" for c, v in floors.items())
        raise PlanError("E0601", need=money(sum(floors.values()), cur), listed=listed,
                        spendable=money(spendable, cur), budget=money(pool.budget, cur),
                        reserve=money(pool.reserve, cur), where="channels")
    _precheck_groups(scenario, channels, spendable)
    caps = channel_caps(scenario, channels, spendable)
    exact = scenario.objective == "max_revenue" and scenario.budget.dynamic_min_roi is None
    if exact and len(caps) == len(channels) and sum(caps.values()) < spendable - 0.5:
        raise PlanError("E0602", allowed=money(sum(caps.values()), cur),
                        spendable=money(spendable, cur), where="channels")


def _precheck_groups(scenario: Scenario, channels: list[str], spendable: float) -> None:
    """Locks against group shares, and share floors that together exceed the whole plan."""
    cur = scenario.currency
    for name, group in scenario.groups.items():
        members = [c for c in group.channels if c in channels]
        locks = {c: scenario.rule(c).lock for c in members if scenario.rule(c).lock is not None}
        if group.max_share is not None and sum(locks.values()) > group.max_share * spendable + 0.5:
            raise PlanError("E0603", group=name, share=f"{group.max_share:.0%}",
                            allowed=money(group.max_share * spendable, cur),
                            need=money(sum(locks.values()), cur), where=f"groups.{name}")
        if (group.min_share is not None and len(locks) == len(members) and members
                and sum(locks.values()) < group.min_share * spendable - 0.5):
            raise PlanError("E0604", group=name, share=f"{group.min_share:.0%}",
                            need=money(group.min_share * spendable, cur),
                            locked=money(sum(locks.values()), cur), where=f"groups.{name}")
        outside = sum(scenario.rule(c).min_share or 0.0 for c in channels if c not in members)
        if group.min_share is not None and group.min_share + outside > 1 + 1e-9:
            raise PlanError("E0605", group=name, share=f"{group.min_share:.0%}",
                            outside=f"{outside:.0%}", where=f"groups.{name}")
