"""plan.xlsx for finance: summary, channels, allocation, forecast and curves sheets with money,
ratio and percent formats, frozen headers, filters and column widths. Every text cell is
neutralized against formula injection, xlsxwriter is told never to turn text into formulas,
and the creation date is fixed so the same plan gives the same bytes."""
from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from budgetopt.money import currency_sign
from budgetopt.optimizer.results.files import neutralize
from budgetopt.optimizer.results.grouping import market_pivot
from budgetopt.optimizer.results.i18n import N_, NC_, Words, words_for
from budgetopt.optimizer.results.lift_tests import lift_test_frame
from budgetopt.optimizer.results.tables import PlanResult
from budgetopt.optimizer.results.suggestion_table import suggestion_frame

CREATED = datetime(2000, 1, 1)
MONEY_COLUMNS = {"fixed_spend", "dynamic_spend", "total_spend", "planned_spend", "spend",
                 "historical_spend", "hist_period_min", "hist_period_max", "plan_period_max",
                 "budget", "fixed", "dynamic", "reserve", "overspend"}
PERCENT_COLUMNS = {"share", "change_vs_history", "uplift_pct"}
RATIO_COLUMNS = {"roi", "net_roi", "marginal_roi", "shadow_price", "budget_dual", "mroi"}
KEY_COLUMNS = ("channel", "market", "period_start", "scenario", "run", "budget")
WRITER_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                  "strings_to_numbers": False}


@dataclass
class Sheet:
    """One table to write: a name, the frame, and how to format its columns. Kinds are
    'money', 'kpi', 'ratio', 'percent', 'date' or 'text'; unlisted columns are guessed by name."""

    name: str
    frame: pd.DataFrame
    kinds: dict[str, str] = field(default_factory=dict)
    freeze_columns: int | None = None


def column_kind(name: str, series: pd.Series, kpi_money: bool = True) -> str:
    """Format kind of a column from its name and dtype (money, KPI, ratio, percent, date)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return "text"
    if name in PERCENT_COLUMNS or name.endswith("_pct") or name.endswith("_share"):
        return "percent"
    if name in RATIO_COLUMNS or name.endswith("_roi"):
        return "ratio"
    if name in MONEY_COLUMNS or name.endswith("_spend"):
        return "money"
    if name.endswith("_kpi") or name.split("_")[0] in ("forecast", "baseline", "incremental"):
        return "money" if kpi_money else "kpi"
    return "number"


def workbook_bytes(sheets: list[Sheet], currency: str, *,
                   summary: list[tuple[str, str, object, str]] | None = None,
                   words: Words | None = None) -> bytes:
    """Write `sheets` (and an optional Summary sheet of (section, item, value, kind) rows
    first) into an .xlsx file and return its bytes."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter", datetime_format="yyyy-mm-dd",
                        date_format="yyyy-mm-dd",
                        engine_kwargs={"options": WRITER_OPTIONS}) as writer:
        book = writer.book
        book.set_properties({"title": "budgetopt plan", "created": CREATED})
        formats = _formats(book, currency)
        if summary is not None:
            _summary_sheet(book, summary, formats, words or Words("en"))
        for sheet in sheets:
            _table_sheet(writer, sheet, formats)
    return buf.getvalue()


#: Column names as the catalogs know them (context "column"); English headers are the names.
COLUMNS = (
    NC_("column", "channel"),
    NC_("column", "market"),
    NC_("column", "period_start"),
    NC_("column", "period_end"),
    NC_("column", "fixed_spend"),
    NC_("column", "dynamic_spend"),
    NC_("column", "total_spend"),
    NC_("column", "share"),
    NC_("column", "baseline_kpi"),
    NC_("column", "incremental_kpi"),
    NC_("column", "roi"),
    NC_("column", "net_roi"),
    NC_("column", "marginal_roi"),
    NC_("column", "historical_spend"),
    NC_("column", "hist_period_min"),
    NC_("column", "hist_period_max"),
    NC_("column", "change_vs_history"),
    NC_("column", "plan_period_max"),
    NC_("column", "extrapolated"),
    NC_("column", "planned_spend"),
    NC_("column", "forecast_kpi"),
    NC_("column", "forecast_lower"),
    NC_("column", "forecast_upper"),
    NC_("column", "baseline_lower"),
    NC_("column", "baseline_upper"),
    NC_("column", "spend"),
)
SHEETS = (N_("Summary"), N_("Channels"), N_("Allocation"), N_("Forecast"), N_("Curves"),
          N_("Lift tests"), N_("Test these first"))
