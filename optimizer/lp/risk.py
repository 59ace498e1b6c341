"""The plan's value across plausible curves, kept linear (Rockafellar–Uryasev).

Every sample s of the plausible curves is a curve table on the same spend breakpoints as the
curve the LP is built on, so the segment variables x(u,p,k) are shared and the sample's value
is linear in them:

    v_s = Σ_{u,p} [ value_at_fixed_s(u,p) + Σ_k slope_s(u,p,k) · x(u,p,k) ]

Each sample's curve is concave, so for any non-negative weighting of the samples the segments
still fill in order by themselves: no binaries.

A unit's S sample curves are usually a few candidate curves times a number per sample
(forecasting draws a candidate and scales it: `CurveSet.sample_factors`). Then the LP writes
each candidate's value once, w_{u,c} = Σ_{p,k} slope_c(u,p,k) · x(u,p,k), and a sample's value
over the units, v_s = const_s + Σ_u m_{s,u} · w_{u,c(s,u)}: units × periods × breakpoints ×
candidates plus units × samples terms instead of their product — the same LP, exactly. A unit
whose samples have no such structure (a table of arbitrary sample curves) keeps its slopes in
the sample rows, as does one with about as many candidates as samples (fewer terms that way).
These rows go to HiGHS as arrays (optimizer/lp/bulk.py); nothing reads their duals.

- `measure: mean` maximizes (1/S) Σ v_s, written straight on the segment columns (each
  candidate's slopes weighted by its samples' multipliers); the sample rows are then made only
  for the guard.
- `measure: cvar` maximizes CVaR_α(v) = t − (1/(αS)) Σ u_s with u_s ≥ t − v_s, u_s ≥ 0: the
  mean of the worst α share of the samples.
- `guard: history` adds CVaR_α(v − h) ≥ 0, where h_s is the historical mix at the spendable
  budget valued on sample s (a constant): g − (1/(αS)) Σ w_s ≥ 0, w_s ≥ g − (v_s − h_s),
  w_s ≥ 0.

The LP knows nothing of how the samples were made: it reads tables (a `sample` column, or
candidate curves with a `candidate` column and the draws that scale them).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pulp

from budgetopt.errors import InputError
from budgetopt.risk_measures import cvar  # also re-exported for callers
from budgetopt.optimizer.lp.bulk import ArrayRows, add_array_rows
from budgetopt.optimizer.lp.segments import concave_envelope

SAMPLE_COLUMNS = ("unit", "period", "sample", "spend", "incremental_kpi")
CANDIDATE_COLUMNS = ("unit", "period", "candidate", "spend", "incremental_kpi")
DRAW_COLUMNS = ("unit", "sample", "candidate", "multiplier")


def _need(table: pd.DataFrame, columns: tuple, where: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError("E1104", columns=", ".join(missing), needed=", ".join(columns),
                         where=where)


class SampleCurves:
    """Plausible curves per unit × period as candidate curves: breakpoints x (K,) and values
    Y (C, K) per cell, and per unit which candidate row each sample takes (S,) and the
    multiplier it scales it by (S,). A plain sample table is its own candidates: row s,
    multiplier 1."""

    def __init__(self, table: pd.DataFrame | None = None, *,
                 candidates: pd.DataFrame | None = None, draws: pd.DataFrame | None = None):
        self.cells: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
        self.draws: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if candidates is None:
            _need(table, SAMPLE_COLUMNS, "curves")
            self._read(table, "sample")
            for unit in {u for u, _ in self.cells}:
                self.draws[unit] = (np.arange(self.samples), np.ones(self.samples))
        else:
            _need(candidates, CANDIDATE_COLUMNS, "curves")
            _need(draws, DRAW_COLUMNS, "curves")
            self._read(candidates, "candidate")
            self._scale(draws)

    def _read(self, table: pd.DataFrame, row: str) -> None:
        frame = table.sort_values(["unit", "period", row, "spend"], kind="stable")
        self.rows: dict[str, np.ndarray] = {}           # unit → its candidate ids (sorted)
        if row == "sample":
            self.samples = int(frame["sample"].nunique())
        units = frame["unit"].astype(str).to_numpy(object)
        periods = frame["period"].to_numpy(np.int64)
        ids = frame[row].to_numpy(np.int64)
        spend = frame["spend"].to_numpy(float)
        kpi = frame["incremental_kpi"].to_numpy(float)
        counts = {}       # unit → how many candidate rows it has (over all its periods)
        for unit, lo, hi in _runs(units):
            counts[unit] = len(np.unique(ids[lo:hi]))
        new_cell = (units[1:] != units[:-1]) | (periods[1:] != periods[:-1])
        for lo, hi in _bounds(new_cell, len(frame)):    # one sorted run per unit × period
            unit, period = str(units[lo]), int(periods[lo])
            n = counts[unit]
            y = kpi[lo:hi].reshape(n, -1).copy()
            x = spend[lo:lo + y.shape[1]]
            slopes = np.diff(y, axis=1) / np.diff(x)
            tol = 1e-9 * (np.abs(slopes[:, 1:]) + np.abs(slopes[:, :-1]) + 1e-12)
            bent = np.flatnonzero(((slopes[:, 1:] - slopes[:, :-1]) > tol).any(axis=1)
                                  | (slopes < 0).any(axis=1))
            for s in bent:   # concave as the LP needs (chords of a concave curve already
                y[s] = concave_envelope(x, y[s])   # are: this only mends rounding)
            self.cells[(unit, period)] = (x, y)
            self.rows.setdefault(unit, np.unique(ids[lo:hi]))

    def _scale(self, draws: pd.DataFrame) -> None:
        """Per unit: each sample's candidate row and multiplier, the candidate curves rescaled
        so that the largest multiplier of each is 1 (the LP's rows stay on the scale of the
        sample values)."""
        frame = draws.sort_values(["unit", "sample"], kind="stable")
        self.samples = int(frame["sample"].nunique())
        scale: dict[str, np.ndarray] = {}
        for unit, grp in frame.groupby("unit", sort=True):
            unit = str(unit)
            if unit not in self.rows or len(grp) != self.samples:
                raise ValueError(f"the draws of {unit} do not match its candidate curves")
            pos = np.searchsorted(self.rows[unit], grp["candidate"].to_numpy(np.int64))
            mult = grp["multiplier"].to_numpy(float)
            if (pos >= len(self.rows[unit])).any() or \
                    (self.rows[unit][np.minimum(pos, len(self.rows[unit]) - 1)]
                     != grp["candidate"].to_numpy(np.int64)).any():
                raise ValueError(f"a draw of {unit} names a candidate it has no curve for")
            if not np.isfinite(mult).all() or (mult < 0).any():
                raise ValueError(f"the multipliers of {unit} must be finite and ≥ 0")
            top = np.zeros(len(self.rows[unit]))
            np.maximum.at(top, pos, mult)
            top = np.where(top > 0, top, 1.0)
            scale[unit] = top
            self.draws[unit] = (pos, mult / top[pos])
        for (unit, period), (x, y) in self.cells.items():
            if unit not in scale:
                raise ValueError(f"no draws for {unit}")
            self.cells[(unit, period)] = (x, y * scale[unit][:, None])

    def values(self, spend: dict[tuple[str, int], float]) -> np.ndarray:
        """Σ over cells of each sample's value at the given spend (S,)."""
        total = np.zeros(self.samples)
        for key, amount in spend.items():
            if key in self.cells:
                x, y = self.cells[key]
                pos, mult = self.draws[key[0]]
                total += mult * _interp_rows(amount, x, y)[pos]
        return total

    def cut(self, key: tuple[str, int], fixed: float) -> tuple[np.ndarray, np.ndarray]:
        """Each candidate's value at the fixed spend (C,) and its slopes above it
        (C, segments), on the same segments as `segments_above` cuts the LP's curve."""
        x, y = self.cells[key]
        at_fixed = _interp_rows(fixed, x, y)
        above = x > fixed + 1e-9
        xs = np.concatenate([[fixed], x[above]])
        ys = np.column_stack([at_fixed, y[:, above]])
        lengths = np.diff(xs)
        return at_fixed, np.diff(ys, axis=1) / np.where(lengths > 0, lengths, 1.0)


