"""The plan's last stage: where the curve set's baseline belongs to the whole business (a
total-KPI history, docs/wide.md) rather than to each channel, forecast.csv gains the total's
rows, the summary the total's baseline and the decomposition. The pool, rules, LP and the rest
of the outputs run unchanged."""
from __future__ import annotations

import copy

import pandas as pd

from budgetopt.forecasts.curves.curveset import CurveSet
from budgetopt.optimizer.intake.inputs import PlanInputs
from budgetopt.optimizer.results.tables import PlanResult

TOTAL = "total"   # the channel name of the total-KPI rows in forecast.csv
BASELINE_NOTE = ("total-KPI history: the baseline (KPI with no spend) belongs to the whole "
                 "business, not to a channel; allocation.csv leaves baseline_kpi empty per "
                 "channel, forecast.csv gives baseline and forecast on the 'total' rows, and "
                 "totals.baseline_kpi is the total's baseline")


def with_totals(result: PlanResult, inputs: PlanInputs, curves: CurveSet) -> PlanResult:
    """Total rows in forecast.csv, the total's baseline in the summary, the decomposition —
    when the curve set's baseline is the whole business's (a total-KPI history); the plan as
    it is otherwise."""
    totals_curves = curves.totals
    if totals_curves is None:
        return result
    periods = inputs.periods
    has_market = inputs.history.has_market
    alloc = result.allocation.merge(periods[["period", "period_start"]], on="period_start")
    spend = {(k, int(r.period)): float(r.total_spend)
             for r in alloc.itertuples()
             for k in [r.channel if not has_market else f"{r.channel}/{r.market}"]}
    totals = curves.total_forecast_table(spend)
    keys = ["channel", "market"] if has_market else ["channel"]
    planned = alloc.assign(market=alloc["market"] if has_market else None)
    by_period = planned.groupby(["period", "market"] if has_market else ["period"],
                                dropna=False)["total_spend"].sum()
    rows = totals.merge(periods[["period", "period_start", "period_end"]], on="period")
    rows["channel"] = TOTAL
    rows["planned_spend"] = [float(by_period.get((r.period, r.market) if has_market
                                                 else r.period, 0.0))
                             for r in rows.itertuples()]
    columns = list(result.forecast.columns)
    forecast = pd.concat([result.forecast, rows[columns]], ignore_index=True)
    forecast = forecast.sort_values([*keys[1:], "period_start"], kind="stable") \
        if has_market else forecast
    result.forecast = forecast.reset_index(drop=True)

    summary = result.summary
    baseline = float(totals["baseline_kpi"].sum())
    t = summary["totals"]
    t["baseline_kpi"] = baseline
    t["predicted_kpi"] = baseline + t["incremental_kpi"]
    summary["history_format"] = "wide"
    summary["baseline"] = {"level": "total", "note": BASELINE_NOTE,
                           "by_market": {str(m): float(g["baseline_kpi"].sum())
                                         for m, g in totals.groupby("market", dropna=False)}
                           if has_market else None}
    summary["decomposition"] = copy.deepcopy(dict(totals_curves.shares))
    result.decomposition = totals_curves.decomposition.copy()
    return result
