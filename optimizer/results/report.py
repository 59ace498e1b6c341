"""report.html: one self-contained page per plan (charts embedded as PNG data, no network
fetches) with the headline numbers, the pool, the binding rules in words, warnings, the channel
table and the charts; everything escaped by the template engine."""
from __future__ import annotations

import base64
from importlib import metadata

from jinja2 import Environment, PackageLoader, StrictUndefined

from budgetopt.optimizer.results.grouping import warning_lines
from budgetopt.optimizer.results.plan_charts import ChartSet, plan_charts, unit_labels
from budgetopt.money import money
from budgetopt.optimizer.results.tables import PlanResult

OBJECTIVES = {"max_revenue": "maximize {kpi}", "max_roi": "maximize ROI",
              "max_profit": "maximize profit", "target_roi": "spend up to a target ROI"}


def environment() -> Environment:
    """The template environment: autoescaping on for every template, strict variables."""
    return Environment(loader=PackageLoader("budgetopt.optimizer.results", "templates"), autoescape=True,
                       undefined=StrictUndefined, keep_trailing_newline=True)


def report_files(result: PlanResult) -> dict[str, bytes]:
    """Every presentation file of a plan: report.html, plan.xlsx and charts/*.png."""
    from budgetopt.optimizer.results.workbook import plan_workbook

    charts = plan_charts(result)
    files = {f"charts/{chart.name}.png": chart.png for chart in charts}
    files["report.html"] = render_report(result, charts).encode("utf-8")
    files["plan.xlsx"] = plan_workbook(result)
    return files


def render_report(result: PlanResult, charts: list[ChartSet] | None = None) -> str:
    charts = plan_charts(result) if charts is None else charts
    return environment().get_template("report.html.j2").render(report_context(result, charts))


def report_context(result: PlanResult, charts: list[ChartSet]) -> dict:
    """What the template shows, as plain strings and lists."""
    s = result.summary
    scenario = result.scenario
    cur, kpi = scenario.currency, scenario.kpi
    horizon = scenario.horizon
    embedded = [{"name": c.name, "title": c.title, "caption": c.caption,
                 "data": base64.b64encode(c.png).decode("ascii")} for c in charts]
    warnings = list(s["warnings"])
    for unit in s["curves"]["concave_envelope_applied"]:
        warnings.append(f"{unit}: the fitted curve was S-shaped; the plan uses its concave "
                        "envelope, which overstates returns at low spend")
    inputs = [{"name": f"{info['file']}", "sha256": info["sha256"]}
              for key, info in s["inputs"].items() if isinstance(info, dict)]
    return {
        "title": scenario.name,
        "horizon": (f"{horizon.start:%d %b %Y} – {horizon.end:%d %b %Y}, "
                    f"{s['scenario']['horizon']['periods']} {horizon.period}s"),
        "objective": OBJECTIVES.get(scenario.objective, scenario.objective).format(kpi=kpi),
        "kpi": kpi, "currency": cur,
        "solver": s["solver"]["name"], "status": s["solver"]["status"].lower(),
        "cards": headline_cards(result),
        "pool_line": pool_line(result),
        "budget_dual": f"Marginal value of the budget: {s['budget_dual_explained']}.",
        "rules": s["binding_constraints"],
        "warnings": warnings,
        "warning_lines": warning_lines(warnings),
        "any_extrapolated": bool(result.channels["extrapolated"].any()),
        "table": channel_table(result),
        "charts": {c["name"]: c for c in embedded},
        "chart_list": embedded,
        "curves_note": (f"{s['curves']['source']}; breakpoints "
                        f"{s['curves']['breakpoints']}; spend paced "
                        f"{s['curves']['pacing_within_period']}"),
        "versions": s["versions"] | {"budgetopt": _version()},
        "inputs": inputs,
    }


