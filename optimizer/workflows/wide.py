"""Total-KPI (wide) scenarios in the workflows: load and check the history, fit one joint model
per market, and finish a plan's tables where a channel has no baseline of its own
(docs/wide.md). The pool, rules, LP and the rest of the outputs run unchanged."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from budgetopt.forecasts.history.wide import WideHistory, check_future_controls, load_wide_history
from budgetopt.forecasts.models.fit import FitSettings
from budgetopt.forecasts.models.joint_forecaster import JointForecaster
from budgetopt.optimizer.results.tables import PlanResult
from budgetopt.optimizer.scenario.spec import Scenario

TOTAL = "total"   # the channel name of the total-KPI rows in forecast.csv
BASELINE_NOTE = ("total-KPI history: the baseline (KPI with no spend) belongs to the whole "
                 "business, not to a channel; allocation.csv leaves baseline_kpi empty per "
                 "channel, forecast.csv gives baseline and forecast on the 'total' rows, and "
                 "totals.baseline_kpi is the total's baseline")


def load_wide(scenario: Scenario, path, where: str) -> WideHistory:
    """Read and check a wide history, including that every control has future values."""
    history = load_wide_history(path, scenario.kpi, dict(scenario.spend_columns),
                                tuple(scenario.controls), encoding=scenario.history_encoding)
    check_future_controls(history, scenario.horizon.start, scenario.horizon.end,
                          dict(scenario.control_values), where)
    return history


def fit_joint(inputs, holidays: pd.DataFrame, promo_days: set, settings: FitSettings,
              progress: Callable[[int, int], None] | None = None,
              n_jobs: int | None = None) -> JointForecaster:
    """One joint model per market; curves for every plannable unit that spent."""
    learned = [(u.channel, u.market) for u in inputs.units if u not in inputs.locked_unlearned]
    return JointForecaster.fit_wide(inputs.history, learned, holidays, promo_days,
                                    inputs.step_days, settings,
                                    dict(inputs.scenario.control_values), n_jobs=n_jobs,
                                    progress=progress)


def finish_wide(result: PlanResult, inputs, forecaster: JointForecaster) -> PlanResult:
    """Total rows in forecast.csv, the total's baseline in the summary, the decomposition."""
    periods = inputs.periods
    has_market = inputs.history.has_market
    alloc = result.allocation.merge(periods[["period", "period_start"]], on="period_start")
    spend = {(k, int(r.period)): float(r.total_spend)
             for r in alloc.itertuples()
             for k in [r.channel if not has_market else f"{r.channel}/{r.market}"]}
    totals = forecaster.total_forecast_table(periods, spend)
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
    summary["curves"]["source"] = (
        "one joint model per market: Prophet baseline of the total KPI (trend, seasonality, "
        "promotions, controls) plus every channel's saturated, carried-over response, fitted "
        "together with non-negative gains; response proportional to the total baseline")
    summary["decomposition"] = _shares(forecaster)
    decomposition = forecaster.decomposition()
    if not has_market:
        decomposition = decomposition.drop(columns=["market"])
    result.decomposition = decomposition
    return result


def _shares(forecaster: JointForecaster) -> dict:
    """Each channel's share of the total KPI over the history, and its historical ROI."""
    out = {}
    history = forecaster.history
    for market, joint in sorted(forecaster.joints.items(), key=lambda kv: str(kv[0])):
        d = joint.decomposition
        frame = history.market_frame(market)
        total = float(d["kpi"].sum())
        entry = {"baseline_share": float(d["baseline"].sum() / total) if total else None,
                 "channels": {}}
        for c in joint.channels:
            spent = float(frame[c].sum())
            contrib = float(d[c].sum())
            entry["channels"][c] = {"contribution": contrib,
                                    "share": contrib / total if total else None,
                                    "roi": contrib / spent if spent > 0 else None}
        out["all" if market is None else str(market)] = entry
    return out
