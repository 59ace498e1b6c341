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

from budgetopt.money import CURRENCY_SIGNS
from budgetopt.optimizer.results.files import neutralize
from budgetopt.optimizer.results.grouping import market_pivot
from budgetopt.optimizer.results.tables import PlanResult

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
                   summary: list[tuple[str, str, object, str]] | None = None) -> bytes:
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
            _summary_sheet(book, summary, formats)
        for sheet in sheets:
            _table_sheet(writer, sheet, formats)
    return buf.getvalue()


def plan_workbook(result: PlanResult) -> bytes:
    """The plan's workbook."""
    money_kpi = result.scenario.kpi.lower() in ("revenue", "gmv", "sales", "profit")
    tables = [("Channels", result.channels), ("Allocation", result.allocation),
              ("Forecast", result.forecast), ("Curves", result.curves)]
    if result.has_market:
        tables[1:1] = [("Channel x market spend", market_pivot(result.allocation)),
                       ("Channel x market KPI",
                        market_pivot(result.allocation, "incremental_kpi"))]
    sheets = [Sheet(name, frame, {c: column_kind(c, frame[c], money_kpi) for c in frame.columns})
              for name, frame in tables]
    for sheet in sheets[1:3] if result.has_market else []:
        kind = "money" if "spend" in sheet.name or money_kpi else "kpi"
        sheet.kinds.update({c: kind for c in sheet.frame.columns if c != "channel"})
    return workbook_bytes(sheets, result.scenario.currency, summary=summary_rows(result))


def summary_rows(result: PlanResult) -> list[tuple[str, str, object, str]]:
    """The summary as (section, item, value, kind) rows for the Summary sheet."""
    s, t = result.summary, result.totals
    kpi = result.scenario.kpi
    scen = s["scenario"]
    rows: list[tuple[str, str, object, str]] = [
        ("Scenario", "name", scen["name"], "text"),
        ("Scenario", "objective", scen["objective"], "text"),
        ("Scenario", "KPI", kpi, "text"),
        ("Scenario", "currency", scen["currency"], "text"),
        ("Scenario", "horizon", f"{scen['horizon']['start']} to {scen['horizon']['end']}", "text"),
        ("Scenario", "periods", f"{scen['horizon']['periods']} × {scen['horizon']['period']}",
         "text"),
        ("Scenario", "status", s["status"], "text"),
    ]
    for key, label in (("budget", "budget"), ("fixed", "fixed spend"),
                       ("dynamic", "dynamic spend"), ("reserve", "reserve"),
                       ("returned_to_reserve", "returned to reserve"),
                       ("overspend", "overspend"), ("spend", "total spend")):
        rows.append(("Totals", label, t[key], "money"))
    kpi_kind = "money" if kpi.lower() in ("revenue", "gmv", "sales", "profit") else "kpi"
    for key, label in (("baseline_kpi", f"baseline {kpi}"),
                       ("incremental_kpi", f"incremental {kpi}"),
                       ("predicted_kpi", f"predicted {kpi}")):
        rows.append(("Totals", label, t[key], kpi_kind))
    rows += [("Totals", "ROI", t["roi"], "ratio"), ("Totals", "net ROI", t["net_roi"], "ratio")]
    pool = s["pool"]
    rows += [("Pool", "fixed share", pool["fixed_share"], "percent"),
             ("Pool", "fixed rule", pool["fixed_rule"], "text"),
             ("Pool", "reserve share", pool["reserve_share"], "percent"),
             ("Pool", "fixed pool", pool["fixed_pool"], "money"),
             ("Pool", "dynamic pool", pool["dynamic_pool"], "money"),
             ("Pool", "check", pool["check"], "text")]
    mix = s["historical_mix"]
    rows += [("Versus last year's mix", f"incremental {kpi} in last year's mix",
              mix["incremental_kpi"], kpi_kind),
             ("Versus last year's mix", "ROI in last year's mix", mix.get("roi"), "ratio"),
             ("Versus last year's mix", f"uplift in {kpi}", mix.get("uplift_kpi"), kpi_kind),
             ("Versus last year's mix", "uplift", mix.get("uplift_pct"), "percent")]
    out = s.get("outcome")
    if out:
        section = f"Outcome over {out['samples']} plausible curves"
        for key, label, kind in (("incremental_kpi", f"incremental {kpi}", kpi_kind),
                                 ("historical_mix_incremental_kpi",
                                  f"incremental {kpi} in last year's mix", kpi_kind),
                                 ("uplift_vs_history", f"uplift in {kpi} vs last year's mix",
                                  kpi_kind), ("roi", "ROI", "ratio")):
            for stat in ("p10", "p50", "p90", "mean", "cvar"):
                name = f"CVaR {out['alpha']:.0%}" if stat == "cvar" else stat.upper()
                rows.append((section, f"{label}: {name}", out[key][stat], kind))
        rows += [(section, "maximized", out["measure"], "text"),
                 (section, "history guard", out["guard_status"], "text")]
    rows += [("Budget", "marginal value of the budget", s["budget_dual"], "ratio"),
             ("Budget", "in words", s["budget_dual_explained"], "text")]
    for rule in s["binding_constraints"]:
        rows.append(("Binding rules", rule["description"], rule["explanation"], "text"))
    if not s["binding_constraints"]:
        rows.append(("Binding rules", "none", "no rule binds besides the budget", "text"))
    for warning in s["warnings"] or ["none"]:
        rows.append(("Warnings", "", warning, "text"))
    rows += [("Solver", "name", s["solver"]["name"], "text"),
             ("Solver", "status", s["solver"]["status"], "text")]
    for name, version in s["versions"].items():
        rows.append(("Versions", name, version, "text"))
    for key, info in s["inputs"].items():
        if isinstance(info, dict):
            rows.append(("Inputs", f"{key} ({info['file']})", info["sha256"], "text"))
        else:
            rows.append(("Inputs", key, info, "text"))
    return rows


def _formats(book, currency: str) -> dict:
    sign = CURRENCY_SIGNS.get(currency)
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


def _summary_sheet(book, rows: list[tuple[str, str, object, str]], formats: dict) -> None:
    ws = book.add_worksheet("Summary")
    for col, head in enumerate(("section", "item", "value")):
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
