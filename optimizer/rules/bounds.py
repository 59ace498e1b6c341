"""Planner rules as data: each rule adds its rows to the plan model and says in words what it
is and what relaxing it is worth — the source of "binding constraint" and "infeasible because…"."""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulp

if TYPE_CHECKING:
    from budgetopt.optimizer.lp.model import PlanModel


def money(amount: float, currency: str = "CNY", decimals: int = 0) -> str:
    """An amount with its currency sign: ¥1,234."""
    symbol = CURRENCY_SIGNS.get(currency)
    number = f"{amount:,.{decimals}f}"
    return f"{symbol}{number}" if symbol else f"{number} {currency}"


CURRENCY_SIGNS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


MONEY_MEASURES = ("revenue", "gmv", "profit")


def gain(price: float, kpi: str, currency: str) -> str:
    """'adds ¥2.30 of revenue' / 'costs 0.0120 of conversions' for a shadow price; `kpi` is
    what the objective measures (the KPI, "profit", or "ROI")."""
    verb = "adds" if price >= 0 else "costs"
    amount = (money(abs(price), currency, 2) if kpi.lower() in MONEY_MEASURES
              else f"{abs(price):,.4g}")
    return f"{verb} {amount} of {kpi}"


@dataclass(frozen=True)
class SpendContext:
    """Planned spend, for turning shadow prices of share and ratio rules into money."""

    total: float
    by_channel: dict[str, float]
    incremental_by_channel: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule(ABC):
    """A rule that adds rows to the model. `sense` is how its row reads: <=, >= or ==."""

    name: str
    sense: str

    @abstractmethod
    def rows(self, model: PlanModel) -> list[pulp.LpConstraint]:
        """The rule's rows, in terms of the model's spend and KPI expressions."""

    @abstractmethod
    def describe(self, currency: str) -> str:
        """The rule in a planner's words."""

    @abstractmethod
    def shadow(self, price: float, kpi: str, currency: str, spend: SpendContext) -> str:
        """What relaxing the rule by one step is worth, from its shadow price."""

    def relaxed(self, slack: float, currency: str, spend: SpendContext) -> str:
        """The rule relaxed by `slack` in its row's units (money for every rule here), in words —
        what the infeasibility diagnosis proposes."""
        return f"relaxing {self.describe(currency)} by {money(slack, currency)}"

    @property
    def hard(self) -> bool:
        """Facts rather than preferences (the budget pool): never relaxed by the diagnosis."""
        return False


def bound_row(lhs, sense: str, rhs: float) -> pulp.LpConstraint:
    expr = lhs if isinstance(lhs, pulp.LpAffineExpression) else pulp.LpAffineExpression(lhs)
    if sense == "<=":
        return expr <= rhs
    if sense == ">=":
        return expr >= rhs
    return expr == rhs


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
