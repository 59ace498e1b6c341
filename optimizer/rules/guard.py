"""The history guard as a planner's rule: in the worst `alpha` share of plausible curves the
plan still beats last year's mix at the same spend (CVaR of the difference ≥ 0). The LP builds
the CVaR expression (optimizer/lp/risk.py); this rule adds its row and words it."""
from __future__ import annotations

from dataclasses import dataclass

from budgetopt.optimizer.rules.base import ENGLISH, Rule, gain


@dataclass(frozen=True)
class HistoryGuard(Rule):
    """CVaR_α(plan − historical mix) ≥ 0 over the plausible curves."""

    expr: object = None
    alpha: float = 0.2

    def rows(self, model):
        return [self.expr >= 0]

    def describe(self, currency: str, words=ENGLISH) -> str:
        return words._("the plan beats the historical mix in the worst {share} of plausible "
                       "curves (CVaR guard)").format(share=f"{self.alpha:.0%}")

    def shadow(self, price, kpi, currency, spend, words=ENGLISH):
        return words._("asking the worst {share} of plausible outcomes to beat the historical "
                       "mix by {one} more {gain}").format(
            share=f"{self.alpha:.0%}", one=words.money(1, currency),
            gain=gain(-price, kpi, currency, words))

    @classmethod
    def over(cls, expr, alpha: float) -> HistoryGuard:
        """The guard on a CVaR expression (what `RiskTerms.guard_rule` is given)."""
        return cls("risk_guard", ">=", expr=expr, alpha=alpha)
