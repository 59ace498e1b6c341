"""What the lift tests did, for every presentation: summary.json's `experiments` section (from
the curve notes), lines in the plan's language (console and report) and a table (workbook)."""
from __future__ import annotations

import pandas as pd

from budgetopt.messages import N_
from budgetopt.optimizer.results.i18n import NC_, Words

CONTRADICTION_RULE = N_("a test is contradicted by the history when its interval (95%) and the "
                        "range of lifts the history's plausible curves predict do not overlap; "
                        "it is used all the same and named in the warnings")
COLUMNS = (NC_("column", "unit"), NC_("column", "start"), NC_("column", "end"),
           NC_("column", "spend_change"), NC_("column", "lift"), NC_("column", "std_error"),
           NC_("column", "predicted_by_history"), NC_("column", "history_range_low"),
           NC_("column", "history_range_high"), NC_("column", "predicted_after"),
           NC_("column", "contradicted_by_history"), NC_("column", "roi_before"),
           NC_("column", "roi_after"), NC_("column", "marginal_roi_before"),
           NC_("column", "marginal_roi_after"))


def experiments_section(curve_notes: dict) -> dict | None:
    """summary.json's `experiments`: per tested unit what its tests moved (None: no tests)."""
    units = {key: notes["lift_tests"] for key, notes in sorted(curve_notes.get("units",
                                                                            {}).items())
             if notes.get("lift_tests")}
    if not units:
        return None
    return {"tests": sum(len(u["tests"]) for u in units.values()),
            "contradicted": sum(t["contradicted_by_history"] for u in units.values()
                                for t in u["tests"]),
            "contradiction_rule": CONTRADICTION_RULE,
            "returns_at": N_("ROI and marginal ROI at the history's spend (the KPI the curve "
                             "credits to the spend per unit spent, and what one more unit "
                             "spent in the same pattern adds)"),
            "units": units}


def lift_test_lines(summary: dict, w: Words) -> list[str]:
    """Per tested unit: its returns before and after the tests; per test: measured against
    predicted."""
    section = summary.get("experiments")
    if not section:
        return []
    lines = []
    for key, rep in section["units"].items():
        if rep["not_identified_before"] and not rep["not_identified_after"]:
            state = w._("; now identified")
        elif rep["not_identified_after"]:
            state = w._("; still not identified")
        else:
            state = ""
        lines.append(w._("Lift tests on {unit} ({count} used): ROI at the history's spend "
                         "{roi0} → {roi1}, marginal ROI {m0} → {m1}; plausible curves {n0} → "
                         "{n1}{state}").format(
            unit=key, count=len(rep["tests"]), roi0=f"{rep['roi_before']:.2f}",
            roi1=f"{rep['roi_after']:.2f}", m0=f"{rep['marginal_roi_before']:.2f}",
            m1=f"{rep['marginal_roi_after']:.2f}", n0=rep["plausible_candidates_before"],
            n1=rep["plausible_candidates_after"], state=state))
        for t in rep["tests"]:
            low, high = t["history_range_95"]
            line = w._("  test {start} – {end}, spend {change}: measured {lift} ± {se}; the "
                       "history alone predicted {before} (plausible {low} – {high}), the "
                       "fitted curve now {after}").format(
                start=t["start"], end=t["end"], change=f"{t['spend_change']:+,.0f}",
                lift=w.number(t["lift"]), se=w.number(t["std_error"]),
                before=w.number(t["predicted_by_history"]), low=w.number(low),
                high=w.number(high), after=w.number(t["predicted_after"]))
            if t["contradicted_by_history"]:
                line += w._(" — contradicted by the history")
            lines.append(line)
    return lines


def lift_test_frame(summary: dict) -> pd.DataFrame | None:
    """One row per test with its unit's returns before and after (the workbook's sheet)."""
    section = summary.get("experiments")
    if not section:
        return None
    rows = []
    for key, rep in section["units"].items():
        for t in rep["tests"]:
            low, high = t["history_range_95"]
            rows.append((key, t["start"], t["end"], t["spend_change"], t["lift"],
                         t["std_error"], t["predicted_by_history"], low, high,
                         t["predicted_after"], bool(t["contradicted_by_history"]),
                         rep["roi_before"], rep["roi_after"], rep["marginal_roi_before"],
                         rep["marginal_roi_after"]))
    return pd.DataFrame(rows, columns=list(COLUMNS))
