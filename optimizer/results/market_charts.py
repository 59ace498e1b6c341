"""Channel × market views for plans with a market column: a heat map of planned spend (and
ROI in each cell's label), channels down, markets across."""
from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from budgetopt.optimizer.results.charts import STYLE, compact, new_figure
from budgetopt.optimizer.results.grouping import market_pivot
from budgetopt.optimizer.results.tables import PlanResult
from budgetopt.money import currency_sign

LABELLED_CELLS = 400   # beyond this many cells the amounts are left to the colour scale


def market_heatmap(result: PlanResult) -> Figure:
    """Planned spend per channel × market over the horizon, with each cell's ROI."""
    spend = market_pivot(result.allocation).set_index("channel").drop(index="total",
                                                                      columns="total")
    inc = market_pivot(result.allocation, "incremental_kpi").set_index("channel").drop(
        index="total", columns="total")
    values = spend.to_numpy(float)
    rows, cols = values.shape
    sign = currency_sign(result.scenario.currency)
    fig = new_figure(min(max(10.0, 2.0 + 1.1 * cols), 18), min(1.4 + 0.45 * rows, 24))  # report width
    with matplotlib.rc_context(STYLE):
        ax = fig.add_subplot()
        image = ax.imshow(values, cmap="Blues", aspect="auto", vmin=0)
        ax.set_xticks(np.arange(cols), list(spend.columns), rotation=45 if cols > 8 else 0,
                      ha="right" if cols > 8 else "center")
        ax.set_yticks(np.arange(rows), list(spend.index))
        ax.grid(False)
        if rows * cols <= LABELLED_CELLS:
            top = float(values.max()) if values.size else 0.0
            for i in range(rows):
                for j in range(cols):
                    amount = values[i, j]
                    roi = inc.to_numpy(float)[i, j] / amount if amount > 0 else None
                    label = compact(amount, sign) + (f"\nROI {roi:.1f}" if roi is not None else "")
                    ax.text(j, i, label, ha="center", va="center", fontsize=7,
                            color="white" if top and amount > 0.6 * top else "black")
        bar = fig.colorbar(image, ax=ax, shrink=0.8)
        bar.ax.yaxis.set_major_formatter(FuncFormatter(
            lambda v, _: compact(v, sign)))
        bar.set_label("planned spend over the horizon")
    return fig
