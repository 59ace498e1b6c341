"""What the data support: opt-in pilot-before-rollout limits for loosely pinned curves, notes on how
the curves were fitted, and how the plan values carryover."""
from __future__ import annotations

import pandas as pd

from budgetopt.forecasts.models.forecaster import Forecaster
from budgetopt.messages import Msg, N_
from budgetopt.optimizer.rules.bounds import PilotBound
from budgetopt.optimizer.workflows.inputs import PlanInputs


def pilot_rules(inputs: PlanInputs, forecaster: Forecaster, ref_by_unit: dict, fixed: dict,
                spendable: float) -> tuple[list, dict]:
    """Pilot before rollout: channels whose curves the data pin only loosely, and that the
    scenario sets no money or share rule for, stay within `forecast.pilot_change` of their
    historical share of the spendable budget."""
    scenario = inputs.scenario
    change = scenario.forecast.pilot_change
    total_ref = sum(ref_by_unit.values())
    if change is None or total_ref <= 0:
        return [], {}
    rules, info = [], {}
    for channel in sorted({u.channel for u in inputs.units}):
        rule = scenario.rule(channel)
        if any(v is not None for v in (rule.min, rule.max, rule.lock, rule.min_share,
                                       rule.max_share)):
            continue
        keys = [u.key for u in inputs.units if u.channel == channel and u.key in forecaster.fits]
        reasons = [r for k in keys if (r := forecaster.fits[k].loosely_pinned)]
        share = sum(ref_by_unit.get(k, 0.0) for k in keys) / total_ref
        if not reasons or share <= 0:
            continue
        committed = sum(v for (k, _), v in fixed.items() if k in keys)
        low = max((1 - change) * share * spendable, 0.0)
        high = max((1 + change) * share * spendable, committed)
        rules += [PilotBound(f"pilot_min:{channel}", ">=", channel=channel, amount=low,
                             change=change),
                  PilotBound(f"pilot_max:{channel}", "<=", channel=channel, amount=high,
                             change=change)]
        info[channel] = {"reason": reasons[0], "change": change, "historical_share": share,
                         "low": low, "high": high, "applied": True}
    return rules, info


def curve_notes(forecaster: Forecaster) -> dict:
    """How the curves were made, and each unit's fitted response."""
    return {"source": N_("Prophet per unit for the baseline; saturation, carryover, gain and "
                         "coupling by profile search; response proportional to baseline^coupling "
                         "(coupling 1: moves with season and promotions as the baseline does, 0: "
                         "not at all); plausible curves from the profile likelihood"),
            "units": forecaster.describe()}


def carryover_summary(forecaster: Forecaster, periods: pd.DataFrame, spend: dict) -> dict:
    """How the plan values carryover, and how much of the plan's return lands after the
    horizon."""
    table = forecaster.carryover_table(periods, spend)
    after = float(table["incremental_after_horizon"].sum())
    inside = float(table["incremental_in_horizon"].sum())
    return {"valuation": "each period's spend is valued by everything it earns: the days of "
                         "its period and the geometric carryover tail into later periods and "
                         "past the horizon, at the period's own saturation level",
            "incremental_in_horizon": inside, "incremental_after_horizon": after,
            "units": {row.unit: {"carryover_per_step": row.carryover_per_step,
                                 "mean_lag_days": row.mean_lag_days,
                                 "incremental_after_horizon": row.incremental_after_horizon}
                      for row in table.itertuples()}}


def pilot_warnings(pilot_info: dict, currency: str) -> list[str]:
    """Warnings naming each loosely pinned channel and whether its pilot limit held."""
    out = []
    for channel, info in pilot_info.items():
        if info["applied"]:
            out.append(Msg("{channel}: {reason}; held within {change} of its historical share "
                           "({currency} {low}–{high}) until a pilot shows more", channel=channel,
                           reason=info["reason"], change=f"{info['change']:.0%}",
                           currency=currency, low=f"{info['low']:,.0f}",
                           high=f"{info['high']:,.0f}"))
        else:
            out.append(Msg("{channel}: {reason}; its pilot limit could not hold with the "
                           "scenario's rules and was dropped", channel=channel,
                           reason=info["reason"]))
    return out
