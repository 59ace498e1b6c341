"""The newer rules in the LP: each holds on the solution (checked from the spend alone), its
shadow price is d(objective)/d(right-hand side) by finite differences, and its words say so."""
from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from budgetopt.optimizer.lp.allocate import allocate
from budgetopt.optimizer.rules.bounds import DynamicBudget, ShareBound
from budgetopt.units import SpendContext
from budgetopt.optimizer.rules.diagnosis import diagnose
from budgetopt.optimizer.results.i18n import Words
from budgetopt.optimizer.rules.limits import ChangeVsHistory, PeriodBudgetCap, PeriodPacing
from budgetopt.units import Unit
from budgetopt.optimizer.rules.returns import CacCap, ReturnHurdle

SOLVERS = ["highs", "cbc"]
PERIODS = [0, 1, 2, 3]


def _world(log_curves, seed=21, n_units=4, budget=1_600_000.0):
    units, a, b = log_curves.world(n_units, len(PERIODS), seed=seed)
    a[0] *= 3                       # one clear winner, so limits bind
    curves = log_curves.table(units, a, b, budget * 1.2, points=200)
    return units, a, b, curves, budget


def _solve(curves, units, rules, solver="highs", fixed=None):
    run = allocate(curves, units, PERIODS, fixed or {}, rules, solver=solver)
    assert run.solution.status == "Optimal"
    return run


def _price(solution, name):
    return next(r.price for r in solution.rows if r.rule.name == name)


def _channel(solution, channel):
    return sum(v for (k, _), v in solution.spend.items() if k == channel)


@pytest.mark.parametrize("solver", SOLVERS)
def test_change_vs_history_bounds_each_channel_and_prices_the_band(log_curves, solver):
    units, a, b, curves, budget = _world(log_curves)
    ref = {u.key: budget / len(units) for u in units}
    rules = [DynamicBudget("budget", "==", amount=budget)]
    for u in units:
        for label, sense in (("up", "<="), ("down", ">=")):
            rules.append(ChangeVsHistory(f"change_{label}:{u.key}", sense, channel=u.key,
                                         reference=ref[u.key], fraction=0.3, label=label))
    run = _solve(curves, units, rules, solver)
    for u in units:
        spent = _channel(run.solution, u.key)
        assert 0.7 * ref[u.key] - 1e-3 <= spent <= 1.3 * ref[u.key] + 1e-3
    price = _price(run.solution, "change_up:ch00")
    assert price > 0
    step = 0.01
    wider = [r if r.name != "change_up:ch00" else
             ChangeVsHistory("change_up:ch00", "<=", channel="ch00", reference=ref["ch00"],
                             fraction=0.3 + step, label="up") for r in rules]
    moved = _solve(curves, units, wider, solver).solution.objective - run.solution.objective
    assert moved / (step * ref["ch00"]) == pytest.approx(price, rel=0.03)
    words = rules[1].shadow(price, "revenue", "CNY", SpendContext(budget, {}))
    assert words.startswith("widening ch00's max_change_vs_history by 1 percentage point adds ¥")


@pytest.mark.parametrize("solver", SOLVERS)
def test_period_cap_holds_and_its_price_is_the_value_of_one_more_yuan_then(log_curves, solver):
    units, a, b, curves, budget = _world(log_curves)
    cap = 300_000.0
    rules = [DynamicBudget("budget", "<=", amount=budget),
             PeriodBudgetCap("period_cap:p1", "<=", period=1, amount=cap, when="2026-10-08")]
    run = _solve(curves, units, rules, solver)
    assert sum(run.solution.spend[(u.key, 1)] for u in units) <= cap + 1e-3
    price = _price(run.solution, "period_cap:p1")
    step = 2_000.0
    looser = rules[:1] + [PeriodBudgetCap("period_cap:p1", "<=", period=1, amount=cap + step,
                                          when="2026-10-08")]
    moved = (_solve(curves, units, looser, solver).solution.objective - run.solution.objective)
    assert moved / step == pytest.approx(price, rel=0.03)
    assert "raising the cap of the period from 2026-10-08 by ¥1 adds" in rules[1].shadow(
        price, "revenue", "CNY", SpendContext(budget, {}))


