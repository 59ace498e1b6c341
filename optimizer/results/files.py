"""The run's files as text: CSV and JSON written the same way every time (fixed decimals, sorted
keys, `\n` endings, spreadsheet formulas neutralized), so the same inputs give the same bytes."""
from __future__ import annotations

import codecs
import json
import math
import os
import platform
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import yaml

from budgetopt.optimizer.results.csv_body import csv_text_fast
from budgetopt.optimizer.results.tables import PlanResult

MONEY_DECIMALS = 2
RATIO_DECIMALS = 6
RATIO_COLUMNS = {"roi", "net_roi", "marginal_roi", "share", "change_vs_history", "wape",
                 "accuracy", "coverage", "nominal_coverage"}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(text):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _text_cell(value):
    """A CSV text cell: a carriage return becomes a newline (a cell holding a bare CR would be
    written unquoted and split the row), then formulas are neutralized."""
    if isinstance(value, str) and "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return neutralize(value)


def tidy_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO strings, ratios to 6 decimals, amounts to 2; no negative zeros; text that
    a spreadsheet would read as a formula neutralized."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            codes, uniques = pd.factorize(series)      # each distinct text tidied once
            tidied = np.array([_text_cell(u) for u in uniques] + [None], dtype=object)
            out[col] = pd.Series(tidied[codes], index=series.index, dtype=object)
        elif pd.api.types.is_datetime64_any_dtype(series):
            out[col] = series.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(series):
            digits = RATIO_DECIMALS if col in RATIO_COLUMNS else MONEY_DECIMALS
            out[col] = series.round(digits) + 0.0
    return out


def tidy_json(value):
    """Round floats (6 significant decimals) and replace NaN/inf by null, recursively."""
    if isinstance(value, dict):
        return {k: tidy_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [tidy_json(v) for v in value]
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return round(value, 6) + 0.0 if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def json_text(value) -> str:
    return json.dumps(tidy_json(value), indent=2, ensure_ascii=False) + "\n"


def csv_text(frame: pd.DataFrame, header: bool = True) -> str:
    tidied = tidy_frame(frame)
    decimals = {c: RATIO_DECIMALS if c in RATIO_COLUMNS else MONEY_DECIMALS
                for c in tidied.columns if pd.api.types.is_float_dtype(tidied[c])}
    fast = csv_text_fast(tidied, decimals, header)
    return fast if fast is not None else tidied.to_csv(index=False, header=header,
                                                       lineterminator="\n")



def excel_bytes(text: str) -> bytes:
    """CSV text as UTF-8 with a byte-order mark, which Excel needs to read it as UTF-8."""
    return codecs.BOM_UTF8 + text.encode("utf-8")


def plan_files(result: PlanResult) -> dict[str, str]:
    """File name → text for every deterministic output of a plan."""
    return {name: "".join(parts) for name, parts in plan_file_parts(result).items()}


def plan_file_parts(result: PlanResult) -> dict:
    """File name → its text in parts, in order: the plausible curves come a unit at a time, so
    writing them never holds the whole file."""
    files = {
        "allocation.csv": [csv_text(result.allocation)],
        "channels.csv": [csv_text(result.channels)],
        "forecast.csv": [csv_text(result.forecast)],
        "curves.csv": [csv_text(result.curves)],
        "summary.json": [json_text(result.summary)],
        "scenario.yaml": [scenario_text(result.scenario)],
    }
    if result.decomposition is not None:
        files["decomposition.csv"] = [csv_text(result.decomposition)]
    if result.plausible is not None:
        files["plausible_curves.csv"] = _csv_parts(result.plausible.frames())
    return files


def _csv_parts(frames):
    """CSV text of consecutive frames of one table: the header once, then each frame's rows."""
    first = True
    for frame in frames:
        yield csv_text(frame, header=first)
        first = False


def scenario_text(scenario) -> str:
    """The scenario as planned: the file's exact text, or for a scenario built in code its
    values as YAML (what `budgetopt run --check` re-runs)."""
    if scenario.raw is not None:
        return scenario.raw.decode("utf-8")
    data = scenario.model_dump(mode="json", exclude_none=True)
    return "# built in code\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def run_record(result: PlanResult, started: datetime) -> dict:
    """run.json: when, how long, on what machine, and where the inputs were (absolute paths
    differ between machines, so they live here rather than in summary.json)."""
    scenario = result.scenario
    return {"started_at": started.isoformat(timespec="seconds"),
            "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "stages_s": result.run_info.get("stages_s", {}),
            "machine": {"platform": platform.platform(), "processor": platform.machine(),
                        "cpus": os.cpu_count(), "python": platform.python_version()},
            "inputs": {"scenario": str(scenario.source) if scenario.source else None,
                       "history": os.path.abspath(scenario.history_path)}}


def backtest_frames(result) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The backtest's score and detail tables with channel (and market) columns."""
    has_market = result.detail["market"].notna().any()
    keys = ["channel", "market"] if has_market else ["channel"]
    scores = result.scores.copy()
    split = scores["unit"].str.split("/", n=1, expand=True)
    scores["channel"] = split[0]
    if has_market:
        scores["market"] = split[1] if split.shape[1] > 1 else None
    scores["nominal_coverage"] = result.interval_width
    scores = scores[[*keys, "folds", "periods", "actual", "forecast", "wape", "accuracy",
                     "coverage", "nominal_coverage"]]
    detail = result.detail[[*keys, "fold", "origin", "period_start", "period_end", "actual",
                            "forecast", "lower", "upper"]]
    return scores, detail
