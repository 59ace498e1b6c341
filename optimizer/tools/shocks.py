"""What-if shocks: the scenario's `shocks:` overlays applied to the curve set (never inside the
forecasting models). For each shock: the base plan evaluated under it, the plan
re-optimized for it, and the share of the base plan's ROI each keeps."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from budgetopt.optimizer.results.wording import shock_description
from budgetopt.errors import BudgetoptError, InputError
from budgetopt.optimizer.lp.allocate import curve_segments
from budgetopt.forecasts.curves.curveset import CurveSet
from budgetopt.optimizer.intake.fitting import fit_curves
from budgetopt.optimizer.intake.inputs import PlanInputs, load_inputs
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.tools.frontier import with_budget
from budgetopt.optimizer.results.tables import PlanResult
from budgetopt.optimizer.scenario.spec import Scenario, Shock
from budgetopt.optimizer.scenario.loader import load_scenario

ROI_RETAINED_FLOOR = 0.70   # the planning doctrine: keep ≥ 70% of base ROI under pressure


def shocked(curves: CurveSet, shock: Shock) -> CurveSet:
    """The curve set seen through a shock. A demand change multiplies a unit's baseline and
    response; a cost change stretches its curve along the spend axis (the same result costs
    1 + cost_change times as much): curve'(s) = (1 + demand)·curve(s / (1 + cost))."""
    return curves.shocked(shock.channels, shock.demand_change, shock.cost_change)


@dataclass
class ShockReport:
    """The base plan and one row per shock (`table`), with per-channel detail (`channels`)."""

    scenario: Scenario
    base: PlanResult
    table: pd.DataFrame
    channels: pd.DataFrame
    roi_retained_floor: float = ROI_RETAINED_FLOOR

    def files(self) -> dict[str, bytes]:
        from budgetopt.optimizer.results.files import csv_text, json_text
        records = self.table.replace({np.nan: None}).to_dict(orient="records")
        return {"shocks.csv": csv_text(self.table).encode(),
                "shock_channels.csv": csv_text(self.channels).encode(),
                "shocks.json": json_text({"scenario": self.scenario.name,
                                          "roi_retained_floor": ROI_RETAINED_FLOOR,
                                          "base": {k: self.base.totals[k] for k in
                                                   ("spend", "incremental_kpi", "roi")},
                                          "shocks": records}).encode()}


def describe(shock: Shock) -> str:
    """A shock in words: 'demand −22%, cost per result +25% on live_streaming; budget −10%'."""
    return shock_description(shock)