@pytest.mark.parametrize("solver", SOLVERS)
def test_pacing_keeps_per_day_spend_within_the_band(log_curves, solver):
    units, a, b = log_curves.world(3, len(PERIODS), seed=5)
    a[:, 2] *= 6                                  # a promotion period pulls money in
    budget = 1_200_000.0
    curves = log_curves.table(units, a, b, budget * 1.2, points=200)
    days = [7, 7, 7, 3]
    rules = [DynamicBudget("budget", "==", amount=budget)]
    for u in units:
        for p in PERIODS[1:]:
            ratio = days[p] / days[p - 1]
            rules.append(PeriodPacing(f"pacing_up:{u.key}:{p}", "<=", unit=u.key, period=p,
                                      previous=p - 1, factor=1.25 * ratio, fraction=0.25))
            rules.append(PeriodPacing(f"pacing_down:{u.key}:{p}", ">=", unit=u.key, period=p,
                                      previous=p - 1, factor=0.75 * ratio, fraction=0.25))
    free = _solve(curves, units, rules[:1], solver).solution
    run = _solve(curves, units, rules, solver).solution
    for u in units:
        per_day = [run.spend[(u.key, p)] / days[p] for p in PERIODS]
        for prev, cur in zip(per_day, per_day[1:]):
            assert 0.75 * prev * (1 - 1e-6) <= cur <= 1.25 * prev * (1 + 1e-6)
    assert run.objective < free.objective          # the promotion pull was really limited


@pytest.mark.parametrize("solver", SOLVERS)
def test_cac_cap_limits_spend_per_incremental_conversion(log_curves, solver):
    units, a, b, curves, budget = _world(log_curves)
    per_kpi, cap = 0.02, 5.0                       # 1 conversion per 50 of revenue
    rules = [DynamicBudget("budget", "<=", amount=budget),
             CacCap("cac_cap:ch00", ">=", channel="ch00", cap=cap, per_kpi=per_kpi)]
    run = _solve(curves, units, rules, solver)
    seg = run.segments
    inc = sum(seg[(k, p)].value(v) for (k, p), v in run.solution.spend.items() if k == "ch00")
    spent = _channel(run.solution, "ch00")
    assert spent / (inc * per_kpi) <= cap * (1 + 1e-6)
    free = _solve(curves, units, rules[:1], solver).solution
    assert _channel(free, "ch00") / (per_kpi * sum(
        seg[(k, p)].value(v) for (k, p), v in free.spend.items() if k == "ch00")) > cap
    price = _price(run.solution, "cac_cap:ch00")
    step = 0.05
    looser = rules[:1] + [CacCap("cac_cap:ch00", ">=", channel="ch00", cap=cap + step,
                                 per_kpi=per_kpi)]
    moved = (_solve(curves, units, looser, solver).solution.objective
             - run.solution.objective) / step
    words = rules[1].shadow(price, "revenue", "CNY", SpendContext(budget, {}, {"ch00": inc}))
    predicted = -price * per_kpi * inc      # a looser cap lowers the row's effective rhs
    assert moved == pytest.approx(predicted, rel=0.05)
    assert words.startswith("raising ch00 cac_cap by ¥1 adds ¥")


def test_hurdle_allowance_price_matches_finite_difference(log_curves):
    units, a, b, curves, budget = _world(log_curves)
    rules = [DynamicBudget("budget", "<=", amount=budget),
             ReturnHurdle("dynamic_min_roi", "<=", threshold=5.0, allowed=10_000.0)]
    run = _solve(curves, units, rules)
    price = _price(run.solution, "dynamic_min_roi")
    step = 2_000.0
    more = rules[:1] + [ReturnHurdle("dynamic_min_roi", "<=", threshold=5.0,
                                     allowed=10_000.0 + step)]
    moved = (_solve(curves, units, more).solution.objective - run.solution.objective) / step
    assert 0 < price < 5.0
    assert moved == pytest.approx(price, rel=0.05)


def test_group_floor_against_historical_fixed_money_is_diagnosed_with_a_feasible_relaxation(log_curves):
    units, a, b, curves, budget = _world(log_curves)
    # last year's mix put almost all fixed money in ch00 and ch01
    fixed = {(u.key, p): (150_000.0 if u.key in ("ch00", "ch01") else 5_000.0)
             for u in units for p in PERIODS}
    dynamic = 300_000.0
    total = sum(fixed.values()) + dynamic
    group = ShareBound("group_min_share:efficient", ">=", channels=("ch02", "ch03"), share=0.6,
                       label="min_share", group="efficient")
    rules = [DynamicBudget("budget", "==", amount=dynamic), group]
    assert allocate(curves, units, PERIODS, fixed, rules).solution.status == "Infeasible"
    scenario = SimpleNamespace(currency="CNY", budget=SimpleNamespace(fixed_rule="historical"))
    err = diagnose(curves, units, PERIODS, fixed, rules, scenario, "highs")
    text = str(err)
    assert err.exit_code == 1
    assert text.startswith("rules: infeasible: group efficient takes at least 60% of planned "
                           "spend conflicts with the fixed commitments (fixed_rule: historical)")
    # the proposed share: what the group can reach = (its fixed money + the whole dynamic pool)
    reachable = (sum(v for (k, _), v in fixed.items() if k in ("ch02", "ch03")) + dynamic) / total
    proposed = int(text.split("lowering group efficient min_share 60% to ")[1].split("%")[0])
    assert proposed == int(np.floor(reachable * 100))
    relaxed = [rules[0], ShareBound("group_min_share:efficient", ">=", channels=("ch02", "ch03"),
                                    share=proposed / 100, label="min_share", group="efficient")]
    assert allocate(curves, units, PERIODS, fixed, relaxed).solution.status == "Optimal"
    # the same error read in Chinese words every rule and relaxation in Chinese: the figures
    # are the English line's, the English words gone
    line = Words("zh").error_line(err)
    assert "固定投放承诺（fixed_rule: historical）" in line
    assert f"efficient 的 min_share 从 60% 调低到 {proposed}%" in line
    assert not re.search(r"\b(lowering|raising|conflicts|relaxing|takes at least)\b", line)
    assert line.endswith("[E0610]")


