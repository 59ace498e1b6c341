"""Compare finished runs side by side: per-channel and total figures with deltas against the
first run, differences in settings and input hashes, and the largest allocation difference
(so finance can check that two solvers, versions or machines agree within a tolerance)."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from budgetopt.errors import InputError
from budgetopt.input_files import read_regular

RUN_FILES = ("allocation.csv", "channels.csv", "summary.json")
CHANNEL_METRICS = ("total_spend", "share", "incremental_kpi", "roi", "marginal_roi")
TOTAL_METRICS = ("budget", "fixed", "dynamic", "reserve", "spend", "baseline_kpi",
                 "incremental_kpi", "predicted_kpi", "roi", "net_roi")
SETTINGS = (
    ("scenario", ("scenario", "name")), ("objective", ("scenario", "objective")),
    ("kpi", ("scenario", "kpi")), ("currency", ("scenario", "currency")),
    ("horizon_start", ("scenario", "horizon", "start")),
    ("horizon_end", ("scenario", "horizon", "end")),
    ("period", ("scenario", "horizon", "period")),
    ("solver", ("solver", "name")), ("budget", ("totals", "budget")),
    ("fixed_share", ("pool", "fixed_share")), ("fixed_rule", ("pool", "fixed_rule")),
    ("reserve_share", ("pool", "reserve_share")),
    ("scenario_file", ("inputs", "scenario", "file")),
    ("scenario_sha256", ("inputs", "scenario", "sha256")),
    ("scenario_settings_sha256", ("inputs", "scenario_settings_sha256")),
    ("history_file", ("inputs", "history", "file")),
    ("history_sha256", ("inputs", "history", "sha256")),
    ("budgetopt_version", ("versions", "budgetopt")),
    ("prophet_version", ("versions", "prophet")), ("pulp_version", ("versions", "pulp")),
    ("highspy_version", ("versions", "highspy")),
)


@dataclass(frozen=True)
class Run:
    """One run directory as read back from its files."""

    label: str
    path: Path
    allocation: pd.DataFrame
    channels: pd.DataFrame
    summary: dict

    @property
    def keys(self) -> list[str]:
        return ["channel", "market"] if "market" in self.channels.columns else ["channel"]


@dataclass
class Comparison:
    """Runs side by side; the first run is the base every delta is measured against."""

    runs: list[Run]
    channels: pd.DataFrame     # unit × metric × run: value, delta and change vs the base run
    totals: pd.DataFrame       # metric × run: value, delta, change
    settings: pd.DataFrame     # setting: one column per run, `differs`
    allocation: pd.DataFrame   # unit × period: spend per run, largest difference from the base
    largest: dict              # where allocations differ most, in money and share of spend

    @property
    def labels(self) -> list[str]:
        return [r.label for r in self.runs]

    def within(self, tolerance: float) -> bool:
        """True when no allocation cell or channel total differs from the base by more than
        `tolerance` × the base run's total spend."""
        return bool(self.largest["share"] <= tolerance)


#: The most a run directory's file may hold (summary.json of a plan of thousands of units is
#: a few megabytes).
MAX_RUN_FILE_BYTES = 1024**3


def read_run_file(path: Path, where: str) -> bytes:
    """A file of a run directory: a regular file, read with a hard size limit."""
    return read_regular(path, where=where, what=path.name, limit=MAX_RUN_FILE_BYTES,
                        fix_large="restore the file as the run wrote it")


def load_run(path: str | Path, label: str | None = None) -> Run:
    """Read a `budgetopt run` output directory."""
    path = Path(path)
    if not path.is_dir():
        raise InputError("E0801", path=str(path), where=str(path))
    missing = [name for name in RUN_FILES if not (path / name).is_file()]
    if missing:
        raise InputError("E0802", files=", ".join(missing), where=str(path))
    try:
        summary = json.loads(read_run_file(path / "summary.json", str(path)).decode("utf-8"))
        allocation = pd.read_csv(io.BytesIO(read_run_file(path / "allocation.csv", str(path))),
                                 keep_default_na=False, encoding="utf-8-sig",
                                 na_values=[""], dtype={"channel": str, "market": str})
        channels = pd.read_csv(io.BytesIO(read_run_file(path / "channels.csv", str(path))),
                               keep_default_na=False, encoding="utf-8-sig",
                               na_values=[""], dtype={"channel": str, "market": str})
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError("E0803", reason=f"{exc}".splitlines()[0] if f"{exc}" else "",
                         where=str(path)) from None
    needed = {"channel", *CHANNEL_METRICS}
    if not needed <= set(channels.columns) or "totals" not in summary:
        raise InputError("E0804", where=str(path))
    return Run(label or path.name, path, allocation, channels, summary)


