"""The `budgetopt` command: a thin shell over the Python API. Errors are one line on stderr with
exit code 2 (bad input) or 1 (plan/solver failure); tracebacks only with --debug."""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import click

from budgetopt.optimizer.cli.exits import run_guarded
from budgetopt.optimizer.cli.folders import deliver, refuse_existing, wrote

SOLVER_CHOICE = click.Choice(["highs", "cbc"])


def demo_scenario_path() -> Path:
    """The bundled demo scenario (installed with the package)."""
    return Path(str(resources.files("budgetopt.scenarios") / "demo.yaml"))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.version_option(package_name="budgetopt")
def cli(debug: bool) -> None:
    """Plan a marketing budget: Prophet forecasts, a 60/40 budget pool, a linear program."""


LANG_CHOICE = click.Choice(["zh", "en"])
LANG_HELP = ("Language of report.html, plan.xlsx, the charts and the table printed here "
             "(default: the scenario's report.language, else the locale's).")
EXCEL_CSV_HELP = "Write the CSV outputs with a UTF-8 byte-order mark, so Excel opens them correctly."


def _run_plan(scenario, out, solver, force, quiet, as_json=False, report=True, lang=None,
              excel_csv=False):
    from budgetopt.optimizer.cli.console import busy, fit_progress, interactive, print_plan
    from budgetopt.optimizer.results.outputs import prepare_output, write_outputs
    from budgetopt.optimizer.results.files import json_text
    from budgetopt.optimizer.results.i18n import words_for
    from budgetopt import plan
    from budgetopt import load_scenario

    started = datetime.now(timezone.utc)
    loaded = load_scenario(scenario)
    if out is not None:
        prepare_output(out, force=force)  # an unwritable --out fails now, not after the fits
    with fit_progress(interactive() and not quiet) as progress:
        result = plan(loaded, solver=solver, progress=progress)
    result.language = lang
    if out is not None:
        with busy(interactive() and not quiet, words_for(result)._("writing the outputs") + (
                words_for(result)._(", report.html and plan.xlsx") if report else "")):
            write_outputs(result, out, force=force, started=started, report=report,
                          excel_csv=True if excel_csv else None)
    if as_json:
        click.echo(json_text(machine_result(result, out)), nl=False)
    elif not quiet:
        print_plan(result)
        if out is not None:
            w = words_for(result)
            click.echo(w._("Wrote {out}").format(out=out) + (w._(" (open {path})").format(
                path=Path(out) / "report.html") if report else ""))
    return result


def machine_result(result, out: Path | None) -> dict:
    """What --json prints: the summary, plus the output directory and its files."""
    files = None
    if out is not None:
        root = Path(out).resolve()
        files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return {**result.summary,
            "outputs": {"dir": str(Path(out).resolve()) if out is not None else None,
                        "files": files}}


JSON_HELP = ("Print the result as JSON on stdout (the summary and where the files went) "
             "instead of the table.")


@cli.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", default=None, type=click.Path(path_type=Path),
              help="Output directory (must not exist unless --force).")
@click.option("--solver", type=SOLVER_CHOICE, default=None, help="Override the scenario's solver.")
@click.option("--force", is_flag=True, help="Replace an existing output directory.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.option("--no-report", is_flag=True,
              help="Skip report.html, plan.xlsx and charts/ (faster for sweeps).")
@click.option("--check", "check", default=None, type=click.Path(path_type=Path),
              help="Re-run the finished run in this directory from its recorded inputs (or "
                   "from SCENARIO) and say whether it reproduces; exit 1 if it does not.")
