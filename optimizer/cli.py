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
    from optimizer.outputs import prepare_output, write_outputs
    from optimizer.pipeline import plan
    from optimizer.scenario import load_scenario

    started = datetime.now(timezone.utc)
    loaded = load_scenario(scenario)
    if out is not None:
        prepare_output(out, force=force)  # an unwritable --out fails now, not after the fits
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
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", default=None, type=click.Path(path_type=Path),
              help="Output directory (must not exist unless --force).")
@click.option("--solver", type=SOLVER_CHOICE, default=None, help="Override the scenario's solver.")
@click.option("--force", is_flag=True, help="Replace an existing output directory.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--check", "check", default=None, type=click.Path(path_type=Path),
              help="Re-run the finished run in this directory from its recorded inputs (or "
                   "from SCENARIO) and say whether it reproduces; exit 1 if it does not.")
@click.option("--history", "history", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="With --check: the history file, when it is no longer where the run read it.")
def run(scenario: Path | None, out: Path | None, solver: str | None, force: bool, quiet: bool,
        check: Path | None, history: Path | None) -> None:
    """Plan SCENARIO and write the outputs to --out (or re-run a run with --check DIR)."""
    from budgetopt.errors import InputError

    if check is not None:
        _check_run(check, scenario, history, out, solver, force, quiet)
        return
    if scenario is None or out is None:
        missing = "SCENARIO" if scenario is None else "--out DIR"
        raise InputError(f"missing {missing}", where="budgetopt run",
                         fix="budgetopt run SCENARIO --out DIR, or budgetopt run --check DIR")
    if history is not None:
        raise InputError("--history is only read with --check", where="budgetopt run",
                         fix="name the history in the scenario file ('history:')")
    _run_plan(scenario, out, solver, force, quiet)


def _check_run(run_dir, scenario, history, out, solver, force, quiet):
    from budgetopt.errors import PlanError
    from optimizer.console import fit_progress, interactive
    from optimizer.outputs import prepare_output, write_outputs
    from optimizer.reproduce import check_run

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
        raise PlanError(f"the rerun differs in {', '.join(names)}", where=str(run_dir),
                        fix="see the notes above; changed package versions, inputs or solver "
                            "explain most differences")


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