def test_diagnosis_spreads_the_budget_over_conflicting_period_caps(log_curves):
    units, a, b, curves, budget = _world(log_curves)
    rules = [DynamicBudget("budget", "==", amount=1_000_000.0),
             PeriodBudgetCap("period_cap:0", "<=", period=0, amount=100_000.0, when="2026-10-01"),
             PeriodBudgetCap("period_cap:1", "<=", period=1, amount=100_000.0, when="2026-10-08"),
             PeriodBudgetCap("period_cap:2", "<=", period=2, amount=100_000.0, when="2026-10-15"),
             PeriodBudgetCap("period_cap:3", "<=", period=3, amount=100_000.0, when="2026-10-22")]
    scenario = SimpleNamespace(currency="CNY", budget=SimpleNamespace(fixed_rule="optimized"))
    text = str(diagnose(curves, units, PERIODS, {}, rules, scenario, "highs"))
    assert "infeasible: the period from" in text
    assert "raising the cap of the period from" in text
    # 600k must be found across the caps: the proposed caps add up to the budget
    amounts = [float(v.replace(",", "")) for v in re.findall(r"to ¥([\d,]+)", text)]
    assert len(amounts) >= 2
    assert sum(amounts) + 100_000.0 * (4 - len(amounts)) == pytest.approx(1_000_000.0, abs=4)


def test_s_curves_solved_as_milp_reach_the_brute_force_optimum_the_envelope_misses():
    x = np.linspace(0, 200_000, 81)
    def s_curve(v, top, mid):
        return top * v**3 / (mid**3 + v**3)
    units = [Unit("a"), Unit("b")]
    curves = pd.concat([
        pd.DataFrame({"unit": "a", "period": 0, "spend": x,
                      "incremental_kpi": s_curve(x, 600_000.0, 80_000.0)}),
        pd.DataFrame({"unit": "b", "period": 0, "spend": x,
                      "incremental_kpi": s_curve(x, 500_000.0, 60_000.0)})])
    budget = 120_000.0
    rules = [DynamicBudget("budget", "==", amount=budget)]
    env = allocate(curves, units, [0], {}, rules, nonconcave="envelope")
    milp = allocate(curves, units, [0], {}, rules, nonconcave="milp")
    assert env.nonconcave == "envelope" and milp.nonconcave == "milp"
    assert milp.solution.method == "milp" and env.solution.method == "lp"
    assert env.reshaped == ["a", "b"]

    def true_value(spend):
        return (s_curve(spend[("a", 0)], 600_000.0, 80_000.0)
                + s_curve(spend[("b", 0)], 500_000.0, 60_000.0))
    grid = np.linspace(0, budget, 4801)
    brute = max(s_curve(g, 600_000.0, 80_000.0) + s_curve(budget - g, 500_000.0, 60_000.0)
                for g in grid)
    assert true_value(milp.solution.spend) == pytest.approx(brute, rel=2e-3)
    assert true_value(milp.solution.spend) > true_value(env.solution.spend) * 1.01
    cbc = allocate(curves, units, [0], {}, rules, nonconcave="milp", solver="cbc")
    assert cbc.solution.objective == pytest.approx(milp.solution.objective, rel=1e-6)


def test_diagnosis_finds_nothing_to_relax_when_the_rules_hold(log_curves):
    units, a, b, curves, budget = _world(log_curves)
    rules = [DynamicBudget("budget", "==", amount=500_000.0),
             PeriodBudgetCap("period_cap:0", "<=", period=0, amount=400_000.0, when="2026-10-01")]
    scenario = SimpleNamespace(currency="CNY", budget=SimpleNamespace(fixed_rule="historical"))
    assert diagnose(curves, units, PERIODS, {}, rules, scenario, "cbc") is None
