"""Chart building blocks in the house style: private matplotlib figures drawn by the Agg
canvas (no pyplot, so the caller's backend and open figures are left alone; no user rc
settings), compact money axes, small-multiple grids, bar and line
charts for side-by-side views, and PNG bytes without timestamps so the same figure gives the
same bytes."""
from __future__ import annotations

import contextlib
import io
import math
import re
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from budgetopt.money import currency_sign

FIXED = "#2f5d8a"
DYNAMIC = "#f0a02c"
RESERVE = "#a7b1bc"
OVERSPEND = "#c0392b"
FORECAST = "#2f5d8a"
BASELINE = "#7f8c8d"
PROMO = "#fbe8cf"
CURVE = "#b8c2cc"
CURVE_PROMO = "#e07b39"
HISTORY = "#d9ead3"
HISTORY_MARK = "#222222"

PANEL_COLUMNS = 4
MAX_PANELS = 24
DPI = 150
#: Fonts with Chinese glyphs, in order of preference; the first installed one backs up DejaVu
#: Sans for the characters it lacks (Debian: fonts-noto-cjk gives Noto Sans CJK SC).
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
                "Microsoft YaHei", "PingFang SC", "SimHei", "Noto Sans CJK JP")
_CJK_FILES = ("NotoSansCJK", "NotoSansSC", "SourceHanSans", "wqy-", "DroidSansFallback")


def cjk_family() -> str | None:
    """The installed font family that draws Chinese, found through matplotlib's font manager
    (fonts installed after matplotlib cached its font list are added), or None."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    found = next((f for f in CJK_FAMILIES if f in names), None)
    if found is None:
        for path in sorted(font_manager.findSystemFonts()):
            if any(key in Path(path).name for key in _CJK_FILES):
                with contextlib.suppress(Exception):
                    font_manager.fontManager.addfont(path)
        names = {f.name for f in font_manager.fontManager.ttflist}
        found = next((f for f in CJK_FAMILIES if f in names), None)
    return found


CJK_FAMILY = cjk_family()
FONT_FAMILIES = ["DejaVu Sans", *([CJK_FAMILY] if CJK_FAMILY else [])]

STYLE = {
    "font.family": FONT_FAMILIES, "font.size": 9, "axes.titlesize": 10,
    "axes.titleweight": "bold", "axes.spines.top": False, "axes.spines.right": False,
    "axes.grid": True, "axes.grid.axis": "y", "grid.color": "#e5e8eb", "grid.linewidth": 0.8,
    "axes.edgecolor": "#9aa3ab", "xtick.color": "#4a545e", "ytick.color": "#4a545e",
    "axes.labelcolor": "#4a545e", "legend.frameon": False, "svg.hashsalt": "budgetopt",
}
MONEY_KPIS = {"revenue", "gmv", "sales", "profit"}


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes without software or time metadata (same figure, same bytes)."""
    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        FigureCanvasAgg(fig)
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None},
                    facecolor="white")
    return buf.getvalue()


#: The fonts an SVG chart asks the viewer for: those the chart was laid out with, then the
#: viewer's default sans-serif (a browser falls back glyph by glyph to any font that has it).
SVG_FONTS = (*FONT_FAMILIES, "sans-serif")


def svg_text(fig: Figure) -> str:
    """The figure as an SVG element for inline use: text stays text (`<text>` in the viewer's
    fonts, so Chinese renders wherever the reader has a CJK font), no date metadata, ids
    derived from content (the same figure gives the same text)."""
    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE | {"svg.fonttype": "none", "font.family": list(SVG_FONTS)}):
        FigureCanvasAgg(fig)
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None},
                    facecolor="white")
    text = buf.getvalue().decode("utf-8")
    text = re.sub(r"(font-family: [^;\"]*?)(?=[;\"])",
                  lambda m: m[1] if m[1].endswith("sans-serif") else m[1] + ", sans-serif", text)
    return text[text.index("<svg"):]


