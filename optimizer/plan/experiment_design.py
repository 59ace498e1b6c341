"""Which test to run next: per unit the value of knowing its curve (EVPI) and of the best lift
test in a small grid of spend changes × lengths (EVSI, net of what the test costs the plan),
ranked (docs/optimizer.md, "Which test to run next"). Reads the solved plan's plausible sample
curves; the LP work is one SwapModel (optimizer/lp/swaps.py)."""
from __future__ import annotations

import math

import numpy as np

from budgetopt.forecasts.curves.curveset import CurveSet
from budgetopt.messages import Msg, N_
from budgetopt.optimizer.intake.inputs import PlanInputs
from budgetopt.optimizer.lp.allocate import curve_segments
from budgetopt.optimizer.lp.risk import SampleCurves
from budgetopt.optimizer.lp.segments import curve_arrays
from budgetopt.optimizer.lp.swaps import Point, SwapModel, Values
from budgetopt.optimizer.plan.commitments import Commitments
from budgetopt.optimizer.plan.information import Information, Prior, plan_money
from budgetopt.optimizer.plan.ruleset import RuleSet
from budgetopt.optimizer.plan.solving import Solved

GROUPS = 8                                   # quantile groups of a unit's plausible curves
CHANGES = (-0.5, -0.3, -0.2, 0.2, 0.3, 0.5)  # the test's spend change, share of the plan's
WEEKS = (2, 4, 8)                            # the test's length


