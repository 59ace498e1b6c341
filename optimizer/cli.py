"""The `budgetopt` command: a thin shell over the Python API. Errors are one line on stderr with
exit code 2 (bad input) or 1 (plan/solver failure); tracebacks only with --debug."""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import click

from budgetopt.errors import BudgetoptError

SOLVER_CHOICE = click.Choice(["highs", "cbc"])


def demo_scenario_path() -> Path:
    """The bundled demo scenario (installed with the package)."""
    return Path(str(resources.files("scenarios") / "demo.yaml"))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.version_option(package_name="budgetopt")
def cli(debug: bool) -> None:
    """Plan a marketing budget: Prophet forecasts, a 60/40 budget pool, a linear program."""


def _run_plan(scenario, out, solver, force, quiet):
    from optimizer.console import fit_progress, interactive, print_plan
    from optimizer.outputs import write_outputs
    from optimizer.pipeline import plan
    from optimizer.scenario import load_scenario

    started = datetime.now(timezone.utc)
    loaded = load_scenario(scenario)
    if out is not None and Path(out).exists() and not force:
        from budgetopt.errors import InputError
        raise InputError(f"output directory {out} already exists", where="--out",
                         fix="choose another --out, or add --force to replace it")
    with fit_progress(interactive() and not quiet) as progress:
        result = plan(loaded, solver=solver, progress=progress)
    if out is not None:
        write_outputs(result, out, force=force, started=started)
    if not quiet:
        print_plan(result)
        if out is not None:
            click.echo(f"Wrote {out}")
    return result


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Output directory (must not exist unless --force).")
@click.option("--solver", type=SOLVER_CHOICE, default=None, help="Override the scenario's solver.")
@click.option("--force", is_flag=True, help="Replace an existing output directory.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def run(scenario: Path, out: Path, solver: str | None, force: bool, quiet: bool) -> None:
    """Plan SCENARIO and write the outputs to --out."""
    _run_plan(scenario, out, solver, force, quiet)


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
def validate(scenario: Path) -> None:
    """Check SCENARIO and its history without planning."""
    from optimizer.inputs import load_inputs
    from optimizer.scenario import load_scenario

    inputs = load_inputs(load_scenario(scenario))
    click.echo(f"{scenario}: ok — {len(inputs.units)} units, {len(inputs.periods)} "
               f"{inputs.scenario.horizon.period} periods, history "
               f"{inputs.history.start.date()} to {inputs.history.end.date()}")


@cli.command()
@click.option("--out", "out", default=None, type=click.Path(path_type=Path),
              help="Also write the outputs to this directory.")
@click.option("--solver", type=SOLVER_CHOICE, default=None, help="Override the demo's solver.")
@click.option("--force", is_flag=True, help="Replace an existing output directory.")
def demo(out: Path | None, solver: str | None, force: bool) -> None:
    """Plan the bundled demo scenario (Q4 with Double 11) and print the plan."""
    _run_plan(demo_scenario_path(), out, solver, force, quiet=False)


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of accuracy and coverage per channel and overall.")
@click.option("--folds", type=click.IntRange(1, 12), default=3, show_default=True,
              help="Rolling origins (holdouts as long as the horizon, ending at history's end).")
@click.option("--detail", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write every holdout period's actual, forecast and interval here.")
@click.option("--force", is_flag=True, help="Replace existing CSV files.")
def backtest(scenario: Path, out: Path, folds: int, detail: Path | None, force: bool) -> None:
    """Rolling-origin backtest of SCENARIO's forecasts: accuracy (1 − WAPE) and coverage."""
    from optimizer.console import fit_progress, interactive, print_backtest
    from optimizer.outputs import write_backtest
    from optimizer.pipeline import backtest as run_backtest

    for path in (out, detail):
        if path is not None and path.exists() and not force:
            from budgetopt.errors import InputError
            raise InputError(f"{path} already exists", where="--out" if path == out else "--detail",
                             fix="choose another file, or add --force to replace it")
    with fit_progress(interactive()) as progress:
        result = run_backtest(scenario, folds=folds, progress=progress)
    write_backtest(result, out, detail)
    print_backtest(result)
    click.echo(f"Wrote {out}" + (f" and {detail}" if detail else ""))


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command, turning errors into one line and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="budgetopt", standalone_mode=False)
    except BudgetoptError as exc:
        if debug:
            raise
        click.echo(f"error: {exc.line()}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()} (see budgetopt --help)", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("error: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if debug:
            raise
        click.echo(f"error: internal error {type(exc).__name__}: {exc} "
                   "(rerun with --debug for the traceback)", err=True)
        sys.exit(1)
    sys.exit(0)


if __name__ == "__main__":
    main()
