"""The decomposition chart of a total-KPI (wide) plan: the KPI over the history split into the
joint model's baseline and each channel's contribution (weekly sums, stacked), with the
observed KPI on top."""
from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from budgetopt.optimizer.results.charts import BASELINE, HISTORY_MARK, STYLE, new_figure, number_axis
from budgetopt.optimizer.results.tables import PlanResult

PALETTE = ("#2f5d8a", "#f0a02c", "#5b9b5b", "#c0392b", "#8e6bb8", "#3aa6a6", "#d4a017",
           "#a0522d", "#e377c2", "#17becf")


def decomposition_chart(result: PlanResult) -> Figure:
    """One panel per market: weekly baseline + channel contributions, and the observed KPI."""
    frame = result.decomposition.copy()
    frame["date"] = pd.to_datetime(frame["date"])
    markets = sorted(frame["market"].unique(), key=str) if "market" in frame else [None]
    fig = new_figure(12, 3.6 * len(markets))
    with matplotlib.rc_context(STYLE):
        axes = fig.subplots(len(markets), 1, squeeze=False)[:, 0]
        for ax, market in zip(axes, markets):
            rows = frame if market is None else frame[frame["market"] == market]
            wide = rows.pivot_table(index="date", columns="component", values="value",
                                    aggfunc="sum")
            weekly = wide.resample("W-SUN").sum()
            channels = [c for c in weekly.columns if c not in ("kpi", "baseline")]
            layers = [weekly["baseline"]] + [weekly[c] for c in channels]
            colors = [BASELINE] + [PALETTE[i % len(PALETTE)] for i in range(len(channels))]
            ax.stackplot(weekly.index, *layers, labels=["baseline", *channels], colors=colors,
                         alpha=0.85, linewidth=0)
            ax.plot(weekly.index, weekly["kpi"], color=HISTORY_MARK, linewidth=0.9,
                    label=f"observed {result.scenario.kpi}")
            ax.set_title(f"{result.scenario.kpi} per week" +
                         ("" if market is None else f" — {market}"), loc="left")
            number_axis(ax.yaxis)
            ax.set_ylim(bottom=0)
            ax.legend(loc="upper left", ncols=min(len(channels) + 2, 6), fontsize=8)
    return fig
