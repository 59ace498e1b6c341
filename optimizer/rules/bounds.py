"""Bounds on spend: the dynamic pool, a channel's money, its share of the plan, its ROI floor and
its pilot range — each a rule that adds its rows and words its shadow price."""
from __future__ import annotations

import math
from dataclasses import dataclass

import pulp

from budgetopt.money import money
from budgetopt.optimizer.rules.base import Rule, bound_row, gain


@dataclass(frozen=True)
class DynamicBudget(Rule):
    """The dynamic pool is spent: Σ dynamic spend = the dynamic pool (max_revenue)."""

    amount: float = 0.0
    pool: str = "the dynamic pool"

    def rows(self, model):
        return [bound_row(model.total_dynamic(), self.sense, self.amount)]

    def describe(self, currency):
        verb = {"==": "spends exactly", "<=": "spends at most", ">=": "spends at least"}[self.sense]
        return f"{self.pool} {verb} {money(self.amount, currency)}"

    def shadow(self, price, kpi, currency, spend):
        return f"raising the budget by {money(1, currency)} {gain(price, kpi, currency)}"

    @property
    def hard(self):
        return True


@dataclass(frozen=True)
class ChannelBound(Rule):
    """A channel's total spend over the horizon: min (>=), max (<=) or lock (==)."""

    channel: str = ""
    amount: float = 0.0
    label: str = "max"

    def rows(self, model):
        return [bound_row(model.channel_spend(self.channel), self.sense, self.amount)]

    def describe(self, currency):
        text = {"min": "spends at least", "max": "spends at most", "lock": "spends exactly"}
        return f"{self.channel} {text[self.label]} {money(self.amount, currency)}"

    def shadow(self, price, kpi, currency, spend):
        direction = "lowering" if (self.label == "min" or (self.label == "lock" and price < 0)) \
            else "raising"
        return (f"{direction} {self.channel} {self.label} by {money(1, currency)} "
                f"{gain(abs(price), kpi, currency)}")

    def relaxed(self, slack, currency, spend):
        new = self.amount - slack if self.label == "min" else self.amount + slack
        if self.label == "lock":
            return (f"moving {self.channel} lock {money(self.amount, currency)} by "
                    f"{money(slack, currency)}")
        return (f"{'lowering' if self.label == 'min' else 'raising'} {self.channel} {self.label} "
                f"to {money(max(new, 0.0), currency)}")


@dataclass(frozen=True)
class ShareBound(Rule):
    """Channels' (or a group's) spend as a share of total planned spend: min or max share."""

    channels: tuple[str, ...] = ()
    share: float = 0.0
    label: str = "max_share"
    group: str | None = None

    @property
    def subject(self) -> str:
        return f"group {self.group}" if self.group else self.channels[0]

    def rows(self, model):
        lhs = pulp.lpSum(model.channel_spend(c) for c in self.channels) \
            - self.share * model.total_spend()
        return [bound_row(lhs, self.sense, 0.0)]

    def describe(self, currency):
        bound = "at least" if self.label == "min_share" else "at most"
        return f"{self.subject} takes {bound} {self.share:.0%} of planned spend"

    def shadow(self, price, kpi, currency, spend):
        per_point = abs(price) * spend.total / 100
        direction = "lowering" if self.label == "min_share" else "raising"
        return (f"{direction} {self.subject} {self.label} by 1 percentage point "
                f"{gain(per_point, kpi, currency)}")

    def relaxed(self, slack, currency, spend):
        step = slack / max(spend.total, 1.0)
        new = self.share - step if self.label == "min_share" else self.share + step
        verb = "lowering" if self.label == "min_share" else "raising"
        return f"{verb} {self.subject} {self.label} {self.share:.0%} to {_floor_pct(new, verb)}"


@dataclass(frozen=True)
class RoiFloor(Rule):
    """A channel's incremental KPI over the horizon is at least `ratio` × its spend."""

    channel: str = ""
    ratio: float = 0.0

    def rows(self, model):
        lhs = model.channel_incremental(self.channel) - self.ratio * model.channel_spend(self.channel)
        return [bound_row(lhs, ">=", 0.0)]

    def describe(self, currency):
        return f"{self.channel} keeps ROI at or above {self.ratio:g} (1:{self.ratio:g})"

    def shadow(self, price, kpi, currency, spend):
        step = abs(price) * 0.1 * spend.by_channel.get(self.channel, 0.0)
        return f"lowering {self.channel} roi_floor by 0.1 {gain(step, kpi, currency)}"

    def relaxed(self, slack, currency, spend):
        channel_spend = max(spend.by_channel.get(self.channel, 0.0), 1.0)
        return (f"lowering {self.channel} roi_floor {self.ratio:g} to "
                f"{max(self.ratio - slack / channel_spend, 0.0):.2f}")


def _floor_pct(share: float, verb: str) -> str:
    """A relaxed share rounded so that it really is enough: down when lowering, up when raising."""
    points = share * 100
    points = math.floor(points) if verb == "lowering" else math.ceil(points)
    return f"{min(max(points, 0), 100)}%"


@dataclass(frozen=True)
class PilotBound(Rule):
    """Pilot before rollout: a channel whose response the data pin only loosely stays near its
    historical share of the budget (low <= spend <= high over the horizon)."""

    channel: str = ""
    amount: float = 0.0
    change: float = 0.0

    def rows(self, model):
        return [bound_row(model.channel_spend(self.channel), self.sense, self.amount)]

    def describe(self, currency):
        side = "at least" if self.sense == ">=" else "at most"
        return (f"{self.channel} spends {side} {money(self.amount, currency)} (within "
                f"{self.change:.0%} of its historical share: its curve is loosely pinned)")

    def shadow(self, price, kpi, currency, spend):
        direction = "lowering" if self.sense == ">=" else "raising"
        return (f"{direction} {self.channel}'s pilot limit by {money(1, currency)} "
                f"{gain(abs(price), kpi, currency)} if the fitted curve is right")
