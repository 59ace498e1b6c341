"""Big plans, readable: warnings grouped by kind, and totals by channel and by market.

A warning is "UNIT: message". Its kind is the message with the unit and every figure taken
out, so "kol/east: planned up to 73,223 in a period, more than 50% above its historical maximum
37,345" and the same words for another unit with other amounts are one kind, in any language.
A kind's worst units are those whose message carries the largest figure (the amount planned,
the width of a plausible range, a correlation): the first to look at. The full list of
warnings stays in summary.json, the report and the workbook.
"""
from __future__ import annotations

import re

import pandas as pd

WORST_UNITS = 3
_FIGURE = re.compile(r"(?<![\w/])[-+]?\d[\d,]*(?:\.\d+)?%?")


def _split(warning: str) -> tuple[str | None, str]:
    unit, sep, text = warning.partition(": ")
    if not sep or len(unit) > 140 or " " in unit.strip():
        return None, warning
    return unit, text


def _figures(text: str) -> list[float]:
    out = []
    for match in _FIGURE.findall(text):
        raw = match.rstrip("%").replace(",", "")
        try:
            out.append(float(raw))
        except ValueError:
            continue
    return out


def warning_groups(warnings: list[str], worst: int = WORST_UNITS) -> list[dict]:
    """One entry per kind, in order of first appearance: the kind (message with `UNIT` and
    `#` for the figures), how many warnings, the units (largest figure first) and the worst
    unit's message in full as the example (the first one for plan-wide warnings)."""
    groups: dict[str, dict] = {}
    for warning in warnings:
        unit, text = _split(warning)
        kind = _FIGURE.sub(lambda m: "#%" if m.group().endswith("%") else "#", text)
        kind = f"UNIT: {kind}" if unit is not None else kind
        group = groups.setdefault(kind, {"kind": kind, "count": 0, "units": [],
                                         "example": warning, "_rank": []})
        group["count"] += 1
        if unit is not None:
            figures = _figures(text)
            group["_rank"].append((-(max(figures) if figures else 0.0), unit, warning))
    out = []
    for group in groups.values():
        ranked = sorted(group.pop("_rank"))
        group["units"] = [u for _, u, _ in ranked]
        group["worst"] = group["units"][:worst]
        if ranked:
            group["example"] = ranked[0][2]
        out.append(group)
    return out


def warning_lines(warnings: list[str], worst: int = WORST_UNITS, words=None) -> list[str]:
    """What the console prints: a kind met once as it is; a kind met more often as one line
    with its count, the worst unit's message in full and the next worst units (in `words`'
    language when given)."""
    if words is not None:
        warnings = [words.say(w) for w in warnings]
    _ = words._ if words is not None else (lambda text: text)
    lines = []
    for group in warning_groups(warnings, worst):
        if group["count"] == 1:
            lines.append(group["example"])
            continue
        if not group["units"]:
            lines.append(_("{count} times: {warning}").format(count=group["count"],
                                                              warning=group["example"]))
            continue
        others = group["worst"][1:]
        more = len(group["units"]) - len(group["worst"])
        units = ", ".join(others) + (_(" and {count} more").format(count=more)
                                     if more > 0 else "")
        lines.append(_("{count} units, worst first — {warning}; also {units}; each one in "
                       "summary.json").format(count=group["count"], warning=group["example"],
                                              units=units))
    return lines


def totals_by(allocation: pd.DataFrame, key: str) -> pd.DataFrame:
    """Spend, share, incremental KPI and ROI per channel or per market."""
    sums = allocation.groupby(key, sort=True)[["fixed_spend", "dynamic_spend", "total_spend",
                                               "incremental_kpi"]].sum()
    total = float(sums["total_spend"].sum())
    sums["share"] = sums["total_spend"] / total if total > 0 else 0.0
    sums["roi"] = (sums["incremental_kpi"] / sums["total_spend"]).where(sums["total_spend"] > 0)
    sums["units"] = allocation.groupby(key, sort=True)[
        "market" if key == "channel" else "channel"].nunique()
    return sums.reset_index()


def market_pivot(allocation: pd.DataFrame, value: str = "total_spend") -> pd.DataFrame:
    """Channels down, markets across, `value` summed over the periods, with totals."""
    table = allocation.pivot_table(index="channel", columns="market", values=value,
                                   aggfunc="sum", fill_value=0.0, sort=True)
    table.columns = [str(c) for c in table.columns]
    table["total"] = table.sum(axis=1)
    table.loc["total"] = table.sum(axis=0)
    table.index.name = "channel"
    return table.reset_index()
