"""Why a plan is infeasible: the elastic re-solve lets every rule but the budget facts be
violated at a cost of one per unit of money and minimizes the total violation. The rules it
relaxes are the smallest relaxation that makes the plan feasible; the rules still pressing
against them (nonzero duals in the elastic problem) are what they conflict with."""
from __future__ import annotations

from functools import partial

from babel.lists import format_list

from budgetopt.messages import Worded
from budgetopt.errors import PlanError
from budgetopt.optimizer.lp.allocate import relax
from budgetopt.optimizer.rules.base import ENGLISH, Rule
from budgetopt.units import SpendContext
from budgetopt.optimizer.lp.model import Solution

SLACK_TOL = 0.5        # money: below this a violation is rounding
MAX_LISTED = 6         # relaxations named in one option


def relaxations(curves, units, periods, fixed, rules: list[Rule], solver: str,
                hard: frozenset[str] = frozenset(), time_limit_s: float | None = None
                ) -> tuple[list[tuple[Rule, float]], list[Rule], SpendContext] | None:
    """(rules relaxed with their slack, rules they conflict with, the relaxed plan's spend), or
    None when even the relaxed problem has no solution."""
    solution, segments = relax(curves, units, periods, fixed, rules, solver=solver,
                               time_limit_s=time_limit_s, hard=hard)
    if solution.status != "Optimal":
        return None
    by_name = {r.name: r for r in rules}
    relaxed = sorted(((by_name[n], s) for n, s in solution.slacks.items() if s > SLACK_TOL),
                     key=lambda item: -item[1])
    names = {r.name for r, _ in relaxed}
    conflict, seen = [], set()
    for row in solution.rows:
        if (abs(row.price) > 1e-9 and row.rule.name not in names
                and row.rule.name not in seen):
            seen.add(row.rule.name)
            conflict.append(row.rule)
    return relaxed, conflict, _context(solution, segments)


def diagnose(curves, units, periods, fixed, rules: list[Rule], scenario,
             solver: str) -> PlanError | None:
    """The PlanError for an infeasible plan: what conflicts, and the smallest relaxations;
    None when the rules turn out to hold together (the solver failed for another reason). The
    rules' words stay re-wordable, so the error reads in the reader's language."""
    cur = scenario.currency
    first = relaxations(curves, units, periods, fixed, rules, solver)
    if first is not None and not first[0]:
        return None
    if first is None:
        listed = Worded(partial(_listed, tuple(rules), cur), ENGLISH)
        return PlanError("E0609", rules=listed, where="plan")
    relaxed, conflict, spend = first
    lead = relaxed[0][0]
    against = [r for r in conflict if r.name != lead.name][:3] + [r for r, _ in relaxed[1:3]]
    committed = (scenario.budget.fixed_rule
                 if sum(fixed.values()) > 0 and scenario.budget.fixed_rule != "optimized"
                 else None)
    options = [(tuple(relaxed), spend)]
    second = relaxations(curves, units, periods, fixed, rules, solver,
                         hard=frozenset(r.name for r, _ in relaxed))
    if second is not None and second[0]:
        options.append((tuple(second[0]), second[2]))
    return PlanError("E0610", rule=Worded(partial(lead.describe, cur), ENGLISH),
                     against=Worded(partial(_against, tuple(against), committed, cur), ENGLISH),
                     options=Worded(partial(_options, tuple(options), cur), ENGLISH),
                     where="rules")


def _listed(rules: tuple[Rule, ...], currency: str, words) -> str:
    return "; ".join(r.describe(currency, words) for r in rules)


def _against(rules: tuple[Rule, ...], committed: str | None, currency: str, words) -> str:
    """What the lead rule conflicts with: the fixed commitments first, then rules."""
    parts = [r.describe(currency, words) for r in rules]
    if committed is not None:
        parts.insert(0, words._("the fixed commitments (fixed_rule: {rule})").format(
            rule=committed))
    return _join(parts, words) or words._("the budget")


def _options(options: tuple, currency: str, words) -> str:
    """Each way out: every rule to relax and how far (the first few, then how many more)."""
    texts = []
    for relaxed, spend in options:
        shown = [r.relaxed(s, currency, spend, words) for r, s in relaxed[:MAX_LISTED]]
        more = len(relaxed) - MAX_LISTED
        if more > 0:
            shown.append(words._("{more} more rule(s) like them").format(more=more))
        texts.append(_join(shown, words))
    return _join(texts, words, style="or")


def _context(solution: Solution, segments) -> SpendContext:
    by_channel: dict[str, float] = {}
    inc: dict[str, float] = {}
    for (key, p), amount in solution.spend.items():
        channel = key.split("/", 1)[0]
        by_channel[channel] = by_channel.get(channel, 0.0) + amount
        inc[channel] = inc.get(channel, 0.0) + segments[(key, p)].value(amount)
    return SpendContext(sum(by_channel.values()), by_channel, inc)


def _join(parts: list[str], words, style: str = "standard") -> str:
    """`a, b, and c` (or `a or b`) as the reader's language lists things (Babel)."""
    return format_list(parts, style=style, locale=getattr(words, "locale", "en_US")) \
        if parts else ""
