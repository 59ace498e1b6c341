"""The commands' output folders: refused before any work when `--out` exists (without
`--force`) or cannot be written, then written whole (budgetopt.optimizer.results.outputs),
and the "Wrote …" line in the command's language."""
from __future__ import annotations

from pathlib import Path

import click


def refuse_existing(out: Path | None, force: bool) -> None:
    """Fail before any work when --out exists (without --force) or cannot be written."""
    from budgetopt.optimizer.results.outputs import prepare_output

    if out is not None:
        prepare_output(out, force=force)  # an unwritable --out fails now, not after the fits


def deliver(files: dict[str, bytes], out: Path | None, force: bool, quiet: bool,
            show, words=None) -> None:
    """Write a command's files (when --out is given), then show its view unless --quiet."""
    from budgetopt.optimizer.results.outputs import write_directory

    if out is not None:
        write_directory(files, out, force=force)
    if not quiet:
        show()
        if out is not None:
            click.echo(wrote(out, words))


def wrote(out, words=None) -> str:
    """`Wrote OUT`, in the words' language (English without them)."""
    return (words._("Wrote {out}") if words is not None else "Wrote {out}").format(out=out)
