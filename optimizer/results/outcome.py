"""The plan's outcome over its plausible curves, for summary.json, the console, the report and
the workbook (arrays in, plain numbers out; nothing here knows the LP)."""
from __future__ import annotations

import numpy as np

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


def outcome_line(outcome: dict, currency: str, kpi: str) -> str:
    """One line for the console."""
    inc, up = outcome["incremental_kpi"], outcome["uplift_vs_history"]
    return (f"outcome over {outcome['samples']} plausible curves: incremental {kpi} "
            f"P10 {inc['p10']:,.0f} · P50 {inc['p50']:,.0f} · P90 {inc['p90']:,.0f} {currency}; "
            f"vs historical mix P10 {up['p10']:+,.0f} · P50 {up['p50']:+,.0f}; "
            f"CVaR{outcome['alpha']:.0%} {up['cvar']:+,.0f}")


def outcome_rows(outcome: dict) -> list[tuple[str, str, float]]:
    """(measure, statistic, value) rows for tables (workbook, report)."""
    rows = []
    for key in (*OUTCOME_KEYS, "historical_mix_incremental_kpi"):
        for stat in STATS:
            rows.append((key, stat, float(outcome[key][stat])))
    return rows