@click.option("--history", "history", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="With --check: the history file, when it is no longer where the run read it.")
@click.option("--lang", "lang", type=LANG_CHOICE, default=None, help=LANG_HELP)
@click.option("--excel-csv", "excel_csv", is_flag=True, help=EXCEL_CSV_HELP)
def run(scenario: Path | None, out: Path | None, solver: str | None, force: bool, quiet: bool,
        as_json: bool, no_report: bool, check: Path | None, history: Path | None,
        lang: str | None, excel_csv: bool) -> None:
    """Plan SCENARIO and write the outputs (with report.html and plan.xlsx) to --out, or
    re-run a finished run with --check DIR."""
    from budgetopt.errors import InputError

    if check is not None:
        _check_run(check, scenario, history, out, solver, force, quiet)
        return
    if scenario is None or out is None:
        missing = "SCENARIO" if scenario is None else "--out DIR"
        raise InputError("E0401", argument=missing, where="budgetopt run")
    if history is not None:
        raise InputError("E0402", where="budgetopt run")
    _run_plan(scenario, out, solver, force, quiet, as_json, report=not no_report, lang=lang,
              excel_csv=excel_csv)


def _check_run(run_dir, scenario, history, out, solver, force, quiet):
    from budgetopt.errors import PlanError
    from budgetopt.optimizer.cli.console import fit_progress, interactive
    from budgetopt.optimizer.results.outputs import prepare_output, write_outputs
    from budgetopt import check_run

    started = datetime.now(timezone.utc)
    if out is not None:
        prepare_output(out, force=force)
    with fit_progress(interactive() and not quiet) as progress:
        report, result = check_run(run_dir, scenario_path=scenario, history_path=history,
                                   solver=solver, progress=progress)
    if out is not None:
        write_outputs(result, out, force=force, started=started)
    if not quiet or not report.reproduces:
        click.echo("\n".join(report.lines()))
    if not report.reproduces:
        names = [n for n, _ in report.differing] + report.missing
        raise PlanError("E0501", names=", ".join(names), where=str(run_dir))


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", "lang", type=LANG_CHOICE, default=None, help=LANG_HELP)
def validate(scenario: Path, lang: str | None) -> None:
    """Check SCENARIO and its history without planning."""
    from budgetopt import load_inputs
    from budgetopt import load_scenario
    from budgetopt.optimizer.cli.language import command_words

    inputs = load_inputs(load_scenario(scenario))
    w = command_words(lang, scenario)
    period = inputs.scenario.horizon.period
    click.echo(w._("{scenario}: ok — {units} units, {count} {period} periods, history {start} to "
                   "{end}").format(scenario=scenario, units=len(inputs.units),
                                   count=len(inputs.periods), period=w._(period),
                                   start=inputs.history.start.date(),
                                   end=inputs.history.end.date()))


@cli.command()
@click.option("--out", "out", default=None, type=click.Path(path_type=Path),
              help="Also write the outputs to this directory.")
@click.option("--solver", type=SOLVER_CHOICE, default=None, help="Override the demo's solver.")
@click.option("--force", is_flag=True, help="Replace an existing output directory.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.option("--lang", "lang", type=LANG_CHOICE, default=None, help=LANG_HELP)
def demo(out: Path | None, solver: str | None, force: bool, quiet: bool, as_json: bool,
         lang: str | None) -> None:
    """Plan the bundled demo scenario (Q4 with Double 11) and print the plan."""
    _run_plan(demo_scenario_path(), out, solver, force, quiet, as_json, lang=lang)


@cli.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--tolerance", type=click.FloatRange(min=0), default=None,
              help="Exit 1 when any allocation differs from the first run's by more than this "
                   "share of its total spend (0.001 = 0.1%).")
@click.option("--out", "out", default=None, type=click.Path(path_type=Path),
              help="Also write CSV, JSON and Excel to this directory.")
