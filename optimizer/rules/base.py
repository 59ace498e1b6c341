"""Planner rules as data: each rule adds its rows to the plan model and says in words what it
is and what relaxing it is worth — the source of "binding constraint" and "infeasible because…"."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import pulp

from budgetopt.money import MONEY_MEASURES, money
from budgetopt.optimizer.lp.model import PlanModel
from budgetopt.units import SpendContext


class EnglishWords:
    """How rules phrase themselves by default: English, money in the house format. A report in
    another language passes an object with the same three methods (gettext-style `_` over
    these English sentences as message ids, `money`, `kpi`)."""

    language = "en"

    def _(self, text: str) -> str:
        return text

    def money(self, amount: float, currency: str = "CNY", decimals: int = 0) -> str:
        return money(amount, currency, decimals)

    def kpi(self, name: str) -> str:
        return name


ENGLISH = EnglishWords()


def N_(text: str) -> str:
    """Marks a message id for the catalogs without translating it here."""
    return text


#: what the budget row calls the money it places (translated where it is shown)
POOL_NAMES = (N_("the plan"), N_("the dynamic pool"))


def gain(price: float, kpi: str, currency: str, words=ENGLISH) -> str:
    """'adds ¥2.30 of revenue' / 'costs 0.0120 of conversions' for a shadow price; `kpi` is
    what the objective measures (the KPI, "profit", or "ROI")."""
    amount = (words.money(abs(price), currency, 2) if kpi.lower() in MONEY_MEASURES
              else f"{abs(price):,.4g}")
    text = words._("adds {amount} of {kpi}") if price >= 0 else words._("costs {amount} of {kpi}")
    return text.format(amount=amount, kpi=words.kpi(kpi))


@dataclass(frozen=True)
class Rule(ABC):
    """A rule that adds rows to the model. `sense` is how its row reads: <=, >= or ==."""

    name: str
    sense: str

    @abstractmethod
    def rows(self, model: PlanModel) -> list[pulp.LpConstraint]:
        """The rule's rows, in terms of the model's spend and KPI expressions."""

    @abstractmethod
    def describe(self, currency: str, words=ENGLISH) -> str:
        """The rule in a planner's words (`words`: the language, see EnglishWords)."""

    @abstractmethod
    def shadow(self, price: float, kpi: str, currency: str, spend: SpendContext,
               words=ENGLISH) -> str:
        """What relaxing the rule by one step is worth, from its shadow price."""

    def relaxed(self, slack: float, currency: str, spend: SpendContext, words=ENGLISH) -> str:
        """The rule relaxed by `slack` in its row's units (money for every rule here), in words —
        what the infeasibility diagnosis proposes."""
        return words._("relaxing {rule} by {amount}").format(
            rule=self.describe(currency, words), amount=words.money(slack, currency))

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
