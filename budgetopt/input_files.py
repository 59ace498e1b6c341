"""Opening the files a planner names (scenarios, histories, run records): each must be a regular
file — a device, pipe or socket behind a path or a symlink reports no size and never ends — and
is read with a hard byte limit, whatever size it claims. Problems are one-line `InputError`s."""
from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from budgetopt.errors import InputError

_KINDS = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))


def size_text(n: int) -> str:
    """Bytes in planner units: 512 bytes, 1.5 KB, 2.0 GB."""
    if n < 1024:
        return f"{n} bytes"
    power = 1
    while power < 3 and n >= 1024 ** (power + 1):
        power += 1
    return f"{n / 1024**power:.1f} {('KB', 'MB', 'GB')[power - 1]}"


def _kind(mode: int) -> str:
    return next((word for test, word in _KINDS if test(mode)), "not a regular file")


@contextmanager
def open_regular(path: str | Path, *, where: str, what: str, limit: int,
                 fix_large: str) -> Iterator[tuple[BinaryIO, int]]:
    """The open file and its size, after checking — on the opened file itself, so nothing can
    be swapped in between — that it is a regular file of at most `limit` bytes."""
    try:
        # O_NONBLOCK: opening a pipe must not wait for a writer; it is refused just below
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise InputError(f"is a directory, not a regular {what}", where=where,
                         fix=f"point to the {what} itself, saved on disk") from None
    except FileNotFoundError:
        raise InputError(f"{what} not found (looked for {Path(path).absolute()})", where=where,
                         fix="check the path") from None
    except OSError as err:
        raise InputError(f"cannot be read ({err.strerror or err})", where=where,
                         fix="check the file's permissions and that it is not locked") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = _kind(info.st_mode)
        if os.path.islink(path):
            kind = f"a link to {kind} ({os.path.realpath(path)})"
        raise InputError(f"is {kind}, not a regular {what}", where=where,
                         fix=f"point to the {what} itself, saved on disk")
    with os.fdopen(fd, "rb") as f:
        if info.st_size > limit:
            raise InputError(f"file is {size_text(info.st_size)}, over the {size_text(limit)} "
                             "limit", where=where, fix=fix_large)
        yield f, info.st_size


def read_regular(path: str | Path, *, where: str, what: str, limit: int,
                 fix_large: str) -> bytes:
    """A regular file's bytes, never more than `limit` of them (a file that grows past the
    limit while it is read is refused too)."""
    with open_regular(path, where=where, what=what, limit=limit, fix_large=fix_large) as (f, _):
        try:
            data = f.read(limit + 1)
        except OSError as err:
            raise InputError(f"cannot be read ({err.strerror or err})", where=where,
                             fix="check the file's permissions and that it is not locked") from None
    if len(data) > limit:
        raise InputError(f"file is over the {size_text(limit)} limit", where=where, fix=fix_large)
    return data