@click.option("--force", is_flag=True, help="Replace an existing output directory.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors and the verdict.")
@click.option("--lang", "lang", type=LANG_CHOICE, default=None, help=LANG_HELP)
def compare(runs: tuple[Path, ...], tolerance: float | None, out: Path | None, force: bool,
            quiet: bool, lang: str | None) -> None:
    """Compare two or more run directories side by side (the first is the base)."""
    from budgetopt import compare as compare_runs
    from budgetopt import comparison_files
    from budgetopt.optimizer.results.outputs import write_directory
    from budgetopt.optimizer.cli.views import print_comparison
    from budgetopt.optimizer.cli.language import command_words

    refuse_existing(out, force)
    w = command_words(lang, runs[0])
    comparison = compare_runs(list(runs))
    comparison.language = w.language
    if not quiet:
        currency = comparison.runs[0].summary.get("scenario", {}).get("currency", "CNY")
        print_comparison(comparison, currency, words=w)
    if out is not None:
        write_directory(comparison_files(comparison, tolerance), out, force=force)
        if not quiet:
            click.echo(wrote(out, w))
    if tolerance is not None and not comparison.within(tolerance):
        big = comparison.largest
        click.echo(w._("compare: allocations differ by up to {amount} ({share} of the base spend; "
                       "{run}: {where}), beyond the tolerance {tolerance}").format(
            amount=f"{big['amount']:,.2f}", share=f"{big['share']:.4%}", run=big["run"],
            where=big["where"], tolerance=f"{tolerance:.4%}"), err=True)
        sys.exit(1)


def study_options(out_help: str, out_required: bool = False):
    """--out, --solver, --force, --quiet and --lang, as every command that plans SCENARIO and
    writes a folder takes them."""
    options = [
        click.option("--out", "out", required=out_required, default=None,
                     type=click.Path(path_type=Path), help=out_help),
        click.option("--solver", type=SOLVER_CHOICE, default=None,
                     help="Override the scenario's solver."),
        click.option("--force", is_flag=True, help="Replace an existing output directory."),
        click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors."),
        click.option("--lang", "lang", type=LANG_CHOICE, default=None, help=LANG_HELP),
    ]

    def apply(command):
        for option in reversed(options):
            command = option(command)
        return command
    return apply


def _study(make, show, out: Path | None, force: bool, quiet: bool, lang: str | None) -> None:
    """Run one study of a scenario (`make(progress)`: frontier, shocks, test values) with the
    fit's progress shown, then print it and write its files."""
    from budgetopt.optimizer.cli.console import fit_progress, interactive
    from budgetopt.optimizer.results.i18n import words_for

    refuse_existing(out, force)
    with fit_progress(interactive() and not quiet) as progress:
        study = make(progress)
    study.language = lang
    deliver(study.files(), out, force, quiet, lambda: show(study), words_for(study))


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "start", type=float, default=0.5, show_default=True,
              help="Smallest budget, as a multiple of the scenario's.")
@click.option("--to", "stop", type=float, default=2.0, show_default=True,
              help="Largest budget, as a multiple of the scenario's.")
@click.option("--steps", type=int, default=16, show_default=True,
              help="Number of budgets (the scenario's own is added when in range).")
@study_options("Write frontier.csv, frontier.json, frontier.png and frontier.xlsx here.")
def frontier(scenario: Path, start: float, stop: float, steps: int, out: Path | None,
             solver: str | None, force: bool, quiet: bool, lang: str | None) -> None:
    """Sweep SCENARIO's budget: predicted return, ROI and marginal ROI against budget."""
    from budgetopt import budget_multiples
    from budgetopt import frontier as sweep
    from budgetopt.optimizer.cli.views import print_frontier

    budget_multiples(start, stop, steps)
    _study(lambda progress: sweep(scenario, start=start, stop=stop, steps=steps, solver=solver,
                                  progress=progress), print_frontier, out, force, quiet, lang)


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@study_options("Write shocks.csv, shock_channels.csv and shocks.json here.")
def shocks(scenario: Path, out: Path | None, solver: str | None, force: bool,
           quiet: bool, lang: str | None) -> None:
    """Stress-test SCENARIO's plan under the shocks listed in the scenario."""
    from budgetopt import stress
    from budgetopt.optimizer.cli.views import print_shocks

    _study(lambda progress: stress(scenario, solver=solver, progress=progress), print_shocks,
           out, force, quiet, lang)


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--units", type=int, default=None,
              help="How many units to value (default: the scenario's report.test_units).")
