"""What a planner sees in the terminal: the plan table, totals and pool split, binding rules,
warnings; progress bars only on an interactive terminal."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from budgetopt.money import money
from budgetopt.optimizer.results.grouping import totals_by, warning_lines
from budgetopt.optimizer.results.outcome import outcome_line
from budgetopt.optimizer.results.i18n import words_for
from budgetopt.optimizer.results.lift_tests import lift_test_lines
from budgetopt.optimizer.results.tables import PlanResult
from budgetopt.units import unit_key

TOP_UNITS = 15   # a plan with more units shows the largest, then totals by channel and market


def interactive(stream=None) -> bool:
    """A person is watching: a terminal, and not CI."""
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("CI")


@contextmanager
def fit_progress(enabled: bool):
    """Yield a callback(done, total) that draws a progress bar when enabled, else does nothing."""
    if not enabled:
        yield None
        return
    with Progress(TextColumn("fitting forecasts"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("fit", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
        yield update


@contextmanager
def busy(enabled: bool, message: str):
    """A transient spinner with `message` on stderr while the block runs, when enabled."""
    if not enabled:
        yield
        return
    with Console(stderr=True).status(message):
        yield


def plan_table(result: PlanResult) -> Table:
    w = words_for(result)
    cur = result.scenario.currency
    kpi = w.kpi(result.scenario.kpi)
    table = Table(title=f"{result.scenario.name} — {w._(result.scenario.objective)}",
                  title_justify="left")
    label = w._("channel/market") if result.has_market else w._("channel")
    for name in (label, w._("fixed"), w._("dynamic"), w._("total"), w._("share"),
                 w._("incr. {kpi}").format(kpi=kpi), "ROI", "mROI"):
        table.add_column(name, justify="left" if name == label else "right")
    rows = result.channels
    hidden = 0
    if len(rows) > TOP_UNITS:
        rows = rows.sort_values(["total_spend", "channel"], ascending=[False, True],
                                kind="stable").head(TOP_UNITS)
        hidden = len(result.channels) - TOP_UNITS
        table.title += w._(" — top {top} of {count} units by spend").format(
            top=TOP_UNITS, count=len(result.channels))
    for row in rows.itertuples():
        name = unit_key(row.channel, row.market if result.has_market else None)
        if row.extrapolated:
            name += " (!)"
        table.add_row(name, w.money(row.fixed_spend, cur), w.money(row.dynamic_spend, cur),
                      w.money(row.total_spend, cur), f"{row.share:.1%}",
                      w.number(row.incremental_kpi), _num(row.roi), _num(row.marginal_roi))
    t = result.totals
    if hidden:
        rest = result.channels.drop(rows.index)
        table.add_row(w._("… {count} more units").format(count=hidden),
                      money(rest["fixed_spend"].sum(), cur),
                      money(rest["dynamic_spend"].sum(), cur), money(rest["total_spend"].sum(), cur),
                      f"{rest['share'].sum():.1%}", f"{rest['incremental_kpi'].sum():,.0f}", "", "")
    table.add_section()
    table.add_row(w._("total"), w.money(t["fixed"], cur), w.money(t["dynamic"], cur),
                  w.money(t["spend"], cur), "100.0%", w.number(t["incremental_kpi"]),
                  _num(t["roi"]), "")
    return table


def totals_table(result: PlanResult, key: str) -> Table:
    """Spend, share, incremental KPI and ROI per channel or per market."""
    w = words_for(result)
    cur, kpi = result.scenario.currency, w.kpi(result.scenario.kpi)
    head = w._(key)
    table = Table(title=w._("By {key}").format(key=head), title_justify="left")
    for name in (head, w._("units"), w._("total"), w._("share"),
                 w._("incr. {kpi}").format(kpi=kpi), "ROI"):
        table.add_column(name, justify="left" if name == head else "right")
    for row in totals_by(result.allocation, key).itertuples():
        table.add_row(str(getattr(row, key)), str(row.units), money(row.total_spend, cur),
                      f"{row.share:.1%}", f"{row.incremental_kpi:,.0f}", _num(row.roi))
    return table


def print_warnings(warnings: list[str], console: Console, words=None) -> None:
    """One line per kind of warning (count and worst units when a kind repeats)."""
    label = words._("Warning:") if words is not None else "Warning: "
    for line in warning_lines(warnings, words=words):
        console.print(f"[yellow]{label.strip()}[/yellow] {line}", highlight=False)


def _num(value) -> str:
    return "—" if value is None or value != value else f"{value:.2f}"


def wide_console() -> Console:
    """Stdout console; at least 120 columns when not a terminal so tables are not truncated."""
    console = Console()
    return console if console.is_terminal else Console(width=max(console.width, 120))


def print_plan(result: PlanResult, console: Console | None = None) -> None:
    console = console or wide_console()
    console.print(plan_table(result))
    if result.has_market and len(result.channels) > TOP_UNITS:
        console.print(totals_table(result, "channel"))
        console.print(totals_table(result, "market"))
    if words_for(result).chinese:
        _print_notes_zh(result, console)
    else:
        _print_notes(result, console)


def _print_notes_zh(result: PlanResult, console: Console) -> None:
    """The lines under the table in the plan's language (Chinese)."""
    from budgetopt.optimizer.results.wording import binding_in_words, pool_line

    w = words_for(result)
    s, t = result.summary, result.totals
    kpi = w.kpi(result.scenario.kpi)
    console.print(w._("Pool:") + pool_line(result, w, explain=False))
    console.print(w._("Predicted {kpi}: {total} (baseline {baseline} + incremental {incremental}); "
                      "ROI {roi}, net ROI {net}").format(
        kpi=kpi, total=w.number(t["predicted_kpi"]), baseline=w.number(t["baseline_kpi"]),
        incremental=w.number(t["incremental_kpi"]), roi=_num(t["roi"]), net=_num(t["net_roi"])))
    mix = s["historical_mix"]
    if mix.get("uplift_pct") is not None:
        console.print(w._("Versus last year's channel mix at the same spend: {amount} {kpi} "
                          "({pct})").format(amount=f"{mix['uplift_kpi']:+,.0f}", kpi=kpi,
                                            pct=f"{mix['uplift_pct']:+.1%}"))
    mroi = s.get("channels_marginal_roi", {})
    if mroi:
        console.print(w._("Marginal ROI (return on the next unit of money): ") + ", ".join(
            f"{c} {_num(v)}" for c, v in mroi.items()))
    for rule in binding_in_words(result, w):
        console.print(w._("Binding:") + f"{rule['description']} — {rule['explanation']}")
    if s.get("outcome"):
        console.print(outcome_line(s["outcome"], result.scenario.currency, result.scenario.kpi, w),
                      markup=False)
    if s.get("objective"):
        console.print(objective_line(result, s["objective"], w), markup=False)
    objective = s.get("objective", {})
    odd = s.get("curves", {}).get("nonconcave_units", [])
    if objective and odd:
        shape = (w._("S-shaped curves solved exactly (MILP)")
                 if s["curves"].get("nonconcave_method") == "milp"
                 else w._("S-shaped curves replaced by their concave envelope"))
        console.print(f"{shape}: {', '.join(odd)}")
    for line in lift_test_lines(s, w):
        console.print(line, markup=False, highlight=False)
    for line in warning_lines(s["warnings"], words=w):
        label = w._("Warning:")
        console.print(f"[yellow]{label}[/yellow]{line}", highlight=False)


