"""What a planner or analyst sees in the terminal for compare, frontier, shocks and rebalance."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from budgetopt.money import money
from budgetopt.optimizer.cli.console import print_plan, print_warnings

if TYPE_CHECKING:
    from budgetopt import Comparison, Frontier, Rebalance, ShockReport


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
                     console: Console | None = None) -> None:
    """Per channel: spend, share, KPI, ROI and mROI of every run, Δ and Δ% against the first."""
    console = console or _console()
    labels = comparison.labels
    frame = comparison.channels
    keys = [c for c in ("channel", "market") if c in frame.columns]
    table = Table(title=f"Runs compared (base: {labels[0]})", title_justify="left")
    table.add_column("channel")
    columns = [("spend", labels), ("Δ% spend", labels[1:]), ("KPI", labels),
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
        console.print(f"Total {metric}: {values} (Δ% {changes})", highlight=False)
    differs = comparison.settings[comparison.settings["differs"]]
    if differs.empty:
        console.print("Settings and input hashes: all the same")
    for row in differs.itertuples(index=False, name=None):
        values = ", ".join(f"{lab} = {value or '—'}" for lab, value in zip(labels, row[1:]))
        console.print(f"Differs: {row[0]}: {values}", highlight=False)
    big = comparison.largest
    console.print(f"Largest allocation difference: {money(big['amount'], currency, 2)} "
                  f"({big['share']:.4%} of the base spend)"
                  + (f", {big['run']}: {big['where']}" if big["where"] else ""), highlight=False)


def print_frontier(front: Frontier, console: Console | None = None) -> None:
    console = console or _console()
    cur, kpi = front.scenario.currency, front.scenario.kpi
    table = Table(title=f"{front.scenario.name}: budget frontier", title_justify="left")
    for name in ("× budget", "budget", "spend", f"incr. {kpi}", f"predicted {kpi}", "ROI",
                 "mROI", "slope", *(["profit"] if front.scenario.margin else []), "note"):
        table.add_column(name, justify="left" if name == "note" else "right")
    for row in front.points.itertuples():
        mark = " *" if abs(row.multiple - 1.0) < 1e-9 else ""
        cells = [f"{row.multiple:.2f}{mark}", money(row.budget, cur),
                 money(row.spend, cur) if row.status == "optimal" else "—",
                 _num(row.incremental_kpi, "{:,.0f}"), _num(row.predicted_kpi, "{:,.0f}"),
                 _num(row.roi), _num(row.marginal_roi), _num(row.frontier_slope)]
        if front.scenario.margin:
            cells.append(_num(row.profit, "{:,.0f}"))
        table.add_row(*cells, row.note)
    console.print(table)
    marks = front.marks
    console.print(f"Scenario budget (*): {money(marks['scenario_budget'], cur)}")
    console.print(f"mROI below 1: {marks['mroi_below_1']}", highlight=False)
    if marks.get("profit_optimal_budget") is not None:
        console.print(f"Most profitable budget at margin {marks['margin']}: "
                      f"{money(marks['profit_optimal_budget'], cur)} (profit "
                      f"{money(marks['profit_at_optimum'], cur)})")


def print_shocks(report: ShockReport, console: Console | None = None) -> None:
    console = console or _console()
    cur = report.scenario.currency
    t = report.base.totals
    console.print(f"Base plan: spend {money(t['spend'], cur)}, incremental "
                  f"{report.scenario.kpi} {t['incremental_kpi']:,.0f}, ROI {_num(t['roi'])}")
    table = Table(title=f"{report.scenario.name}: what-if shocks "
                        f"(doctrine: keep ≥ {report.roi_retained_floor:.0%} of base ROI)",
                  title_justify="left")
    for name in ("shock", "what changes", "base plan ROI", "kept", "re-optimized ROI", "kept",
                 "recovered", "≥ floor"):
        table.add_column(name, justify="left" if name in ("shock", "what changes") else "right")
    for row in report.table.itertuples():
        table.add_row(row.shock, row.description, _num(row.shocked_base_roi),
                      _num(row.shocked_base_roi_retained, "{:.1%}"), _num(row.reoptimized_roi),
                      _num(row.reoptimized_roi_retained, "{:.1%}"),
                      _num(row.recovered_kpi, "{:,.0f}"), "yes" if row.meets_roi_floor else "NO")
    console.print(table)
    for row in report.table.itertuples():
        if row.note:
            console.print(f"[yellow]{row.shock}:[/yellow] {row.note}", highlight=False)


def print_rebalance(reb: Rebalance, console: Console | None = None) -> None:
    console = console or _console()
    cur = reb.plan.scenario.currency
    s = reb.summary
    vs = reb.plan_vs_actual
    keys = [c for c in ("channel", "market") if c in vs.columns]
    table = Table(title=f"Plan vs actual to {s['as_of']} ({s['periods_done']} periods)",
                  title_justify="left")
    for name in ("channel", "planned spend", "actual spend", "variance", "planned KPI",
                 "actual KPI", "variance"):
        table.add_column(name, justify="left" if name == "channel" else "right")
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
    console.print(f"Dynamic pool {money(pool['dynamic_pool'], cur)}: spent to date "
                  f"{money(pool['dynamic_spent_to_date'], cur)}, re-optimized over the "
                  f"{s['periods_remaining']} remaining periods "
                  f"{money(pool['dynamic_unspent'], cur)}; fixed commitments kept "
                  f"{money(pool['fixed_remaining'], cur)}")
    print_warnings(s["warnings"], console)
    print_plan(reb.plan, console)
