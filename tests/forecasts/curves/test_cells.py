"""One frame from many cells is the frame that concatenating one frame per cell gives: the same
rows in the same order, the same columns and dtypes (markets absent or named)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from budgetopt.forecasts.curves.cells import Cells


def _cells(market):
    rng = np.random.default_rng(3)
    out = []
    for unit in ("search", "live"):
        for period in (1, 2, 3):
            spend = np.sort(rng.uniform(0, 100, 4 + period))
            out.append(dict(unit=unit, channel=unit, market=market, period=period, spend=spend,
                            incremental_kpi=np.sqrt(spend) * period))
    return out


def test_one_frame_equals_the_concatenated_cell_frames():
    for market in (None, "m01"):
        cells = Cells()
        frames = []
        for cell in _cells(market):
            cells.add(len(cell["spend"]), **cell)
            frames.append(pd.DataFrame(cell))
        pd.testing.assert_frame_equal(cells.frame(), pd.concat(frames, ignore_index=True))


def test_candidate_cells_are_candidate_major():
    cells = Cells()
    x = np.array([0.0, 1.0, 2.0])
    cells.add_candidates("search", 2, [4, 7], x, np.array([[0.0, 1.0, 1.5], [0.0, 2.0, 3.0]]))
    frame = cells.frame()
    assert frame["candidate"].tolist() == [4, 4, 4, 7, 7, 7]
    assert frame["spend"].tolist() == [0.0, 1.0, 2.0] * 2
    assert frame["incremental_kpi"].tolist() == [0.0, 1.0, 1.5, 0.0, 2.0, 3.0]
    assert frame["period"].dtype == np.int64 and set(frame["unit"]) == {"search"}