VALUE_COLUMNS = ("evsi", "evpi", "test_cost", "net_value", "predicted_lift", "std_error")


def translated(frame: pd.DataFrame, words: Words) -> pd.DataFrame:
    """The frame with column headers in the workbook's language (values untouched)."""
    if not words.chinese:
        return frame
    return frame.rename(columns={c: words.pgettext("column", c) for c in frame.columns})


def plan_workbook(result: PlanResult) -> bytes:
    """The plan's workbook, in the plan's language (sheet names, headers and the summary)."""
    w = words_for(result)
    money_kpi = result.scenario.kpi.lower() in ("revenue", "gmv", "sales", "profit")
    tables = [("Channels", result.channels), ("Allocation", result.allocation),
              ("Forecast", result.forecast), ("Curves", result.curves)]
    if result.has_market:
        tables[1:1] = [("Channel x market spend", market_pivot(result.allocation)),
                       ("Channel x market KPI",
                        market_pivot(result.allocation, "incremental_kpi"))]
    tests = lift_test_frame(result.summary)
    if tests is not None:
        tables.append(("Lift tests", tests))
    suggestions = suggestion_frame(result.summary)
    if suggestions is not None:
        tables.append(("Test these first", suggestions))
    sheets = []
    for position, (name, frame) in enumerate(tables):
        kinds = {c: column_kind(c, frame[c], money_kpi) for c in frame.columns}
        if result.has_market and position in (1, 2):
            kind = "money" if "spend" in name or money_kpi else "kpi"
            kinds.update({c: kind for c in frame.columns if c != "channel"})
        if name == "Test these first":    # gains in the plan's measure; the KPI's for lifts
            value = "money" if money_kpi or result.scenario.objective == "max_profit" else "kpi"
            kinds.update({c: value for c in VALUE_COLUMNS[:4]})
            kinds.update({c: "money" if money_kpi else "kpi" for c in VALUE_COLUMNS[4:]})
        shown = translated(frame, w)
        keys = next((i for i, c in enumerate(frame.columns) if c not in KEY_COLUMNS),
                    len(frame.columns))
        sheets.append(Sheet(w._(name), shown, dict(zip(shown.columns, kinds.values())), keys))
    return workbook_bytes(sheets, result.scenario.currency, summary=summary_rows(result, w),
                          words=w)


def summary_rows(result: PlanResult, w: Words | None = None) -> list[tuple[str, str, object, str]]:
    """The summary as (section, item, value, kind) rows for the Summary sheet."""
    w = w or Words("en")
    rows = _summary_rows(result, w)
    if not w.chinese:
        return rows
    from budgetopt.optimizer.results.wording import binding_in_words

    binding = binding_in_words(result, w)
    out, i = [], 0
    section = w._("Binding rules")
    for row in rows:            # the binding rules in the workbook's language
        if row[0] == section and i < len(binding):
            row = (section, binding[i]["description"], binding[i]["explanation"], "text")
            i += 1
        out.append(row)
    return out