@study_options("Write test_suggestions.csv and test_suggestions.json here.")
def experiments(scenario: Path, units: int | None, out: Path | None, solver: str | None,
                force: bool, quiet: bool, lang: str | None) -> None:
    """Which lift test to run next: what knowing each unit's curve is worth, and the test."""
    from budgetopt import experiment_value
    from budgetopt.optimizer.cli.views import print_experiments

    if units is not None and units < 1:
        from budgetopt.errors import InputError
        raise InputError("E0906", value=units, where="--units")
    _study(lambda progress: experiment_value(scenario, solver=solver, units=units,
                                             progress=progress),
           print_experiments, out, force, quiet, lang)


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--actuals", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Actual spend and KPI from the day after the history to --as-of "
                   "(the history's format).")
@click.option("--as-of", "as_of", required=True,
              help="Last day of the actuals: the last day of a plan period (YYYY-MM-DD).")
@click.option("--plan", "plan_dir", default=None, type=click.Path(path_type=Path),
              help="The run directory of the original plan (default: re-plan the scenario).")
@study_options("Output directory for the new plan and plan_vs_actual.csv.", out_required=True)
def rebalance(scenario: Path, actuals: Path, as_of: str, plan_dir: Path | None, out: Path,
              solver: str | None, force: bool, quiet: bool, lang: str | None) -> None:
    """Re-optimize the unspent dynamic pool over the remaining periods, fixed money kept."""
    from budgetopt.optimizer.cli.console import fit_progress, interactive
    from budgetopt import rebalance as rebalance_plan
    from budgetopt.optimizer.cli.views import print_rebalance
    from budgetopt.optimizer.results.i18n import words_for

    refuse_existing(out, force)
    with fit_progress(interactive() and not quiet) as progress:
        result = rebalance_plan(scenario, actuals, as_of, plan_dir=plan_dir, solver=solver,
                                progress=progress)
    result.plan.language = lang
    result.write(out, force=force)
    if not quiet:
        print_rebalance(result)
        click.echo(wrote(out, words_for(result.plan)))


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of accuracy and coverage per channel and overall.")
@click.option("--folds", type=click.IntRange(1, 12), default=3, show_default=True,
              help="Rolling origins (holdouts as long as the horizon, ending at history's end).")
@click.option("--detail", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write every holdout period's actual, forecast and interval here.")
@click.option("--force", is_flag=True, help="Replace existing CSV files.")
@click.option("--lang", "lang", type=LANG_CHOICE, default=None, help=LANG_HELP)
def backtest(scenario: Path, out: Path, folds: int, detail: Path | None, force: bool,
             lang: str | None) -> None:
    """Rolling-origin backtest of SCENARIO's forecasts: accuracy (1 − WAPE) and coverage."""
    from budgetopt.optimizer.cli.console import fit_progress, interactive, print_backtest
    from budgetopt.optimizer.results.outputs import write_backtest
    from budgetopt import backtest as run_backtest
    from budgetopt.optimizer.cli.language import command_words

    for path in (out, detail):
        if path is not None and path.exists() and not force:
            from budgetopt.errors import InputError
            raise InputError("E0403", path=str(path), where="--out" if path == out else "--detail")
    with fit_progress(interactive()) as progress:
        result = run_backtest(scenario, folds=folds, progress=progress)
    write_backtest(result, out, detail)
    w = command_words(lang, scenario)
    print_backtest(result, words=w)
    click.echo(wrote(out, w) + (w._(" and {path}").format(path=detail) if detail else ""))


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command, turning errors into one line and an exit code
    (budgetopt.optimizer.cli.exits)."""
    args = list(sys.argv[1:] if argv is None else argv)
    run_guarded(lambda: cli.main(args=args, prog_name="budgetopt", standalone_mode=False), args)


if __name__ == "__main__":
    main()