def new_figure(width: float, height: float) -> Figure:
    """A private figure in the house style (not registered with pyplot)."""
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def compact(value: float, prefix: str = "") -> str:
    """1234567 → '1.2M', 35000 → '35k', with an optional currency prefix."""
    sign = "−" if value < 0 else ""
    value = abs(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            number = value / size
            text = f"{number:.2f}".rstrip("0").rstrip(".") if number < 10 else (
                f"{number:.1f}".rstrip("0").rstrip(".") if number < 100 else f"{number:.0f}")
            return f"{sign}{prefix}{text}{suffix}"
    return f"{sign}{prefix}{value:.0f}"


def money_axis(axis, currency: str, words=None) -> None:
    """Format an axis in compact money: ¥1.2M (¥120万 with Chinese words)."""
    if words is not None and words.chinese:
        axis.set_major_formatter(FuncFormatter(lambda v, _: words.compact_money(v, currency)))
        return
    prefix = currency_sign(currency)
    axis.set_major_formatter(FuncFormatter(lambda v, _: compact(v, prefix)))


def number_axis(axis, words=None) -> None:
    if words is not None and words.chinese:
        axis.set_major_formatter(FuncFormatter(lambda v, _: words.compact_number(v)))
        return
    axis.set_major_formatter(FuncFormatter(lambda v, _: compact(v)))


def panel_grid(count: int, panel_height: float = 2.3, columns: int = PANEL_COLUMNS,
               sharey: bool = False) -> tuple[Figure, list]:
    """A figure of `count` small panels in rows of `columns`; unused cells are hidden."""
    cols = max(1, min(columns, count))
    rows = max(1, math.ceil(count / cols))
    fig = new_figure(12, 0.9 + panel_height * rows)
    with matplotlib.rc_context(STYLE):
        axes = fig.subplots(rows, cols, squeeze=False, sharey=sharey).ravel().tolist()
    for ax in axes[count:]:
        ax.set_visible(False)
    return fig, axes[:count]


def bar_chart(frame: pd.DataFrame, category: str, values: Sequence[str], *, currency: str,
              title: str = "", stacked: bool = False, colors: Sequence[str] | None = None,
              labels: Sequence[str] | None = None) -> Figure:
    """Horizontal bars of money per category, grouped or stacked; for side-by-side plans."""
    colors = list(colors or [FIXED, DYNAMIC, RESERVE, OVERSPEND, "#6c8ebf", "#8fbf6c"])
    labels = list(labels or values)
    cats = frame[category].astype(str).tolist()
    fig = new_figure(10, 0.9 + 0.42 * len(cats) * (1 if stacked else max(1, len(values)) ** 0.6))
    with matplotlib.rc_context(STYLE):
        ax = fig.add_subplot()
        y = np.arange(len(cats))[::-1]
        left = np.zeros(len(cats))
        height = 0.7 if stacked else 0.8 / len(values)
        for i, col in enumerate(values):
            data = frame[col].to_numpy(float)
            if stacked:
                ax.barh(y, data, left=left, height=height, color=colors[i % len(colors)],
                        label=labels[i])
                left += data
            else:
                ax.barh(y + (len(values) - 1) / 2 * height - i * height, data, height=height,
                        color=colors[i % len(colors)], label=labels[i])
        ax.set_yticks(y, cats)
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        money_axis(ax.xaxis, currency)
        if title:
            ax.set_title(title, loc="left")
        ax.legend(loc="lower right", ncols=len(values))
    return fig


def line_chart(x, series: dict[str, Sequence[float]], *, currency: str | None = None,
               title: str = "", xlabel: str = "", ylabel: str = "",
               markers: dict[str, tuple[float, float]] | None = None) -> Figure:
    """Lines of values against x (e.g. return against budget), with optional labelled points."""
    fig = new_figure(10, 4.2)
    palette = [FORECAST, DYNAMIC, "#5b9b5b", OVERSPEND, BASELINE]
    with matplotlib.rc_context(STYLE):
        ax = fig.add_subplot()
        for i, (name, values) in enumerate(series.items()):
            ax.plot(x, values, color=palette[i % len(palette)], linewidth=2, label=name)
        for name, (mx, my) in (markers or {}).items():
            ax.plot([mx], [my], "o", color=HISTORY_MARK, markersize=6)
            ax.annotate(name, (mx, my), textcoords="offset points", xytext=(6, -12), fontsize=8)
        if currency is not None:
            money_axis(ax.xaxis, currency)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        number_axis(ax.yaxis)
        if title:
            ax.set_title(title, loc="left")
        if len(series) > 1:
            ax.legend(loc="best")
    return fig


def kpi_is_money(kpi: str) -> bool:
    """Whether a KPI is an amount of money (formatted with the currency) or a count."""
    return kpi.lower() in MONEY_KPIS
