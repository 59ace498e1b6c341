"""A unit's curves travel from a backend task as JSON text and come back unchanged: every
array to the bit, every worded warning still a message the catalogs can word."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from budgetopt.datasets import make_world
from budgetopt.forecasts.curves.build import _fit_unit_curves
from budgetopt.forecasts.curves.wire import unit_from_text, unit_to_text
from budgetopt.forecasts.history.calendar import holiday_frame
from budgetopt.forecasts.history.periods import make_periods
from budgetopt.forecasts.models.fit import FitSettings
from budgetopt.messages import Msg


def test_a_units_curves_travel_as_json_text_unchanged():
    world = make_world(["kol"], "2024-01-01", "2024-12-31", seed=2, markets=["east"])
    frame = world.history[["date", "revenue", "spend"]].reset_index(drop=True)
    frame.loc[frame.index % 7 == 0, "spend"] = frame["spend"].mean()   # a hardly-varying hint
    holidays = holiday_frame(pd.Timestamp("2024-01-01").date(), pd.Timestamp("2025-06-30").date())
    periods = make_periods(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31"),
                           "month")
    curves, warnings = _fit_unit_curves(("kol", "east"), frame, "revenue", holidays,
                                        set(pd.date_range("2024-11-01", "2024-11-13")), 1,
                                        FitSettings(), periods)
    warnings = warnings + [Msg("{unit}: {why}, so …", unit="kol/east",
                               why=Msg("{a} and {b}", a="x", b="y"))]
    text = unit_to_text((curves, warnings))
    back, back_warnings = unit_from_text(text)
    assert unit_to_text((back, back_warnings)) == text
    for f in dataclasses.fields(curves):
        mine, theirs = getattr(curves, f.name), getattr(back, f.name)
        if isinstance(mine, np.ndarray):
            assert mine.dtype == theirs.dtype and mine.tobytes() == theirs.tobytes(), f.name
            assert not theirs.flags.writeable
        elif f.name == "baselines":
            assert len(mine) == len(theirs) == len(periods)
            for a, b in zip(mine, theirs):
                assert (a.point, a.lift, a.inflation) == (b.point, b.lift, b.inflation)
                assert a.draws.tobytes() == b.draws.tobytes()
                assert a.lift_draws.tobytes() == b.lift_draws.tobytes()
        elif f.name == "notes":
            assert dict(mine) == dict(theirs)
        else:
            assert mine == theirs, f.name
    assert back_warnings == warnings
    last = back_warnings[-1]
    assert isinstance(last, Msg) and last.template == "{unit}: {why}, so …"
    assert last.values["why"].template == "{a} and {b}"
