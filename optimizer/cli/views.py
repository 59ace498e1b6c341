"""What a planner or analyst sees in the terminal for compare, frontier, shocks and rebalance."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from budgetopt.money import money
from budgetopt.optimizer.cli.console import print_plan, print_warnings
from budgetopt.optimizer.results.i18n import Words, words_for
from budgetopt.optimizer.results.wording import shock_description

if TYPE_CHECKING:
    from budgetopt import Comparison, ExperimentValue, Frontier, Rebalance, ShockReport


def _console() -> Console:
    """Stdout console; 200 columns when not a terminal so side-by-side tables stay whole."""
    console = Console()
    return console if console.is_terminal else Console(width=max(console.width, 200))


def _num(value, fmt: str = "{:.2f}") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    text = fmt.format(value)
    return text[1:] if text.startswith("-") and not text.strip("-0.,%") else text


def _pct(value) -> str:
    return _num(value, "{:+.1%}")


def print_comparison(comparison: Comparison, currency: str = "CNY",
                     console: Console | None = None, words: Words | None = None) -> None:
    """Per channel: spend, share, KPI, ROI and mROI of every run, Δ and Δ% against the first."""
    console = console or _console()
    w = words or Words("en")
    labels = comparison.labels
    frame = comparison.channels
    keys = [c for c in ("channel", "market") if c in frame.columns]
    table = Table(title=w._("Runs compared (base: {base})").format(base=labels[0]),
                  title_justify="left")
    table.add_column(w._("channel"))
    columns = [(w._("spend"), labels), ("Δ% " + w._("spend"), labels[1:]), ("KPI", labels),
               ("Δ% KPI", labels[1:]), ("ROI", labels), ("mROI", labels)]
    for name, which in columns:
        for label in which:
            table.add_column(f"{name} {label}" if len(labels) > 2 or name[0] != "Δ" else name,
                             justify="right")
    indexed = frame.set_index([*keys, "metric", "run"])
    for unit, _ in frame.groupby(keys, sort=True):
        unit = unit if isinstance(unit, tuple) else (unit,)

        def cell(metric, label, col="value"):
            return indexed.loc[(*unit, metric, label), col]
        row = ["/".join(map(str, unit))]
        row += [_num(cell("total_spend", lab), "{:,.0f}") for lab in labels]
        row += [_pct(cell("total_spend", lab, "change")) for lab in labels[1:]]
        row += [_num(cell("incremental_kpi", lab), "{:,.0f}") for lab in labels]
        row += [_pct(cell("incremental_kpi", lab, "change")) for lab in labels[1:]]
        row += [_num(cell("roi", lab)) for lab in labels]
        row += [_num(cell("marginal_roi", lab)) for lab in labels]
        table.add_row(*row)
    console.print(table)
    totals = comparison.totals.set_index(["metric", "run"])
    for metric in ("spend", "incremental_kpi", "predicted_kpi", "roi", "budget_dual"):
        values = ", ".join(f"{lab} {_num(totals.loc[(metric, lab), 'value'], '{:,.2f}')}"
                           for lab in labels)
        changes = ", ".join(f"{_pct(totals.loc[(metric, lab), 'change'])}" for lab in labels[1:])
        console.print(w._("Total {metric}: {values} (Δ% {changes})").format(
            metric=w.pgettext("column", metric), values=values, changes=changes), highlight=False)
    differs = comparison.settings[comparison.settings["differs"]]
    if differs.empty:
        console.print(w._("Settings and input hashes: all the same"))
    for row in differs.itertuples(index=False, name=None):
        values = ", ".join(f"{lab} = {value or '—'}" for lab, value in zip(labels, row[1:]))
        console.print(w._("Differs: {setting}: {values}").format(setting=row[0], values=values),
                      highlight=False)
    big = comparison.largest
    console.print(w._("Largest allocation difference: {amount} ({share} of the base spend)")
                  .format(amount=money(big["amount"], currency, 2), share=f"{big['share']:.4%}")
                  + (f", {big['run']}: {big['where']}" if big["where"] else ""), highlight=False)


def print_frontier(front: Frontier, console: Console | None = None) -> None:
    console = console or _console()
    w = words_for(front)
    cur, kpi = front.scenario.currency, w.kpi(front.scenario.kpi)
    table = Table(title=w._("{name}: budget frontier").format(name=front.scenario.name),
                  title_justify="left")
    note = w._("note")
    for name in (w._("× budget"), w._("budget"), w._("spend"), w._("incr. {kpi}").format(kpi=kpi),
                 w._("predicted {kpi}").format(kpi=kpi), "ROI", "mROI", w._("slope"),
                 *([w._("profit")] if front.scenario.margin else []), note):
        table.add_column(name, justify="left" if name == note else "right")
    for row in front.points.itertuples():
        mark = " *" if abs(row.multiple - 1.0) < 1e-9 else ""
        cells = [f"{row.multiple:.2f}{mark}", money(row.budget, cur),
                 money(row.spend, cur) if row.status == "optimal" else "—",
                 _num(row.incremental_kpi, "{:,.0f}"), _num(row.predicted_kpi, "{:,.0f}"),
                 _num(row.roi), _num(row.marginal_roi), _num(row.frontier_slope)]
        if front.scenario.margin:
            cells.append(_num(row.profit, "{:,.0f}"))
        table.add_row(*cells, w.say(row.note))
    console.print(table)
    marks = front.marks
    console.print(w._("Scenario budget (*): {amount}").format(
        amount=money(marks["scenario_budget"], cur)))
    console.print(w._("mROI below 1: {where}").format(where=w.say(marks["mroi_below_1"])),
                  highlight=False)
    if marks.get("profit_optimal_budget") is not None:
        console.print(w._("Most profitable budget at margin {margin}: {amount} (profit {profit})")
                      .format(margin=marks["margin"], amount=money(marks["profit_optimal_budget"], cur),
                              profit=money(marks["profit_at_optimum"], cur)))


def print_shocks(report: ShockReport, console: Console | None = None) -> None:
    console = console or _console()
    w = words_for(report)
    cur = report.scenario.currency
    t = report.base.totals
    console.print(w._("Base plan: spend {spend}, incremental {kpi} {incremental}, ROI {roi}").format(
        spend=money(t["spend"], cur), kpi=w.kpi(report.scenario.kpi),
        incremental=f"{t['incremental_kpi']:,.0f}", roi=_num(t["roi"])))
    table = Table(title=w._("{name}: what-if shocks (doctrine: keep ≥ {floor} of base ROI)").format(
        name=report.scenario.name, floor=f"{report.roi_retained_floor:.0%}"), title_justify="left")
    left = (w._("shock"), w._("what changes"))
    for name in (*left, w._("base plan ROI"), w._("kept"), w._("re-optimized ROI"), w._("kept"),
                 w._("recovered"), w._("≥ floor")):
        table.add_column(name, justify="left" if name in left else "right")
    described = {s.name: shock_description(s) for s in report.scenario.shocks}
    for row in report.table.itertuples():
        table.add_row(row.shock, w.say(described.get(row.shock, row.description)), _num(row.shocked_base_roi),
                      _num(row.shocked_base_roi_retained, "{:.1%}"), _num(row.reoptimized_roi),
                      _num(row.reoptimized_roi_retained, "{:.1%}"),
                      _num(row.recovered_kpi, "{:,.0f}"),
                      w._("yes") if row.meets_roi_floor else w._("NO"))
    console.print(table)
    for row in report.table.itertuples():
        if row.note:
            console.print(f"[yellow]{row.shock}:[/yellow] {w.say(row.note)}", highlight=False)


def print_rebalance(reb: Rebalance, console: Console | None = None) -> None:
    console = console or _console()
    w = words_for(reb.plan)
    cur = reb.plan.scenario.currency
    s = reb.summary
    vs = reb.plan_vs_actual
    keys = [c for c in ("channel", "market") if c in vs.columns]
    table = Table(title=w._("Plan vs actual to {as_of} ({count} periods)").format(
        as_of=s["as_of"], count=s["periods_done"]), title_justify="left")
    head = w._("channel")
    for name in (head, w._("planned spend"), w._("actual spend"), w._("variance"),
                 w._("planned KPI"), w._("actual KPI"), w._("variance")):
        table.add_column(name, justify="left" if name == head else "right")
    grouped = vs.groupby(keys, sort=True)[["planned_spend", "actual_spend", "planned_kpi",
                                           "actual_kpi"]].sum()
    for unit, row in grouped.iterrows():
        name = "/".join(unit) if isinstance(unit, tuple) else unit
        table.add_row(name, money(row.planned_spend, cur), money(row.actual_spend, cur),
                      money(row.actual_spend - row.planned_spend, cur),
                      f"{row.planned_kpi:,.0f}", f"{row.actual_kpi:,.0f}",
                      _pct((row.actual_kpi - row.planned_kpi) / row.planned_kpi
                           if row.planned_kpi else None))
    console.print(table)
    pool = s["pool"]
    console.print(w._("Dynamic pool {pool}: spent to date {spent}, re-optimized over the {count} "
                      "remaining periods {unspent}; fixed commitments kept {fixed}").format(
        pool=money(pool["dynamic_pool"], cur), spent=money(pool["dynamic_spent_to_date"], cur),
        count=s["periods_remaining"], unspent=money(pool["dynamic_unspent"], cur),
        fixed=money(pool["fixed_remaining"], cur)))
    print_warnings(s["warnings"], console, words=w)
    print_plan(reb.plan, console)


def print_experiments(value: ExperimentValue, console: Console | None = None) -> None:
    """The table "test these first": per unit the value of its suggested test and of knowing
    its curve, the test, and what the table is."""
    from budgetopt.optimizer.results.suggestion_table import suggestion_head, suggestion_note, suggestion_rows

    console = console or _console()
    w = words_for(value)
    summary = value.plan.summary
    table = Table(title=w._("{name}: test these first").format(name=value.scenario.name),
                  title_justify="left")
    for i, name in enumerate(suggestion_head(w)):
        table.add_column(name, justify="left" if i in (1, 6) else "right")
    for row in suggestion_rows(summary, w, value.scenario.currency):
        table.add_row(*row)
    console.print(table)
    console.print(suggestion_note(summary, w), markup=False, highlight=False)
