"""report.html: one self-contained page per plan in the plan's language (charts inline as SVG
with real text, no network fetches) with the headline numbers, the pool, the binding rules in
words, warnings, the channel table and the charts; everything escaped by the template engine."""
from __future__ import annotations

from importlib import metadata

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from budgetopt.optimizer.results.grouping import warning_lines
from budgetopt.optimizer.results.lift_tests import lift_test_lines
from budgetopt.optimizer.results.suggestion_table import suggestion_head, suggestion_note, suggestion_rows
from budgetopt.optimizer.results.plan_charts import ChartSet, plan_charts, unit_labels
from budgetopt.optimizer.results.i18n import N_, Words, words_for
from budgetopt.optimizer.results.tables import PlanResult
from budgetopt.optimizer.results.wording import binding_in_words, pool_line

MEASURES = (N_("mean"), N_("cvar"))
OBJECTIVES = {"max_revenue": N_("maximize {kpi}"), "max_roi": N_("maximize ROI"),
              "max_profit": N_("maximize profit"), "target_roi": N_("spend up to a target ROI")}
STATUSES = (N_("optimal"), N_("feasible"))


def environment(words: Words | None = None) -> Environment:
    """The template environment: autoescaping on for every template, strict variables, and
    gettext (jinja2's i18n extension) over the report language's catalog."""
    env = Environment(loader=PackageLoader("budgetopt.optimizer.results", "templates"), autoescape=True,
                      undefined=StrictUndefined, keep_trailing_newline=True,
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations((words or Words("en")).catalog, newstyle=True)
    return env


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
    words = words_for(result)
    return environment(words).get_template("report.html.j2").render(
        report_context(result, charts))


def report_context(result: PlanResult, charts: list[ChartSet]) -> dict:
    """What the template shows, as plain strings and lists."""
    w = words_for(result)
    s = result.summary
    scenario = result.scenario
    cur, kpi = scenario.currency, scenario.kpi
    horizon = scenario.horizon
    # matplotlib's SVG output: escaped text, no scripts (test_report checks the page)
    embedded = [{"name": c.name, "title": c.title, "caption": c.caption, "svg": Markup(c.svg)}
                for c in charts]
    warnings = [w.say(text) for text in s["warnings"]]
    for unit in s["curves"]["concave_envelope_applied"]:
        warnings.append(w._("{unit}: the fitted curve was S-shaped; the plan uses its concave "
                            "envelope, which overstates returns at low spend").format(unit=unit))
    inputs = [{"name": f"{info['file']}", "sha256": info["sha256"]}
              for key, info in s["inputs"].items() if isinstance(info, dict)]
    periods = s["scenario"]["horizon"]["periods"]
    period_word = {"day": w.ngettext("day", "days", periods),
                   "week": w.ngettext("week", "weeks", periods),
                   "month": w.ngettext("month", "months", periods)}[horizon.period]
    return {
        "lang": "zh-CN" if w.chinese else "en",
        "title": scenario.name,
        "horizon": w._("{start} – {end}, {count} {periods}").format(
            start=w.day(horizon.start), end=w.day(horizon.end), count=periods,
            periods=period_word),
        "objective": w._(OBJECTIVES.get(scenario.objective, scenario.objective)).format(
            kpi=w.kpi(kpi)),
        "kpi": w.kpi(kpi), "currency": cur,
        "solver": s["solver"]["name"], "status": w._(s["solver"]["status"].lower()),
        "cards": headline_cards(result, w),
        "pool_line": pool_line(result, w),
        "budget_dual": (w._("Marginal value of the budget: {text}.").format(
            text=s["budget_dual_explained"]) if not w.chinese else
            w._("Marginal value of the budget: one more {currency} of budget adds {value} "
                "{kpi}.").format(currency=cur, value=w.number(s["budget_dual"], 4),
                                 kpi=w.kpi(kpi))),
        "rules": binding_in_words(result, w),
        "warnings": warnings,
        "warning_lines": warning_lines(warnings, words=w),
        "lift_tests": lift_test_lines(s, w),
        "test_suggestions": ({"head": suggestion_head(w), "rows": suggestion_rows(s, w, cur),
                              "note": suggestion_note(s, w)}
                             if "test_suggestions" in s else None),
        "any_extrapolated": bool(result.channels["extrapolated"].any()),
        "table": channel_table(result, w),
        "charts": {c["name"]: c for c in embedded},
        "chart_list": embedded,
        "curves_note": w._("{source}; breakpoints {breakpoints}; spend paced {pacing}").format(
            source=w.say(s["curves"]["source"]), breakpoints=w.say(s["curves"]["breakpoints"]),
            pacing=w.say(s["curves"]["pacing_within_period"])),
        "versions": s["versions"] | {"budgetopt": _version()},
        "inputs": inputs,
    }


def headline_cards(result: PlanResult, w: Words | None = None) -> list[dict]:
    w = w or words_for(result)
    s, t = result.summary, result.totals
    cur, kpi = result.scenario.currency, result.scenario.kpi
    mix = s["historical_mix"]
    big = w.compact_money if w.chinese else w.money
    is_money = kpi.lower() in ("revenue", "gmv", "sales")
    kpi_text = (big if is_money else (lambda v, _c: w.compact_number(v) if w.chinese
                                      else _amount(v)))
    name = w.kpi(kpi)
    cards = [
        {"label": w._("Budget"), "value": big(t["budget"], cur),
         "detail": w._("spend {amount}").format(amount=big(t["spend"], cur))
                   + (w._(", reserve {amount}").format(amount=big(t["reserve"], cur))
                      if t["reserve"] > 0.5 else "")},
        {"label": w._("Fixed / dynamic"), "value": f"{_share(t['fixed'], t['budget'])} / "
                                                 f"{_share(t['dynamic'], t['budget'])}",
         "detail": w._("fixed {fixed} · dynamic {dynamic}").format(
             fixed=big(t["fixed"], cur), dynamic=big(t["dynamic"], cur))},
        {"label": w._("Predicted {kpi}").format(kpi=name), "value": kpi_text(t["predicted_kpi"], cur),
         "detail": w._("baseline {baseline} + from spend {incremental}").format(
             baseline=kpi_text(t["baseline_kpi"], cur), incremental=kpi_text(t["incremental_kpi"], cur))},
        {"label": "ROI", "value": _ratio(t["roi"]),
         "detail": w._("net ROI {net} · incremental {kpi} per {currency} spent").format(
             net=_ratio(t["net_roi"]), kpi=name, currency=cur)},
    ]
    if mix.get("uplift_pct") is not None:
        up = mix["uplift_pct"]
        cards.append({"label": w._("ROI vs last year's mix"),
                      "value": w._("{plan} vs {mix}").format(plan=_ratio(t["roi"]),
                                                             mix=_ratio(mix["roi"])),
                      "tone": "good" if up >= 0 else "bad",
                      "detail": w._("{pct} {kpi} ({amount}) from the same spend in last year's "
                                    "channel mix").format(pct=f"{up:+.1%}", kpi=name,
                                                          amount=_signed(mix["uplift_kpi"], cur, kpi_text))})
    out = s.get("outcome")
    if out:
        inc, hist, upo = (out["incremental_kpi"], out["historical_mix_incremental_kpi"],
                          out["uplift_vs_history"])
        cards.append({"label": w._("Incremental {kpi}, P10–P90 over {samples} plausible curves")
                      .format(kpi=name, samples=out["samples"]),
                      "value": f"{kpi_text(inc['p10'], cur)} – {kpi_text(inc['p90'], cur)}",
                      "tone": "good" if upo["cvar"] >= 0 else "bad",
                      "detail": w._("last year's mix {low} – {high}; uplift P10 {p10}, worst "
                                    "{share} mean {cvar} (maximizing {measure}, guard {guard})")
                      .format(low=kpi_text(hist["p10"], cur), high=kpi_text(hist["p90"], cur),
                              p10=_signed(upo["p10"], cur, kpi_text),
                              share=f"{out['alpha']:.0%}", cvar=_signed(upo["cvar"], cur, kpi_text),
                              measure=w._(out["measure"]), guard=w.say(out["guard_status"]))})
    cards.append({"label": w._("Marginal value of budget"), "value": _ratio(s["budget_dual"], 2),
                  "detail": w._("{kpi} from one more {currency} of budget").format(kpi=name, currency=cur)})
    return cards


def channel_table(result: PlanResult, w: Words | None = None) -> dict:
    w = w or words_for(result)
    cur = result.scenario.currency
    frame = result.channels.sort_values("total_spend", ascending=False, kind="stable")
    names = unit_labels(frame, result.has_market).tolist()
    head = [w._("channel / market") if result.has_market else w._("channel"), w._("fixed"),
            w._("dynamic"), w._("total"), w._("share"),
            w._("incremental {kpi}").format(kpi=w.kpi(result.scenario.kpi)), "ROI",
            w._("net ROI"), "mROI", w._("last year"), w._("change")]
    rows = []
    for name, row in zip(names, frame.itertuples(index=False)):
        rows.append([name + (" (!)" if row.extrapolated else ""),
                     w.money(row.fixed_spend, cur), w.money(row.dynamic_spend, cur),
                     w.money(row.total_spend, cur), f"{row.share:.1%}",
                     w.number(row.incremental_kpi), _ratio(row.roi), _ratio(row.net_roi),
                     _ratio(row.marginal_roi), w.money(row.historical_spend, cur)
                     if row.historical_spend == row.historical_spend else "—",
                     _pct(row.change_vs_history)])
    t = result.totals
    hist = result.channels["historical_spend"].sum()
    total = [w._("total"), w.money(t["fixed"], cur), w.money(t["dynamic"], cur),
             w.money(t["spend"], cur), "100.0%", w.number(t["incremental_kpi"]), _ratio(t["roi"]),
             _ratio(t["net_roi"]), "", w.money(hist, cur),
             _pct((t["spend"] - hist) / hist if hist > 0 else None)]
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
