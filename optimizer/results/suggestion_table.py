"""The table "test these first" (summary.json's `test_suggestions`) for every presentation:
rows for the report and the console in the plan's language, a frame for the workbook."""
from __future__ import annotations

import pandas as pd

from budgetopt.optimizer.results.i18n import NC_, Words

COLUMNS = (NC_("column", "rank"), NC_("column", "unit"), NC_("column", "evsi"),
           NC_("column", "evpi"), NC_("column", "test_cost"), NC_("column", "net_value"),
           NC_("column", "spend_change_share"), NC_("column", "weeks"),
           NC_("column", "test_spend"), NC_("column", "predicted_lift"),
           NC_("column", "std_error"), NC_("column", "plan_spend"),
           NC_("column", "worth_running"))


def suggestion_frame(summary: dict) -> pd.DataFrame | None:
    """One row per valued unit, in rank order (None: the table was not asked for)."""
    section = summary.get("test_suggestions")
    if section is None:
        return None
    rows = [(r["rank"], r["unit"], r["evsi"], r["evpi"], r["test_cost"], r["net_value"],
             r["spend_change"], r["weeks"], r["test_spend"], r["predicted_lift"],
             r["std_error"], r["plan_spend"], r["worth_running"]) for r in section["rows"]]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def suggestion_head(w: Words) -> list[str]:
    return [w._("rank"), w._("unit"), w._("value of the test (EVSI)"),
            w._("value of knowing the curve (EVPI)"), w._("test cost"), w._("net"),
            w._("suggested test"), w._("predicted lift"), w._("std. error")]


def suggestion_rows(summary: dict, w: Words, currency: str) -> list[list[str]]:
    """The table's rows as text: money in the plan's currency, the test as "+30% × 4 weeks"."""
    section = summary.get("test_suggestions") or {"rows": []}
    out = []
    for r in section["rows"]:
        if r["spend_change"] is None:
            test = w._("none worth running")
        else:
            test = w._("{change} spend for {weeks} weeks ({amount})").format(
                change=f"{r['spend_change']:+.0%}", weeks=r["weeks"],
                amount=w.money(r["test_spend"], currency))
            if not r["worth_running"]:
                test = w._("none pays for itself (best: {test})").format(test=test)
        out.append([str(r["rank"]), r["unit"], w.money(r["evsi"], currency),
                    w.money(r["evpi"], currency), w.money(r["test_cost"], currency),
                    w.money(r["net_value"], currency), test, w.number(r["predicted_lift"]),
                    w.number(r["std_error"])])
    return out


def suggestion_note(summary: dict, w: Words) -> str:
    """What the table is and how many units it left out."""
    section = summary.get("test_suggestions")
    if section is None:
        return ""
    text = w._("Gains in {measure} over the plan on the mean plausible curves, at this "
               "budget and these rules; ranked by the value of the suggested test. {method}."
               ).format(measure=w.kpi(section["value_in"]), method=w.say(section["method"]))
    if section["screened_out"]:
        text += ("" if w.chinese else " ") + w._("{count} of {units} units were screened out (report.test_units "
                          "values the units whose plausible value spreads widest).").format(
            count=section["screened_out"], units=section["units"])
    if section.get("note"):
        text += ("" if w.chinese else " ") + w.say(section["note"])
    return text