def suggested_tests(inputs: PlanInputs, curve_set: CurveSet, solved: Solved, rules: RuleSet,
                     commitments: Commitments, limit: int) -> dict:
    """summary.json's `test_suggestions`: one row per valued unit, ranked by the EVSI of its
    suggested test (then EVPI, then name); the `limit` units with the widest spread of
    plausible value at the plan's spend are valued, the rest screened out."""
    scenario = inputs.scenario
    samples: SampleCurves = solved.risk.curves
    segments = solved.run.segments
    _, _, ordered = curve_segments(curve_arrays(solved.curves), commitments.fixed,
                                   scenario.solver.nonconcave)
    per_sample = {k: samples.cut(k, s.fixed) for k, s in segments.items() if k in samples.cells}
    means: Values = {k: ((float(per_sample[k][0].mean()), per_sample[k][1].mean(axis=0))
                         if k in per_sample else (float(s.value_at_fixed),
                                                  np.asarray(s.slopes, float)))
                     for k, s in segments.items()}
    pilots = rules.pilots if all(v.get("applied") for v in solved.pilot_info.values()) else []
    model = SwapModel(list(inputs.units), inputs.periods["period"].tolist(), segments,
                      rules.rules + pilots, rules.objective, means, ordered=ordered,
                      time_limit_s=scenario.solver.time_limit_s)
    base = model.solve()
    # max_roi's gains are ROI × spend: KPI, as the other objectives' but max_profit's
    value_in = "profit" if scenario.objective == "max_profit" else scenario.kpi
    out = {"value_in": value_in, "currency": scenario.currency,
           "groups": GROUPS, "method": _method(), "rows": [], "units": 0, "screened_out": 0}
    if not base.ok:
        out["note"] = N_("the plan on the mean plausible curves could not be solved")
        return out
    value = plan_money(model, base.spend(model.fixed))
    keys = sorted({k for k, _ in per_sample})
    spread = {k: float(np.std(_unit_values(per_sample, k, base))) for k in keys}
    chosen = sorted(keys, key=lambda k: (-spread[k], k))[:limit]
    out["units"], out["screened_out"] = len(keys), len(keys) - len(chosen)
    rows = [_unit_row(inputs, curve_set, samples, per_sample, model, base, value, key,
                      commitments) for key in chosen]
    rows.sort(key=lambda r: (-r["evsi"], -r["evpi"], r["unit"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    out["rows"] = rows
    return out


def _unit_values(per_sample: dict, key: str, point: Point) -> np.ndarray:
    """Each plausible sample's value of the unit at the plan (S,)."""
    return sum(at + slopes @ point.x[k] for k, (at, slopes) in per_sample.items() if k[0] == key)


def unit_prior(per_sample: dict, key: str, point: Point, groups: int = GROUPS
               ) -> tuple[Prior, list[np.ndarray]]:
    """The unit's samples in `groups` quantile groups of their value at `point` (ties kept in
    sample order), each group's probability and mean curve; and each group's sample ids."""
    values = _unit_values(per_sample, key, point)
    order = np.argsort(values, kind="stable")
    members = [m for m in np.array_split(order, min(groups, len(order))) if len(m)]
    cells = sorted(k for k in per_sample if k[0] == key)
    curves = tuple({k: (float(per_sample[k][0][m].mean()), per_sample[k][1][m].mean(axis=0))
                    for k in cells} for m in members)
    probs = np.array([len(m) for m in members], float) / len(order)
    return Prior(key, probs, curves), members


def _unit_row(inputs, curve_set, samples, per_sample, model, base, value, key,
              commitments) -> dict:
    prior, members = unit_prior(per_sample, key, base)
    info = Information(model, base, prior, value)
    evpi = info.evpi()
    unit = curve_set.unit(key)
    row = {"unit": key, "channel": unit.channel if unit else key,
           "market": unit.market if unit else None, "evpi": evpi, "evsi": 0.0,
           "test_cost": 0.0, "net_value": 0.0, "spend_change": None, "weeks": None,
           "test_spend": 0.0, "predicted_lift": 0.0, "std_error": 0.0, "worth_running": False,
           "plan_spend": float(sum(model.fixed[k] + base.x[k].sum() for k in base.x
                                   if k[0] == key))}
    if evpi <= 0 or unit is None:
        return row
    mean_value = value(base, {})
    tests = []
    for weeks in WEEKS:
        cover = _coverage(inputs.periods, weeks)
        if cover is None:
            continue
        se = study_error(unit, weeks, _inc_per_step(model, base, key, unit))
        for change in CHANGES:
            spend = _test_spend(model, base, key, cover, change,
                                commitments.reference.by_cell)
            moved = sum(spend[k] - _spent(model, base, k) for k in spend)
            if abs(moved) < 1e-6:
                continue
            lifts = _lifts(samples, members, base, model, spend)
            pinned = model.pinned(spend)
            if not pinned.ok:
                continue
            cost = max(mean_value - value(pinned, {}), 0.0)
            tests.append((info.evsi(lifts, se) - cost, change, weeks, lifts, se, cost, moved))
    if not tests:
        return row
    tests.sort(key=lambda t: (-t[0], t[2], abs(t[1]), t[1]))
    _, change, weeks, lifts, se, cost, moved = tests[0]
    evsi = info.evsi(lifts, se, exact=True)
    row.update(evsi=evsi, test_cost=cost, net_value=evsi - cost, spend_change=change,
               weeks=weeks, test_spend=float(moved),
               predicted_lift=float(prior.probs @ lifts), std_error=float(se),
               worth_running=bool(evsi - cost > 0))
    return row


def _spent(model: SwapModel, point: Point, cell) -> float:
    return model.fixed[cell] + float(point.x[cell].sum())


def _coverage(periods, weeks: int) -> dict[int, float] | None:
    """The share of each plan period a test over the horizon's first `weeks` weeks covers
    (None when the horizon is shorter than the test)."""
    left = 7.0 * weeks
    if left > float(periods["days"].sum()) + 1e-9:
        return None
    out = {}
    for p, days in zip(periods["period"], periods["days"]):
        if left <= 0:
            break
        out[int(p)] = min(float(days), left) / float(days)
        left -= float(days)
    return out


def _test_spend(model: SwapModel, base: Point, key: str, cover: dict, change: float,
                reference: dict) -> dict:
    """The unit's spend per covered period with the test: the plan's, changed by `change` of
    it (of last year's where the plan spends nothing) over the covered share, within the
    fixed commitment and the curve's range."""
    out = {}
    for cell in sorted(model.columns):
        if cell[0] != key or cell[1] not in cover:
            continue
        now = _spent(model, base, cell)
        basis = now if now > 1e-9 else reference.get(cell, 0.0)
        top = model.fixed[cell] + float(model.lengths[cell].sum())
        out[cell] = float(min(max(now + cover[cell[1]] * change * basis, model.fixed[cell]),
                              top))
    return out


def _lifts(samples: SampleCurves, members: list, base: Point, model: SwapModel,
           spend: dict) -> np.ndarray:
    """Each group's predicted lift of the test: its mean curve at the test's spend less at
    the plan's (each period's curve counts the carryover its spend earns)."""
    out = np.zeros(len(members))
    for cell, amount in spend.items():
        x, y = samples.cells[cell]
        now = _spent(model, base, cell)
        for g, m in enumerate(members):
            curve = y[m].mean(axis=0)
            out[g] += float(np.interp(amount, x, curve) - np.interp(now, x, curve))
    return out


def _inc_per_step(model: SwapModel, base: Point, key: str, unit) -> float:
    steps = max(int(np.sum(np.asarray(unit.which) >= 0)), 1)
    inc = sum(model.values[k][0] + float(model.values[k][1] @ base.x[k]) for k in base.x
              if k[0] == key)
    return float(inc) / steps


def study_error(unit, weeks: int, inc_per_step: float = 0.0) -> float:
    """The standard error of a two-arm study over `weeks` weeks and the carryover tail after
    them (as budgetopt.datasets.lift_tests simulates one): √2 · noise · √(Σ E[KPI]²) over the
    measured steps in the multiplicative form (noise is relative), √2 · noise · √steps in the
    additive one; E[KPI] is the baseline plus the unit's share of the plan's incremental KPI."""
    window = math.ceil(7 * weeks / unit.step_days)
    steps = min(window + int(unit.response.tail_steps()), len(unit.baseline))
    if not unit.response.multiplicative:
        return float(math.sqrt(2.0) * unit.noise * math.sqrt(steps))
    expected = np.asarray(unit.baseline[:steps], float).copy()
    expected[:window] += inc_per_step
    return float(math.sqrt(2.0) * unit.noise * math.sqrt(float(np.sum(expected ** 2))))


def _method() -> Msg:
    return Msg("the value of knowing a unit's curve (EVPI) and of the suggested lift test (EVSI) "
               "are expected gains in money over the plan on the mean plausible curves, each "
               "re-planned with the scenario's rules and the unit's curve in one of "
               "{groups} quantile groups of its plausible curves; the test's cost is what "
               "carrying its spend change loses under current knowledge; the risk measure and "
               "the history guard are not re-applied per hypothetical (an expected-value "
               "quantity)", groups=GROUPS)
