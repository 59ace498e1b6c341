"""Read a history file's bytes into a raw frame: CSV (plain or gzipped) or Parquet, with the
size and memory checks that come before parsing. Problems are one-line `InputError`s."""
from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from budgetopt.errors import InputError
from budgetopt.messages import Msg, N_
from budgetopt.input_files import open_regular, read_regular, size_text  # noqa: F401


MAX_HISTORY_BYTES = 2 * 1024**3


#: (the fix of E0204, kept for callers that still pass one)
TOO_LARGE_FIX = "split the history into smaller files (fewer years or units) or aggregate days to weeks"


#: Reading and checking a history takes about this many bytes of memory per byte of text
#: (measured: a 36 MB CSV of 1.1 million rows peaks about 240 MB above the loaded libraries).
MEMORY_PER_BYTE = 8


def available_memory() -> int | None:
    """Bytes of memory the system can still give (Linux MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _opened(p: Path, source: str):
    """The history opened as a regular file within the size limit (`open_regular`)."""
    return open_regular(p, where=source, what="history file", limit=MAX_HISTORY_BYTES)


def _read(p: Path, source: str) -> bytes:
    """A history's bytes: a regular file, read with the hard size limit."""
    return read_regular(p, where=source, what="history file", limit=MAX_HISTORY_BYTES)


def check_size(p: Path, source: str) -> None:
    """Refuse, before reading, what is not a regular file, a file over the size limit, or one
    too large for the memory this machine has free."""
    with _opened(p, source) as (_, size):
        check_memory(size, source)


def check_memory(n_bytes: int, source: str) -> None:
    """Refuse up front a history this machine cannot hold, instead of dying out of memory."""
    need, free = n_bytes * MEMORY_PER_BYTE, available_memory()
    if free is not None and need > free:
        raise InputError("E0205", size=size_text(n_bytes), need=size_text(need),
                         free=size_text(free), where=source)


