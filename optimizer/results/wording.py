"""Pieces of a plan worded in its report's language, shared by the report, the workbook and
the console: the binding rules and the pool line."""
from __future__ import annotations

from budgetopt.optimizer.results.i18n import Words, words_for
from budgetopt.optimizer.results.tables import PlanResult


def binding_in_words(result: PlanResult, words: Words) -> list[dict]:
    """The binding rules in the report's language (summary.json keeps them in English)."""
    if result.binding_words is None or not words.chinese:
        return result.summary["binding_constraints"]
    return [source.words(words) for source in result.binding_words]


def pool_line(result: PlanResult, w: Words | None = None, explain: bool = True) -> str:
    w = w or words_for(result)
    t, pool, cur = result.totals, result.summary["pool"], result.scenario.currency
    big = w.compact_money if w.chinese else w.money
    line = w._("Budget {budget} = fixed {fixed} + dynamic {dynamic} + reserve {reserve}").format(
        budget=big(t["budget"], cur), fixed=big(t["fixed"], cur), dynamic=big(t["dynamic"], cur),
        reserve=big(t["reserve"], cur))
    if t["returned_to_reserve"] > 0.5:
        line += w._(" (of which {amount} returned unspent)").format(
            amount=big(t["returned_to_reserve"], cur))
    if t["overspend"] > 0.5:
        line += w._(" − overspend {amount}").format(amount=big(t["overspend"], cur))
    if not explain:
        return line
    return line + w._(". The fixed pool ({share}) is committed by the '{rule}' rule; the dynamic "
                      "pool goes where the marginal return is highest.").format(
        share=f"{pool['fixed_share']:.0%}", rule=pool["fixed_rule"])


def objective_in_words(objective: str, kpi: str, risk, margin: float | None = None,
                       w: Words | None = None) -> str:
    """What the plan maximized, in words, e.g. "CVaR20% of incremental revenue over 100
    plausible curves (the mean of the worst 20%)": the objective's value is this figure."""
    w = w or Words("en")
    quantity = w._("incremental {kpi}").format(kpi=w.kpi(kpi))
    if objective == "max_profit":
        quantity = w._("profit ({margin} × incremental {kpi} − spend)").format(
            margin=f"{margin:g}", kpi=w.kpi(kpi))
    if risk.measure == "mean":
        text = w._("the mean of {quantity} over {samples} plausible curves")
    else:
        text = w._("CVaR{alpha} of {quantity} over {samples} plausible curves (the mean of the "
                   "worst {alpha})")
    text = text.format(quantity=quantity, samples=risk.samples, alpha=f"{risk.alpha:.0%}")
    if objective == "max_roi":
        text = w._("ROI: {what} ÷ spend").format(what=text)
    return text
