"""Rules on what money must return: a CAC cap per channel, the dynamic pool's hurdle on marginal
ROI, the overspend allowance, an overall ROI target, and the committed fixed pool."""
from __future__ import annotations

from dataclasses import dataclass

from budgetopt.optimizer.rules.base import ENGLISH, Rule, bound_row, gain


@dataclass(frozen=True)
class CacCap(Rule):
    """Spend ÷ incremental conversions ≤ cap, with incremental conversions = incremental KPI ×
    the channel's historical conversions per unit of KPI (`per_kpi`)."""

    channel: str = ""
    cap: float = 0.0
    per_kpi: float = 0.0
    metric: str = "conversions"

    def rows(self, model):
        lhs = (self.cap * self.per_kpi * model.channel_incremental(self.channel)
               - model.channel_spend(self.channel))
        return [bound_row(lhs, ">=", 0.0)]

    def describe(self, currency, words=ENGLISH):
        return words._("{channel} pays at most {amount} per incremental {metric}").format(
            channel=self.channel, amount=words.money(self.cap, currency, 2),
            metric=words.kpi(self.metric.rstrip("s")))

    def shadow(self, price, kpi, currency, spend, words=ENGLISH):
        step = abs(price) * self.per_kpi * spend.incremental_by_channel.get(self.channel, 0.0)
        return words._("raising {channel} cac_cap by {one} {gain}").format(
            channel=self.channel, one=words.money(1, currency), gain=gain(step, kpi, currency, words))

    def relaxed(self, slack, currency, spend, words=ENGLISH):
        conversions = self.per_kpi * spend.incremental_by_channel.get(self.channel, 0.0)
        if conversions <= 0:
            return words._("raising {channel} cac_cap").format(channel=self.channel)
        return words._("raising {channel} cac_cap to {amount}").format(
            channel=self.channel, amount=words.money(self.cap + slack / conversions, currency, 2))


@dataclass(frozen=True)
class ReturnHurdle(Rule):
    """Money on curve segments whose marginal ROI is below `threshold` totals at most `allowed`:
    0 for the dynamic pool's hurdle (dynamic_min_roi); the dynamic pool for the overspend
    allowance (extra spend only where it earns at least the threshold)."""

    threshold: float = 0.0
    allowed: float = 0.0
    label: str = "dynamic_min_roi"

    def rows(self, model):
        return [bound_row(model.low_return(self.threshold), "<=", self.allowed)]

    def describe(self, currency, words=ENGLISH):
        if self.label == "overspend":
            text = words._("spend above the budget goes only where marginal ROI is at least "
                           "{threshold}")
        else:
            text = words._("dynamic money goes only where marginal ROI is at least {threshold}")
        return text.format(threshold=f"{self.threshold:g}")

    def shadow(self, price, kpi, currency, spend, words=ENGLISH):
        return words._("letting {one} more earn below marginal ROI {threshold} {gain}").format(
            one=words.money(1, currency), threshold=f"{self.threshold:g}",
            gain=gain(abs(price), kpi, currency, words))

    def relaxed(self, slack, currency, spend, words=ENGLISH):
        return words._("letting {amount} of money earn below the {label} hurdle {threshold} "
                       "(lower {label})").format(amount=words.money(slack, currency),
                                                 label=self.label,
                                                 threshold=f"{self.threshold:g}")


@dataclass(frozen=True)
class TargetRoi(Rule):
    """Overall ROI stays at or above the target: Σ incremental KPI ≥ target × Σ spend."""

    target: float = 0.0

    def rows(self, model):
        return [bound_row(model.total_incremental() - self.target * model.total_spend(), ">=", 0.0)]

    def describe(self, currency, words=ENGLISH):
        return words._("overall ROI stays at or above {target} (1:{target})").format(
            target=f"{self.target:g}")

    def shadow(self, price, kpi, currency, spend, words=ENGLISH):
        return words._("lowering target_roi by 0.1 {gain}").format(
            gain=gain(abs(price) * 0.1 * spend.total, kpi, currency, words))

    def relaxed(self, slack, currency, spend, words=ENGLISH):
        return words._("lowering target_roi to {new}").format(
            new=f"{max(self.target - slack / max(spend.total, 1.0), 0):.2f}")


@dataclass(frozen=True)
class FixedCommitted(Rule):
    """With fixed_rule: optimized the LP places the fixed pool too; all of it is committed."""

    amount: float = 0.0

    def rows(self, model):
        return [bound_row(model.total_spend(), ">=", self.amount)]

    def describe(self, currency, words=ENGLISH):
        return words._("the plan commits the whole fixed pool of {amount}").format(
            amount=words.money(self.amount, currency))

    def shadow(self, price, kpi, currency, spend, words=ENGLISH):
        return words._("shrinking the fixed pool by {one} {gain}").format(
            one=words.money(1, currency), gain=gain(abs(price), kpi, currency, words))

    @property
    def hard(self):
        return True
