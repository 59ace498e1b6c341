"""CSV text of a tidied table, byte for byte what pandas' `to_csv` writes, made column-wise with
Arrow's string kernels: a plan's plausible curves run to tens of millions of rows, and pandas
formats every float through Python objects.

Floats are already rounded to a fixed number of decimals (`files.tidy_frame`); between 10⁻⁴ and
2⁵³ ÷ 10ᵈ⁺¹ such a float's shortest text (what pandas writes) is its integer part, a point and
the decimals without trailing zeros ("0.0" for none). A table with anything else — extension
dtypes, larger or tinier floats, infinities — is left to pandas.
"""
from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def csv_text_fast(frame: pd.DataFrame, decimals: dict[str, int], header: bool = True
                  ) -> str | None:
    """The CSV text pandas would write for `frame` (`index=False`, `\\n` endings), or None
    when a column is of a kind this does not format (the caller then uses pandas).
    `decimals`: each float column's rounding."""
    if len(frame) == 0 or len(frame.columns) < 2:     # pandas quotes a lone empty cell
        return None
    columns = []
    for name in frame.columns:
        text = _column_text(frame[name], decimals.get(name))
        if text is None:
            return None
        columns.append(text)
    lines = pc.binary_join_element_wise(*columns, ",", null_handling="replace",
                                        null_replacement="")
    ends = pa.array(np.full(len(frame), "\n"), pa.string())
    body = _concat(pc.binary_join_element_wise(lines, ends, ""))
    return (_row([str(c) for c in frame.columns]) if header else "") + body


def _concat(strings: pa.Array) -> str:
    """The strings of an Arrow string array, one after another, without a copy per string."""
    strings = strings.cast(pa.large_string()) if strings.type != pa.large_string() else strings
    offsets = np.frombuffer(strings.buffers()[1], np.int64)[strings.offset:
                                                            strings.offset + len(strings) + 1]
    data = strings.buffers()[2]
    return data.to_pybytes()[offsets[0]:offsets[-1]].decode("utf-8")


def _row(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


def _column_text(series: pd.Series, digits: int | None) -> pa.Array | None:
    if not isinstance(series.dtype, np.dtype):         # nullable and extension types
        return None
    kind = series.dtype.kind
    if kind in "iu":
        return pc.cast(pa.array(series.to_numpy()), pa.string())
    if kind == "f" and digits is not None:
        return _float_text(series.to_numpy(np.float64), digits)
    if kind == "b":
        return pa.array(np.where(series.to_numpy(), "True", "False"), pa.string())
    if kind == "O" or pd.api.types.is_string_dtype(series):
        return _text_column(series)
    return None


def _float_text(values: np.ndarray, digits: int) -> pa.Array | None:
    finite = np.isfinite(values)
    if np.isinf(values).any():
        return None
    size = np.abs(values[finite])
    if (size >= 2.0 ** 53 / 10.0 ** (digits + 1)).any() or ((size > 0) & (size < 1e-4)).any():
        return None                  # beyond the fixed decimals, or written as 1e-05
    scale = 10 ** digits
    scaled = np.rint(np.where(finite, values, 0.0) * scale).astype(np.int64)
    negative = scaled < 0
    whole, part = np.divmod(np.abs(scaled), scale)
    fractions = pa.array([_fraction(p, digits) for p in range(scale)], pa.string()) \
        if digits <= 3 else None
    if fractions is None:
        fraction = pa.array([_fraction(int(p), digits) for p in part], pa.string())
    else:
        fraction = pc.take(fractions, pa.array(part))
    sign = pa.array(np.where(negative, "-", ""), pa.string())
    text = pc.binary_join_element_wise(sign, pc.cast(pa.array(whole), pa.string()), "")
    text = pc.binary_join_element_wise(text, fraction, ".")
    return pc.if_else(pa.array(finite), text, pa.scalar(None, pa.string()))


def _fraction(part: int, digits: int) -> str:
    return (f"{part:0{digits}d}".rstrip("0") or "0") if digits else "0"


def _text_column(series: pd.Series) -> pa.Array:
    """Each distinct text quoted as the csv module quotes it (only when it must be), once."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    cells = []
    for value in uniques:
        cells.append("" if value == "" else _row([value])[:-1])   # a lone "" is quoted
    table = pa.array(cells + [None], pa.string())
    return pc.take(table, pa.array(np.where(codes < 0, len(cells), codes)))
