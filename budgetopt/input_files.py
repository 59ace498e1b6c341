"""Opening the files a planner names (scenarios, histories, run records): each must be a regular
file — a device, pipe or socket behind a path or a symlink reports no size and never ends — and
is read with a hard byte limit, whatever size it claims. Problems are one-line `InputError`s
whose codes depend on the file: the scenario (E01xx), the history (E02xx) or a file of a run
directory (E05xx), named by `what`."""
from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from budgetopt.errors import InputError
from budgetopt.messages import Msg, N_

_KINDS = ((stat.S_ISCHR, N_("a character device")), (stat.S_ISBLK, N_("a block device")),
          (stat.S_ISFIFO, N_("a pipe")), (stat.S_ISSOCK, N_("a socket")),
          (stat.S_ISDIR, N_("a directory")))

SCENARIO, HISTORY = "scenario file", "history file"


def size_text(n: int) -> str:
    """Bytes in planner units: 512 bytes, 1.5 KB, 2.0 GB."""
    if n < 1024:
        return f"{n} bytes"
    power = 1
    while power < 3 and n >= 1024 ** (power + 1):
        power += 1
    return f"{n / 1024**power:.1f} {('KB', 'MB', 'GB')[power - 1]}"


def _kind(mode: int) -> str:
    return next((word for test, word in _KINDS if test(mode)), N_("another kind of file"))


# Each problem's code by the file it is about (`what`): the scenario (E01xx), the history
# (E02xx), else a file of a run directory, which the message names (E05xx).

def _not_found(what: str, path, where: str) -> InputError:
    return InputError("E0101" if what == SCENARIO else "E0201" if what == HISTORY else "E0513",
                      path=str(Path(path).absolute()), name=what, where=where)


def _unreadable(what: str, path, err: OSError, where: str) -> InputError:
    workbook = what == HISTORY and Path(path).suffix.lower() == ".xlsx"   # often open in Excel
    return InputError("E0102" if what == SCENARIO else "E0212" if workbook else
                      "E0206" if what == HISTORY else "E0512",
                      reason=str(err.strerror or err), name=what, where=where)


def _not_regular(what: str, kind: str, where: str) -> InputError:
    return InputError("E0116" if what == SCENARIO else "E0223" if what == HISTORY else "E0510",
                      kind=kind, name=what, where=where)


def _too_large(what: str, size: str, limit: int, where: str) -> InputError:
    return InputError("E0117" if what == SCENARIO else "E0204" if what == HISTORY else "E0511",
                      size=size, limit=size_text(limit), name=what, where=where)


@contextmanager
def open_regular(path: str | Path, *, where: str, what: str, limit: int,
                 fix_large: str | None = None) -> Iterator[tuple[BinaryIO, int]]:
    """The open file and its size, after checking — on the opened file itself, so nothing can
    be swapped in between — that it is a regular file of at most `limit` bytes. `what` is
    "scenario file", "history file" or a run directory's file name; it picks the error codes,
    whose fixes say what to do (`fix_large` is no longer read: the codes carry the fix)."""
    try:
        # O_NONBLOCK: opening a pipe must not wait for a writer; it is refused just below
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise _not_regular(what, Msg.word(N_("a directory")), where) from None
    except FileNotFoundError:
        raise _not_found(what, path, where) from None
    except OSError as err:
        raise _unreadable(what, path, err, where) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = Msg.word(_kind(info.st_mode))
        if os.path.islink(path):
            kind = Msg(N_("a link to {kind} ({target})"), kind=kind,
                       target=os.path.realpath(path))
        raise _not_regular(what, kind, where)
    with os.fdopen(fd, "rb") as f:
        if info.st_size > limit:
            raise _too_large(what, size_text(info.st_size), limit, where)
        yield f, info.st_size


def read_regular(path: str | Path, *, where: str, what: str, limit: int,
                 fix_large: str | None = None) -> bytes:
    """A regular file's bytes, never more than `limit` of them (a file that grows past the
    limit while it is read is refused too)."""
    with open_regular(path, where=where, what=what, limit=limit, fix_large=fix_large) as (f, _):
        try:
            data = f.read(limit + 1)
        except OSError as err:
            raise _unreadable(what, path, err, where) from None
    if len(data) > limit:       # it grew while it was read
        raise _too_large(what, Msg(N_("more than {limit}"), limit=size_text(limit)), limit,
                         where)
    return data