def _bounds(change: np.ndarray, n: int) -> list[tuple[int, int]]:
    """(start, end) of the runs of a sorted column, from where a row differs from the last."""
    edges = np.concatenate([[0], np.flatnonzero(change) + 1, [n]]).tolist()
    return list(zip(edges[:-1], edges[1:])) if n else []


def _runs(values: np.ndarray) -> list[tuple[object, int, int]]:
    """(value, start, end) of each run of equal values in a sorted column."""
    return [(values[lo], lo, hi) for lo, hi in _bounds(values[1:] != values[:-1], len(values))]


def _interp_rows(amount: float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    i = int(np.clip(np.searchsorted(x, amount, side="right") - 1, 0, len(x) - 2))
    w = (min(max(amount, x[0]), x[-1]) - x[i]) / (x[i + 1] - x[i])
    return y[:, i] + w * (y[:, i + 1] - y[:, i])


@dataclass
class RiskTerms:
    """What the LP adds for the plausible curves: the measure it maximizes and the guard."""

    curves: SampleCurves
    measure: str = "cvar"
    alpha: float = 0.2
    history: np.ndarray | None = None        # h_s: the historical mix per sample (guard)
    applied: dict = field(default_factory=dict)
    #: makes the guard's rule from its CVaR expression and alpha (optimizer/rules/guard.py);
    #: the LP builds the expression, the rules layer words it
    guard_rule: Callable | None = None

    def unguarded(self) -> "RiskTerms":
        """The same measure without the guard."""
        return replace(self, history=None)

    def guard_holds(self, spend: dict[tuple[str, int], float]) -> bool:
        """Whether a plan's spend per unit × period meets the guard: CVaR_α of its value minus
        the historical mix's, over the samples, is not below 0 (True without a guard)."""
        if self.history is None:
            return True
        return cvar(self.curves.values(spend) - self.history, self.alpha) >= 0.0

    def apply(self, model) -> None:
        """Add the sample values and their rows to a PlanModel; point its planned value at the
        measure."""
        S = self.curves.samples
        prob = model.prob
        if self.measure == "mean":      # on the segment columns: the samples' mean slopes
            model.planned = mean_expr(self.curves, model)
        if self.measure == "mean" and self.history is None:
            return
        values = [prob.add_variable(f"risk_v_{s}", None, None) for s in range(S)]
        rows = sample_rows(self.curves, model, values)
        add_array_rows(prob, rows)
        model.sample_values = values
        if self.measure != "mean":
            model.planned = self._cvar_expr(prob, values, np.zeros(S), "risk_cvar")
        if self.history is not None:
            guard = self._cvar_expr(prob, values, self.history, "risk_guard")
            if self.guard_rule is None:
                raise ValueError("a history guard needs guard_rule (optimizer.rules.guard)")
            model.add_rules([self.guard_rule(guard, self.alpha)])

    def _cvar_expr(self, prob, values, offset: np.ndarray, tag: str):
        """t − (1/(αS)) Σ u_s with u_s ≥ t − (v_s − offset_s), u_s ≥ 0."""
        S = len(values)
        t = prob.add_variable(f"{tag}_t", None, None)
        weight = 1.0 / (self.alpha * S)
        terms = [(t, 1.0)]
        for s, v in enumerate(values):
            u = prob.add_variable(f"{tag}_u_{s}", 0, None)
            prob += pulp.LpConstraint(pulp.LpAffineExpression([(u, 1.0), (t, -1.0), (v, 1.0)]),
                                      pulp.LpConstraintGE, f"{tag}_tail_{s}",
                                      float(offset[s]))
            terms.append((u, -weight))
        return pulp.LpAffineExpression(terms)


def mean_expr(curves: SampleCurves, model) -> pulp.LpAffineExpression:
    """(1/S) Σ_s v_s written on the segment columns: each candidate's slopes weighted by the
    sum of its samples' multipliers over S (needs no sample rows)."""
    terms: list = []
    constant = 0.0
    for key, xs in model.vars.items():
        if key not in curves.cells:
            continue
        pos, mult = curves.draws[key[0]]
        weight = np.bincount(pos, mult, minlength=len(curves.rows[key[0]])) / curves.samples
        at_fixed, slopes = curves.cut(key, model.segments[key].fixed)
        if slopes.shape[1] != len(xs):
            raise ValueError(f"sample curves of {key} do not share the LP's breakpoints")
        constant += float(weight @ at_fixed)
        terms.extend(zip(xs, (weight @ slopes).tolist()))
    return pulp.LpAffineExpression(terms, constant=constant)


def sample_rows(curves: SampleCurves, model, values: list) -> ArrayRows:
    """The rows defining each sample's value v_s on the model's segment columns (module
    docstring): per unit either one row per candidate, w_c = Σ slope_c · x, with the samples
    reading m_s · w_c, or — when that is not fewer terms — the samples' slopes in their rows."""
    S = curves.samples
    columns: list = []
    entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []   # (row, column, value)
    const = np.zeros(S)
    by_unit: dict[str, list] = {}
    for key, xs in model.vars.items():
        if key in curves.cells:
            by_unit.setdefault(key[0], []).append((key, xs))
    sample_of = np.arange(S)
    n_rows = S
    for unit, cells in by_unit.items():
        pos, mult = curves.draws[unit]
        n_cand = len(curves.rows[unit])
        cols, slopes, at_fixed = [], [], np.zeros(n_cand)
        for key, xs in cells:
            fixed_at, slope = curves.cut(key, model.segments[key].fixed)
            if slope.shape[1] != len(xs):
                raise ValueError(f"sample curves of {key} do not share the LP's breakpoints")
            cols.append(np.arange(len(columns), len(columns) + len(xs)))
            columns.extend(xs)
            slopes.append(slope)
            at_fixed += fixed_at
        cols = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        block = np.hstack(slopes) if slopes else np.zeros((n_cand, 0))
        const += mult * at_fixed[pos]
        n = len(cols)
        if n_cand * (n + 1) + S < S * n:      # candidate rows: fewer terms
            w = [model.prob.add_variable(f"risk_w_{len(columns) + c}", None, None)
                 for c in range(n_cand)]
            w_col = len(columns) + np.arange(n_cand)
            columns.extend(w)
            row_of = n_rows + np.arange(n_cand)
            n_rows += n_cand
            entries.append((np.repeat(row_of, n), np.tile(cols, n_cand), block.ravel()))
            entries.append((row_of, w_col, -np.ones(n_cand)))
            entries.append((sample_of, w_col[pos], mult))
        else:
            scaled = block[pos] * mult[:, None]
            entries.append((np.repeat(sample_of, n), np.tile(cols, S), scaled.ravel()))
    v_col = len(columns) + np.arange(S)
    columns.extend(values)
    entries.append((sample_of, v_col, -np.ones(S)))
    row = np.concatenate([e[0] for e in entries])
    col = np.concatenate([e[1] for e in entries])
    val = np.concatenate([e[2] for e in entries])
    keep = val != 0
    row, col, val = row[keep], col[keep], val[keep]
    order = np.argsort(row, kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=n_rows))])
    rhs = np.concatenate([-const, np.zeros(n_rows - S)])
    return ArrayRows("risk_value", columns, starts, col[order], val[order], rhs, rhs.copy())