def compare_runs(paths: list[str | Path]) -> Comparison:
    """Compare two or more run directories; the first is the base."""
    if len(paths) < 2:
        raise InputError("E0805", count=len(paths), where="compare")
    runs = [load_run(p) for p in paths]
    labels = _labels([r.label for r in runs])
    runs = [Run(lab, r.path, r.allocation, r.channels, r.summary) for lab, r in zip(labels, runs)]
    keys = runs[0].keys
    if any(r.keys != keys for r in runs):
        raise InputError("E0806", where="compare")
    allocation, largest = _allocation_diff(runs, keys)
    return Comparison(runs, _channel_table(runs, keys), _totals_table(runs),
                      _settings_table(runs), allocation, largest)


def _labels(names: list[str]) -> list[str]:
    """Run labels: directory names, numbered where two are the same."""
    return [name if names.count(name) == 1 else f"{name}#{i + 1}" for i, name in enumerate(names)]


def _with_deltas(frame: pd.DataFrame, by: list[str], base_label: str) -> pd.DataFrame:
    """Add `delta` and `change` (relative) of each value against the base run's value."""
    base = frame[frame["run"] == base_label].set_index(by)["value"].rename("base")
    out = frame.join(base, on=by)
    out["delta"] = out["value"] - out["base"]
    denom = out["base"].abs()
    out["change"] = np.where(denom > 1e-12, out["delta"] / denom.where(denom > 1e-12, 1.0),
                             np.nan)
    return out.drop(columns="base")


def _channel_table(runs: list[Run], keys: list[str]) -> pd.DataFrame:
    frames = []
    for order, run in enumerate(runs):
        long = run.channels.melt(id_vars=keys, value_vars=list(CHANNEL_METRICS),
                                 var_name="metric", value_name="value")
        frames.append(long.assign(run=run.label, _order=order))
    frame = pd.concat(frames, ignore_index=True)
    # a unit absent from a run is compared as planned at zero
    units = frame[keys].drop_duplicates()
    grid = units.merge(pd.DataFrame({"metric": list(CHANNEL_METRICS)}), how="cross").merge(
        pd.DataFrame({"run": [r.label for r in runs], "_order": range(len(runs))}), how="cross")
    frame = grid.merge(frame, on=[*keys, "metric", "run", "_order"], how="left")
    absent = frame["value"].isna() & frame["metric"].isin(["total_spend", "share",
                                                           "incremental_kpi"])
    frame.loc[absent, "value"] = 0.0
    frame = _with_deltas(frame, [*keys, "metric"], runs[0].label)
    metric_order = {m: i for i, m in enumerate(CHANNEL_METRICS)}
    frame["_metric"] = frame["metric"].map(metric_order)
    frame = frame.sort_values([*keys, "_metric", "_order"], kind="stable")
    return frame[[*keys, "metric", "run", "value", "delta", "change"]].reset_index(drop=True)


def _totals_table(runs: list[Run]) -> pd.DataFrame:
    rows = []
    for run in runs:
        totals = run.summary.get("totals", {})
        for metric in TOTAL_METRICS:
            value = totals.get(metric)
            rows.append({"metric": metric, "run": run.label,
                         "value": float(value) if value is not None else np.nan})
        dual = run.summary.get("budget_dual")
        rows.append({"metric": "budget_dual", "run": run.label,
                     "value": float(dual) if dual is not None else np.nan})
    frame = _with_deltas(pd.DataFrame(rows), ["metric"], runs[0].label)
    order = {m: i for i, m in enumerate([*TOTAL_METRICS, "budget_dual"])}
    frame["_metric"] = frame["metric"].map(order)
    frame = frame.sort_values("_metric", kind="stable").drop(columns="_metric")
    return frame.reset_index(drop=True)


def _dig(data: dict, path: tuple[str, ...]):
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return ""
        data = data[part]
    return data


def _settings_table(runs: list[Run]) -> pd.DataFrame:
    rows = []
    for name, path in SETTINGS:
        rows.append([name, *[_text(_dig(r.summary, path)) for r in runs]])
    rows.append(["binding_rules", *[", ".join(sorted(b.get("rule", "") for b in
                                                      r.summary.get("binding_constraints", [])))
                                    for r in runs]])
    frame = pd.DataFrame(rows, columns=["setting", *[r.label for r in runs]])
    values = frame[[r.label for r in runs]]
    frame["differs"] = values.nunique(axis=1) > 1
    return frame


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    return "" if value is None else str(value)