def index_to_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Named index levels (e.g. a date index) become columns; rows are renumbered 0..n-1."""
    if any(n is not None for n in frame.index.names):
        frame = frame.reset_index()
    return frame.reset_index(drop=True)


def read_csv(p: Path, source: str, gz: bool,
             encoding: str | None = None) -> tuple[pd.DataFrame, str]:
    """The CSV as text columns (index = data-row position) and the sha256 of the file bytes.
    `encoding` is one of ENCODINGS, or None to detect it (see `decode_text`)."""
    raw = _read(p, source)
    digest = hashlib.sha256(raw).hexdigest()
    data = raw
    if gz:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as f:
                data = f.read(MAX_HISTORY_BYTES + 1)
        except (OSError, EOFError) as err:
            raise InputError("E0207", reason=str(err), where=source) from None
        if len(data) > MAX_HISTORY_BYTES:
            raise InputError("E0208", limit=size_text(MAX_HISTORY_BYTES), where=source)
        check_memory(len(data), source)
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise InputError("E0209", where=source)
    data = decode_text(data, source, encoding).encode("utf-8")
    try:
        header = next(csv.reader([data.split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")]), [])
    except csv.Error as err:
        raise _malformed(str(err), source) from None
    _check_header(header, source)
    try:
        # header=None: the header line sets the number of fields, so a data row with one
        # more field is an error rather than silently becoming a row label (pandas' implicit
        # index), which would shift every column of that file by one.
        frame = pd.read_csv(io.BytesIO(data), header=None, dtype=str, keep_default_na=False,
                            na_filter=False, skip_blank_lines=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise InputError("E0209", where=source) from None
    except (pd.errors.ParserError, ValueError) as err:
        raise _malformed(str(err), source) from None
    names = frame.iloc[0].tolist()
    if not any(str(n).strip() for n in names):
        raise InputError("E0210", where=source)
    frame = frame.iloc[1:].set_axis(names, axis=1).reset_index(drop=True)
    blank = (frame == "").all(axis=1)
    return frame[~blank], digest


#: Encodings a history CSV may be read in (`history_encoding`); gbk files are read as gb18030,
#: its superset, so characters outside GBK written by newer Excel versions still read.
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk")


def decode_text(data: bytes, source: str, encoding: str | None = None) -> str:
    """The file's text. With no encoding given it is detected safely: a UTF-8 byte-order mark
    means UTF-8; text that is valid UTF-8 is UTF-8; otherwise GB18030 (what Chinese Excel
    writes) only if the whole file decodes as GB18030. Undecodable bytes are an error naming
    the line."""
    if encoding is not None:
        codec = {"utf-8": "utf-8-sig", "gbk": "gb18030"}.get(encoding, encoding)
        if codec == "gb18030":
            _check_not_utf8(data, source, encoding)
        try:
            return data.decode(codec)
        except UnicodeDecodeError as err:
            raise _undecodable(data, err, source, encoding) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise _undecodable(data, err, source, Msg.word(N_(
                "utf-8 (it starts with a UTF-8 byte-order mark)"))) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_err:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise _undecodable(data, utf8_err, source,
                               Msg.word(N_("utf-8 or gb18030"))) from None


def _check_not_utf8(data: bytes, source: str, declared: str) -> None:
    """A file declared GB18030/GBK that is UTF-8 (a byte-order mark, or non-ASCII text that is
    valid UTF-8) would be read as mojibake (`锘縟ate` for a BOM): refuse it, naming UTF-8."""
    bom = data.startswith(codecs.BOM_UTF8)
    first = next((i for i, b in enumerate(data) if b >= 0x80), None)
    if first is None:
        return
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return
    shown = _line_as_gb18030(data, first)
    line = data.count(b"\n", 0, first) + 1
    raise InputError("E0225" if bom else "E0226", declared=declared, shown=repr(shown.strip()),
                     where=Msg("{file} line {line}", file=source, line=line))


def _line_as_gb18030(data: bytes, pos: int) -> str:
    """The start of the line holding byte `pos`, read as GB18030 (what a mix-up shows)."""
    start = data.rfind(b"\n", 0, pos) + 1
    end = data.find(b"\n", pos)
    return data[start:end if end >= 0 else len(data)].decode("gb18030", "replace")[:24]


def _undecodable(data: bytes, err: UnicodeDecodeError, source: str, tried: str) -> InputError:
    line = data.count(b"\n", 0, err.start) + 1
    byte, where = f"{data[err.start]:02x}", Msg("{file} line {line}", file=source, line=line)
    if tried in ("utf-8", "utf-8-sig"):
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:   # the likely mix-up: a GBK file read as UTF-8; show the line as GB18030
            shown = _line_as_gb18030(data, err.start)
            return InputError("E0224", byte=byte, tried=tried, shown=repr(shown.strip()),
                              where=where)
    return InputError("E0211", byte=byte, tried=tried, where=where)


def read_xlsx(p: Path, source: str) -> tuple[pd.DataFrame, str]:
    """The first sheet of an Excel workbook as a frame (header in row 1) and the sha256 of the
    file bytes. Cells keep their types: dates as dates, numbers as numbers, text as text."""
    raw = _read(p, source)
    try:
        frame = pd.read_excel(io.BytesIO(raw), sheet_name=0, engine="openpyxl")
    except ValueError as err:
        raise InputError("E0213", reason=" ".join(str(err).split()), where=source) from None
    except Exception as err:  # openpyxl raises zipfile/KeyError/etc. for broken files
        raise InputError("E0213", reason=type(err).__name__, where=source) from None
    if any(str(c).startswith("Unnamed: ") for c in frame.columns):
        i = next(i for i, c in enumerate(frame.columns, 1) if str(c).startswith("Unnamed: "))
        raise InputError("E0214", number=i, where=Msg("{file} row 1 (header)", file=source))
    frame = frame.dropna(how="all").reset_index(drop=True)
    return frame, hashlib.sha256(raw).hexdigest()


def _check_header(header: list[str], source: str) -> None:
    where = Msg("{file} line 1 (header)", file=source)
    for i, name in enumerate(header, 1):
        if not name.strip():
            raise InputError("E0215", number=i, where=where)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputError("E0216", name=repr(name), where=where)
        seen.add(name)


def _malformed(message: str, source: str) -> InputError:
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if fields:
        want, line, got = fields.groups()
        return InputError("E0217", got=got, want=want,
                          where=Msg("{file} line {line}", file=source, line=line))
    quote = re.search(r"EOF inside string starting at row (\d+)", message)
    if quote:
        return InputError("E0218", where=Msg("{file} line {line}", file=source,
                                             line=int(quote[1]) + 1))
    return InputError("E0219", reason=" ".join(message.split()), where=source)


def read_parquet(p: Path, source: str) -> tuple[pd.DataFrame, str]:
    """The Parquet table as a frame and the sha256 of the file bytes."""
    with _opened(p, source) as (f, _):
        return _read_parquet(f, source)


def _read_parquet(f, source: str) -> tuple[pd.DataFrame, str]:
    try:
        pf = pq.ParquetFile(f)
        unpacked = sum(pf.metadata.row_group(i).total_byte_size
                       for i in range(pf.metadata.num_row_groups))
        if unpacked > MAX_HISTORY_BYTES:
            raise InputError("E0220", size=size_text(unpacked),
                             limit=size_text(MAX_HISTORY_BYTES), where=source)
        check_memory(unpacked, source)
        frame = pf.read().to_pandas(date_as_object=False)
    except (pa.ArrowException, OSError) as err:
        raise InputError("E0221", reason=" ".join(str(err).split()), where=source) from None
    digest = hashlib.sha256()
    f.seek(0)
    for chunk in iter(lambda: f.read(1 << 20), b""):
        digest.update(chunk)
    return index_to_columns(frame), digest.hexdigest()
