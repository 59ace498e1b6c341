"""The budget frontier: the same scenario re-solved at a range of budgets on one set of fitted
forecasts — predicted return, ROI and marginal ROI against budget, with the scenario's budget,
the budget where marginal ROI falls below 1 and (given a margin) the most profitable one marked."""
from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from budgetopt.errors import BudgetoptError, InputError
from budgetopt.messages import Msg, N_
from budgetopt.optimizer.intake.fitting import fit_curves
from budgetopt.optimizer.intake.inputs import PlanInputs, load_inputs
from budgetopt.optimizer.plan.pipeline import plan_with
from budgetopt.optimizer.scenario.spec import Scenario
from budgetopt.optimizer.scenario.loader import load_scenario

COLUMNS = ["multiple", "budget", "status", "spend", "fixed", "dynamic", "reserve",
           "incremental_kpi", "predicted_kpi", "roi", "net_roi", "marginal_roi",
           "frontier_slope", "profit", "note"]


@dataclass
class Frontier:
    """One row per budget tried (`points`) and the marked budgets (`marks`)."""

    scenario: Scenario
    points: pd.DataFrame
    marks: dict

    def files(self) -> dict[str, bytes]:
        """frontier.csv, frontier.json (the marks), frontier.png and frontier.xlsx."""
        from budgetopt.optimizer.results.files import csv_text, json_text
        from budgetopt.optimizer.results.spreadsheet import workbook_bytes

        png = frontier_chart(self)
        marks = pd.DataFrame([{"mark": k, "budget": v} for k, v in self.marks.items()
                              if k.endswith("budget")])
        book = workbook_bytes({"frontier": self.points, "marks": marks},
                              percent_columns=lambda sheet, col: False,
                              images={"chart": png}, words=_words(self))
        return {"frontier.csv": csv_text(self.points).encode(),
                "frontier.json": json_text({"scenario": self.scenario.name,
                                            "kpi": self.scenario.kpi,
                                            "currency": self.scenario.currency,
                                            "marks": self.marks}).encode(),
                "frontier.png": png, "frontier.xlsx": book}


def budget_multiples(start: float, stop: float, steps: int) -> list[float]:
    """`steps` evenly spaced multiples of the budget from `start` to `stop`, plus 1.0 (the
    scenario's own budget) when it lies inside the range."""
    if not (np.isfinite(start) and np.isfinite(stop)) or start <= 0 or stop <= start:
        raise InputError("E0903", start=start, stop=stop, where="frontier")
    if steps < 2:
        raise InputError("E0904", steps=steps, where="frontier")
    grid = set(np.round(np.linspace(start, stop, steps), 6).tolist())
    if start <= 1.0 <= stop:
        grid.add(1.0)
    return sorted(grid)


def frontier(scenario: Scenario | str | Path, *, start: float = 0.5, stop: float = 2.0,
             steps: int = 16, solver: str | None = None, inputs: PlanInputs | None = None,
             curves=None, progress: Callable[[int, int], None] | None = None) -> Frontier:
    """Re-solve the scenario at budget × each multiple on one curve set (fitted once, or
    `curves` when given)."""

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    multiples = budget_multiples(start, stop, steps)
    inputs = inputs or load_inputs(scenario)
    curves = curves or fit_curves(inputs, progress)
    rows = []
    for multiple in multiples:
        total = scenario.budget.total * multiple
        scaled = with_budget(scenario, total)
        row = {"multiple": multiple, "budget": total}
        committed = sum(scaled.budget.explicit_fixed_shares().values())
        if committed > 1 + 1e-9:
            rows.append({**row, "status": "failed",
                         "note": Msg("budget.fixed amounts take {share} of the fixed pool at "
                                     "this budget; they cannot be committed",
                                     share=f"{committed:.0%}")})
            continue
        try:
            result = plan_with(dataclasses.replace(inputs, scenario=scaled), curves,
                               solver=solver)
        except BudgetoptError as exc:
            rows.append({**row, "status": "failed", "note": exc.line()})
            continue
        t = result.totals
        rows.append({**row, "status": result.status, "spend": t["spend"], "fixed": t["fixed"],
                     "dynamic": t["dynamic"], "reserve": t["reserve"],
                     "incremental_kpi": t["incremental_kpi"],
                     "predicted_kpi": t["predicted_kpi"], "roi": t["roi"],
                     "net_roi": t["net_roi"], "marginal_roi": result.summary["budget_dual"],
                     "note": ""})
    points = pd.DataFrame(rows).reindex(columns=COLUMNS)
    points["note"] = points["note"].fillna("")
    points["frontier_slope"] = _slopes(points)
    if scenario.margin is not None:
        points["profit"] = scenario.margin * points["incremental_kpi"] - points["spend"]
    return Frontier(scenario, points, _marks(scenario, points))