def _allocation_diff(runs: list[Run], keys: list[str]) -> tuple[pd.DataFrame, dict]:
    """Spend per unit × period in every run, and where it differs most from the base run (a
    cell, or a unit's total over the horizon); a cell missing from a run counts as zero."""
    cell = [*keys, "period_start"]
    merged = None
    for run in runs:
        spend = run.allocation[[*cell, "total_spend"]].rename(columns={"total_spend": run.label})
        merged = spend if merged is None else merged.merge(spend, on=cell, how="outer")
    labels = [r.label for r in runs]
    merged[labels] = merged[labels].fillna(0.0)
    merged = merged.sort_values(cell, kind="stable").reset_index(drop=True)
    base_total = float(merged[labels[0]].sum())
    others = labels[1:]
    diffs = merged[others].sub(merged[labels[0]], axis=0).abs()
    merged["max_abs_difference"] = diffs.max(axis=1)
    by_unit = merged.groupby(keys, sort=True)[labels].sum()
    unit_diffs = by_unit[others].sub(by_unit[labels[0]], axis=0).abs()
    largest = {"amount": 0.0, "share": 0.0, "where": "", "run": ""}
    for run in others:
        i = int(np.argmax(diffs[run].to_numpy())) if len(diffs) else 0
        if len(diffs) and diffs[run].iloc[i] > largest["amount"]:
            row = merged.iloc[i]
            largest = {"amount": float(diffs[run].iloc[i]), "run": run,
                       "where": f"{'/'.join(str(row[k]) for k in keys)} in the period from "
                                f"{row['period_start']}"}
        j = int(np.argmax(unit_diffs[run].to_numpy())) if len(unit_diffs) else 0
        if len(unit_diffs) and unit_diffs[run].iloc[j] > largest["amount"]:
            unit = unit_diffs.index[j]
            largest = {"amount": float(unit_diffs[run].iloc[j]), "run": run,
                       "where": f"{'/'.join(unit) if isinstance(unit, tuple) else unit} "
                                "over the horizon"}
    largest["share"] = largest["amount"] / base_total if base_total > 0 else (
        0.0 if largest["amount"] == 0 else float("inf"))
    largest["base_spend"] = base_total
    return merged, largest


def wide_channels(comparison: Comparison) -> pd.DataFrame:
    """Side by side: one row per unit × metric, one column per run, then Δ and Δ% per run."""
    frame = comparison.channels
    keys = [c for c in ("channel", "market") if c in frame.columns]
    index = [*keys, "metric"]
    wide = frame.pivot(index=index, columns="run", values="value")[comparison.labels]
    parts = [wide]
    for label in comparison.labels[1:]:
        sub = frame[frame["run"] == label].set_index(index)
        parts.append(sub["delta"].rename(f"Δ {label}"))
        parts.append(sub["change"].rename(f"Δ% {label}"))
    out = pd.concat(parts, axis=1).reset_index()
    order = {m: i for i, m in enumerate(CHANNEL_METRICS)}
    out["_m"] = out["metric"].map(order)
    return out.sort_values([*keys, "_m"], kind="stable").drop(columns="_m").reset_index(drop=True)


def wide_totals(comparison: Comparison) -> pd.DataFrame:
    frame = comparison.totals
    wide = frame.pivot(index="metric", columns="run", values="value")[comparison.labels]
    parts = [wide]
    for label in comparison.labels[1:]:
        sub = frame[frame["run"] == label].set_index("metric")
        parts.append(sub["delta"].rename(f"Δ {label}"))
        parts.append(sub["change"].rename(f"Δ% {label}"))
    out = pd.concat(parts, axis=1)
    order = list(dict.fromkeys(frame["metric"]))
    return out.loc[order].reset_index()


def comparison_files(comparison: Comparison, tolerance: float | None = None) -> dict[str, bytes]:
    """File name → bytes for `compare --out`: long CSVs, the settings, a JSON verdict, a workbook."""
    from budgetopt.optimizer.results.files import csv_text, json_text
    from budgetopt.optimizer.results.spreadsheet import workbook_bytes

    verdict = {"runs": [{"label": r.label, "path": r.path.name} for r in comparison.runs],
               "base": comparison.labels[0], "largest_difference": comparison.largest,
               "settings_that_differ": comparison.settings.loc[
                   comparison.settings["differs"], "setting"].tolist()}
    if tolerance is not None:
        verdict["tolerance"] = tolerance
        verdict["within_tolerance"] = comparison.within(tolerance)
    sheets = {"channels": wide_channels(comparison), "totals": wide_totals(comparison),
              "settings": comparison.settings, "allocation": comparison.allocation}
    return {"channels.csv": csv_text(comparison.channels).encode(),
            "totals.csv": csv_text(comparison.totals).encode(),
            "settings.csv": csv_text(comparison.settings).encode(),
            "allocation.csv": csv_text(comparison.allocation).encode(),
            "comparison.json": json_text(verdict).encode(),
            "comparison.xlsx": workbook_bytes(sheets, percent_columns=_percent_columns,
                                              words=_words(comparison))}


def _words(comparison: Comparison):
    from budgetopt.optimizer.results.i18n import Words
    return Words(getattr(comparison, "language", None) or "en")


def _percent_columns(sheet: str, column: str) -> bool:
    return column.startswith("Δ% ")
