"""The plan's value across plausible curves, kept linear (Rockafellar–Uryasev).

Every sample s of the plausible curves is a curve table on the same spend breakpoints as the
curve the LP is built on, so the segment variables x(u,p,k) are shared and the sample's value
is linear in them:

    v_s = Σ_{u,p} [ value_at_fixed_s(u,p) + Σ_k slope_s(u,p,k) · x(u,p,k) ]

(one free variable per sample, defined by one equality row). Each sample's curve is concave,
so for any non-negative weighting of the samples the segments still fill in order by
themselves: no binaries.

- `measure: mean` maximizes (1/S) Σ v_s.
- `measure: cvar` maximizes CVaR_α(v) = t − (1/(αS)) Σ u_s with u_s ≥ t − v_s, u_s ≥ 0: the
  mean of the worst α share of the samples.
- `guard: history` adds CVaR_α(v − h) ≥ 0, where h_s is the historical mix at the spendable
  budget valued on sample s (a constant): g − (1/(αS)) Σ w_s ≥ 0, w_s ≥ g − (v_s − h_s),
  w_s ≥ 0.

The LP knows nothing of how the samples were made: it reads a table with a `sample` column.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from budgetopt.errors import InputError
from budgetopt.risk_measures import cvar  # noqa: F401  (re-exported for callers)
from budgetopt.optimizer.lp.segments import concave_envelope

SAMPLE_COLUMNS = ("unit", "period", "sample", "spend", "incremental_kpi")


class SampleCurves:
    """Sample curves per unit × period: breakpoints x (K,) and values Y (S, K)."""

    def __init__(self, table: pd.DataFrame):
        missing = [c for c in SAMPLE_COLUMNS if c not in table.columns]
        if missing:
            raise InputError("E1104", columns=", ".join(missing),
                             needed=", ".join(SAMPLE_COLUMNS), where="curves")
        frame = table.sort_values(["unit", "period", "sample", "spend"], kind="stable")
        self.samples = int(frame["sample"].nunique())
        self.cells: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
        for (unit, period), grp in frame.groupby(["unit", "period"], sort=True):
            y = grp["incremental_kpi"].to_numpy(float).reshape(self.samples, -1).copy()
            x = grp["spend"].to_numpy(float)[: y.shape[1]]
            slopes = np.diff(y, axis=1) / np.diff(x)
            tol = 1e-9 * (np.abs(slopes[:, 1:]) + np.abs(slopes[:, :-1]) + 1e-12)
            bent = np.flatnonzero(((slopes[:, 1:] - slopes[:, :-1]) > tol).any(axis=1)
                                  | (slopes < 0).any(axis=1))
            for s in bent:   # concave as the LP needs (chords of a concave curve already
                y[s] = concave_envelope(x, y[s])   # are: this only mends rounding)
            self.cells[(str(unit), int(period))] = (x, y)

    def values(self, spend: dict[tuple[str, int], float]) -> np.ndarray:
        """Σ over cells of each sample's value at the given spend (S,)."""
        total = np.zeros(self.samples)
        for key, amount in spend.items():
            if key in self.cells:
                x, y = self.cells[key]
                total += _interp_rows(amount, x, y)
        return total

    def cut(self, key: tuple[str, int], fixed: float) -> tuple[np.ndarray, np.ndarray]:
        """Each sample's value at the fixed spend (S,) and its slopes above it (S, segments),
        on the same segments as `segments_above` cuts the LP's curve."""
        x, y = self.cells[key]
        at_fixed = _interp_rows(fixed, x, y)
        above = x > fixed + 1e-9
        xs = np.concatenate([[fixed], x[above]])
        ys = np.column_stack([at_fixed, y[:, above]])
        lengths = np.diff(xs)
        return at_fixed, np.diff(ys, axis=1) / np.where(lengths > 0, lengths, 1.0)


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

    def apply(self, model) -> None:
        """Add the sample values and their rows to a PlanModel; point its planned value at the
        measure."""
        S = self.curves.samples
        prob = model.prob
        const = np.zeros(S)
        terms: list[list] = [[] for _ in range(S)]
        for key, xs in model.vars.items():
            if key not in self.curves.cells:
                continue
            at_fixed, slopes = self.curves.cut(key, model.segments[key].fixed)
            if slopes.shape[1] != len(xs):
                raise ValueError(f"sample curves of {key} do not share the LP's breakpoints")
            const += at_fixed
            cols = slopes.T.tolist()
            for var, col in zip(xs, cols):
                for s in range(S):
                    terms[s].append((var, col[s]))
        values = []
        for s in range(S):
            v = prob.add_variable(f"risk_v_{s}", None, None)
            expr = pulp.LpAffineExpression(terms[s])
            expr.addterm(v, -1.0)
            prob += pulp.LpConstraint(expr, pulp.LpConstraintEQ, f"risk_value_{s}",
                                      -float(const[s]))
            values.append(v)
        model.sample_values = values
        if self.measure == "mean":
            model.planned = pulp.LpAffineExpression([(v, 1.0 / S) for v in values])
        else:
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
