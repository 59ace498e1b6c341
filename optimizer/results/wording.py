"""Pieces of a plan worded in its report's language, shared by the report, the workbook and
the console: the binding rules and the pool line."""
from __future__ import annotations

from budgetopt.messages import Msg
from budgetopt.optimizer.results.i18n import N_, Words, words_for
from budgetopt.optimizer.results.tables import PlanResult


#: what each fixed_rule means, for readers who do not know the scenario's keys
FIXED_RULES = {"historical": N_("last year's channel shares"), "equal": N_("equal shares"),
               "explicit": N_("the amounts set in the scenario"),
               "optimized": N_("the optimizer's choice")}


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
        share=f"{pool['fixed_share']:.0%}", rule=w._(FIXED_RULES[pool["fixed_rule"]])
        if w.chinese and pool["fixed_rule"] in FIXED_RULES else pool["fixed_rule"])


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


def shock_description(shock) -> str:
    """A shock in words: 'demand −22%, cost per result +25% on live_streaming; budget −10%'."""
    where = ", ".join(shock.channels) if shock.channels else N_("every channel")
    parts = []
    if shock.demand_change is not None:
        parts.append(Msg("demand {change}", change=f"{shock.demand_change:+.0%}"))
    if shock.cost_change is not None:
        parts.append(Msg("cost per result {change}", change=f"{shock.cost_change:+.0%}"))
    effect = parts[0] if len(parts) == 1 else Msg("{first}, {second}", first=parts[0],
                                                  second=parts[-1]) if parts else ""
    text = Msg("{effect} on {where}", effect=effect, where=where) if parts else ""
    if shock.budget_change is not None:
        budget = Msg("budget {change}", change=f"{shock.budget_change:+.0%}")
        text = Msg("{first}; {second}", first=text, second=budget) if text else budget
    return text
