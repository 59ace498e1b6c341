"""A fitted unit model as plain JSON text, so it can travel from a Spark worker to the driver
without pickle: every field of `UnitFit` in JSON types (floats written as the shortest text
that reads back to the same double, so nothing changes on the way)."""
from __future__ import annotations

import dataclasses
import json

import pandas as pd

from budgetopt.forecasts.models.fit import UnitFit
from budgetopt.forecasts.components.response import Response


def _response_data(r: Response | None) -> dict | None:
    """Every field of a Response (a new field travels without touching this module)."""
    if r is None:
        return None
    return {f.name: _plain(getattr(r, f.name)) for f in dataclasses.fields(r)}


def _plain(value):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    return float(value)


def fit_to_text(fit: UnitFit) -> str:
    data = {
        "unit": list(fit.unit), "scale": float(fit.scale), "step_days": int(fit.step_days),
        "model_json": fit.model_json,
        "promo_days": sorted(pd.Timestamp(d).isoformat() for d in fit.promo_days),
        "warnings": list(fit.warnings),
        "response": _response_data(fit.response),
        "sigma": float(fit.sigma), "adstock_end": float(fit.adstock_end),
        "history_end": None if fit.history_end is None else fit.history_end.isoformat(),
        "spend_level": float(fit.spend_level),
        "band": {k: (int(v) if k == "candidates" else float(v)) for k, v in fit.band.items()},
        "holdout_errors": [[int(k), float(e)] for k, e in fit.holdout_errors],
        "plausible": [[_response_data(r), float(w), float(se)] for r, w, se in fit.plausible],
        "not_identified": list(fit.not_identified),
    }
    return json.dumps(data, allow_nan=True)


def fit_from_text(text: str) -> UnitFit:
    d = json.loads(text)
    response = None if d["response"] is None else Response(**d["response"])
    return UnitFit(
        unit=(d["unit"][0], d["unit"][1]), scale=d["scale"], step_days=d["step_days"],
        model_json=d["model_json"],
        promo_days=frozenset(pd.Timestamp(x) for x in d["promo_days"]),
        warnings=d["warnings"], response=response, sigma=d["sigma"],
        adstock_end=d["adstock_end"],
        history_end=None if d["history_end"] is None else pd.Timestamp(d["history_end"]),
        spend_level=d["spend_level"], band=d["band"],
        holdout_errors=tuple((k, e) for k, e in d["holdout_errors"]),
        plausible=tuple((Response(**r), w, se) for r, w, se in d["plausible"]),
        not_identified=tuple(d["not_identified"]))


FIT_CODEC = (fit_to_text, fit_from_text)
