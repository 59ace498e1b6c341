"""Tables of many small cells (a unit × period's breakpoints, a cell's candidate curves) made
as one frame: thousands of small frames cost pandas more time than the numbers in them."""
from __future__ import annotations

import numpy as np
import pandas as pd


class Cells:
    """One table's cells gathered as arrays and made into one frame at the end; each cell
    gives scalars (repeated over its rows) and row arrays."""

    def __init__(self):
        self.lengths: list[int] = []
        self.columns: dict[str, list] = {}

    def add(self, rows: int, **values) -> None:
        if not self.columns:
            self.columns = {name: [] for name in values}
        self.lengths.append(rows)
        for name, value in values.items():
            self.columns[name].append(value)

    def add_candidates(self, key, period, candidates, x, y, column: str = "candidate") -> None:
        """One unit × period's curves, one per candidate (or sample: `column`), on spend `x`
        (rows: candidate-major, then spend)."""
        k = len(x)
        self.add(k * len(candidates), unit=key, period=int(period),
                 **{column: np.repeat(np.asarray(candidates, np.int64), k)},
                 spend=np.tile(x, len(candidates)),
                 incremental_kpi=np.asarray(y, float).ravel())

    def frame(self) -> pd.DataFrame:
        out = {}
        for name, parts in self.columns.items():
            if np.ndim(parts[0]) == 0:       # one value per cell, over its rows
                out[name] = np.repeat(np.array(parts, dtype=object if isinstance(
                    parts[0], str) or parts[0] is None else None), self.lengths)
            else:
                out[name] = np.concatenate(parts)
        return pd.DataFrame(out)
