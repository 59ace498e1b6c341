"""Bounds on spend: the dynamic pool, a channel's money, its share of the plan, its ROI floor and
its pilot range — each a rule that adds its rows and words its shadow price."""
from __future__ import annotations

import math
from dataclasses import dataclass

import pulp

from budgetopt.optimizer.rules.base import ENGLISH, Rule, bound_row, gain


@dataclass(frozen=True)
class DynamicBudget(Rule):
    """The dynamic pool is spent: Σ dynamic spend = the dynamic pool (max_revenue)."""

    amount: float = 0.0
    pool: str = "the dynamic pool"

    def rows(self, model):
        return [bound_row(model.total_dynamic(), self.sense, self.amount)]

    def describe(self, currency, words=ENGLISH):
        text = {"==": words._("{pool} spends exactly {amount}"),
                "<=": words._("{pool} spends at most {amount}"),
                ">=": words._("{pool} spends at least {amount}")}[self.sense]
        return text.format(pool=words._(self.pool), amount=words.money(self.amount, currency))

    def shadow(self, price, kpi, currency, spend, words=ENGLISH):
        return words._("raising the budget by {one} {gain}").format(
            one=words.money(1, currency), gain=gain(price, kpi, currency, words))

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

    def describe(self, currency, words=ENGLISH):
        text = {"min": words._("{channel} spends at least {amount}"),
                "max": words._("{channel} spends at most {amount}"),
                "lock": words._("{channel} spends exactly {amount}")}[self.label]
        return text.format(channel=self.channel, amount=words.money(self.amount, currency))

    def shadow(self, price, kpi, currency, spend, words=ENGLISH):
        lowering = self.label == "min" or (self.label == "lock" and price < 0)
        text = (words._("lowering {channel} {label} by {one} {gain}") if lowering
                else words._("raising {channel} {label} by {one} {gain}"))
        return text.format(channel=self.channel, label=self.label, one=words.money(1, currency),
                           gain=gain(abs(price), kpi, currency, words))

    def relaxed(self, slack, currency, spend, words=ENGLISH):
        if self.label == "lock":
            return words._("moving {channel} lock {amount} by {slack}").format(
                channel=self.channel, amount=words.money(self.amount, currency),
                slack=words.money(slack, currency))
        new = self.amount - slack if self.label == "min" else self.amount + slack
        text = (words._("lowering {channel} min to {amount}") if self.label == "min"
                else words._("raising {channel} max to {amount}"))
        return text.format(channel=self.channel, amount=words.money(max(new, 0.0), currency))


@dataclass(frozen=True)
class ShareBound(Rule):
    """Channels' (or a group's) spend as a share of total planned spend: min or max share."""

    channels: tuple[str, ...] = ()
    share: float = 0.0
    label: str = "max_share"
    group: str | None = None

    @property
    def subject(self) -> str:
        return self.subject_in(ENGLISH)

    def subject_in(self, words) -> str:
        return words._("group {group}").format(group=self.group) if self.group else self.channels[0]

    def rows(self, model):
        lhs = pulp.lpSum(model.channel_spend(c) for c in self.channels) \
            - self.share * model.total_spend()
        return [bound_row(lhs, self.sense, 0.0)]

    def describe(self, currency, words=ENGLISH):
        text = (words._("{subject} takes at least {share} of planned spend")
                if self.label == "min_share" else
                words._("{subject} takes at most {share} of planned spend"))
        return text.format(subject=self.subject_in(words), share=f"{self.share:.0%}")

    def shadow(self, price, kpi, currency, spend, words=ENGLISH):
        per_point = abs(price) * spend.total / 100
        text = (words._("lowering {subject} {label} by 1 percentage point {gain}")
                if self.label == "min_share" else
                words._("raising {subject} {label} by 1 percentage point {gain}"))
        return text.format(subject=self.subject_in(words), label=self.label,
                           gain=gain(per_point, kpi, currency, words))

    def relaxed(self, slack, currency, spend, words=ENGLISH):
        step = slack / max(spend.total, 1.0)
        lowering = self.label == "min_share"
        new = self.share - step if lowering else self.share + step
        text = (words._("lowering {subject} min_share {share} to {new}") if lowering
                else words._("raising {subject} max_share {share} to {new}"))
        return text.format(subject=self.subject_in(words), share=f"{self.share:.0%}",
                           new=_floor_pct(new, lowering))


@dataclass(frozen=True)
class RoiFloor(Rule):
    """A channel's incremental KPI over the horizon is at least `ratio` × its spend."""

    channel: str = ""
    ratio: float = 0.0

    def rows(self, model):
        lhs = model.channel_incremental(self.channel) - self.ratio * model.channel_spend(self.channel)
        return [bound_row(lhs, ">=", 0.0)]

    def describe(self, currency, words=ENGLISH):
        return words._("{channel} keeps ROI at or above {ratio} (1:{ratio})").format(
            channel=self.channel, ratio=f"{self.ratio:g}")

    def shadow(self, price, kpi, currency, spend, words=ENGLISH):
        step = abs(price) * 0.1 * spend.by_channel.get(self.channel, 0.0)
        return words._("lowering {channel} roi_floor by 0.1 {gain}").format(
            channel=self.channel, gain=gain(step, kpi, currency, words))

    def relaxed(self, slack, currency, spend, words=ENGLISH):
        channel_spend = max(spend.by_channel.get(self.channel, 0.0), 1.0)
        return words._("lowering {channel} roi_floor {ratio} to {new}").format(
            channel=self.channel, ratio=f"{self.ratio:g}",
            new=f"{max(self.ratio - slack / channel_spend, 0.0):.2f}")


def _floor_pct(share: float, lowering: bool) -> str:
    """A relaxed share rounded so that it really is enough: down when lowering, up when raising."""
    points = share * 100
    points = math.floor(points) if lowering else math.ceil(points)
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

    def describe(self, currency, words=ENGLISH):
        text = (words._("{channel} spends at least {amount} (within {change} of its historical "
                        "share: its curve is loosely pinned)") if self.sense == ">=" else
                words._("{channel} spends at most {amount} (within {change} of its historical "
                        "share: its curve is loosely pinned)"))
        return text.format(channel=self.channel, amount=words.money(self.amount, currency),
                           change=f"{self.change:.0%}")

    def shadow(self, price, kpi, currency, spend, words=ENGLISH):
        text = (words._("lowering {channel}'s pilot limit by {one} {gain} if the fitted curve "
                        "is right") if self.sense == ">=" else
                words._("raising {channel}'s pilot limit by {one} {gain} if the fitted curve "
                        "is right"))
        return text.format(channel=self.channel, one=words.money(1, currency),
                           gain=gain(abs(price), kpi, currency, words))
