"""Rules on what money must return: a CAC cap per channel, the dynamic pool's hurdle on marginal
ROI, the overspend allowance, an overall ROI target, and the committed fixed pool."""
from __future__ import annotations

from dataclasses import dataclass

from budgetopt.optimizer.rules.base import Rule, bound_row, gain
from budgetopt.money import money


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

    def describe(self, currency):
        return (f"{self.channel} pays at most {money(self.cap, currency, 2)} per incremental "
                f"{self.metric.rstrip('s')}")

    def shadow(self, price, kpi, currency, spend):
        step = abs(price) * self.per_kpi * spend.incremental_by_channel.get(self.channel, 0.0)
        return f"raising {self.channel} cac_cap by {money(1, currency)} {gain(step, kpi, currency)}"

    def relaxed(self, slack, currency, spend):
        conversions = self.per_kpi * spend.incremental_by_channel.get(self.channel, 0.0)
        if conversions <= 0:
            return f"raising {self.channel} cac_cap"
        return (f"raising {self.channel} cac_cap to "
                f"{money(self.cap + slack / conversions, currency, 2)}")


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

    def describe(self, currency):
        if self.label == "overspend":
            return (f"spend above the budget goes only where marginal ROI is at least "
                    f"{self.threshold:g}")
        return f"dynamic money goes only where marginal ROI is at least {self.threshold:g}"

    def shadow(self, price, kpi, currency, spend):
        return (f"letting {money(1, currency)} more earn below marginal ROI {self.threshold:g} "
                f"{gain(abs(price), kpi, currency)}")

    def relaxed(self, slack, currency, spend):
        return (f"letting {money(slack, currency)} of money earn below the {self.label} hurdle "
                f"{self.threshold:g} (lower {self.label})")


@dataclass(frozen=True)
class TargetRoi(Rule):
    """Overall ROI stays at or above the target: Σ incremental KPI ≥ target × Σ spend."""

    target: float = 0.0

    def rows(self, model):
        return [bound_row(model.total_incremental() - self.target * model.total_spend(), ">=", 0.0)]

    def describe(self, currency):
        return f"overall ROI stays at or above {self.target:g} (1:{self.target:g})"

    def shadow(self, price, kpi, currency, spend):
        return f"lowering target_roi by 0.1 {gain(abs(price) * 0.1 * spend.total, kpi, currency)}"

    def relaxed(self, slack, currency, spend):
        return f"lowering target_roi to {max(self.target - slack / max(spend.total, 1.0), 0):.2f}"


@dataclass(frozen=True)
class FixedCommitted(Rule):
    """With fixed_rule: optimized the LP places the fixed pool too; all of it is committed."""

    amount: float = 0.0

    def rows(self, model):
        return [bound_row(model.total_spend(), ">=", self.amount)]

    def describe(self, currency):
        return f"the plan commits the whole fixed pool of {money(self.amount, currency)}"

    def shadow(self, price, kpi, currency, spend):
        return (f"shrinking the fixed pool by {money(1, currency)} "
                f"{gain(abs(price), kpi, currency)}")

    @property
    def hard(self):
        return True