def objective_line(result: PlanResult, objective: dict, w=None) -> str:
    """"Objective (max_revenue): CVaR20% of incremental revenue over 100 plausible curves (the
    mean of the worst 20%) = 61,540,000": the figure named in words, in the plan's language."""
    from budgetopt.optimizer.results.wording import objective_in_words

    w = w or words_for(result)
    scenario = result.scenario
    value = objective["value"]
    shown = _num(value) if scenario.objective == "max_roi" else w.number(value)
    return w._("Objective ({name}): {words} = {value}").format(
        name=scenario.objective, value=shown,
        words=objective_in_words(scenario.objective, scenario.kpi, scenario.risk,
                                 scenario.margin, w))


def _print_notes(result: PlanResult, console: Console) -> None:
    s, t, cur = result.summary, result.totals, result.scenario.currency
    console.print(
        f"Pool: budget {money(t['budget'], cur)} = fixed {money(t['fixed'], cur)} "
        f"+ dynamic {money(t['dynamic'], cur)} + reserve {money(t['reserve'], cur)}"
        + (f" (of which {money(t['returned_to_reserve'], cur)} returned unspent)"
           if t["returned_to_reserve"] > 0.5 else "")
        + (f" − overspend {money(t['overspend'], cur)}" if t["overspend"] > 0.5 else ""))
    console.print(f"Predicted {result.scenario.kpi}: {t['predicted_kpi']:,.0f} "
                  f"(baseline {t['baseline_kpi']:,.0f} + incremental "
                  f"{t['incremental_kpi']:,.0f}); ROI {_num(t['roi'])}, "
                  f"net ROI {_num(t['net_roi'])}")
    mix = s["historical_mix"]
    if mix.get("uplift_pct") is not None:
        console.print(f"Versus last year's channel mix at the same spend: "
                      f"{mix['uplift_kpi']:+,.0f} {result.scenario.kpi} "
                      f"({mix['uplift_pct']:+.1%})")
    if s.get("outcome"):
        console.print(outcome_line(s["outcome"], result.scenario.currency, result.scenario.kpi),
                      markup=False)
    objective = s.get("objective", {})
    curves = s.get("curves", {})
    if objective:
        shape = ("S-shaped curves solved exactly (MILP)" if curves.get("nonconcave_method") == "milp"
                 else "S-shaped curves replaced by their concave envelope")
        odd = curves.get("nonconcave_units", [])
        console.print(objective_line(result, objective) + (f"; {shape}: {', '.join(odd)}"
                                                           if odd else ""), markup=False)
    mroi = s.get("channels_marginal_roi", {})
    if mroi:
        shown = dict(sorted(mroi.items(), key=lambda kv: -(kv[1] or 0))[:TOP_UNITS]
                     if len(mroi) > TOP_UNITS else mroi)
        more = (f" … and {len(mroi) - TOP_UNITS} more (channels.csv)"
                if len(mroi) > TOP_UNITS else "")
        console.print("Marginal ROI (return on the next unit of money"
                      + (", highest first" if more else "") + "): " + ", ".join(
                          f"{c} {_num(v)}" for c, v in shown.items()) + more)
    console.print(f"Marginal value of the budget: {s['budget_dual_explained']}")
    for rule in s["binding_constraints"]:
        console.print(f"Binding: {rule['description']} — {rule['explanation']}")
    for line in lift_test_lines(s, words_for(result)):
        console.print(line, markup=False, highlight=False)
    print_warnings(s["warnings"], console)


def print_backtest(result, console: Console | None = None, words=None) -> None:
    """Accuracy and interval coverage per unit and overall."""
    console = console or wide_console()
    w = words or words_for(result)
    table = Table(title=w._("Backtest: {count} rolling origins").format(
        count=int(result.scores["folds"].max())), title_justify="left")
    head = w._("unit")
    for name in (head, w._("periods"), w._("accuracy (1 − WAPE)"), w._("coverage"),
                 w._("nominal")):
        table.add_column(name, justify="left" if name == head else "right")
    for row in result.scores.itertuples():
        if row.unit == "overall":
            table.add_section()
        table.add_row(w._("overall") if row.unit == "overall" else row.unit, str(row.periods),
                      f"{row.accuracy:.1%}", f"{row.coverage:.0%}",
                      f"{result.interval_width:.0%}")
    console.print(table)