def stress(scenario: Scenario | str | Path, *, solver: str | None = None,
           inputs: PlanInputs | None = None, curves: CurveSet | None = None,
           progress: Callable[[int, int], None] | None = None) -> ShockReport:
    """Plan the scenario, then evaluate and re-optimize it under each of its shocks."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if not scenario.shocks:
        raise InputError("E0905", where=scenario.source.name if scenario.source else "scenario")
    inputs = inputs or load_inputs(scenario)
    fitted = curves or fit_curves(inputs, progress)
    base = plan_with(inputs, fitted, solver=solver)
    rows, channel_rows = [], []
    for shock in scenario.shocks:
        seen = shocked(fitted, shock)
        under = _base_under(base, seen, shock)
        row = {"shock": shock.name, "description": describe(shock),
               "base_spend": base.totals["spend"],
               "base_incremental_kpi": base.totals["incremental_kpi"],
               "base_roi": base.totals["roi"],
               "shocked_base_spend": under["total_spend"].sum(),
               "shocked_base_incremental_kpi": under["incremental_kpi"].sum()}
        row["shocked_base_roi"] = _ratio(row["shocked_base_incremental_kpi"],
                                         row["shocked_base_spend"])
        row["shocked_base_roi_retained"] = _ratio(row["shocked_base_roi"], row["base_roi"])
        total = scenario.budget.total * (1.0 + (shock.budget_change or 0.0))
        try:
            again = plan_with(dataclasses.replace(inputs, scenario=with_budget(scenario, total)),
                              seen, solver=solver)
        except BudgetoptError as exc:
            row.update({"reoptimized_status": "failed", "note": exc.line()})
            again = None
        if again is not None:
            t = again.totals
            row.update({"reoptimized_status": again.status, "reoptimized_spend": t["spend"],
                        "reoptimized_incremental_kpi": t["incremental_kpi"],
                        "reoptimized_roi": t["roi"],
                        "reoptimized_roi_retained": _ratio(t["roi"], base.totals["roi"]),
                        "recovered_kpi": t["incremental_kpi"]
                        - row["shocked_base_incremental_kpi"], "note": ""})
        kept = row.get("reoptimized_roi_retained", row["shocked_base_roi_retained"])
        row["meets_roi_floor"] = bool(kept is not None and kept >= ROI_RETAINED_FLOOR)
        rows.append(row)
        channel_rows.append(_channel_detail(shock.name, base, under, again))
    table = pd.DataFrame(rows).reindex(columns=[
        "shock", "description", "base_spend", "base_incremental_kpi", "base_roi",
        "shocked_base_spend", "shocked_base_incremental_kpi", "shocked_base_roi",
        "shocked_base_roi_retained", "reoptimized_status", "reoptimized_spend",
        "reoptimized_incremental_kpi", "reoptimized_roi", "reoptimized_roi_retained",
        "recovered_kpi", "meets_roi_floor", "note"])
    table["note"] = table["note"].fillna("")
    return ShockReport(scenario, base, table, pd.concat(channel_rows, ignore_index=True))


def _ratio(num, den):
    return float(num) / float(den) if den is not None and abs(float(den)) > 1e-12 else None


def _base_under(base: PlanResult, curves: CurveSet, shock: Shock) -> pd.DataFrame:
    """The base plan's spend per unit × period valued on the shocked curves. A budget cut comes
    out of dynamic money first, in proportion (fixed money is committed), then out of fixed;
    a budget rise leaves the base plan as it was."""
    alloc = base.allocation.copy()
    cut = -min(shock.budget_change or 0.0, 0.0) * base.scenario.budget.total
    dynamic, fixed = alloc["dynamic_spend"].sum(), alloc["fixed_spend"].sum()
    from_dynamic = min(cut, dynamic)
    alloc["dynamic_spend"] *= (1 - from_dynamic / dynamic) if dynamic > 0 else 1.0
    if cut > from_dynamic and fixed > 0:
        alloc["fixed_spend"] *= max(0.0, 1 - (cut - from_dynamic) / fixed)
    alloc["total_spend"] = alloc["fixed_spend"] + alloc["dynamic_spend"]
    max_spend = float(base.curves["spend"].max())
    segments, _, _ = curve_segments(curves.table(max_spend), {})
    period_of = {pd.Timestamp(start): int(p) for p, start, _ in curves.periods}
    keys = (alloc["channel"] if "market" not in alloc.columns
            else alloc["channel"] + "/" + alloc["market"].astype(str))
    values = []
    for key, row in zip(keys, alloc.itertuples()):
        seg = segments.get((key, period_of[pd.Timestamp(row.period_start)]))
        values.append(seg.value(row.total_spend) if seg is not None else 0.0)
    alloc["incremental_kpi"] = values
    return alloc


def _channel_detail(name: str, base: PlanResult, under: pd.DataFrame,
                    again: PlanResult | None) -> pd.DataFrame:
    keys = ["channel", "market"] if base.has_market else ["channel"]
    sums = ["total_spend", "incremental_kpi"]
    out = base.allocation.groupby(keys, sort=True)[sums].sum().add_prefix("base_")
    out = out.join(under.groupby(keys, sort=True)[sums].sum().add_prefix("shocked_base_"))
    if again is not None:
        out = out.join(again.allocation.groupby(keys, sort=True)[sums].sum()
                       .add_prefix("reoptimized_"), how="outer")
    else:
        out["reoptimized_total_spend"] = np.nan
        out["reoptimized_incremental_kpi"] = np.nan
    out["spend_change"] = out["reoptimized_total_spend"] - out["base_total_spend"]
    out = out.reset_index()
    out.insert(0, "shock", name)
    return out
