"""Rules that limit how spend moves: against the same window a year earlier, from one period to
the next (pacing), and per-period budget caps. Rules as data, like those of
optimizer/rules/bounds.py."""
from __future__ import annotations

from dataclasses import dataclass

from budgetopt.optimizer.rules.base import ENGLISH, Rule, bound_row, gain


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

    def describe(self, currency, words=ENGLISH):
        text = (words._("{channel} spends at most {amount} ({change} vs {reference} a year earlier)")
                if self.label == "up" else
                words._("{channel} spends at least {amount} ({change} vs {reference} a year earlier)"))
        sign = "+" if self.label == "up" else "−"
        return text.format(channel=self.channel, amount=words.money(self.amount, currency),
                           change=f"{sign}{self.fraction:.0%}",
                           reference=words.money(self.reference, currency))

    def shadow(self, price, kpi, currency, spend, words=ENGLISH):
        per_point = abs(price) * self.reference / 100
        return words._("widening {channel}'s max_change_vs_history by 1 percentage point "
                       "{gain}").format(channel=self.channel,
                                        gain=gain(per_point, kpi, currency, words))

    def relaxed(self, slack, currency, spend, words=ENGLISH):
        needed = self.fraction + slack / max(self.reference, 1.0)
        return words._("widening max_change_vs_history for {channel} to {needed}").format(
            channel=self.channel, needed=f"{needed:.0%}")


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

    def describe(self, currency, words=ENGLISH):
        text = (words._("{unit} rises at most {fraction} into the period from {when}")
                if self.sense == "<=" else
                words._("{unit} falls at most {fraction} into the period from {when}"))
        return text.format(unit=self.unit, fraction=f"{self.fraction:.0%}", when=self.when)

    def shadow(self, price, kpi, currency, spend, words=ENGLISH):
        return words._("letting {unit} move {one} more into the period from {when} {gain}").format(
            unit=self.unit, one=words.money(1, currency), when=self.when,
            gain=gain(abs(price), kpi, currency, words))

    def relaxed(self, slack, currency, spend, words=ENGLISH):
        return words._("letting {unit} move {amount} more than {fraction} into the period from "
                       "{when}").format(unit=self.unit, amount=words.money(slack, currency),
                                        fraction=f"{self.fraction:.0%}", when=self.when)


@dataclass(frozen=True)
class PeriodBudgetCap(Rule):
    """All units together spend at most `amount` in one period."""

    period: int = 0
    amount: float = 0.0
    when: str = ""

    def rows(self, model):
        return [bound_row(model.period_spend(self.period), "<=", self.amount)]

    def describe(self, currency, words=ENGLISH):
        return words._("the period from {when} spends at most {amount}").format(
            when=self.when, amount=words.money(self.amount, currency))

    def shadow(self, price, kpi, currency, spend, words=ENGLISH):
        return words._("raising the cap of the period from {when} by {one} {gain}").format(
            when=self.when, one=words.money(1, currency), gain=gain(abs(price), kpi, currency, words))

    def relaxed(self, slack, currency, spend, words=ENGLISH):
        return words._("raising the cap of the period from {when} to {amount}").format(
            when=self.when, amount=words.money(self.amount + slack, currency))