def with_budget(scenario: Scenario, total: float) -> Scenario:
    """The scenario with another budget.total; everything else (rules, source) unchanged."""
    budget = scenario.budget.model_copy(update={"total": float(total)})
    return scenario.model_copy(update={"budget": budget})


def _slopes(points: pd.DataFrame) -> np.ndarray:
    """Extra incremental KPI per extra money spent between each budget and the one before."""
    out = np.full(len(points), np.nan)
    ok = points["status"] == "optimal"
    idx = np.flatnonzero(ok.to_numpy())
    spend, kpi = points["spend"].to_numpy(float), points["incremental_kpi"].to_numpy(float)
    for a, b in zip(idx[:-1], idx[1:]):
        if spend[b] - spend[a] > 1e-9:
            out[b] = (kpi[b] - kpi[a]) / (spend[b] - spend[a])
    return out


def _marks(scenario: Scenario, points: pd.DataFrame) -> dict:
    ok = points[points["status"] == "optimal"].reset_index(drop=True)
    marks: dict = {"scenario_budget": scenario.budget.total,
                   "mroi_below_1_budget": None, "mroi_below_1": "",
                   "profit_optimal_budget": None, "margin": scenario.margin}
    mroi, budget = ok["marginal_roi"].to_numpy(float), ok["budget"].to_numpy(float)
    below = np.flatnonzero(mroi < 1.0)
    if len(ok) == 0:
        marks["mroi_below_1"] = N_("no budget in the range could be planned")
    elif len(below) == 0:
        marks["mroi_below_1"] = Msg("marginal ROI stays at or above 1 up to {budget}",
                                    budget=f"{budget[-1]:,.0f}")
    elif below[0] == 0:
        marks["mroi_below_1"] = Msg("marginal ROI is below 1 already at {budget}",
                                    budget=f"{budget[0]:,.0f}")
        marks["mroi_below_1_budget"] = float(budget[0])
    else:
        i = below[0]
        # linear interpolation of marginal ROI between the last budget above 1 and the first below
        m0, m1, b0, b1 = mroi[i - 1], mroi[i], budget[i - 1], budget[i]
        crossing = b0 + (m0 - 1.0) / (m0 - m1) * (b1 - b0) if m0 != m1 else b1
        marks["mroi_below_1_budget"] = float(crossing)
        marks["mroi_below_1"] = Msg("marginal ROI falls below 1 at about {budget} (between "
                                    "{low} and {high})", budget=f"{crossing:,.0f}",
                                    low=f"{b0:,.0f}", high=f"{b1:,.0f}")
    if scenario.margin is not None and len(ok):
        profit = scenario.margin * ok["incremental_kpi"] - ok["spend"]
        best = int(np.argmax(profit.to_numpy()))
        marks["profit_optimal_budget"] = float(budget[best])
        marks["profit_at_optimum"] = float(profit.iloc[best])
    return marks


def _words(front: Frontier):
    from budgetopt.optimizer.results.i18n import words_for
    return words_for(front)


def frontier_chart(front: Frontier) -> bytes:
    """PNG: predicted incremental KPI against budget, ROI and marginal ROI on a second axis,
    the marked budgets as vertical lines; names in any script drawn with the CJK font."""
    import matplotlib

    from budgetopt.optimizer.results.charts import FONT_FAMILIES

    with matplotlib.rc_context({"font.family": FONT_FAMILIES}):
        return _frontier_png(front)


def _frontier_png(front: Frontier) -> bytes:
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    ok = front.points[front.points["status"] == "optimal"]
    w = _words(front)
    _ = w._
    kpi, cur = w.kpi(front.scenario.kpi), front.scenario.currency
    fig = Figure(figsize=(9, 5), dpi=100)
    ax = fig.add_subplot()
    ax.plot(ok["budget"] / 1e6, ok["incremental_kpi"] / 1e6, marker="o", color="tab:blue",
            label=_("incremental {kpi}").format(kpi=kpi))
    ax.set_xlabel(_("budget (million {currency})").format(currency=cur))
    ax.set_ylabel(_("predicted incremental {kpi} (million)").format(kpi=kpi))
    right = ax.twinx()
    right.plot(ok["budget"] / 1e6, ok["roi"], color="tab:green", label="ROI")
    right.plot(ok["budget"] / 1e6, ok["marginal_roi"], color="tab:red", label=_("marginal ROI"))
    right.axhline(1.0, color="tab:red", linewidth=0.6, linestyle=":")
    right.set_ylabel(_("ROI / marginal ROI"))
    lines = [("scenario_budget", _("scenario budget"), "-"),
             ("mroi_below_1_budget", "mROI < 1", "--"),
             ("profit_optimal_budget", _("most profitable"), "-.")]
    for key, label, style in lines:
        value = front.marks.get(key)
        if value is not None:
            ax.axvline(value / 1e6, color="grey", linestyle=style, label=label)
    handles = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], loc="lower right", fontsize=8)
    ax.set_title(_("{name}: return against budget").format(name=front.scenario.name))
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