def _summary_rows(result: PlanResult, w: Words) -> list[tuple[str, str, object, str]]:
    from budgetopt.optimizer.results.wording import FIXED_RULES

    _, say = w._, w.say
    s, t = result.summary, result.totals
    kpi = w.kpi(result.scenario.kpi)
    scen = s["scenario"]
    rows: list[tuple[str, str, object, str]] = [
        (_("Scenario"), _("name"), scen["name"], "text"),
        (_("Scenario"), _("objective"), _(scen["objective"]) if w.chinese else scen["objective"],
         "text"),
        (_("Scenario"), "KPI", kpi, "text"),
        (_("Scenario"), _("currency"), scen["currency"], "text"),
        (_("Scenario"), _("horizon"), _("{start} to {end}").format(
            start=scen["horizon"]["start"], end=scen["horizon"]["end"]), "text"),
        (_("Scenario"), _("periods"), f"{scen['horizon']['periods']} × "
         f"{_(scen['horizon']['period']) if w.chinese else scen['horizon']['period']}", "text"),
        (_("Scenario"), _("status"), _(s["status"].lower()) if w.chinese else s["status"], "text"),
    ]
    for key, label in (("budget", _("budget")), ("fixed", _("fixed spend")),
                       ("dynamic", _("dynamic spend")), ("reserve", _("reserve")),
                       ("returned_to_reserve", _("returned to reserve")),
                       ("overspend", _("overspend")), ("spend", _("total spend"))):
        rows.append((_("Totals"), label, t[key], "money"))
    kpi_kind = "money" if kpi.lower() in ("revenue", "gmv", "sales", "profit") else "kpi"
    for key, label in (("baseline_kpi", _("baseline {kpi}").format(kpi=kpi)),
                       ("incremental_kpi", _("incremental {kpi}").format(kpi=kpi)),
                       ("predicted_kpi", _("predicted {kpi}").format(kpi=kpi))):
        rows.append((_("Totals"), label, t[key], kpi_kind))
    rows += [(_("Totals"), "ROI", t["roi"], "ratio"),
             (_("Totals"), _("net ROI"), t["net_roi"], "ratio")]
    pool = s["pool"]
    rows += [(_("Pool"), _("fixed share"), pool["fixed_share"], "percent"),
             (_("Pool"), _("fixed rule"), _(FIXED_RULES[pool["fixed_rule"]])
              if w.chinese and pool["fixed_rule"] in FIXED_RULES else pool["fixed_rule"], "text"),
             (_("Pool"), _("reserve share"), pool["reserve_share"], "percent"),
             (_("Pool"), _("fixed pool"), pool["fixed_pool"], "money"),
             (_("Pool"), _("dynamic pool"), pool["dynamic_pool"], "money"),
             (_("Pool"), _("check"), say(pool["check"]), "text")]
    mix = s["historical_mix"]
    versus = _("Versus last year's mix")
    rows += [(versus, _("incremental {kpi} in last year's mix").format(kpi=kpi),
              mix["incremental_kpi"], kpi_kind),
             (versus, _("ROI in last year's mix"), mix.get("roi"), "ratio"),
             (versus, _("uplift in {kpi}").format(kpi=kpi), mix.get("uplift_kpi"), kpi_kind),
             (versus, _("uplift"), mix.get("uplift_pct"), "percent")]
    out = s.get("outcome")
    if out:
        section = _("Outcome over {samples} plausible curves").format(samples=out["samples"])
        for key, label, kind in (
                ("incremental_kpi", _("incremental {kpi}").format(kpi=kpi), kpi_kind),
                ("historical_mix_incremental_kpi",
                 _("incremental {kpi} in last year's mix").format(kpi=kpi), kpi_kind),
                ("uplift_vs_history", _("uplift in {kpi} vs last year's mix").format(kpi=kpi),
                 kpi_kind), ("roi", "ROI", "ratio")):
            for stat in ("p10", "p50", "p90", "mean", "cvar"):
                name = (f"CVaR {out['alpha']:.0%}" if stat == "cvar" else
                        _("mean") if stat == "mean" and w.chinese else stat.upper())
                rows.append((section, f"{label}: {name}", out[key][stat], kind))
        rows += [(section, _("maximized"), _(out["measure"]) if w.chinese else out["measure"],
                  "text"),
                 (section, _("history guard"), say(out["guard_status"]), "text")]
    rows += [(_("Budget"), _("marginal value of the budget"), s["budget_dual"], "ratio"),
             (_("Budget"), _("in words"), say(s["budget_dual_explained"]), "text")]
    for rule in s["binding_constraints"]:
        rows.append((_("Binding rules"), rule["description"], rule["explanation"], "text"))
    if not s["binding_constraints"]:
        rows.append((_("Binding rules"), _("none"), _("no rule binds besides the budget"), "text"))
    for warning in s["warnings"] or [_("none")]:
        rows.append((_("Warnings"), "", say(warning), "text"))
    rows += [(_("Solver"), _("name"), s["solver"]["name"], "text"),
             (_("Solver"), _("status"), _(s["solver"]["status"].lower()) if w.chinese
              else s["solver"]["status"], "text")]
    for name, version in s["versions"].items():
        rows.append((_("Versions"), name, version, "text"))
    for key, info in s["inputs"].items():
        if isinstance(info, dict):
            rows.append((_("Inputs"), f"{_input(key, w)} ({info['file']})", info["sha256"],
                         "text"))
        else:
            rows.append((_("Inputs"), _input(key, w), info, "text"))
    return rows


