"""The plan's outcome over its plausible curves, for summary.json, the console, the report and
the workbook (arrays in, plain numbers out; nothing here knows the LP)."""
from __future__ import annotations

import numpy as np

from budgetopt.messages import N_
from budgetopt.risk_measures import distribution

OUTCOME_KEYS = ("incremental_kpi", "roi", "uplift_vs_history")
STATS = ("p10", "p50", "p90", "mean", "cvar")


def outcome_summary(values: np.ndarray, history: np.ndarray, spend: float, baseline: float,
                    info: dict) -> dict:
    """`values` and `history` are the plan's and the historical mix's incremental KPI per
    plausible sample (same spend)."""
    alpha = float(info["alpha"])
    values = np.asarray(values, float)
    history = np.asarray(history, float)
    roi = values / spend if spend > 0 else np.zeros_like(values)
    out = {"incremental_kpi": distribution(values, alpha),
           "roi": distribution(roi, alpha),
           "uplift_vs_history": distribution(values - history, alpha),
           "historical_mix_incremental_kpi": distribution(history, alpha),
           "predicted_kpi": distribution(baseline + values, alpha),   # baseline at its point
           "share_of_samples_beating_history": float(np.mean(values - history > 0)),
           "alpha": alpha, "samples": int(len(values)),
           "measure": info["measure"], "guard": info["guard"],
           "guard_status": info["guard_status"]}
    return out


def outcome_line(outcome: dict, currency: str, kpi: str, words=None) -> str:
    """One line for the console (in `words`' language when given)."""
    inc, up = outcome["incremental_kpi"], outcome["uplift_vs_history"]
    _ = words._ if words is not None else N_
    name = words.kpi(kpi) if words is not None else kpi
    return _("outcome over {samples} plausible curves: incremental {kpi} P10 {p10} · P50 {p50} · "
             "P90 {p90} {currency}; vs historical mix P10 {up10} · P50 {up50}; CVaR{alpha} "
             "{cvar}").format(
        samples=outcome["samples"], kpi=name, p10=f"{inc['p10']:,.0f}", p50=f"{inc['p50']:,.0f}",
        p90=f"{inc['p90']:,.0f}", currency=currency, up10=f"{up['p10']:+,.0f}",
        up50=f"{up['p50']:+,.0f}", alpha=f"{outcome['alpha']:.0%}", cvar=f"{up['cvar']:+,.0f}")


def outcome_rows(outcome: dict) -> list[tuple[str, str, float]]:
    """(measure, statistic, value) rows for tables (workbook, report)."""
    rows = []
    for key in (*OUTCOME_KEYS, "historical_mix_incremental_kpi"):
        for stat in STATS:
            rows.append((key, stat, float(outcome[key][stat])))
    return rows
