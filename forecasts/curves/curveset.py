"""The curve set: everything forecasting hands planning, in one immutable object per run.

Per unit: the fitted response and its plausible alternatives, the response factor per model
step over the horizon and its carryover tail, the baseline per plan period with its draws, and
fit notes (identification, bounds, coupling). Per run: the warnings, how the curves were made,
and — for a total-KPI history — the total's baseline per market. Planning reads curves from it
at any breakpoints (`table`), plausible curves on the same breakpoints (`samples`), the
forecast and the carryover at a planned spend; it never calls a forecaster. Everything here is
data plus pure arithmetic on it (forecasts/curves/build.py makes one from fitted models)."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np
import pandas as pd

from budgetopt.forecasts.components.carryover import spread
from budgetopt.forecasts.components.response import Response
from budgetopt.forecasts.curves.breakpoints import response_breakpoints, zoom_breakpoints
from budgetopt.forecasts.curves.cells import Cells
from budgetopt.forecasts.models.fit import widen
from budgetopt.forecasts.models.plausible import (baseline_level_draws, draw_candidates,
                                                  draw_responses)

FORECAST_COLUMNS = ["unit", "period", "baseline_kpi", "baseline_lower", "baseline_upper",
                    "forecast_kpi", "forecast_lower", "forecast_upper"]


def frozen(values) -> np.ndarray:
    """A read-only copy of an array."""
    out = np.array(values, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class PeriodBaseline:
    """One plan period of a unit (or a market's total): the baseline summed over the period's
    steps (point and draws), what one unit of saturation adds to it, and the interval inflation."""

    point: float
    draws: np.ndarray
    lift: float
    lift_draws: np.ndarray
    inflation: float


@dataclass(frozen=True, eq=False)
class UnitCurves:
    """One unit's response as data: fitted and plausible responses, factor and baseline per
    model step (`which`: the plan period of each step, −1 in the carryover tail), baselines per
    period (None when the unit has no baseline of its own), and its fit notes."""

    key: str
    channel: str
    market: str | None
    step_days: int
    response: Response
    plausible: tuple                   # (response, weight, gain s.e.) per plausible candidate
    which: np.ndarray
    baseline: np.ndarray
    factor: np.ndarray
    valued: np.ndarray                 # factor weighted by where a step's carryover lands
    clamped: bool                      # the fitted effect was clamped to zero somewhere
    baselines: tuple[PeriodBaseline, ...] | None
    notes: MappingProxyType            # the fitted response in plain numbers (summary.json)
    loosely_pinned: str | None         # why the data pin the curve only loosely (None: they do)
    level_error: float = 0.0           # relative error of the baseline's level over the horizon
    level_key: str = ""                # units sharing one baseline share its level draws
    noise: float = 0.0                 # the fit's residual scale per model step (log scale in
                                       # the multiplicative form): what a lift test measures
                                       # its effect against


@dataclass(frozen=True, eq=False)
class TotalCurves:
    """A total-KPI history's baseline: per market, the channels it plans and, per period, the
    total's baseline with what one unit of each channel's saturation adds; the history's
    decomposition and each channel's share of it."""

    markets: tuple                     # (market, channel keys, (PeriodBaseline-like rows…))
    decomposition: pd.DataFrame
    shares: MappingProxyType
    has_market: bool


@dataclass(frozen=True)
class Shock:
    """A what-if overlay: demand multiplies a unit's baseline and response, cost stretches its
    curve along the spend axis: curve'(s) = (1 + demand)·curve(s / (1 + cost))."""

    channels: tuple[str, ...] | None
    demand_change: float | None
    cost_change: float | None

    def hit(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels

    def demand(self, channel: str) -> float:
        return 1.0 + (self.demand_change or 0.0) if self.hit(channel) else 1.0

    def cost(self, channel: str) -> float:
        return 1.0 + (self.cost_change or 0.0) if self.hit(channel) else 1.0


@dataclass(frozen=True, eq=False)
class CurveSet:
    """Everything planning reads of the forecasts (see the module docstring)."""

    periods: tuple[tuple[int, str, int], ...]     # (period, first day, days) per plan period
    units: tuple[UnitCurves, ...]                 # sorted by key
    flat: tuple[tuple[str, str, str | None], ...]  # locked, never spent: flat zero curves
    interval_width: float
    source: str
    warnings: tuple[str, ...]
    totals: TotalCurves | None = None
    shock: Shock | None = None
    _index: MappingProxyType | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_index", MappingProxyType({u.key: u for u in self.units}))

    # -- what the plan reads ---------------------------------------------------------------
    @property
    def keys(self) -> list[str]:
        return [u.key for u in self.units]

    def unit(self, key: str) -> UnitCurves | None:
        return self._index.get(key)

    def matches(self, periods: pd.DataFrame) -> bool:
        """Whether the set was made for these plan periods."""
        return self.periods == period_rows(periods)

    def shocked(self, channels, demand_change: float | None,
                cost_change: float | None) -> "CurveSet":
        """The same curves seen through a what-if shock (never inside the models)."""
        return replace(self, shock=Shock(tuple(channels) if channels is not None else None,
                                         demand_change, cost_change))

    def describe(self) -> dict[str, dict]:
        """Each unit's fitted response in plain numbers."""
        return {u.key: copy.deepcopy(dict(u.notes)) for u in self.units}

    def table(self, max_spend: float, around: dict | None = None) -> pd.DataFrame:
        """Breakpoints (spend, incremental_kpi) per unit × period, each starting at (0, 0).
        The KPI is everything the period's spend earns, its carryover tail included; `around`
        maps (unit, period) to spends to add breakpoints near (a refining pass). Locked units
        with no spend history get a flat zero curve."""
        if self.shock is None:
            curves = self._fitted_table(max_spend, around)
        else:
            cheapest = min([1.0, 1.0 + (self.shock.cost_change or 0.0)])
            inner = {k: [s / self.shock.cost(self.unit(k[0]).channel) for s in v]
                     for k, v in (around or {}).items() if self.unit(k[0]) is not None}
            curves = self._fitted_table(max_spend / cheapest, inner).copy()
            cost = curves["channel"].map(self.shock.cost).to_numpy(float)
            demand = curves["channel"].map(self.shock.demand).to_numpy(float)
            curves["spend"] = curves["spend"] * cost
            curves["incremental_kpi"] = curves["incremental_kpi"] * demand
        flat = [pd.DataFrame({"unit": key, "channel": channel, "market": market,
                              "period": p, "spend": [0.0, max_spend],
                              "incremental_kpi": [0.0, 0.0]})
                for key, channel, market in self.flat for p, _, _ in self.periods]
        return pd.concat([curves, *flat], ignore_index=True) if flat else curves

    def _fitted_table(self, max_spend: float, around: dict | None) -> pd.DataFrame:
        cells = Cells()
        for u in self.units:
            shapes = {}     # periods of one length share their breakpoints and saturation
            for period, _, days in self.periods:
                a = u.valued[u.which == period]
                per_step = u.step_days / days
                zoom = (around or {}).get((u.key, period), ())
                if days not in shapes or zoom:
                    spends = response_breakpoints(u.response, per_step, max_spend)
                    for chosen in zoom:
                        spends = zoom_breakpoints(spends, chosen)
                    read = (spends, u.response.saturate(spends * per_step))
                    if not zoom:
                        shapes[days] = read
                spends, sat = read if zoom else shapes[days]
                cells.add(len(spends), unit=u.key, channel=u.channel, market=u.market,
                          period=period, spend=spends, incremental_kpi=float(np.sum(a)) * sat)
        return cells.frame()

    def samples(self, curves: pd.DataFrame, samples: int, seed: int = 0) -> pd.DataFrame:
        """Each unit × period's curve under `samples` plausible responses drawn from its
        plausible set, read at the same spend breakpoints as `curves` (a `table`, the one the
        plan is solved on): columns unit, period, sample, spend, incremental_kpi. Units the set
        has no response for (locked, never spent) keep their curve in every sample."""
        frames = Cells()
        shock = self.shock
        grouped = {k: g for k, g in curves.groupby(["unit", "period"], sort=True)}
        sample_ids = np.arange(samples)
        period_ids = [p for p, _, _ in self.periods]
        days = {p: d for p, _, d in self.periods}
        for key in sorted({u for u, _ in grouped}):
            cells = {p: g["spend"].to_numpy(float) for (u, p), g in grouped.items() if u == key}
            unit = self.unit(key)
            if unit is None:
                for p, x in cells.items():
                    y = grouped[(key, p)]["incremental_kpi"].to_numpy(float)
                    frames.add_candidates(key, p, sample_ids, x, np.tile(y, (samples, 1)), "sample")
                continue
            plausible = unit.plausible or ((unit.response, 1.0, 0.0),)
            draws = draw_responses(plausible, samples, seed, key)
            step = unit.step_days
            base, which = unit.baseline, unit.which    # baseline up to the longest tail
            level = baseline_level_draws(unit.level_error, samples, seed,
                                         unit.level_key or key)
            sums = np.zeros((samples, len(period_ids)))
            for s, r in enumerate(draws):
                factor = (r.gain * r.coupling_weight(base) * (base if r.multiplicative else 1.0)
                          * np.exp(r.rho * level[s]))
                valued = r.smear(np.maximum(factor, 0.0))
                for j, p in enumerate(period_ids):
                    sums[s, j] = float(valued[which == p].sum())
            for j, p in enumerate(period_ids):
                if p not in cells:
                    continue
                x = cells[p]
                per_step = step / days[p]
                read = x if shock is None else x / shock.cost(unit.channel)
                y = np.stack([sums[s, j] * r.saturate(read * per_step)
                              for s, r in enumerate(draws)])
                if shock is not None:
                    y = y * shock.demand(unit.channel)
                frames.add_candidates(key, p, sample_ids, x, y, "sample")
        return frames.frame()

    def sample_factors(self, curves: pd.DataFrame, samples: int,
                       seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The plausible samples of `samples(curves, samples, seed)` as what they are made of.
        A sample's curve for a unit is one plausible candidate's curve times a number the same
        in every period: its drawn gain times the baseline level's shift to the power ρ (the
        factor per step, its carryover smear and the saturation are the candidate's own; the
        gain and the level only scale them). Returns `candidates` (unit, period, candidate,
        spend, incremental_kpi: each drawn candidate's curve at gain 1, on the breakpoints of
        `curves`) and `draws` (unit, sample, candidate, multiplier). Units the set has no
        response for keep their curve: candidate 0, multiplier 1 in every sample."""
        shock = self.shock
        frames, draws = Cells(), []
        sample_ids = np.arange(samples)
        days = {p: d for p, _, d in self.periods}
        grouped = {k: g for k, g in curves.groupby(["unit", "period"], sort=True)}
        for key in sorted({u for u, _ in grouped}):
            cells = {p: g["spend"].to_numpy(float) for (u, p), g in grouped.items() if u == key}
            unit = self.unit(key)
            if unit is None:
                for p, x in cells.items():
                    y = grouped[(key, p)]["incremental_kpi"].to_numpy(float)
                    frames.add_candidates(key, p, [0], x, y[None, :])
                draws.append(pd.DataFrame({"unit": key, "sample": sample_ids, "candidate": 0,
                                           "multiplier": 1.0}))
                continue
            plausible = unit.plausible or ((unit.response, 1.0, 0.0),)
            idx, gains = draw_candidates(plausible, samples, seed, key)
            level = baseline_level_draws(unit.level_error, samples, seed, unit.level_key or key)
            rho = np.array([plausible[int(i)][0].rho for i in idx], float)
            draws.append(pd.DataFrame({"unit": key, "sample": sample_ids, "candidate": idx,
                                       "multiplier": gains * np.exp(rho * level)}))
            used = [int(c) for c in np.unique(idx)]
            base, which = unit.baseline, unit.which
            valued = {}
            for c in used:
                r = plausible[c][0]
                factor = r.coupling_weight(base) * (base if r.multiplicative else 1.0)
                valued[c] = r.smear(np.maximum(factor, 0.0))
            for p, x in cells.items():
                per_step = unit.step_days / days[p]
                read = x if shock is None else x / shock.cost(unit.channel)
                y = np.stack([float(valued[c][which == p].sum())
                              * plausible[c][0].saturate(read * per_step) for c in used])
                if shock is not None:
                    y = y * shock.demand(unit.channel)
                frames.add_candidates(key, p, used, x, y)
        return frames.frame(), pd.concat(draws, ignore_index=True)

    def _deflated(self, plan_spend: dict) -> dict:
        if self.shock is None:
            return plan_spend
        return {k: s / self.shock.cost(self.unit(k[0]).channel if self.unit(k[0]) else "")
                for k, s in plan_spend.items()}

    def forecast_table(self, plan_spend: dict[tuple[str, int], float]) -> pd.DataFrame:
        """Per unit × period: baseline and forecast at the planned spend, with intervals (empty
        for a unit with no baseline of its own). The forecast credits each period with what
        its own spend earns (carryover tail included), matching the curves."""
        spend = self._deflated(plan_spend)
        lo_q = (1 - self.interval_width) / 2
        hi_q = (1 + self.interval_width) / 2
        frames = []
        for u in self.units:
            rows, b_draws, f_draws = [], [], []
            for (period, _, days), base in zip(self.periods, u.baselines or [None] * len(
                    self.periods)):
                if base is None:
                    rows.append((period, *[np.nan] * 6))
                    continue
                sat = float(u.response.saturate(spend.get((u.key, int(period)), 0.0)
                                                * u.step_days / days))
                rows.append((period, base.point, None, None, base.point + sat * base.lift,
                             None, None))
                f_draws.append(widen(base.draws + sat * base.lift_draws, base.inflation))
                b_draws.append(widen(base.draws, base.inflation))
            if b_draws:      # every period's quantiles in one call (the same numbers per row)
                b_q = np.quantile(np.stack(b_draws), [lo_q, hi_q], axis=1)
                f_q = np.quantile(np.stack(f_draws), [lo_q, hi_q], axis=1)
                j = 0
                for i, row in enumerate(rows):
                    if row[2] is None:
                        rows[i] = (row[0], row[1], float(b_q[0, j]), float(b_q[1, j]), row[4],
                                   float(f_q[0, j]), float(f_q[1, j]))
                        j += 1
            frames.append(pd.DataFrame(rows, columns=FORECAST_COLUMNS[1:]).assign(unit=u.key))
        out = pd.concat(frames, ignore_index=True)[FORECAST_COLUMNS]
        if self.shock is not None:
            channel = {u.key: u.channel for u in self.units}
            demand = out["unit"].map(lambda k: self.shock.demand(channel[k])).to_numpy(float)
            for col in FORECAST_COLUMNS[2:]:
                out[col] = out[col] * demand
        return out

    def carryover_table(self, plan_spend: dict[tuple[str, int], float]) -> pd.DataFrame:
        """Per unit: the plan's incremental KPI split into what lands inside the horizon and
        what lands after it (steady-state saturation per period, as the curves value it)."""
        spend = self._deflated(plan_spend)
        rows = []
        for u in self.units:
            a = u.factor
            lands = np.zeros(len(a))
            for period, _, days in self.periods:
                mask = u.which == period
                sat = u.response.saturate(spend.get((u.key, int(period)), 0.0)
                                          * u.step_days / days)
                impulse = np.where(mask, sat, 0.0)
                lands += spread(impulse, u.response.carryover) * a
            if self.shock is not None:
                lands = lands * self.shock.demand(u.channel)
            inside = float(lands[u.which >= 0].sum())
            rows.append({"unit": u.key, "carryover_per_step": u.response.carryover,
                         "mean_lag_days": u.response.mean_lag_steps() * u.step_days,
                         "incremental_in_horizon": inside,
                         "incremental_after_horizon": float(lands[u.which < 0].sum())})
        return pd.DataFrame(rows)

    def total_forecast_table(self, plan_spend: dict[tuple[str, int], float]) -> pd.DataFrame:
        """Per market × period: the total KPI's baseline and its forecast at the planned spend
        (each period credited with what its own spend earns), with intervals; empty when the
        units have baselines of their own."""
        if self.totals is None:
            return pd.DataFrame(columns=["market", "period", *FORECAST_COLUMNS[2:]])
        spend = self._deflated(plan_spend)
        lo_q = (1 - self.interval_width) / 2
        hi_q = (1 + self.interval_width) / 2
        rows = []
        for market, keys, cells in self.totals.markets:
            for (period, _, days), (b_point, draws, lifts, factor) in zip(self.periods, cells):
                lift_point, lift_draws = 0.0, 0.0
                for key, (lift, lift_samples) in zip(keys, lifts):
                    u = self.unit(key)
                    sat = float(u.response.saturate(spend.get((key, int(period)), 0.0)
                                                    * u.step_days / days))
                    lift_point += sat * lift
                    lift_draws = lift_draws + sat * lift_samples
                f_draws = widen(draws + lift_draws, factor)
                b_draws = widen(draws, factor)
                rows.append({"market": market, "period": int(period), "baseline_kpi": b_point,
                             "baseline_lower": float(np.quantile(b_draws, lo_q)),
                             "baseline_upper": float(np.quantile(b_draws, hi_q)),
                             "forecast_kpi": b_point + lift_point,
                             "forecast_lower": float(np.quantile(f_draws, lo_q)),
                             "forecast_upper": float(np.quantile(f_draws, hi_q))})
        return pd.DataFrame(rows)


def period_rows(periods: pd.DataFrame) -> tuple[tuple[int, str, int], ...]:
    """(period, first day, days) per plan period, as a curve set records them."""
    return tuple((int(p.period), str(pd.Timestamp(p.period_start).date()), int(p.days))
                 for p in periods.itertuples())
