"""Generated inputs: the scenario and history loaders either accept what they are given or
raise the project's own InputError — never another exception. Accepted inputs must also be
what they claim to be (checked on the result), so "accept" cannot hide a wrong answer.

Both outcomes are exercised on purpose: valid histories (in every form a file or frame may
take) must be accepted and hold exactly what they were given; the same histories with one
defect must be refused naming it; and the anything-goes properties draw from valid
histories too, so their accept branch runs."""
from __future__ import annotations

import datetime as dt
from collections import Counter
import math
import os

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from budgetopt.errors import InputError
from budgetopt.forecasts.history.loader import load_history, validate_history
from budgetopt.optimizer.scenario.spec import Scenario
from budgetopt.optimizer.scenario.loader import load_scenario, scenario_from_dict

# FUZZ_EXAMPLES=5000 for a long search (benchmarks/bad_inputs.py counts such a run)
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# --- values a planner (or a broken script) might put anywhere ------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(), st.integers(min_value=-10, max_value=10),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 0.5, 1.5, 1e308, -0.0, 12_000_000, "1:4", "4:1", "1:3:5", "abc",
                     "", " ", "1:", ":4", "1:0", "0.6", "60%", "12,000,000", "¥1,200", "inf",
                     "nan", "=SUM(A1)", "-cmd", "search_ads", "kol", "2026-10-01", "2026-02-30",
                     "week", "month", "day", "highs", "cbc", "explicit", "historical", "max_roi",
                     "target_roi", "max_profit", "\x00", "渠道"]),
    st.text(max_size=12),
    st.dates(min_value=dt.date(1, 1, 1)), st.datetimes())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.none()),
                    inner, max_size=4)), max_leaves=12)

BASE = {
    "name": "fuzz", "currency": "CNY", "history": "history.csv", "kpi": "revenue",
    "horizon": {"start": dt.date(2026, 10, 1), "end": dt.date(2026, 12, 31), "period": "week"},
    "budget": {"total": 12_000_000, "fixed_share": 0.6, "fixed_rule": "explicit",
               "reserve_share": 0.05, "overspend_tolerance": 0.0, "dynamic_min_roi": "1:2",
               "fixed": {"search_ads": 0.3}},
    "objective": "target_roi", "target_roi": "1:4", "margin": 0.3,
    "channels": {"search_ads": {"min": 500_000, "max": 4_000_000},
                 "live_streaming": {"max_share": 0.35, "roi_floor": "1:4"},
                 "private_domain": {"lock": 800_000}, "kol": {"cac_cap": 120}},
    "groups": {"high": {"channels": ["content_seo", "social"], "min_share": 0.6,
                        "max_share": 0.9}},
    "limits": {"max_change_vs_history": 0.5, "period_max_change": 0.3},
    "events": [{"name": "brand_day", "date": dt.date(2026, 11, 25), "lower_window": -3,
                "upper_window": 1}],
    "forecast": {"seasonality_mode": "multiplicative", "backend": "local"},
    "solver": {"name": "highs", "time_limit_s": 60},
}


