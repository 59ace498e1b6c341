"""A finished plan as tables and a summary: what each unit gets per period, per-unit totals,
forecasts, the curves used, and the pool, duals and binding rules in words."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from budgetopt.units import SpendContext
from budgetopt.optimizer.scenario.spec import Scenario

EXTRAPOLATION_FACTOR = 1.5


@dataclass
class PlanResult:
    """Everything a run produces; `write_outputs` turns it into files."""

    scenario: Scenario
    status: str
    allocation: pd.DataFrame
    channels: pd.DataFrame
    forecast: pd.DataFrame
    curves: pd.DataFrame
    summary: dict
    run_info: dict = field(default_factory=dict)
    # wide (total-KPI) plans: baseline and channel contributions over history
    decomposition: pd.DataFrame | None = None
    #: the language of report, workbook, charts and console (None: the scenario's report.language,
    #: else the locale's); CSV and JSON outputs are the same in every language
    language: str | None = None
    #: the binding rules as BindingRule objects, same order as the summary's, so a report can
    #: word them in its language (None when the result was read back from files)
    binding_words: list | None = None
    #: the plausible curves the plan was chosen on, streamed a unit at a time (`frames()`) into
    #: plausible_curves.csv; None when read back (`plausible_curves` is the whole table)
    plausible: object | None = None

    @property
    def plausible_curves(self) -> pd.DataFrame | None:
        """The plausible curves as one table (large for plans of many units)."""
        return None if self.plausible is None else self.plausible.frame()

    @property
    def has_market(self) -> bool:
        return "market" in self.allocation.columns

    @property
    def totals(self) -> dict:
        return self.summary["totals"]


def _ratio(num, den):
    num, den = np.asarray(num, float), np.asarray(den, float)
    return np.divide(num, den, out=np.full_like(num, np.nan), where=den > 1e-9)


def allocation_table(periods: pd.DataFrame, units: list, solution_spend: dict,
                     segments: dict, baseline: pd.DataFrame, has_market: bool) -> pd.DataFrame:
    """One row per unit × period with fixed/dynamic/total spend, KPI, ROI and mROI."""
    rows = []
    base = baseline.set_index(["unit", "period"])["baseline_kpi"] if len(baseline) else None
    for unit in units:
        for p in periods.itertuples():
            seg = segments[(unit.key, p.period)]
            total = solution_spend[(unit.key, p.period)]
            rows.append({
                "channel": unit.channel, "market": unit.market,
                "period_start": p.period_start, "period_end": p.period_end,
                "fixed_spend": seg.fixed, "dynamic_spend": max(total - seg.fixed, 0.0),
                "total_spend": total,
                "baseline_kpi": float(base.get((unit.key, p.period), np.nan))
                if base is not None else np.nan,
                "incremental_kpi": seg.value(total),
                "marginal_roi": seg.marginal(total)})
    frame = pd.DataFrame(rows)
    frame.insert(frame.columns.get_loc("marginal_roi"), "roi",
                 _ratio(frame["incremental_kpi"], frame["total_spend"]))
    return frame if has_market else frame.drop(columns="market")


def channels_table(allocation: pd.DataFrame, history_ref: pd.DataFrame,
                   spend_range: pd.DataFrame, has_market: bool) -> pd.DataFrame:
    """Per unit totals with share, ROI, net ROI, last-period mROI and the historical comparison."""
    keys = ["channel", "market"] if has_market else ["channel"]
    grouped = allocation.groupby(keys, sort=True)
    out = grouped[["fixed_spend", "dynamic_spend", "total_spend", "incremental_kpi"]].sum()
    out = out.reset_index()
    total = out["total_spend"].sum()
    out.insert(len(keys) + 3, "share", _ratio(out["total_spend"], np.full(len(out), total)))
    out["roi"] = _ratio(out["incremental_kpi"], out["total_spend"])
    out["net_roi"] = _ratio(out["incremental_kpi"] - out["total_spend"], out["total_spend"])
    weighted = allocation.assign(w=allocation["marginal_roi"] * allocation["total_spend"])
    wsum = weighted.groupby(keys, sort=True)["w"].sum().to_numpy()
    out["marginal_roi"] = np.where(out["total_spend"] > 0,
                                   _ratio(wsum, out["total_spend"].to_numpy()),
                                   grouped["marginal_roi"].max().to_numpy())
    out = out.merge(history_ref, on=keys, how="left").merge(spend_range, on=keys, how="left")
    out["change_vs_history"] = _ratio(out["total_spend"] - out["historical_spend"],
                                      out["historical_spend"])
    peak = allocation.groupby(keys, sort=True)["total_spend"].max().to_numpy()
    out["plan_period_max"] = peak
    out["extrapolated"] = peak > EXTRAPOLATION_FACTOR * out["hist_period_max"].to_numpy()
    return out


def period_labels(frame: pd.DataFrame, periods: pd.DataFrame, units: dict) -> pd.DataFrame:
    """Replace `unit`/`period` with channel, market, period_start, period_end columns."""
    info = pd.DataFrame([(k, u.channel, u.market) for k, u in units.items()],
                        columns=["unit", "channel", "market"])
    merged = frame.merge(info, on="unit").merge(
        periods[["period", "period_start", "period_end"]], on="period")
    return merged


@dataclass(frozen=True)
class BindingRule:
    """A binding rule and its shadow price, kept so a report can word it in its own language."""

    rule: object          # a rule object of budgetopt.optimizer.rules (describe, shadow)
    price: float
    kpi: str
    currency: str
    spend: SpendContext

    def words(self, words=None) -> dict:
        """{"rule", "description", "explanation"} in `words` (English by default)."""
        args = () if words is None else (words,)
        return {"rule": self.rule.name, "description": self.rule.describe(self.currency, *args),
                "explanation": self.rule.shadow(self.price, self.kpi, self.currency, self.spend,
                                                *args)}


def binding_sources(rows, kpi: str, currency: str, spend: SpendContext,
                    scale: float) -> list[BindingRule]:
    """Rules holding at their bound with a nonzero shadow price, strongest first."""
    out = [BindingRule(row.rule, row.price, kpi, currency, spend) for row in rows
           if row.rule.name != "budget" and np.isfinite(row.price)
           and abs(row.slack) <= 1e-6 * scale and abs(row.price) > 1e-7]
    return sorted(out, key=lambda b: (-abs(b.price), b.rule.name))


def binding_rules(rows, kpi: str, currency: str, spend: SpendContext,
                  scale: float) -> list[dict]:
    """Rules holding at their bound with a nonzero shadow price, strongest first, in words."""
    return summary_entries(binding_sources(rows, kpi, currency, spend, scale))


def summary_entries(sources: list[BindingRule]) -> list[dict]:
    """The binding rules as summary.json lists them: in English, with their shadow prices."""
    out = []
    for source in sources:
        entry = source.words()
        out.append({"rule": entry["rule"], "description": entry["description"],
                    "shadow_price": source.price, "explanation": entry["explanation"]})
    return out
