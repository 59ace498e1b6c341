"""How a command ends: an error as one line on stderr in the planner's language with exit code
2 (bad input) or 1 (plan/solver failure), SIGINT/SIGTERM as one line with 130/143, a bug as
`error: internal error …` with 1; tracebacks only with --debug. The workers of parallel fits
are stopped however the command ends."""
from __future__ import annotations

import signal
import sys
import threading
from typing import Callable

import click

from budgetopt.errors import BudgetoptError


def _error_line(exc: BudgetoptError, args: list[str]) -> str:
    """`error: … [E0201]` in the command's language (--lang, the scenario's, the locale's)."""
    try:
        from budgetopt.optimizer.cli.language import words_of_arguments
        words = words_of_arguments(args)
    except Exception:  # noqa: BLE001 - the error itself matters more than its language
        return f"error: {exc.line()}"
    return words._("error: ") + words.error_line(exc)


def stop_workers(*, kill: bool = False) -> None:
    """Stop the worker processes parallel fits started: joblib keeps its pool (loky) alive for
    minutes after the last fit, to reuse it, but a command that is done must not leave workers
    behind, whether it succeeded, failed or was interrupted. Idle workers are asked to exit
    (killing them races the pool's resource tracker, which then warns on stderr); `kill` is for
    a signal that arrived mid-fit, when they may be busy. (The tracker ends with this process.)"""
    pool = sys.modules.get("joblib.externals.loky.reusable_executor")
    executor = getattr(pool, "_executor", None)
    if executor is None:
        return
    try:
        executor.shutdown(wait=True, kill_workers=kill)
    except Exception:  # noqa: BLE001 - interrupted while the pool was starting: end its processes
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            process.kill()
            process.join(timeout=5)


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived. Raised where the program is, it unwinds like an error: a
    partial output folder is removed, the workers are stopped, and the exit is one line."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum, frame) -> None:
    signal.signal(signum, signal.SIG_IGN)   # a second signal must not break the cleanup
    raise Interrupted(signum)


def run_guarded(invoke: Callable[[], object], args: list[str]) -> None:
    """Run `invoke` (the command line `args`, already parsed by click inside it), turning
    errors and signals into one line and an exit code; always exits."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {s: signal.signal(s, _interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
    interrupted = False
    try:
        _guarded(invoke, args)
    except SystemExit as exc:
        interrupted = exc.code in (128 + signal.SIGINT, 128 + signal.SIGTERM, 130)
        raise
    finally:
        stop_workers(kill=interrupted)
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _guarded(invoke: Callable[[], object], args: list[str]) -> None:
    debug = "--debug" in args
    try:
        invoke()
    except BudgetoptError as exc:
        if debug:
            raise
        click.echo(_error_line(exc, args), err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()} (see budgetopt --help)", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("error: interrupted", err=True)
        sys.exit(130)
    except Interrupted as exc:
        name = signal.Signals(exc.signum).name
        click.echo(f"error: interrupted by {name}; no output was written (an output folder "
                   "is written completely or not at all)", err=True)
        sys.exit(128 + exc.signum)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if debug:
            raise
        click.echo(f"error: internal error {type(exc).__name__}: {exc} "
                   "(rerun with --debug for the traceback)", err=True)
        sys.exit(1)
    sys.exit(0)