#: summary.json's input keys, worded in the workbook
INPUT_KEYS = {"history": N_("history file"), "scenario": N_("scenario file"),
              "scenario_settings_sha256": N_("scenario settings (SHA-256)"),
              "actuals": N_("actuals file"), "experiments": N_("experiments file")}


def _input(key: str, w: Words) -> str:
    return w._(INPUT_KEYS[key]) if w.chinese and key in INPUT_KEYS else key


def _formats(book, currency: str) -> dict:
    sign = currency_sign(currency)
    money = f'"{sign}"#,##0.00' if sign else f'#,##0.00 "{currency}"'
    return {"money": book.add_format({"num_format": money}),
            "kpi": book.add_format({"num_format": "#,##0.00"}),
            "number": book.add_format({"num_format": "#,##0.######"}),
            "ratio": book.add_format({"num_format": "0.000"}),
            "percent": book.add_format({"num_format": "0.0%"}),
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
            "text": book.add_format({}),
            "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
            "section": book.add_format({"bold": True, "bg_color": "#e8edf2"}),
            "header": book.add_format({"bold": True, "bg_color": "#dfe6ee", "bottom": 1,
                                       "text_wrap": True, "valign": "top"})}


def _summary_sheet(book, rows: list[tuple[str, str, object, str]], formats: dict,
                   words: Words) -> None:
    ws = book.add_worksheet(words._("Summary"))
    for col, head in enumerate((words._("section"), words._("item"), words._("value"))):
        ws.write_string(0, col, head, formats["header"])
    for r, (section, item, value, kind) in enumerate(rows, start=1):
        ws.write_string(r, 0, neutralize(section), formats["section"])
        ws.write_string(r, 1, neutralize(str(item)))
        _write_value(ws, r, 2, value, kind, formats)
    ws.freeze_panes(1, 0)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, min(60, max(12, *(len(str(r[1])) + 2 for r in rows))))
    ws.set_column(2, 2, 90, formats["wrap"])


def _write_value(ws, row: int, col: int, value, kind: str, formats: dict) -> None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        ws.write_blank(row, col, None)
    elif isinstance(value, str):
        ws.write_string(row, col, neutralize(value))
    elif isinstance(value, (bool, np.bool_)):
        ws.write_boolean(row, col, bool(value))
    else:
        ws.write_number(row, col, float(value), formats.get(kind, formats["number"]))


def _table_sheet(writer, sheet: Sheet, formats: dict) -> None:
    frame = sheet.frame.copy()
    for col in frame.columns:
        series = frame[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            frame[col] = series.map(neutralize)
        elif pd.api.types.is_float_dtype(series):
            frame[col] = series.where(np.isfinite(series.to_numpy(float)))
    frame.to_excel(writer, sheet_name=sheet.name, index=False, header=False, startrow=1)
    ws = writer.sheets[sheet.name]
    for c, name in enumerate(frame.columns):
        ws.write_string(0, c, neutralize(str(name)), formats["header"])
        kind = sheet.kinds.get(name) or column_kind(name, frame[name])
        ws.set_column(c, c, _width(name, frame[name], kind), formats.get(kind))
    keys = sheet.freeze_columns
    if keys is None:
        keys = next((i for i, c in enumerate(frame.columns) if c not in KEY_COLUMNS),
                    len(frame.columns))
    ws.freeze_panes(1, keys)
    if len(frame.columns):
        ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)


def _width(name: str, series: pd.Series, kind: str) -> float:
    """A column wide enough for its header and its longest formatted value (capped)."""
    header = len(str(name)) + 3
    if kind == "date":
        body = 11
    elif kind in ("money", "kpi", "number"):
        biggest = float(np.nanmax(np.abs(series.to_numpy(float)))) if series.notna().any() else 0
        body = len(f"{biggest:,.2f}") + 3
    elif kind in ("ratio", "percent"):
        body = 9
    else:
        body = int(series.astype(str).str.len().max()) if len(series) else 0
        body += 2
    return float(min(60, max(8, header, body)))
