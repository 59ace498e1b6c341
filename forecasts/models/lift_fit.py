"""Lift tests in the fit: each tested unit's tests as evidence for its profile search, and, after
the fit, what the tests did — per test the lift the history alone predicted (its best curve and
the range of its plausible curves), the lift the fitted curve predicts, and whether the history
contradicts the test; per unit the ROI and marginal ROI at the history's spend before and
after, and whether the curve is identified.

A test is contradicted when its 95% interval (lift ± 1.96 s.e.) and the history's plausible
range do not overlap. It is still used — a designed experiment usually deserves more trust than
observational history — but a warning names it, both ranges, and what to check.
"""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from budgetopt.messages import Msg
from budgetopt.units import unit_key
from budgetopt.forecasts.history.calendar import compact_holidays
from budgetopt.forecasts.history.experiments import Z_95
from budgetopt.forecasts.models.lift import (LiftEvidence, plausible_range, predicted_lift,
                                             returns_at_history, unit_windows)
from budgetopt.forecasts.models.response import profile_response


def by_unit(tests) -> dict[tuple, list]:
    """The tests grouped by unit, in file order."""
    out: dict[tuple, list] = {}
    for t in tests:
        out.setdefault(t.unit, []).append(t)
    return out


def lift_evidence(tests, unit_frame: Callable, kpi: str) -> dict[str, LiftEvidence]:
    """Per tested unit key, its tests as evidence on its response."""
    out = {}
    for unit, group in by_unit(tests).items():
        frame = unit_frame(*unit)
        spend = frame["spend"].to_numpy(float)
        out[unit_key(*unit)] = LiftEvidence(frame[kpi].to_numpy(float), spend,
                                            unit_windows(group, frame["date"], spend))
    return out


def attach_lift_reports(forecaster, tests, unit_frame: Callable, kpi: str,
                        holidays: pd.DataFrame, step_days: int,
                        evidence: dict[str, LiftEvidence]) -> None:
    """Refit each tested unit's profile without its tests (no Prophet: the response only) and
    record on its fit what the tests moved; contradicted tests become fit warnings."""
    if step_days == 1:
        holidays = compact_holidays(holidays)
    for unit, group in by_unit(tests).items():
        key = unit_key(*unit)
        fit = forecaster.fits.get(key)
        if fit is None or key not in evidence:
            continue
        frame = unit_frame(*unit)
        ev = evidence[key]
        before = profile_response(frame["date"], ev.y, ev.spend, holidays, step_days,
                                  fit.response.multiplicative)
        report, warnings = lift_report(key, group, ev, before, fit)
        fit.lift_tests = report
        fit.warnings = list(fit.warnings) + warnings


def lift_report(key: str, tests: list, ev: LiftEvidence, before, fit) -> tuple[dict, list]:
    """What the tests moved (see the module's docstring) and the warnings for contradicted
    tests."""
    after = fit.response
    ranges = plausible_range(before.plausible, ev)
    rows, warnings = [], []
    for test, window, (low, high) in zip(tests, ev.tests, ranges):
        lo95, hi95 = test.lift - Z_95 * test.se, test.lift + Z_95 * test.se
        contradicted = bool(hi95 < low or lo95 > high)
        row = test.describe()
        row.update({"predicted_by_history": predicted_lift(before.response, ev.y, ev.spend,
                                                           window),
                    "history_range_95": [float(low), float(high)],
                    "predicted_after": predicted_lift(after, ev.y, ev.spend, window),
                    "contradicted_by_history": contradicted})
        rows.append(row)
        if contradicted:
            warnings.append(Msg("{unit}: the lift test at {place} measured {lift} (interval "
                                "{low}–{high} at 95%), outside every lift the history's "
                                "plausible curves predict ({hlow}–{hhigh}); the test is used, "
                                "but check its design and the history's spend in those days",
                                unit=key, place=test.place, lift=f"{test.lift:,.0f}",
                                low=f"{lo95:,.0f}", high=f"{hi95:,.0f}", hlow=f"{low:,.0f}",
                                hhigh=f"{high:,.0f}"))
    roi0, mroi0 = returns_at_history(before.response, ev.y, ev.spend)
    roi1, mroi1 = returns_at_history(after, ev.y, ev.spend)
    band0 = [before.band.get("mroi_typical_low"), before.band.get("mroi_typical_high")]
    band1 = [fit.band.get("mroi_typical_low"), fit.band.get("mroi_typical_high")]
    report = {"unit": key, "tests": rows,
              "roi_before": roi0, "roi_after": roi1,
              "marginal_roi_before": mroi0, "marginal_roi_after": mroi1,
              "marginal_band_before": [float(v) for v in band0 if v is not None],
              "marginal_band_after": [float(v) for v in band1 if v is not None],
              "not_identified_before": [str(w) for w in before.not_identified],
              "not_identified_after": [str(w) for w in fit.not_identified],
              "plausible_candidates_before": len(before.plausible),
              "plausible_candidates_after": len(fit.plausible)}
    return report, warnings
