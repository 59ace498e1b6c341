"""Why a plan is infeasible: the elastic re-solve lets every rule but the budget facts be
violated at a cost of one per unit of money and minimizes the total violation. The rules it
relaxes are the smallest relaxation that makes the plan feasible; the rules still pressing
against them (nonzero duals in the elastic problem) are what they conflict with."""
from __future__ import annotations

from budgetopt.messages import Msg
from budgetopt.errors import PlanError
from budgetopt.optimizer.lp.allocate import relax
from budgetopt.optimizer.rules.base import Rule
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
    None when the rules turn out to hold together (the solver failed for another reason)."""
    cur = scenario.currency
    first = relaxations(curves, units, periods, fixed, rules, solver)
    if first is not None and not first[0]:
        return None
    if first is None:
        listed = "; ".join(r.describe(cur) for r in rules)
        return PlanError("E0609", rules=listed, where="plan")
    relaxed, conflict, spend = first
    lead = relaxed[0][0]
    against = [r.describe(cur) for r in conflict if r.name != lead.name][:3]
    if sum(fixed.values()) > 0 and scenario.budget.fixed_rule != "optimized":
        against.insert(0, f"the fixed commitments (fixed_rule: {scenario.budget.fixed_rule})")
    against += [r.describe(cur) for r, _ in relaxed[1:3]]
    options = [_option(relaxed, cur, spend)]
    second = relaxations(curves, units, periods, fixed, rules, solver,
                         hard=frozenset(r.name for r, _ in relaxed))
    if second is not None and second[0]:
        options.append(_option(second[0], cur, second[2]))
    return PlanError("E0610", rule=lead.describe(cur), against=_join(against) or Msg("the budget"),
                     options=" — or ".join(options), where="rules")


def _option(relaxed: list[tuple[Rule, float]], currency: str, spend: SpendContext) -> str:
    """One way out: every rule to relax and how far (the first few, then how many more)."""
    shown = [r.relaxed(s, currency, spend) for r, s in relaxed[:MAX_LISTED]]
    more = len(relaxed) - MAX_LISTED
    return " and ".join(shown) + (f" and {more} more rule(s) like them" if more > 0 else "")


def _context(solution: Solution, segments) -> SpendContext:
    by_channel: dict[str, float] = {}
    inc: dict[str, float] = {}
    for (key, p), amount in solution.spend.items():
        channel = key.split("/", 1)[0]
        by_channel[channel] = by_channel.get(channel, 0.0) + amount
        inc[channel] = inc.get(channel, 0.0) + segments[(key, p)].value(amount)
    return SpendContext(sum(by_channel.values()), by_channel, inc)


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
