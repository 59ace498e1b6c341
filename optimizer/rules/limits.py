"""Rules that limit how spend moves: against the same window a year earlier, from one period to
the next (pacing), and per-period budget caps. Rules as data, like optimizer/constraints.py."""
from __future__ import annotations

from dataclasses import dataclass

from budgetopt.optimizer.rules.base import Rule, bound_row, gain
from budgetopt.money import money


@dataclass(frozen=True)
class ChangeVsHistory(Rule):
    """A channel's total within ±`fraction` of its spend in the same window 52 weeks earlier."""

    channel: str = ""
    reference: float = 0.0
    fraction: float = 0.0
    label: str = "up"          # up: at most (1 + f)·ref; down: at least (1 − f)·ref

    @property
    def amount(self) -> float:
        factor = 1 + self.fraction if self.label == "up" else max(1 - self.fraction, 0.0)
        return factor * self.reference

    def rows(self, model):
        return [bound_row(model.channel_spend(self.channel), self.sense, self.amount)]

    def describe(self, currency):
        bound = "at most" if self.label == "up" else "at least"
        sign = "+" if self.label == "up" else "−"
        return (f"{self.channel} spends {bound} {money(self.amount, currency)} "
                f"({sign}{self.fraction:.0%} vs {money(self.reference, currency)} a year earlier)")

    def shadow(self, price, kpi, currency, spend):
        per_point = abs(price) * self.reference / 100
        return (f"widening {self.channel}'s max_change_vs_history by 1 percentage point "
                f"{gain(per_point, kpi, currency)}")

    def relaxed(self, slack, currency, spend):
        needed = self.fraction + slack / max(self.reference, 1.0)
        return f"widening max_change_vs_history for {self.channel} to {needed:.0%}"


@dataclass(frozen=True)
class PeriodPacing(Rule):
    """A unit's spend per day moves at most `fraction` from one period to the next (pacing)."""

    unit: str = ""
    period: int = 0
    previous: int = 0
    factor: float = 1.0        # (1 ± fraction) × days(period) / days(previous)
    fraction: float = 0.0
    when: str = ""             # the period's start, for the words

    def rows(self, model):
        lhs = model.spend(self.unit, self.period) - self.factor * model.spend(self.unit, self.previous)
        return [bound_row(lhs, self.sense, 0.0)]

    def describe(self, currency):
        move = "rises" if self.sense == "<=" else "falls"
        return (f"{self.unit} {move} at most {self.fraction:.0%} into the period from {self.when}")

    def shadow(self, price, kpi, currency, spend):
        return (f"letting {self.unit} move {money(1, currency)} more into the period from "
                f"{self.when} {gain(abs(price), kpi, currency)}")

    def relaxed(self, slack, currency, spend):
        return (f"letting {self.unit} move {money(slack, currency)} more than "
                f"{self.fraction:.0%} into the period from {self.when}")


@dataclass(frozen=True)
class PeriodBudgetCap(Rule):
    """All units together spend at most `amount` in one period."""

    period: int = 0
    amount: float = 0.0
    when: str = ""

    def rows(self, model):
        return [bound_row(model.period_spend(self.period), "<=", self.amount)]

    def describe(self, currency):
        return f"the period from {self.when} spends at most {money(self.amount, currency)}"

    def shadow(self, price, kpi, currency, spend):
        return (f"raising the cap of the period from {self.when} by {money(1, currency)} "
                f"{gain(abs(price), kpi, currency)}")

    def relaxed(self, slack, currency, spend):
        return (f"raising the cap of the period from {self.when} to "
                f"{money(self.amount + slack, currency)}")
