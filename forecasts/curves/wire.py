"""One unit's curves (and its fit warnings) as plain JSON text, so a Spark worker can hand them
to the driver without pickle: arrays travel as their exact bytes (base64, little-endian), floats
as the shortest text that reads back to the same double, and a worded message (`Msg`) as its
template and values, so the driver still words it in the reader's language."""
from __future__ import annotations

import base64
import dataclasses
import json
from types import MappingProxyType

import numpy as np

from budgetopt.forecasts.components.response import Response
from budgetopt.forecasts.curves.curveset import PeriodBaseline, UnitCurves, frozen
from budgetopt.messages import Msg


def _array(a: np.ndarray) -> dict:
    a = np.ascontiguousarray(a)
    dtype = a.dtype.newbyteorder("<") if a.dtype.byteorder not in "|" else a.dtype
    return {"__array__": dtype.str, "shape": list(a.shape),
            "data": base64.b64encode(a.astype(dtype).tobytes()).decode("ascii")}


def _encode(value):
    """Any value a unit's curves hold, in JSON types."""
    if isinstance(value, Msg):
        return {"__msg__": value.template, "values": {k: _encode(v)
                                                      for k, v in value.values.items()}}
    if isinstance(value, Response):
        return {"__response__": {f.name: _encode(getattr(value, f.name))
                                 for f in dataclasses.fields(value)}}
    if isinstance(value, np.ndarray):
        return _array(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return {"__tuple__": [_encode(v) for v in value]} if isinstance(value, tuple) \
            else [_encode(v) for v in value]
    if isinstance(value, (dict, MappingProxyType)):
        return {"__dict__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    return value


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__msg__" in value:
        values = {k: _decode(v) for k, v in value["values"].items()}
        return Msg(value["__msg__"], **values) if values else Msg.word(value["__msg__"])
    if "__response__" in value:
        return Response(**{k: _decode(v) for k, v in value["__response__"].items()})
    if "__array__" in value:
        raw = base64.b64decode(value["data"])
        return np.frombuffer(raw, dtype=np.dtype(value["__array__"])).reshape(value["shape"])
    if "__tuple__" in value:
        return tuple(_decode(v) for v in value["__tuple__"])
    return {_decode(k): _decode(v) for k, v in value["__dict__"]}


def unit_to_text(result: tuple[UnitCurves, list]) -> str:
    """A unit's curves and its fit warnings as JSON text."""
    curves, warnings = result
    data = {f.name: _encode(getattr(curves, f.name)) for f in dataclasses.fields(curves)}
    if curves.baselines is not None:
        data["baselines"] = [_encode(dataclasses.astuple(b)) for b in curves.baselines]
    data["warnings"] = [_encode(w) for w in warnings]
    return json.dumps(data, allow_nan=True)


def unit_from_text(text: str) -> tuple[UnitCurves, list]:
    data = json.loads(text)
    warnings = [_decode(w) for w in data.pop("warnings")]
    baselines = data.pop("baselines")
    fields = {k: _decode(v) for k, v in data.items()}
    for name in ("which", "baseline", "factor", "valued"):
        fields[name] = frozen(fields[name])
    fields["notes"] = MappingProxyType(fields["notes"])
    fields["baselines"] = None if baselines is None else tuple(
        PeriodBaseline(point, frozen(draws), lift, frozen(lift_draws), inflation)
        for point, draws, lift, lift_draws, inflation in (_decode(b) for b in baselines))
    return UnitCurves(**fields), warnings


CURVES_CODEC = (unit_to_text, unit_from_text)