def _paths(node, prefix=()):
    """Every key path of a nested dict/list, for mutations."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


PATHS = [p for p in _paths(BASE) if p]


def _copy(node):
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


@st.composite
def mutated_scenarios(draw):
    """The full spec example with a few keys replaced, removed or added."""
    data = _copy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            action = draw(st.sampled_from(["set", "set", "delete", "add"]))
            if action == "set":
                parent[path[-1]] = draw(values)
            elif action == "delete" and isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif isinstance(parent, dict):
                parent[draw(st.text(max_size=10))] = draw(values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation changed the shape under this path
    return data


OUTCOMES: Counter = Counter()  # accepted / rejected, read by benchmarks/bad_inputs.py


def _accept_or_input_error(load):
    try:
        result = load()
    except InputError as err:
        text = str(err)
        assert err.exit_code == 2 and "\n" not in text and " — fix: " in text, text
        OUTCOMES["rejected"] += 1
        return None
    OUTCOMES["accepted"] += 1
    return result


@FUZZ
@given(mutated_scenarios())
def test_mutated_scenarios_load_or_fail_cleanly(data):
    scenario = _accept_or_input_error(lambda: scenario_from_dict(data))
    if scenario is not None:
        assert isinstance(scenario, Scenario)
        b = scenario.budget
        assert b.total > 0 and 0 <= b.fixed_share <= 1 and b.fixed_share + b.reserve_share <= 1 + 1e-12
        assert scenario.horizon.start <= scenario.horizon.end
        assert math.isfinite(b.dynamic_pool) and b.dynamic_pool >= -1e-6 * b.total


def _ratio_text(x: float):
    """The ways docs/scenario.md lets a ratio be written, for the value x."""
    return st.sampled_from([x, f"1:{x!r}", f" 1 : {x!r} ", repr(x)])


@st.composite
def valid_scenarios(draw):
    """The full spec example with its numbers redrawn inside the documented ranges; returns
    the mapping and the numbers it must be read as."""
    data = _copy(BASE)
    shares = st.floats(0, 1, allow_nan=False)
    total = draw(st.one_of(st.integers(1, 10**12), st.floats(1.0, 1e12)))
    fixed_share = draw(st.floats(0.05, 1.0))
    reserve_share = draw(shares) * (1 - fixed_share) * 0.999
    # ratios as planners write them: plain decimals (no exponent), up to 4 places
    hurdle, target, floor = (round(draw(st.floats(0, 50)), 4) for _ in range(3))
    tolerance = draw(shares)
    b = data["budget"]
    b.update(total=total, fixed_share=fixed_share, reserve_share=reserve_share,
             overspend_tolerance=tolerance, dynamic_min_roi=draw(_ratio_text(hurdle)))
    data["target_roi"] = draw(_ratio_text(target))
    data["channels"]["live_streaming"]["roi_floor"] = draw(_ratio_text(floor))
    data["objective"] = draw(st.sampled_from(["max_revenue", "max_roi", "max_profit",
                                              "target_roi"]))
    meant = {"total": float(total), "fixed_share": fixed_share, "reserve_share": reserve_share,
             "overspend_tolerance": tolerance, "dynamic_min_roi": hurdle, "target_roi": target,
             "roi_floor": floor}
    return data, meant


@FUZZ
@given(valid_scenarios())
def test_valid_scenarios_are_accepted_and_read_as_written(drawn):
    data, meant = drawn
    s = _accepted(lambda: scenario_from_dict(data))
    b = s.budget
    got = {"total": b.total, "fixed_share": b.fixed_share, "reserve_share": b.reserve_share,
           "overspend_tolerance": b.overspend_tolerance, "dynamic_min_roi": b.dynamic_min_roi,
           "target_roi": s.target_roi, "roi_floor": s.channels["live_streaming"].roi_floor}
    assert got == meant
    assert b.fixed_pool + b.dynamic_pool + b.reserve == pytest.approx(b.total, rel=1e-9)
    assert s.objective == data["objective"]


BAD_VALUES = [("budget", "total", 0, "budget.total"), ("budget", "total", -1.0, "budget.total"),
              ("budget", "total", "12,000,000", "budget.total"),
              ("budget", "fixed_share", 1.5, "budget.fixed_share"),
              ("budget", "fixed_share", -0.1, "budget.fixed_share"),
              ("budget", "dynamic_min_roi", "4:1", "budget.dynamic_min_roi"),
              ("budget", "dynamic_min_roi", "1:3:5", "budget.dynamic_min_roi"),
              ("budget", "fixed_rule", "hist", "budget.fixed_rule"),
              ("budget", "budgt", 1, "unknown key 'budgt'"),
              ("horizon", "period", "quarter", "horizon.period"),
              ("solver", "name", "gurobi", "solver.name")]


@FUZZ
@given(valid_scenarios(), st.sampled_from(BAD_VALUES))
def test_a_valid_scenario_with_one_bad_value_is_refused_naming_the_key(drawn, bad):
    data, _ = drawn
    section, key, value, says = bad
    data[section][key] = value
    _rejected(lambda: scenario_from_dict(data), says)


@FUZZ
@given(values)
def test_any_value_as_a_scenario_loads_or_fails_cleanly(data):
    _accept_or_input_error(lambda: scenario_from_dict(data))


def _yaml_text(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@FUZZ
@given(mutated_scenarios(), st.lists(st.tuples(st.integers(0, 10_000),
                                               st.sampled_from(list(":-[]{}#&*!|>'\"%@`, \t\n?")
                                                               + ["\x00", "\xff", "<<", "!!python/object:os.system"])),
                                     max_size=4))
def test_scenario_files_with_damaged_text_load_or_fail_cleanly(tmp_path, data, edits):
    text = _yaml_text(data)
    for pos, chars in edits:
        pos %= len(text) + 1
        text = text[:pos] + chars + text[pos:]
    path = tmp_path / "plan.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    _accept_or_input_error(lambda: load_scenario(path))


@FUZZ
@given(st.binary(max_size=300))
def test_scenario_files_of_random_bytes_fail_cleanly(tmp_path, raw):
    path = tmp_path / "plan.yaml"
    path.write_bytes(raw)
    assert _accept_or_input_error(lambda: load_scenario(path)) is None


def test_an_alias_bomb_is_rejected_quickly(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    path = tmp_path / "plan.yaml"
    path.write_text("\n".join(lines) + "\nname: bomb\n")
    with pytest.raises(InputError, match="expands to more than 200,000 values"):
        load_scenario(path)


# --- history frames ------------------------------------------------------------------------------

cells = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["2025-01-05", "2025-01-12", "2025-02-30", "01/05/2025", "2025-01-05 00:00",
                     "2025-01-05T10:00", "kol", "search", "-cmd", "=1+1", "", " ", "NaN", "inf",
                     "-1", "1,200", "¥5", "null", "N/A", "1e400", "0x10", "渠道"]),
    st.text(max_size=8), st.datetimes(), st.dates(min_value=dt.date(1, 1, 1)),
    st.timedeltas(), st.complex_numbers(max_magnitude=1e6))
COLUMN_NAMES = ["date", "channel", "spend", "revenue", "market", "conversions", "Spend",
                "Date ", "kpi", 0, None, ""]


@st.composite
def history_frames(draw):
    n = draw(st.integers(0, 12))
    names = draw(st.lists(st.one_of(st.sampled_from(COLUMN_NAMES), st.text(max_size=6)),
                          min_size=0, max_size=7))
    columns = {}
    for name in names:
        kind = draw(st.sampled_from(["mixed", "float", "int", "datetime", "text", "category"]))
        if kind == "mixed":
            col = pd.Series(draw(st.lists(cells, min_size=n, max_size=n)), dtype=object)
        elif kind == "float":
            col = pd.Series(draw(st.lists(st.floats(allow_nan=True, allow_infinity=True),
                                          min_size=n, max_size=n)), dtype="float64")
        elif kind == "int":
            col = pd.Series(draw(st.lists(st.integers(-2**63, 2**63 - 1), min_size=n, max_size=n)),
                            dtype="int64")
        elif kind == "datetime":
            col = pd.Series(pd.to_datetime(draw(st.lists(
                st.datetimes(min_value=dt.datetime(1700, 1, 1), max_value=dt.datetime(2250, 1, 1)),
                min_size=n, max_size=n))), dtype="datetime64[ns]")
        elif kind == "text":
            col = pd.Series(draw(st.lists(st.text(max_size=6), min_size=n, max_size=n)), dtype=object)
        else:
            col = pd.Series(draw(st.lists(st.sampled_from(["a", "b", "kol"]), min_size=n,
                                          max_size=n)), dtype="category")
        columns[len(columns)] = (name, col)
    frame = pd.DataFrame({i: c for i, (_, c) in columns.items()}, index=range(n))
    frame.columns = [name for name, _ in columns.values()]
    return frame


# --- valid and invalid histories, each property asserting its one outcome -----------------------

CHANNEL_NAMES = ["kol", "search_ads", "Social.v2", "seo-cn", "A", "x" * 64, "2"]


@st.composite
def valid_histories(draw):
    """A history every check must accept, written the ways files and frames come: dates as ISO
    text (optionally at 00:00) or datetime64, numbers as floats, ints or numeric text, rows in
    any order, with or without a market column and an extra numeric column. Returns the frame,
    what it holds ({(channel, market): (rows, spend sum, KPI sum)}) and its frequency."""
    freq = draw(st.sampled_from(["D", "W"]))
    step = 1 if freq == "D" else 7
    channels = draw(st.lists(st.sampled_from(CHANNEL_NAMES), min_size=1, max_size=3, unique=True))
    markets = draw(st.one_of(st.none(), st.lists(st.sampled_from(["north", "south", "cn-1"]),
                                                 min_size=1, max_size=2, unique=True)))
    end = dt.date(2025, 6, 29) + dt.timedelta(days=draw(st.integers(0, 400)))
    forms = {c: draw(st.sampled_from(["float", "int", "text"])) for c in ("spend", "revenue")}
    ranges = {"spend": (0, 10**9), "revenue": (-10**9, 10**9)}

    def numbers(column, n):
        lo, hi = ranges[column]
        if forms[column] == "int":
            return draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n))
        return draw(st.lists(st.floats(lo, hi, allow_nan=False), min_size=n, max_size=n))

    rows, truth = [], {}
    for channel in channels:
        for market in markets or [None]:
            n = draw(st.integers(2, 20))
            spend, kpi = numbers("spend", n), numbers("revenue", n)
            for i in range(n):
                row = {"date": end - dt.timedelta(days=step * (n - 1 - i)), "channel": channel,
                       "spend": spend[i], "revenue": kpi[i]}
                rows.append(row if markets is None else {**row, "market": market})
            truth[(channel, market)] = (n, math.fsum(spend), math.fsum(kpi))
    order = draw(st.permutations(range(len(rows))))
    frame = pd.DataFrame([rows[i] for i in order])
    date_form = draw(st.sampled_from(["iso", "midnight", "datetime"]))
    if date_form == "datetime":
        frame["date"] = pd.to_datetime(frame["date"])
    else:
        suffix = " 00:00" if date_form == "midnight" else ""
        frame["date"] = [d.isoformat() + suffix for d in frame["date"]]
    for column, form in forms.items():
        if form == "text":
            frame[column] = pd.Series([f" {v!r} " for v in frame[column]], dtype=object)
    if draw(st.booleans()):
        frame["conversions"] = draw(st.lists(st.integers(0, 10**6), min_size=len(frame),
                                             max_size=len(frame)))
    return frame, truth, freq


def _accepted(load):
    """The input must be accepted: an InputError here is a wrong refusal."""
    try:
        result = load()
    except InputError as err:
        raise AssertionError(f"a valid input was refused: {err}") from None
    OUTCOMES["accepted"] += 1
    return result


def _rejected(load, *fragments):
    """The input must be refused with one clean line naming every fragment."""
    with pytest.raises(InputError) as info:
        load()
    text = str(info.value)
    assert info.value.exit_code == 2 and "\n" not in text and " — fix: " in text, text
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    OUTCOMES["rejected"] += 1
    return text


def _holds(history, truth, freq):
    """The validated history holds exactly the rows and numbers it was given."""
    _check_accepted(history)
    assert history.freq == freq
    assert set(history.units) == set(truth)
    assert len(history.frame) == sum(n for n, _, _ in truth.values())
    for (channel, market), (n, spend, kpi) in truth.items():
        rows = history.unit_frame(channel, market)
        assert len(rows) == n and rows["date"].is_monotonic_increasing
        assert math.fsum(rows["spend"]) == pytest.approx(spend, rel=1e-12, abs=1e-6)
        assert math.fsum(rows["revenue"]) == pytest.approx(kpi, rel=1e-12, abs=1e-6)


@FUZZ
@given(valid_histories())
def test_valid_frames_are_accepted_as_given(drawn):
    frame, truth, freq = drawn
    before = frame.copy()
    history = _accepted(lambda: validate_history(frame, min_history_days=1))
    _holds(history, truth, freq)
    pd.testing.assert_frame_equal(frame, before)            # the input is not changed


@FUZZ
@given(valid_histories())
def test_valid_histories_written_as_csv_load_as_given(tmp_path, drawn):
    frame, truth, freq = drawn
    path = tmp_path / "history.csv"
    frame.to_csv(path, index=False)
    _holds(_accepted(lambda: load_history(path, min_history_days=1)), truth, freq)


DEFECTS = ["negative_spend", "missing_kpi", "infinite_spend", "duplicate_row", "no_column",
           "bad_channel", "bad_date", "gap", "too_short"]


@FUZZ
@given(valid_histories(), st.sampled_from(DEFECTS), st.data())
def test_a_valid_history_with_one_defect_is_refused_naming_it(drawn, defect, data):
    frame, truth, freq = drawn
    frame = frame.copy()
    i = data.draw(st.integers(0, len(frame) - 1))
    min_days, says = 1, []
    if defect in ("negative_spend", "missing_kpi", "infinite_spend"):
        column, value, says = {"negative_spend": ("spend", -1.5, ["spend is negative"]),
                               "missing_kpi": ("revenue", None, ["revenue is missing"]),
                               "infinite_spend": ("spend", "inf", ["spend is infinite"])}[defect]
        frame[column] = frame[column].astype(object)
        frame.iat[i, frame.columns.get_loc(column)] = value
        says += [f"row {i + 1}", repr(column)]
    elif defect == "duplicate_row":
        frame = pd.concat([frame, frame.iloc[[i]]], ignore_index=True)
        says = ["duplicate row", f"row {len(frame)}", f"same as row {i + 1}"]
    elif defect == "no_column":
        column = data.draw(st.sampled_from(["date", "channel", "spend", "revenue"]))
        frame = frame.drop(columns=column)
        says = [f"missing", repr(column)]
    elif defect == "bad_channel":
        name = data.draw(st.sampled_from(["=1+1", "-cmd", "a/b", "", "x" * 65, "渠\t道", " 渠道"]))
        frame["channel"] = frame["channel"].astype(object)
        frame.iat[i, frame.columns.get_loc("channel")] = name
        says = ["channel name", f"row {i + 1}"]
    elif defect == "bad_date":
        frame["date"] = frame["date"].astype(str).str.slice(0, 10).astype(object)
        frame.iat[i, frame.columns.get_loc("date")] = data.draw(
            st.sampled_from(["2025-02-30", "01/05/2025", "next monday", "", "1850-01-01"]))
        says = [f"row {i + 1}", "'date'"]
    elif defect == "gap":
        long = [k for k, (n, _, _) in truth.items() if n >= 4]  # with 3, the 2 left may read as 2-day rows
        assume(long)
        channel, market = long[0]
        unit = frame["channel"] == channel
        if market is not None:
            unit &= frame["market"] == market
        dates = pd.to_datetime(frame.loc[unit, "date"].astype(str).str.slice(0, 10))
        middle = dates.sort_values().index[1]
        frame = frame.drop(index=middle).reset_index(drop=True)
        says = ["no rows between", channel]
    else:                                    # too short: ask for one day more than the span
        n = max(n for n, _, _ in truth.values())
        min_days = (n * (1 if freq == "D" else 7)) + 1
        says = [f"{min_days} days are needed"]
    _rejected(lambda: validate_history(frame, min_history_days=min_days), *says)


@FUZZ
@given(st.one_of(history_frames(), st.builds(lambda v: v[0], valid_histories())),
       st.integers(1, 400))
def test_any_frame_validates_or_fails_cleanly(frame, min_days):
    history = _accept_or_input_error(lambda: validate_history(frame, min_history_days=min_days))
    if history is not None:
        _check_accepted(history)


def _check_accepted(history):
    data = history.frame
    assert len(data) >= 2 and np.isfinite(data["spend"]).all() and (data["spend"] >= 0).all()
    assert np.isfinite(data[history.kpi]).all()
    assert not data.duplicated(["date", *(["channel", "market"] if history.has_market
                                           else ["channel"])]).any()


@st.composite
def damaged_histories(draw):
    """A valid weekly history with a few rows removed, repeated or given odd cells."""
    weeks = draw(st.integers(2, 60))
    channels = draw(st.lists(st.sampled_from(["kol", "search", "social", "seo"]), min_size=1,
                             max_size=3, unique=True))
    dates = pd.date_range("2025-01-05", periods=weeks, freq="7D")
    rows = [{"date": d.strftime("%Y-%m-%d"), "channel": c, "spend": float(i % 7) * 100.0,
             "revenue": 1000.0 + i} for i, d in enumerate(dates) for c in channels]
    frame = pd.DataFrame(rows).astype(object)
    for _ in range(draw(st.integers(0, 3))):
        if frame.empty:
            break
        i = draw(st.integers(0, len(frame) - 1))
        action = draw(st.sampled_from(["cell", "drop", "repeat"]))
        if action == "cell":
            frame.iat[i, draw(st.integers(0, frame.shape[1] - 1))] = draw(cells)
        elif action == "drop":
            frame = frame.drop(frame.index[i])
        else:
            frame = pd.concat([frame, frame.iloc[[i]]])
    return frame.reset_index(drop=True)


@FUZZ
@given(damaged_histories(), st.integers(1, 400))
def test_damaged_histories_validate_or_fail_cleanly(frame, min_days):
    history = _accept_or_input_error(lambda: validate_history(frame, min_history_days=min_days))
    if history is not None:
        _check_accepted(history)


@FUZZ
@given(damaged_histories(), st.lists(st.tuples(st.integers(0, 10_000),
                                               st.sampled_from(list(',"\n\r;\t') + ["\xff", "\x00", "\ufeff", ""])),
                                     max_size=4))
def test_damaged_csv_files_load_or_fail_cleanly(tmp_path, frame, edits):
    raw = frame.to_csv(index=False).encode("utf-8")
    for pos, chars in edits:
        pos %= len(raw) + 1
        raw = raw[:pos] + chars.encode("latin-1" if chars == "\xff" else "utf-8") + raw[pos:]
    path = tmp_path / "history.csv"
    path.write_bytes(raw)
    history = _accept_or_input_error(lambda: load_history(path, min_history_days=1))
    if history is not None:
        _check_accepted(history)


@FUZZ
@given(st.one_of(history_frames(), st.builds(lambda v: v[0], valid_histories())))
def test_parquet_files_of_any_frame_load_or_fail_cleanly(tmp_path, frame):
    path = tmp_path / "history.parquet"
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    assume(not frame.columns.duplicated().any())
    try:
        frame.to_parquet(path)
    except Exception:  # noqa: BLE001 - pyarrow cannot store every generated frame
        assume(False)
    history = _accept_or_input_error(lambda: load_history(path, min_history_days=1))
    if history is not None:
        _check_accepted(history)


# --- the newer keys: wide histories, controls, encodings, names, risk ----------------------------

from pathlib import Path  # noqa: E402

from budgetopt.columns import role_clash, wide_roles  # noqa: E402
from budgetopt.forecasts.history.wide import validate_wide_history  # noqa: E402
from budgetopt.optimizer.intake.inputs import read_scenario_history  # noqa: E402

GOOD = Path(__file__).parents[2] / "fixtures" / "bad" / "good"
WIDE_BASE = {
    "name": "fuzz", "history": "wide.csv", "history_format": "wide", "kpi": "revenue",
    "history_encoding": "utf-8",
    "spend_columns": {"search_ads": "spend_search_ads", "kol": "spend_kol", "社交": "spend_social"},
    "controls": ["discount"], "control_values": {"discount": 0.1},
    "horizon": {"start": dt.date(2026, 1, 4), "end": dt.date(2026, 3, 28), "period": "week"},
    "budget": {"total": 3_000_000, "fixed_share": 0.6},
    "forecast": {"pilot_change": 0.5, "backend": "spark", "spark": {"partitions": 4}},
    "risk": {"measure": "cvar", "alpha": 0.2, "samples": 100, "guard": "history", "seed": 0},
}
WIDE_PATHS = [p for p in _paths(WIDE_BASE) if p]
WORDS = st.sampled_from(["revenue", "date", "market", "discount", "spend_kol", "spend_search_ads",
                         "spend_social", "off", "on", "history", True, False, "yes", "gbk",
                         "utf-8-sig", "Caf\u00e9", "Cafe\u0301", "ｋｏｌ", "total", "=cmd"])


@FUZZ
@given(st.data())
def test_mutated_wide_and_risk_scenarios_load_or_fail_cleanly(data):
    scenario = _copy(WIDE_BASE)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(WIDE_PATHS))
        parent = scenario
        try:
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = data.draw(st.one_of(values, WORDS))
        except (KeyError, IndexError, TypeError):
            continue
    loaded = _accept_or_input_error(lambda: scenario_from_dict(scenario))
    if loaded is None:
        return
    # accepted: what it says, with no column in two roles and no boolean taken as a number
    if loaded.history_format == "wide":
        assert role_clash(wide_roles(loaded.kpi, loaded.spend_columns, loaded.controls)) is None
    for number in (loaded.budget.total, loaded.risk.alpha, loaded.risk.samples,
                   loaded.forecast.pilot_change, *loaded.control_values.values()):
        assert not isinstance(number, bool)
    assert loaded.risk.guard in ("history", "off")


def _wide_frame() -> pd.DataFrame:
    return pd.read_csv(GOOD / "wide_history.csv", dtype=str, keep_default_na=False)


@FUZZ
@given(st.data())
def test_wide_histories_with_any_column_roles_and_cells_validate_or_fail_cleanly(data):
    frame = _wide_frame()
    columns = list(frame.columns)
    channels = data.draw(st.lists(st.sampled_from(["kol", "search_ads", "social", "渠道"]),
                                  min_size=1, max_size=3, unique=True))
    spend = {c: data.draw(st.sampled_from(columns)) for c in channels}
    controls = data.draw(st.lists(st.sampled_from(columns), max_size=2))
    kpi = data.draw(st.sampled_from(columns))
    for _ in range(data.draw(st.integers(0, 3))):
        row = data.draw(st.integers(0, len(frame) - 1))
        col = data.draw(st.sampled_from(columns))
        frame.loc[row, col] = data.draw(st.sampled_from(
            ["", "-1", "nan", "inf", "abc", "1e9", "0", "2025-02-30", "Caf\u00e9"]))
    history = _accept_or_input_error(
        lambda: validate_wide_history(frame, kpi, spend, controls, min_history_days=1))
    if history is None:
        return
    assert role_clash(wide_roles(kpi, spend, controls)) is None
    assert np.isfinite(history.wide[kpi]).all()
    for channel in channels:
        assert np.isfinite(history.wide[channel]).all() and (history.wide[channel] >= 0).all()
    assert not history.wide.duplicated(["date", *(["market"] if history.has_market else [])]).any()


ENCODERS = {"utf-8": lambda t: t.encode("utf-8"),
            "utf-8-sig": lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
            "gb18030": lambda t: t.encode("gb18030")}


@FUZZ
@given(st.sampled_from(["long", "wide"]), st.sampled_from(sorted(ENCODERS)),
       st.sampled_from([None, "utf-8", "utf-8-sig", "gb18030", "gbk"]))
def test_a_file_in_any_encoding_declared_any_way_reads_true_or_fails_cleanly(
        tmp_path, form, saved, declared):
    """Accepted means read right: the Chinese channel name comes through intact, never as
    mojibake, in either form."""
    if form == "long":
        text = (GOOD / "history.csv").read_text(encoding="utf-8").replace("kol", "达人")
        keys = {}
    else:
        text = (GOOD / "wide_history.csv").read_text(encoding="utf-8").replace("spend_kol", "达人花费")
        keys = {"history_format": "wide", "controls": ["discount"],
                "spend_columns": {"search_ads": "spend_search_ads", "达人": "达人花费",
                                  "social": "spend_social"}}
    path = tmp_path / "history.csv"
    path.write_bytes(ENCODERS[saved](text))
    scenario = scenario_from_dict({"name": "t", "history": "h.csv", "budget": {"total": 1e6},
                                   "horizon": {"start": "2026-01-04", "end": "2026-03-28"},
                                   "history_encoding": declared, **keys})
    history = _accept_or_input_error(lambda: read_scenario_history(scenario, path, "s.yaml"))
    if history is not None:
        assert history.channels == sorted(["达人", "search_ads", "social"])
    right = declared is None or (saved == "gb18030") == (declared in ("gb18030", "gbk"))
    assert (history is not None) == right, (saved, declared)
