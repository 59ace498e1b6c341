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
from budgetopt.units import unit_key


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


def test_curves_read_from_the_kept_model_equal_those_from_its_json():
    """A fitting task reads its unit's curves from the Prophet model it just fitted; the
    curves are the bits the model read back from the fit's JSON gives (as on the driver)."""
    from budgetopt.forecasts.curves.build import unit_curves
    from budgetopt.forecasts.models.forecaster import Forecaster, fit_one
    world = make_world(["kol"], "2024-01-01", "2024-12-31", seed=3, markets=["east"])
    frame = world.history[["date", "revenue", "spend"]].reset_index(drop=True)
    holidays = holiday_frame(pd.Timestamp("2024-01-01").date(), pd.Timestamp("2025-06-30").date())
    periods = make_periods(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31"), "month")
    settings = FitSettings()
    key = unit_key("kol", "east")
    fit = fit_one(("kol", "east"), frame, "revenue", holidays,
                  set(pd.date_range("2024-11-01", "2024-11-13")), 1, settings, keep_model=True)
    assert fit.fitted_model is not None
    kept = unit_curves(Forecaster({key: fit}, settings), key, periods)
    read = dataclasses.replace(fit, fitted_model=None)
    assert read.model() is not fit.fitted_model
    again = unit_curves(Forecaster({key: read}, settings), key, periods)
    assert unit_to_text((kept, [])) == unit_to_text((again, []))
