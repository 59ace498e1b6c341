"""The plan's charts for the report and for slides: the pool split, spend by channel and period
(fixed and dynamic stacked), forecasts with intervals and promotion windows, and each unit's
response curves with the planned points and its historical spend range."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from budgetopt.forecasts.history.calendar import Promotion, builtin_promotions
from budgetopt.optimizer.results.charts import (
    BASELINE, CURVE, CURVE_PROMO, DYNAMIC, FIXED, FORECAST, HISTORY, HISTORY_MARK, MAX_PANELS,
    OVERSPEND, PROMO, RESERVE, STYLE, kpi_is_money, money_axis, new_figure, number_axis,
    panel_grid, png_bytes, svg_text)
from budgetopt.optimizer.results.i18n import N_, words_for
from budgetopt.optimizer.results.tables import PlanResult

PROMOTION_LABELS = {"promo_618": "618", "double_11": N_("Double 11"),
                    "double_12": N_("Double 12"), "spring_festival": N_("Spring Festival")}


@dataclass(frozen=True)
class ChartSet:
    """One of the plan's charts, in report order, with a title and a one-line caption: PNG
    bytes for slides and SVG text (real <text>, drawn in the viewer's fonts) for the report."""

    name: str
    title: str
    caption: str
    png: bytes
    svg: str = ""


def unit_labels(frame: pd.DataFrame, has_market: bool) -> pd.Series:
    if has_market:
        return frame["channel"].astype(str) + " / " + frame["market"].astype(str)
    return frame["channel"].astype(str)


def _keys(result: PlanResult) -> list[str]:
    return ["channel", "market"] if result.has_market else ["channel"]


def _units_by_spend(result: PlanResult) -> tuple[list[tuple], int]:
    """Unit keys, largest planned spend first (ties by name), capped at MAX_PANELS."""
    ranked = result.channels.sort_values(["total_spend", *_keys(result)],
                                         ascending=[False] + [True] * len(_keys(result)),
                                         kind="stable")
    keys = [tuple(r) for r in ranked[_keys(result)].itertuples(index=False)]
    return keys[:MAX_PANELS], len(keys)


def _rows(frame: pd.DataFrame, keys: list[str], unit: tuple) -> pd.DataFrame:
    mask = np.ones(len(frame), bool)
    for col, value in zip(keys, unit):
        mask &= (frame[col] == value).to_numpy()
    return frame[mask]


def _title(unit: tuple) -> str:
    return " / ".join(str(u) for u in unit)


def horizon_promotions(result: PlanResult) -> list[Promotion]:
    """Promotions whose window touches the horizon: the built-in calendar (unless switched off)
    and the scenario's own events."""
    scenario = result.scenario
    start, end = scenario.horizon.start, scenario.horizon.end
    promos = (builtin_promotions(range(start.year - 1, end.year + 2))
              if scenario.forecast.calendar == "builtin" else [])
    promos += [Promotion(e.name, e.date, e.lower_window, e.upper_window) for e in scenario.events]
    inside = [p for p in promos if p.days()[0] <= end and p.days()[-1] >= start]
    return sorted(inside, key=lambda p: (p.day, p.name))


def promotion_label(promo: Promotion, words=None) -> str:
    label = PROMOTION_LABELS.get(promo.name, promo.name)
    return words._(label) if words is not None and promo.name in PROMOTION_LABELS else label


def _promo_periods(result: PlanResult, promos: list[Promotion]) -> set:
    """Period starts of periods that contain a promotion peak day (not Spring Festival)."""
    periods = result.allocation[["period_start", "period_end"]].drop_duplicates()
    out = set()
    for p in promos:
        if p.name == "spring_festival":
            continue
        day = pd.Timestamp(p.day)
        for row in periods.itertuples(index=False):
            if row.period_start <= day <= row.period_end:
                out.add(row.period_start)
    return out


def pool_chart(result: PlanResult) -> Figure:
    """One bar: the budget as fixed + dynamic + reserve (+ overspend beyond it)."""
    w = words_for(result)
    t, cur = result.totals, result.scenario.currency
    parts = [(w._("fixed"), t["fixed"], FIXED), (w._("dynamic"), t["dynamic"], DYNAMIC),
             (w._("reserve"), t["reserve"], RESERVE)]
    if t["overspend"] > 0.5:
        parts.append((w._("overspend"), t["overspend"], OVERSPEND))
    total = sum(p[1] for p in parts) or 1.0
    fig = new_figure(10, 1.4)
    with matplotlib.rc_context(STYLE):
        ax = fig.add_subplot()
        left = 0.0
        for name, amount, color in parts:
            if amount <= 0.5:
                continue
            ax.barh([0], [amount], left=left, color=color, height=0.6, label=name)
            share = amount / t["budget"] if t["budget"] else 0.0
            text = f"{name}\n{w.compact_money(amount, cur)} ({share:.0%})"
            if amount / total > 0.09:
                ax.text(left + amount / 2, 0, text, ha="center", va="center", fontsize=9,
                        color="white" if color in (FIXED, OVERSPEND) else "#222222")
            else:
                ax.text(left + amount / 2, 0.34, text.replace("\n", " "), ha="center",
                        va="bottom", fontsize=8, color="#222222")
            left += amount
        ax.set_xlim(0, total)
        small = any(0.5 < p[1] <= 0.09 * total for p in parts)
        ax.set_ylim(-0.4, 0.62 if small else 0.4)
        ax.set_yticks([])
        ax.grid(False)
        money_axis(ax.xaxis, cur, w)
        ax.spines["left"].set_visible(False)
    return fig


def channel_chart(result: PlanResult) -> Figure:
    """Each unit's planned spend over the horizon, fixed + dynamic, against last year's."""
    w = words_for(result)
    frame = result.channels.sort_values(["total_spend", *_keys(result)],
                                        ascending=[True] + [True] * len(_keys(result)),
                                        kind="stable")
    names = unit_labels(frame, result.has_market).tolist()
    cur = result.scenario.currency
    fig = new_figure(10, 1.0 + 0.38 * len(names))
    with matplotlib.rc_context(STYLE):
        ax = fig.add_subplot()
        y = np.arange(len(names))
        fixed = frame["fixed_spend"].to_numpy(float)
        dynamic = frame["dynamic_spend"].to_numpy(float)
        ax.barh(y, fixed, color=FIXED, height=0.65, label=w._("fixed"))
        ax.barh(y, dynamic, left=fixed, color=DYNAMIC, height=0.65, label=w._("dynamic"))
        hist = frame["historical_spend"].to_numpy(float)
        ax.plot(hist, y, "|", color=HISTORY_MARK, markersize=16, markeredgewidth=2.2,
                label=w._("same window last year"))
        ax.set_yticks(y, [f"{name}  {w.compact_money(total, cur)}"
                          for name, total in zip(names, fixed + dynamic)])
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        money_axis(ax.xaxis, cur, w)
        ax.set_xlim(0, 1.05 * max(np.nanmax(fixed + dynamic), np.nanmax(np.nan_to_num(hist)), 1))
        ax.legend(loc="lower right")
    return fig


def allocation_chart(result: PlanResult) -> Figure:
    """Per unit, spend in each period stacked fixed (bottom) and dynamic (top); shared scale."""
    w = words_for(result)
    units, _ = _units_by_spend(result)
    keys = _keys(result)
    fig, axes = panel_grid(len(units), sharey=True)
    alloc = result.allocation
    with matplotlib.rc_context(STYLE):
        for ax, unit in zip(axes, units):
            rows = _rows(alloc, keys, unit)
            x = rows["period_start"]
            days = (rows["period_end"] - rows["period_start"]).dt.days.to_numpy() + 1
            width = np.maximum(days - 1.5, 0.8) if len(days) else 1
            ax.bar(x, rows["fixed_spend"], width=width, align="edge", color=FIXED)
            ax.bar(x, rows["dynamic_spend"], width=width, align="edge", color=DYNAMIC,
                   bottom=rows["fixed_spend"])
            ax.set_title(_title(unit), loc="left")
            money_axis(ax.yaxis, result.scenario.currency, w)
            _date_axis(ax, result)
        fig.legend(handles=[Patch(color=FIXED, label=w._("fixed")),
                            Patch(color=DYNAMIC, label=w._("dynamic"))],
                   loc="outside upper right", ncols=2)
    return fig


def forecast_total_chart(result: PlanResult, promos: list[Promotion]) -> Figure:
    """All units together: predicted KPI per period with the plan versus with no spend."""
    w = words_for(result)
    frame = result.forecast.groupby("period_start", sort=True)[
        ["baseline_kpi", "forecast_kpi"]].sum().reset_index()
    kpi = result.scenario.kpi
    fig = new_figure(12, 3.4)
    with matplotlib.rc_context(STYLE):
        ax = fig.add_subplot()
        _shade_promotions(ax, promos, label=True, words=w)
        last_end = result.forecast["period_end"].max() + pd.Timedelta(days=1)
        x = pd.concat([frame["period_start"], pd.Series([last_end])], ignore_index=True)
        plan_kpi = np.append(frame["forecast_kpi"].to_numpy(float), frame["forecast_kpi"].iloc[-1])
        base_kpi = np.append(frame["baseline_kpi"].to_numpy(float), frame["baseline_kpi"].iloc[-1])
        ax.fill_between(x, base_kpi, plan_kpi, color=FORECAST, alpha=0.15, step="post",
                        linewidth=0)
        ax.step(x, plan_kpi, where="post", color=FORECAST, linewidth=2,
                label=w._("{kpi} with the plan").format(kpi=w.kpi(kpi)))
        ax.step(x, base_kpi, where="post", color=BASELINE, linewidth=1.5,
                linestyle="--", label=w._("{kpi} with no spend (baseline)").format(kpi=w.kpi(kpi)))
        _kpi_axis(ax, result)
        _date_axis(ax, result)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", ncols=2)
    return fig


def forecast_chart(result: PlanResult, promos: list[Promotion]) -> Figure:
    """Per unit, the forecast at the planned spend and the baseline, each with its interval."""
    w = words_for(result)
    units, _ = _units_by_spend(result)
    keys = _keys(result)
    fig, axes = panel_grid(len(units))
    width = result.scenario.forecast.interval_width
    with matplotlib.rc_context(STYLE):
        for ax, unit in zip(axes, units):
            rows = _rows(result.forecast, keys, unit)
            x = _midpoints(rows)
            _shade_promotions(ax, promos, label=True, fontsize=7, words=w)
            ax.fill_between(x, rows["baseline_lower"], rows["baseline_upper"], color=BASELINE,
                            alpha=0.18, linewidth=0)
            ax.plot(x, rows["baseline_kpi"], color=BASELINE, linestyle="--", linewidth=1.2)
            ax.fill_between(x, rows["forecast_lower"], rows["forecast_upper"], color=FORECAST,
                            alpha=0.22, linewidth=0)
            ax.plot(x, rows["forecast_kpi"], color=FORECAST, linewidth=1.8, marker="o",
                    markersize=2.5)
            ax.set_title(_title(unit), loc="left")
            _kpi_axis(ax, result)
            _date_axis(ax, result)
            ax.set_ylim(bottom=0)
        handles = [Line2D([], [], color=FORECAST, linewidth=1.8, label=w._("with the plan")),
                   Patch(color=FORECAST, alpha=0.22, label=w._("{width} interval").format(width=f"{width:.0%}")),
                   Line2D([], [], color=BASELINE, linestyle="--", label=w._("no spend (baseline)"))]
        if promos:
            handles.append(Patch(color=PROMO, label=w._("promotion window")))
        fig.legend(handles=handles, loc="outside upper right", ncols=len(handles))
    return fig


def curve_chart(result: PlanResult, promos: list[Promotion]) -> Figure:
    """Per unit, every period's response curve (promotion periods highlighted), the planned
    spend in each period as a dot on its curve, and the historical per-period spend range."""
    w = words_for(result)
    units, _ = _units_by_spend(result)
    keys = _keys(result)
    promo_starts = _promo_periods(result, promos)
    fig, axes = panel_grid(len(units), panel_height=2.5)
    cur = result.scenario.currency
    with matplotlib.rc_context(STYLE):
        for ax, unit in zip(axes, units):
            info = _rows(result.channels, keys, unit).iloc[0]
            plan_rows = _rows(result.allocation, keys, unit)
            lo, hi = float(info["hist_period_min"]), float(info["hist_period_max"])
            peak = float(plan_rows["total_spend"].max())
            xmax = 1.25 * max(peak, hi if np.isfinite(hi) else 0.0, 1.0)
            if np.isfinite(lo) and np.isfinite(hi):
                ax.axvspan(lo, hi, color=HISTORY, zorder=0)
            curves = _rows(result.curves, keys, unit)
            ymax = 0.0
            for start, curve in curves.groupby("period_start", sort=True):
                xs, ys = _clip_curve(curve["spend"].to_numpy(float),
                                     curve["incremental_kpi"].to_numpy(float), xmax)
                promo = start in promo_starts
                ax.plot(xs, ys, color=CURVE_PROMO if promo else CURVE,
                        linewidth=1.3 if promo else 1.0, zorder=2 if promo else 1)
                ymax = max(ymax, float(np.max(ys)) if len(ys) else 0.0)
            is_promo = plan_rows["period_start"].isin(promo_starts).to_numpy()
            ax.scatter(plan_rows["total_spend"][~is_promo], plan_rows["incremental_kpi"][~is_promo],
                       s=14, color=FIXED, zorder=3)
            ax.scatter(plan_rows["total_spend"][is_promo], plan_rows["incremental_kpi"][is_promo],
                       s=18, color=CURVE_PROMO, edgecolor="#7a3b12", linewidth=0.6, zorder=3)
            ax.set_xlim(0, xmax)
            ax.set_ylim(0, 1.05 * max(ymax, 1.0))
            ax.set_title(_title(unit) + ("  (!) " + w._("extrapolated") if info["extrapolated"] else ""),
                         loc="left", color=OVERSPEND if info["extrapolated"] else "#222222")
            money_axis(ax.xaxis, cur, w)
            _kpi_axis(ax, result)
            ax.tick_params(axis="x", labelsize=8)
        handles = [Line2D([], [], color=CURVE, label=w._("curve in a period")),
                   Line2D([], [], color=FIXED, marker="o", linestyle="", markersize=4,
                          label=w._("planned spend")),
                   Patch(color=HISTORY, label=w._("historical spend range"))]
        if promo_starts:
            handles.insert(1, Line2D([], [], color=CURVE_PROMO,
                                     label=w._("curve in a promotion period")))
        fig.legend(handles=handles, loc="outside upper right", ncols=len(handles))
        fig.supxlabel(w._("spend in one {period}").format(period=w._(result.scenario.horizon.period)),
                      fontsize=9)
        fig.supylabel(w._("incremental {kpi}").format(kpi=w.kpi(result.scenario.kpi)), fontsize=9)
    return fig


def plan_charts(result: PlanResult) -> list[ChartSet]:
    """Every chart of the plan, rendered, in the order the report shows them."""
    w = words_for(result)
    promos = horizon_promotions(result)
    kpi, period = w.kpi(result.scenario.kpi), w._(result.scenario.horizon.period)
    shown, count = _units_by_spend(result)
    more = (w._(" Showing the {shown} largest of {count} units; all are in plan.xlsx.").format(
        shown=len(shown), count=count) if count > len(shown) else "")
    shaded = (w._(" Promotion windows are shaded: {names}.").format(
        names=", ".join(promotion_label(p, w) for p in promos)) if promos else "")
    orange = (w._(" (orange: periods with a promotion peak)")
              if _promo_periods(result, promos) else "")
    specs = [
        ("pool", w._("Budget pool"), w._("The budget split into committed fixed money, the "
         "dynamic pool and the reserve."), lambda: pool_chart(result)),
        ("channels", w._("Spend by channel"), w._("Planned spend over the horizon, fixed and "
         "dynamic, with the same window last year marked."), lambda: channel_chart(result)),
        ("allocation", w._("Spend by channel and {period}").format(period=period),
         w._("Each {period}'s planned spend, fixed (bottom) and dynamic (top), on one "
             "scale.").format(period=period) + more, lambda: allocation_chart(result)),
        ("forecast_total", w._("Predicted {kpi}, all channels").format(kpi=kpi),
         w._("Total {kpi} per {period} with the plan and with no spend; the blue band is what "
             "the plan's spend adds.").format(kpi=kpi, period=period) + shaded,
         lambda: forecast_total_chart(result, promos)),
        ("forecasts", w._("Forecast {kpi} by channel").format(kpi=kpi),
         w._("{Kpi} per {period} at the planned spend and with no spend, each with its "
             "interval.").format(Kpi=kpi[:1].upper() + kpi[1:], period=period) + shaded + more,
         lambda: forecast_chart(result, promos)),
        ("curves", w._("Response curves"),
         w._("Incremental {kpi} against spend in one {period}, one line per period{orange}; "
             "dots are the planned spend; green is the per-period spend range seen in history, "
             "where the curve is most trustworthy.").format(kpi=kpi, period=period,
                                                           orange=orange) + more,
         lambda: curve_chart(result, promos)),
    ]
    if result.decomposition is not None:   # wide form: no per-channel KPI to forecast
        from budgetopt.optimizer.results.decomposition import decomposition_chart
        specs[4] = ("decomposition", f"{kpi.capitalize()} decomposed over history",
                    f"Weekly {kpi} in history split by the joint model into the baseline (no "
                    "spend) and each channel's contribution; the line is what was observed.",
                    lambda: decomposition_chart(result))
    if result.has_market:
        from budgetopt.optimizer.results.market_charts import market_heatmap
        specs.insert(2, ("markets", "Spend by channel and market", "Planned spend over the "
                         "horizon in each channel × market, with its ROI; totals are in the "
                         "workbook's Channel x market sheets.", lambda: market_heatmap(result)))
    out = []
    for name, title, caption, draw in specs:
        fig = draw()
        out.append(ChartSet(name, title, caption, png_bytes(fig), svg_text(fig)))
    return out


def _clip_curve(xs: np.ndarray, ys: np.ndarray, xmax: float) -> tuple[np.ndarray, np.ndarray]:
    """The curve up to xmax, with an interpolated end point exactly at xmax."""
    keep = xs <= xmax
    if keep.all() or len(xs) < 2:
        return xs, ys
    end = float(np.interp(xmax, xs, ys))
    return np.append(xs[keep], xmax), np.append(ys[keep], end)


def _midpoints(rows: pd.DataFrame) -> pd.Series:
    """The middle of each period, where a period total is drawn."""
    length = rows["period_end"] - rows["period_start"] + pd.Timedelta(days=1)
    return rows["period_start"] + length / 2


def _shade_promotions(ax, promos: list[Promotion], label: bool, fontsize: float = 8,
                      words=None) -> None:
    for p in promos:
        days = p.days()
        start = pd.Timestamp(days[0])
        end = pd.Timestamp(days[-1] + timedelta(days=1))
        color = "#e3e7ec" if p.name == "spring_festival" else PROMO
        ax.axvspan(start, end, color=color, zorder=0, linewidth=0)
        if label:
            inside = fontsize < 8
            ax.annotate(promotion_label(p, words), (pd.Timestamp(p.day), 0.02 if inside else 1.0),
                        xycoords=("data", "axes fraction"), ha="center", va="bottom",
                        fontsize=fontsize, color="#8a4b14")


def _kpi_axis(ax, result: PlanResult) -> None:
    w = words_for(result)
    if kpi_is_money(result.scenario.kpi):
        money_axis(ax.yaxis, result.scenario.currency, w)
    else:
        number_axis(ax.yaxis, w)


def _date_axis(ax, result: PlanResult) -> None:
    start = pd.Timestamp(result.scenario.horizon.start)
    end = pd.Timestamp(result.scenario.horizon.end) + pd.Timedelta(days=1)
    ax.set_xlim(start, end)
    months = pd.date_range(start.to_period("M").to_timestamp(), end, freq="MS")
    ticks = [m for m in months if start <= m <= end] or [start]
    if words_for(result).chinese:
        ax.set_xticks(ticks, [f"{m.month}月{m.day}日" if m.day != 1 else f"{m.month}月"
                              for m in ticks])
        return
    ax.set_xticks(ticks, [m.strftime("%b %d") if m.day != 1 else m.strftime("%b")
                          for m in ticks])