def headline_cards(result: PlanResult) -> list[dict]:
    s, t = result.summary, result.totals
    cur, kpi = result.scenario.currency, result.scenario.kpi
    mix = s["historical_mix"]
    kpi_text = money if kpi.lower() in ("revenue", "gmv", "sales") else _amount
    cards = [
        {"label": "Budget", "value": money(t["budget"], cur),
         "detail": f"spend {money(t['spend'], cur)}"
                   + (f", reserve {money(t['reserve'], cur)}" if t["reserve"] > 0.5 else "")},
        {"label": "Fixed / dynamic", "value": f"{_share(t['fixed'], t['budget'])} / "
                                         f"{_share(t['dynamic'], t['budget'])}",
         "detail": f"fixed {money(t['fixed'], cur)} · dynamic {money(t['dynamic'], cur)}"},
        {"label": f"Predicted {kpi}", "value": kpi_text(t["predicted_kpi"], cur),
         "detail": f"baseline {kpi_text(t['baseline_kpi'], cur)} + from spend "
                   f"{kpi_text(t['incremental_kpi'], cur)}"},
        {"label": "ROI", "value": _ratio(t["roi"]),
         "detail": f"net ROI {_ratio(t['net_roi'])} · incremental {kpi} per {cur} spent"},
    ]
    if mix.get("uplift_pct") is not None:
        up = mix["uplift_pct"]
        cards.append({"label": "ROI vs last year's mix",
                      "value": f"{_ratio(t['roi'])} vs {_ratio(mix['roi'])}",
                      "tone": "good" if up >= 0 else "bad",
                      "detail": f"{up:+.1%} {kpi} ({_signed(mix['uplift_kpi'], cur, kpi_text)}) "
                                "from the same spend in last year's channel mix"})
    out = s.get("outcome")
    if out:
        inc, hist, up = (out["incremental_kpi"], out["historical_mix_incremental_kpi"],
                         out["uplift_vs_history"])
        cards.append({"label": f"Incremental {kpi}, P10–P90 over {out['samples']} plausible curves",
                      "value": f"{kpi_text(inc['p10'], cur)} – {kpi_text(inc['p90'], cur)}",
                      "tone": "good" if up["cvar"] >= 0 else "bad",
                      "detail": f"last year's mix {kpi_text(hist['p10'], cur)} – "
                                f"{kpi_text(hist['p90'], cur)}; uplift P10 "
                                f"{_signed(up['p10'], cur, kpi_text)}, worst {out['alpha']:.0%} "
                                f"mean {_signed(up['cvar'], cur, kpi_text)} "
                                f"(maximizing {out['measure']}, guard {out['guard_status']})"})
    cards.append({"label": "Marginal value of budget", "value": _ratio(s["budget_dual"], 2),
                  "detail": f"{kpi} from one more {cur} of budget"})
    return cards


def pool_line(result: PlanResult) -> str:
    t, pool, cur = result.totals, result.summary["pool"], result.scenario.currency
    line = (f"Budget {money(t['budget'], cur)} = fixed {money(t['fixed'], cur)} + dynamic "
            f"{money(t['dynamic'], cur)} + reserve {money(t['reserve'], cur)}")
    if t["returned_to_reserve"] > 0.5:
        line += f" (of which {money(t['returned_to_reserve'], cur)} returned unspent)"
    if t["overspend"] > 0.5:
        line += f" − overspend {money(t['overspend'], cur)}"
    return (line + f". The fixed pool ({pool['fixed_share']:.0%}) is committed by the "
            f"'{pool['fixed_rule']}' rule; the dynamic pool goes where the marginal return "
            "is highest.")


def channel_table(result: PlanResult) -> dict:
    cur = result.scenario.currency
    frame = result.channels.sort_values("total_spend", ascending=False, kind="stable")
    names = unit_labels(frame, result.has_market).tolist()
    head = ["channel / market" if result.has_market else "channel", "fixed", "dynamic",
            "total", "share", f"incremental {result.scenario.kpi}", "ROI", "net ROI", "mROI",
            "last year", "change"]
    rows = []
    for name, row in zip(names, frame.itertuples(index=False)):
        rows.append([name + (" (!)" if row.extrapolated else ""),
                     money(row.fixed_spend, cur), money(row.dynamic_spend, cur),
                     money(row.total_spend, cur), f"{row.share:.1%}",
                     f"{row.incremental_kpi:,.0f}", _ratio(row.roi), _ratio(row.net_roi),
                     _ratio(row.marginal_roi), money(row.historical_spend, cur)
                     if row.historical_spend == row.historical_spend else "—",
                     _pct(row.change_vs_history)])
    t = result.totals
    hist = result.channels["historical_spend"].sum()
    total = ["total", money(t["fixed"], cur), money(t["dynamic"], cur), money(t["spend"], cur),
             "100.0%", f"{t['incremental_kpi']:,.0f}", _ratio(t["roi"]), _ratio(t["net_roi"]),
             "", money(hist, cur), _pct((t["spend"] - hist) / hist if hist > 0 else None)]
    return {"head": head, "rows": rows, "total": total}


def _version() -> str:
    try:
        return metadata.version("budgetopt")
    except metadata.PackageNotFoundError:
        return "unknown"


def _ratio(value, digits: int = 2) -> str:
    return "—" if value is None or value != value else f"{value:.{digits}f}"


def _pct(value) -> str:
    return "—" if value is None or value != value else f"{value:+.0%}"


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def _amount(value: float, _currency: str = "") -> str:
    return f"{value:,.0f}"


def _signed(value: float, cur: str, fmt) -> str:
    return ("+" if value >= 0 else "−") + fmt(abs(value), cur)
