"""Why a world's plan misses the true optimum: which channels' spend differs from it, by how
much, and which stage of the planner caused it.

    python -m benchmarks.diagnose 5 --form long --freq D     # mixed world seed 5
    python -m benchmarks.diagnose 3 --family carryover       # a decision-quality world

The world is fitted once and re-planned with each stage switched to truth or off in turn:

* optimum — the same LP on the true curves (no fit at all);
* fit — the point curves of the fit, no plausible set, no guard (what the fit alone costs);
* plausible set — `measure: mean` over the plausible curves, guard off;
* guard — the same with the history guard;
* risk measure — the scenario's default measure (when it is not `mean`); the `cvar` plan is
  listed beside the others either way;
* pilot limits — opt-in (`forecast.pilot_change`); reported when the scenario sets them.

Each stage's cost is the drop in uplift captured from the stage before it; the channels whose
spend moved most at that stage are named with the money moved.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.valuation import (captured, plan_variants, same_quarter_budget, scenario_file,
                                  spend_history, spend_of, valuation)
from budgetopt.datasets import family_world, write_history
from budgetopt.optimizer.scenario.loader import load_scenario
from budgetopt.optimizer.intake.inputs import load_inputs
from budgetopt.optimizer.intake.fitting import fit_forecasts

#: stage name → the plan variant that has it switched on (in the order they are added).
STAGES = (("fit", "point"), ("plausible set", "mean_noguard"), ("guard", "mean"),
          ("risk measure", "default"))


def _family_world(family: str, seed: int, folder: Path):
    world = family_world(family, seed)
    write_history(world, folder / "history.csv")
    daily = spend_history(world.history, world.freq)
    inputs = load_inputs(load_scenario(scenario_file(folder, same_quarter_budget(daily))))
    return world, None, inputs, fit_forecasts(inputs, n_jobs=1), daily


def diagnose(seed: int, form: str = "long", freq: str = "D", family: str | None = None
             ) -> dict:
    """Per stage: the plan's spend per channel, its true value and the uplift captured."""
    from benchmarks.mixed import planned_world
    with tempfile.TemporaryDirectory() as tmp:
        if family is None:
            world, _, inputs, forecaster, daily = planned_world(seed, form, freq, Path(tmp))
        else:
            world, _, inputs, forecaster, daily = _family_world(family, seed, Path(tmp))
        plans = plan_variants(inputs, forecaster)
    val = valuation(world, inputs, daily, plans["default"])
    v_mix, v_opt = val.value(val.mix), val.value(val.optimum)
    by_channel = {}
    for name, spend in [("optimum", val.optimum), ("mix", val.mix)] + [
            (n, spend_of(r, inputs.periods)) for n, r in plans.items()]:
        per = {u: sum(v for (c, _), v in spend.items() if c == u) for u in val.units}
        by_channel[name] = {"spend": per, "value": val.value(spend)}
        by_channel[name]["captured"] = captured(by_channel[name]["value"], v_mix, v_opt)
    default = plans["default"].summary
    info = default["curves"]["units"]
    return {"world": (f"family {family} seed {seed}" if family else
                      f"mixed seed {seed} {form} {freq}"),
            "measure": default["risk"]["measure"], "plans": by_channel, "units": val.units,
            "not_identified": {u: info[u].get("not_identified") for u in val.units
                               if info.get(u, {}).get("not_identified")},
            "pilot_limits": default.get("pilot_limits", {}),
            "truth": {u: world.truth(u) for u in val.units}}


def attribute(d: dict) -> list[dict]:
    """Each stage's cost in points of uplift captured and the channels it moved most."""
    plans = d["plans"]
    out, before = [], "optimum"
    for stage, variant in STAGES:
        if variant == "default" and d["measure"] == "mean":
            continue
        now = plans[variant]
        moved = {u: now["spend"][u] - plans[before]["spend"][u] for u in d["units"]}
        top = sorted(moved, key=lambda u: -abs(moved[u]))[:3]
        cost = (plans[before]["captured"] or 0) - (now["captured"] or 0)
        out.append({"stage": stage, "captured": now["captured"], "cost": cost,
                    "moved": [(u, moved[u]) for u in top]})
        before = variant
    return out


def render(d: dict) -> str:
    plans = d["plans"]
    total = sum(plans["optimum"]["spend"].values())
    lines = [f"# {d['world']} (default measure: {d['measure']})", "",
             "| channel | truth (shape, carryover, ρ season / promo) | optimum | mix | point fit | "
             "plausible mean | + guard | default | default − optimum |",
             "|---|---|---|---|---|---|---|---|---|"]
    for u in d["units"]:
        t = d["truth"][u]
        shape = t.shape + (f" n={t.hill_n:g}" if t.shape == "hill" else "")
        rho = f"{t.response_coupling:g} / {t.promo_coupling if t.promo_coupling is not None else t.response_coupling:g}"
        cells = [f"{plans[k]['spend'][u] / total:.1%}" for k in
                 ("optimum", "mix", "point", "mean_noguard", "mean", "default")]
        gap = plans["default"]["spend"][u] - plans["optimum"]["spend"][u]
        flag = " (not identified)" if u in d["not_identified"] else ""
        lines.append(f"| {u}{flag} | {shape}, θ {t.carryover:g}, ρ {rho} | " + " | ".join(cells)
                     + f" | {gap:+,.0f} |")
    lines += ["", "| plan | true incremental KPI | uplift captured |", "|---|---|---|"]
    for k in ("mix", "optimum", "point", "mean_noguard", "mean", "cvar", "default"):
        c = plans[k]["captured"]
        lines.append(f"| {k} | {plans[k]['value']:,.0f} | {'—' if c is None else f'{c:.1%}'} |")
    lines += ["", "Stage by stage (cost = points of uplift captured lost at that stage):"]
    for a in attribute(d):
        moved = ", ".join(f"{u} {m:+,.0f}" for u, m in a["moved"])
        lines.append(f"- {a['stage']}: cost {a['cost'] * 100:+.1f} points (captured "
                     f"{a['captured']:.1%}); moved most: {moved}")
    lines.append(f"- pilot limits: {len(d['pilot_limits'])} set" if d["pilot_limits"] else
                 "- pilot limits: none (opt-in, not set)")
    if d["not_identified"]:
        lines.append("- not identified: " + "; ".join(f"{u} ({', '.join(v)})" for u, v in
                                                      d["not_identified"].items()))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seed", type=int)
    parser.add_argument("--form", choices=("long", "wide"), default="long")
    parser.add_argument("--freq", choices=("D", "W"), default="D")
    parser.add_argument("--family", default=None,
                        help="a decision-quality family instead of a mixed world")
    args = parser.parse_args()
    print(render(diagnose(args.seed, args.form, args.freq, args.family)))


if __name__ == "__main__":
    main()
