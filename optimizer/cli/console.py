"""What a planner sees in the terminal: the plan table, totals and pool split, binding rules,
warnings; progress bars only on an interactive terminal."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from budgetopt.optimizer.results.i18n import words_for
from budgetopt.optimizer.rules.bounds import money
from budgetopt.optimizer.results.tables import PlanResult


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
    for row in result.channels.itertuples():
        name = row.channel if not result.has_market else f"{row.channel}/{row.market}"
        if row.extrapolated:
            name += " (!)"
        table.add_row(name, w.money(row.fixed_spend, cur), w.money(row.dynamic_spend, cur),
                      w.money(row.total_spend, cur), f"{row.share:.1%}",
                      w.number(row.incremental_kpi), _num(row.roi), _num(row.marginal_roi))
    t = result.totals
    table.add_section()
    table.add_row(w._("total"), w.money(t["fixed"], cur), w.money(t["dynamic"], cur),
                  w.money(t["spend"], cur), "100.0%", w.number(t["incremental_kpi"]),
                  _num(t["roi"]), "")
    return table


def _num(value) -> str:
    return "—" if value is None or value != value else f"{value:.2f}"


def wide_console() -> Console:
    """Stdout console; at least 120 columns when not a terminal so tables are not truncated."""
    console = Console()
    return console if console.is_terminal else Console(width=max(console.width, 120))


def print_plan(result: PlanResult, console: Console | None = None) -> None:
    console = console or wide_console()
    console.print(plan_table(result))
    if words_for(result).chinese:
        _print_notes_zh(result, console)
    else:
        _print_notes(result, console)


def _print_notes_zh(result: PlanResult, console: Console) -> None:
    """The lines under the table in the plan's language (Chinese)."""
    from budgetopt.optimizer.results.report import binding_in_words, pool_line

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
    for warning in s["warnings"]:
        label = w._("Warning:")
        console.print(f"[yellow]{label}[/yellow]{warning}", highlight=False)


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
    objective = s.get("objective", {})
    curves = s.get("curves", {})
    if objective:
        shape = ("S-shaped curves solved exactly (MILP)" if curves.get("nonconcave_method") == "milp"
                 else "S-shaped curves replaced by their concave envelope")
        odd = curves.get("nonconcave_units", [])
        console.print(f"Objective: {objective['name']} = {objective['value']:,.4g}"
                      + (f"; {shape}: {', '.join(odd)}" if odd else ""))
    mroi = s.get("channels_marginal_roi", {})
    if mroi:
        console.print("Marginal ROI (return on the next unit of money): " + ", ".join(
            f"{c} {_num(v)}" for c, v in mroi.items()))
    console.print(f"Marginal value of the budget: {s['budget_dual_explained']}")
    for rule in s["binding_constraints"]:
        console.print(f"Binding: {rule['description']} — {rule['explanation']}")
    for warning in s["warnings"]:
        console.print(f"[yellow]Warning:[/yellow] {warning}", highlight=False)


def print_backtest(result, console: Console | None = None) -> None:
    """Accuracy and interval coverage per unit and overall."""
    console = console or wide_console()
    table = Table(title=f"Backtest: {int(result.scores['folds'].max())} rolling origins",
                  title_justify="left")
    for name in ("unit", "periods", "accuracy (1 − WAPE)", "coverage", "nominal"):
        table.add_column(name, justify="left" if name == "unit" else "right")
    for row in result.scores.itertuples():
        if row.unit == "overall":
            table.add_section()
        table.add_row(row.unit, str(row.periods), f"{row.accuracy:.1%}", f"{row.coverage:.0%}",
                      f"{result.interval_width:.0%}")
    console.print(table)
