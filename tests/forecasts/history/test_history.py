"""History loading and validation: a valid file loads typed and sorted; every bad input is a
one-line InputError naming the file, the place and the fix."""
from __future__ import annotations

import gzip
import hashlib
import pathlib
import re

import numpy as np
import pandas as pd
import pytest

from budgetopt.errors import InputError
from budgetopt.forecasts.history import readers as hist
from budgetopt.forecasts.history.frame import History
from budgetopt.forecasts.history.loader import load_history, validate_history

from history_rows import START, make_rows


def write_csv(tmp_path, frame: pd.DataFrame, name: str = "history.csv") -> pathlib.Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def write_text(tmp_path, text: str, name: str = "history.csv") -> pathlib.Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def one_line(err: InputError, *parts: str) -> str:
    """The error is exit code 2, one line, and names every given part."""
    text = str(err)
    assert err.exit_code == 2
    assert "\n" not in text and "\r" not in text
    assert " — fix: " in text
    for part in parts:
        assert part in text, f"{part!r} not in {text!r}"
    return text


def load_err(path, *parts: str, match: str | None = None, **kw) -> str:
    with pytest.raises(InputError, match=match) as info:
        load_history(path, **kw)
    return one_line(info.value, *parts)


# ---------------------------------------------------------------------------- valid input


def test_valid_csv_loads_typed_sorted_and_hashed(tmp_path):
    path = write_csv(tmp_path, make_rows())
    h = load_history(path)
    f = h.frame
    assert list(f.columns) == ["date", "channel", "spend", "revenue", "conversions"]
    assert f["date"].dtype == "datetime64[ns]"
    assert pd.api.types.is_string_dtype(f["channel"])
    assert all(f[c].dtype == "float64" for c in ("spend", "revenue", "conversions"))
    assert isinstance(f.index, pd.RangeIndex) and len(f) == 800
    assert f.equals(f.sort_values(["channel", "date"]).reset_index(drop=True))
    assert (f["date"] == f["date"].dt.normalize()).all()
    assert h.freq == "D" and h.kpi == "revenue" and h.source == str(path)
    assert h.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert not h.has_market
    assert h.units == [("kol", None), ("search", None)]
    assert h.channels == ["kol", "search"]
    assert h.start == pd.Timestamp(START) and h.end == pd.Timestamp(START) + pd.Timedelta(days=399)
    assert h.never_spent() == []
    kol = h.unit_frame("kol")
    assert len(kol) == 400 and set(kol["channel"]) == {"kol"}
    assert kol["date"].is_monotonic_increasing and isinstance(kol.index, pd.RangeIndex)


def test_values_survive_loading(tmp_path):
    rows = make_rows(days=370)
    h = load_history(write_csv(tmp_path, rows))
    want = rows[rows["channel"] == "search"].reset_index(drop=True)
    got = h.unit_frame("search")
    np.testing.assert_allclose(got["spend"], want["spend"])
    np.testing.assert_allclose(got["revenue"], want["revenue"])
    assert list(got["date"].dt.strftime("%Y-%m-%d")) == list(want["date"])


def test_parquet_loads_the_same_as_csv(tmp_path):
    rows = make_rows()
    from_csv = load_history(write_csv(tmp_path, rows))
    parquet_rows = rows.assign(date=pd.to_datetime(rows["date"]))
    for name in ("history.parquet", "history.pq"):
        path = tmp_path / name
        parquet_rows.to_parquet(path, index=False)
        h = load_history(path)
        pd.testing.assert_frame_equal(h.frame, from_csv.frame)
        assert h.freq == "D" and h.units == from_csv.units
        assert h.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_parquet_with_date_index_and_text_dates(tmp_path):
    rows = make_rows(days=370)
    path = tmp_path / "indexed.parquet"
    rows.set_index("date").to_parquet(path)
    h = load_history(path)
    assert h.frame["date"].dtype == "datetime64[ns]" and len(h.frame) == 740


def test_parquet_categorical_and_integer_columns(tmp_path):
    rows = make_rows(days=370).assign(date=lambda f: pd.to_datetime(f["date"]))
    rows["channel"] = rows["channel"].astype("category")
    rows["conversions"] = rows["conversions"].astype("Int64")
    path = tmp_path / "history.parquet"
    rows.to_parquet(path, index=False)
    h = load_history(path)
    assert pd.api.types.is_string_dtype(h.frame["channel"]) and h.channels == ["kol", "search"]
    assert h.frame["conversions"].dtype == "float64"


def test_gzip_csv_loads(tmp_path):
    rows = make_rows(days=370)
    path = tmp_path / "history.csv.gz"
    path.write_bytes(gzip.compress(rows.to_csv(index=False).encode()))
    h = load_history(path)
    assert len(h.frame) == 740
    assert h.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_weekly_rows_get_freq_w(tmp_path):
    h = load_history(write_csv(tmp_path, make_rows(days=60, step=7)))
    assert h.freq == "W"
    assert (h.end - h.start).days == 59 * 7


def test_market_column_makes_channel_market_units(tmp_path):
    h = load_history(write_csv(tmp_path, make_rows(days=370, markets=["north", "east"])))
    assert h.has_market
    assert list(h.frame.columns[:4]) == ["date", "channel", "market", "spend"]
    assert h.units == [("kol", "east"), ("kol", "north"), ("search", "east"), ("search", "north")]
    assert h.channels == ["kol", "search"]
    f = h.frame
    assert f.equals(f.sort_values(["channel", "market", "date"]).reset_index(drop=True))
    unit = h.unit_frame("kol", "north")
    assert len(unit) == 370 and set(unit["market"]) == {"north"}
    with pytest.raises(KeyError, match="market"):
        h.unit_frame("kol")
    with pytest.raises(KeyError):
        h.unit_frame("kol", "west")


def test_never_spent_lists_units_with_zero_spend(tmp_path):
    rows = make_rows(days=370, channels=("search", "kol", "seo"))
    rows.loc[rows["channel"] == "seo", "spend"] = 0.0
    h = load_history(write_csv(tmp_path, rows))
    assert h.never_spent() == [("seo", None)]
    with pytest.raises(KeyError):
        h.unit_frame("seo", "x")


def test_negative_kpi_is_allowed_and_other_kpi_can_be_chosen(tmp_path):
    rows = make_rows(days=370)
    rows.loc[5, "revenue"] = -120.0
    h = load_history(write_csv(tmp_path, rows), kpi="conversions")
    assert h.kpi == "conversions" and h.frame["revenue"].min() == -120.0
    assert list(h.frame.columns) == ["date", "channel", "spend", "conversions", "revenue"]


def test_min_history_days_can_be_lowered(tmp_path):
    h = load_history(write_csv(tmp_path, make_rows(days=100)), min_history_days=90)
    assert len(h.frame) == 200


def test_midnight_datetimes_bom_and_blank_lines_are_accepted(tmp_path):
    rows = make_rows(days=370)
    rows["date"] = rows["date"] + " 00:00:00"
    text = rows.to_csv(index=False)
    path = tmp_path / "history.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode() + b"\n\n")
    h = load_history(path)
    assert h.start == pd.Timestamp(START) and len(h.frame) == 740


def test_validate_history_in_memory(tmp_path):
    rows = make_rows(days=370).assign(date=lambda f: pd.to_datetime(f["date"]))
    before = rows.copy()
    h = validate_history(rows)
    assert isinstance(h, History) and h.source == "<frame>" and h.sha256 is None
    assert h.frame["date"].dtype == "datetime64[ns]" and h.freq == "D"
    pd.testing.assert_frame_equal(rows, before)
    rows.loc[3, "spend"] = np.nan
    with pytest.raises(InputError, match=r"<frame> row 4, column 'spend'") as info:
        validate_history(rows)
    one_line(info.value, "missing", "fill in")


def test_in_memory_time_of_day_is_rejected():
    rows = make_rows(days=370).assign(date=lambda f: pd.to_datetime(f["date"]))
    rows.loc[2, "date"] = rows.loc[2, "date"] + pd.Timedelta(hours=13)
    with pytest.raises(InputError, match="time of day") as info:
        validate_history(rows, source="mem")
    one_line(info.value, "mem row 3", "'date'", "00:00")


# ---------------------------------------------------------------------------- 1. the file


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nope.csv"
    load_err(path, str(path), "check the path", match="not found")


def test_directory_is_rejected(tmp_path):
    load_err(tmp_path, str(tmp_path), "fix:", match="is a directory")


def test_unsupported_extension(tmp_path):
    path = write_text(tmp_path, "date,channel,spend,revenue\n", "history.xls")
    load_err(path, "history.xls", ".xlsx", ".csv", "parquet", match="unsupported file type")


def test_empty_file(tmp_path):
    load_err(write_text(tmp_path, ""), "history.csv", "header row", match="file is empty")
    load_err(write_text(tmp_path, " \n\n"), "history.csv", match="file is empty")


def test_header_only(tmp_path):
    path = write_text(tmp_path, "date,channel,spend,revenue\n")
    load_err(path, "history.csv", "365 days", match="header but no data rows")


def test_single_data_row(tmp_path):
    path = write_text(tmp_path, "date,channel,spend,revenue\n2024-01-01,kol,1,2\n")
    load_err(path, "history.csv", "daily or weekly", match="only one data row")


def test_non_utf8_names_the_line(tmp_path):
    text = make_rows(days=370).to_csv(index=False).encode()
    lines = text.split(b"\n")
    for name in (b"kol", b"search"):
        lines[3] = lines[3].replace(name, name[:1] + "\u00e9".encode("latin-1") + name[1:])
    path = tmp_path / "history.csv"
    path.write_bytes(b"\n".join(lines))
    # with the encoding stated, Latin-1 bytes are an error naming the line
    with pytest.raises(InputError) as info:
        load_history(path, encoding="utf-8")
    text = str(info.value)
    assert "history.csv line 4" in text and "cannot be read as utf-8" in text
    assert "history_encoding" in text and "\n" not in text


def test_bytes_neither_utf8_nor_gb18030_name_the_line(tmp_path):
    text = make_rows(days=370).to_csv(index=False).encode()
    lines = text.split(b"\n")
    lines[6] = lines[6].replace(b"kol", b"k\xffol")
    path = tmp_path / "history.csv"
    path.write_bytes(b"\n".join(lines))
    load_err(path, "history.csv line 7", "UTF-8", "history_encoding",
             match="byte 0xff cannot be read as utf-8 or gb18030")


def test_malformed_csv_extra_field(tmp_path):
    lines = make_rows(days=370).to_csv(index=False).splitlines()
    lines[4] += ",99"
    path = write_text(tmp_path, "\n".join(lines) + "\n")
    load_err(path, "history.csv line 5", "quote", match="6 fields but the header has 5")


def test_malformed_csv_unclosed_quote(tmp_path):
    lines = make_rows(days=370).to_csv(index=False).splitlines()
    lines[6] = lines[6].replace(",kol,", ',"kol,')
    lines[6] = lines[6].replace(",search,", ',"search,')
    path = write_text(tmp_path, "\n".join(lines) + "\n")
    load_err(path, "history.csv line 7", "close the quote", match="never closed")


def test_too_large_is_rejected_before_reading(tmp_path, monkeypatch):
    path = write_csv(tmp_path, make_rows(days=370))
    monkeypatch.setattr(hist, "MAX_HISTORY_BYTES", 1000)

    def no_read(*a, **k):
        raise AssertionError("file was read")

    monkeypatch.setattr(pathlib.Path, "read_bytes", no_read)
    monkeypatch.setattr(pd, "read_csv", no_read)
    load_err(path, "history.csv", "limit", "split", match="over the 1000 bytes limit")
    parquet = tmp_path / "history.parquet"
    make_rows(days=370).to_parquet(parquet)
    load_err(parquet, "history.parquet", "split", match="limit")


def test_gzip_that_unpacks_too_large(tmp_path, monkeypatch):
    text = make_rows(days=370).to_csv(index=False).encode()
    path = tmp_path / "history.csv.gz"
    path.write_bytes(gzip.compress(text))
    monkeypatch.setattr(hist, "MAX_HISTORY_BYTES", path.stat().st_size + 10)
    assert len(text) > hist.MAX_HISTORY_BYTES
    load_err(path, "history.csv.gz", "split", match="unpacks to more than the .* limit")


def test_broken_gzip_and_parquet(tmp_path):
    bad_gz = tmp_path / "history.csv.gz"
    bad_gz.write_bytes(b"this is not gzip data")
    load_err(bad_gz, "history.csv.gz", "gzip", match="not a valid gzip file")
    bad_pq = tmp_path / "history.parquet"
    bad_pq.write_bytes(b"PAR1 nonsense")
    load_err(bad_pq, "history.parquet", "re-export", match="not a readable Parquet file")


def test_parquet_errors_use_one_based_rows(tmp_path):
    rows = make_rows(days=370)
    rows.loc[9, "spend"] = -3.0
    path = tmp_path / "history.parquet"
    rows.to_parquet(path, index=False)
    load_err(path, "history.parquet row 10, column 'spend'", "0 or more", match=r"spend is negative \(-3\)")


# ---------------------------------------------------------------------------- 2. columns


def test_missing_required_column(tmp_path):
    path = write_csv(tmp_path, make_rows(days=370).drop(columns="spend"))
    load_err(path, "history.csv line 1", "add a 'spend' column", match="missing required column 'spend'")


def test_column_in_wrong_case(tmp_path):
    path = write_csv(tmp_path, make_rows(days=370).rename(columns={"spend": "Spend"}))
    load_err(path, "history.csv line 1", "rename", match="column 'Spend' should be named 'spend'")


def test_column_close_misspelling(tmp_path):
    path = write_csv(tmp_path, make_rows(days=370).rename(columns={"revenue": "revenu"}))
    load_err(path, "history.csv line 1", "rename", match="column 'revenu' should be named 'revenue'")


def test_missing_kpi_column(tmp_path):
    path = write_csv(tmp_path, make_rows(days=370))
    load_err(path, "history.csv line 1", "'gmv'", "kpi=", "revenue",
             match="missing the KPI column 'gmv'", kpi="gmv")


def test_kpi_argument_cannot_be_a_structural_column(tmp_path):
    path = write_csv(tmp_path, make_rows(days=370))
    load_err(path, "kpi", "revenue", match="cannot be the KPI column", kpi="spend")


def test_market_in_wrong_case(tmp_path):
    path = write_csv(tmp_path, make_rows(days=370, markets=["n"]).rename(columns={"market": "Market"}))
    load_err(path, "history.csv line 1", "rename", match="column 'Market' should be named 'market'")


def test_text_extra_column(tmp_path):
    rows = make_rows(days=370).assign(notes="promo week")
    path = write_csv(tmp_path, rows)
    text = load_err(path, "history.csv line 1", "'notes'", "remove", "numeric",
                    match="column 'notes' is text")
    assert "line 2" in text


def test_empty_extra_column(tmp_path):
    path = write_csv(tmp_path, make_rows(days=370).assign(comment=""))
    load_err(path, "history.csv line 1", "remove the column", match="column 'comment' is empty")


def test_semicolon_separated_file(tmp_path):
    path = tmp_path / "history.csv"
    make_rows(days=370).to_csv(path, index=False, sep=";")
    load_err(path, "history.csv line 1", "commas", match="missing required column 'date'")


def test_duplicate_and_unnamed_header_columns(tmp_path):
    rows = make_rows(days=370)
    lines = rows.to_csv(index=False).splitlines()
    lines[0] = lines[0].replace("conversions", "spend")
    load_err(write_text(tmp_path, "\n".join(lines)), "history.csv line 1", "rename one",
             match="column 'spend' appears twice")
    lines = rows.to_csv(index=False).splitlines()
    lines = [lines[0] + ","] + [line + "," for line in lines[1:]]
    load_err(write_text(tmp_path, "\n".join(lines)), "history.csv line 1", "trailing comma",
             match="column 6 has no name")


# ---------------------------------------------------------------------------- 3. dates


@pytest.mark.parametrize("value, match", [
    ("2023/01/03", "is not a date in YYYY-MM-DD form"),
    ("03-01-2023", "is not a date in YYYY-MM-DD form"),
    ("2023-1-3", "is not a date in YYYY-MM-DD form"),
    ("2023-01-03 09:30", "is not a date in YYYY-MM-DD form"),
    ("2023-02-30", "is not a calendar date"),
    ("1850-01-03", "outside 1900-2199"),
])
def test_bad_date_names_line_and_value(tmp_path, value, match):
    rows = make_rows(days=370)
    rows.loc[4, "date"] = value
    path = write_csv(tmp_path, rows)
    load_err(path, "history.csv line 6, column 'date'", value, "YYYY-MM-DD", match=match)


def test_missing_date(tmp_path):
    rows = make_rows(days=370)
    rows.loc[7, "date"] = ""
    load_err(write_csv(tmp_path, rows), "history.csv line 9, column 'date'", "YYYY-MM-DD",
             match="date is missing")


# ---------------------------------------------------------------------------- 4. names


@pytest.mark.parametrize("value, why", [
    ('=HYPERLINK("http://x","y")', "which spreadsheets read as a formula"),
    ("+86 channel", "which spreadsheets read as a formula"),
    ("@kol", "which spreadsheets read as a formula"),
    ("－直播", "which spreadsheets read as a formula"),
    ("live/streaming", "path separator '/'"),
    ("live\\streaming", "path separator"),
    ("tab\there", "control character U+0009"),
    ("zero\u200bwidth", "control character U+200B"),
    ("x" * 65, "longer than 64"),
    ("直播带货!", "contains '!'"),
    (" 私域", "starts or ends with a space"),
])
def test_bad_channel_name(tmp_path, value, why):
    rows = make_rows(days=370)
    rows.loc[10, "channel"] = value
    text = load_err(write_csv(tmp_path, rows), "history.csv line 12, column 'channel'",
                    "letters or digits in any script", match=re.escape(why))
    assert repr(value[:20])[1:-1] in text


def test_a_channel_name_in_any_script_loads(tmp_path):
    rows = make_rows(days=370, channels=("直播带货", "search_ads"))
    history = load_history(write_csv(tmp_path, rows))
    assert history.channels == sorted(["直播带货", "search_ads"])


def test_empty_channel_name(tmp_path):
    rows = make_rows(days=370)
    rows.loc[0, "channel"] = ""
    load_err(write_csv(tmp_path, rows), "history.csv line 2, column 'channel'", "rename",
             match="channel name is empty")


def test_bad_market_name(tmp_path):
    rows = make_rows(days=370, markets=["north", "east"])
    rows.loc[3, "market"] = "east/coast"
    load_err(write_csv(tmp_path, rows), "history.csv line 5, column 'market'", "'east/coast'", "rename",
             match="market name")


# ---------------------------------------------------------------------------- 5. numbers


@pytest.mark.parametrize("column, value, match, fix", [
    ("spend", "abc", "'abc' is not a number", "plain number"),
    ("spend", "¥1,200", "'¥1,200' is not a number", "thousands separators"),
    ("revenue", "", "revenue is missing", "fill in"),
    ("revenue", "NaN", r"revenue is missing \(NaN\)", "fill in"),
    ("spend", "inf", "spend is infinite", "finite"),
    ("revenue", "-inf", "revenue is infinite", "finite"),
    ("conversions", "lots", "'lots' is not a number", "plain number"),
    ("conversions", "", "conversions is missing", "fill in"),
])
def test_bad_numeric_cell(tmp_path, column, value, match, fix):
    rows = make_rows(days=370)
    rows[column] = rows[column].astype(object)
    rows.loc[20, column] = value
    load_err(write_csv(tmp_path, rows), f"history.csv line 22, column '{column}'", fix, match=match)


def test_negative_spend_names_line_and_value(tmp_path):
    rows = make_rows(days=370)
    rows.loc[30, "spend"] = -42.5
    load_err(write_csv(tmp_path, rows), "history.csv line 32, column 'spend'", "0 or more",
             match=r"spend is negative \(-42\.5\)")


# ---------------------------------------------------------------------------- 6. duplicates


def test_duplicate_rows_name_both_lines(tmp_path):
    rows = make_rows(days=370)
    dup = rows.iloc[[6]].assign(spend=1.0)
    rows = pd.concat([rows.iloc[:50], dup, rows.iloc[50:]], ignore_index=True)
    load_err(write_csv(tmp_path, rows), "history.csv line 52", "line 8", rows.loc[6, "date"],
             f"channel {rows.loc[6, 'channel']}", "one row per date", match="duplicate row")


def test_same_date_and_channel_in_two_markets_is_not_a_duplicate(tmp_path):
    h = load_history(write_csv(tmp_path, make_rows(days=370, channels=("kol",), markets=["a", "b"])))
    assert h.units == [("kol", "a"), ("kol", "b")]


# ---------------------------------------------------------------------------- 7. frequency


def test_gap_names_unit_and_missing_span(tmp_path):
    rows = make_rows(days=400, start="2024-01-01")
    gone = (rows["channel"] == "kol") & rows["date"].between("2024-03-05", "2024-03-08")
    rows = rows[~gone].reset_index(drop=True)
    text = load_err(write_csv(tmp_path, rows), "history.csv", "channel kol", "4 missing days",
                    "add the missing rows", "spend 0",
                    match="no rows between 2024-03-04 and 2024-03-09 for channel kol")
    line = rows.index[(rows["channel"] == "kol") & (rows["date"] == "2024-03-09")][0] + 2
    assert f"line {line}" in text


def test_weekly_gap(tmp_path):
    rows = make_rows(days=60, step=7, start="2024-01-01")
    rows = rows[~((rows["channel"] == "search") & (rows["date"] == "2024-02-05"))]
    load_err(write_csv(tmp_path, rows), "channel search", "1 missing week", "spend 0",
             match="no rows between 2024-01-29 and 2024-02-12")


def test_mixed_daily_and_weekly_units(tmp_path):
    daily = make_rows(days=400, channels=("search",), start="2023-01-02")
    weekly = make_rows(days=58, channels=("kol",), step=7, start="2023-01-02")
    weekly = weekly.assign(date=pd.to_datetime(weekly["date"]) + pd.Timedelta(days=399 - 57 * 7))
    weekly["date"] = weekly["date"].dt.strftime("%Y-%m-%d")
    path = write_csv(tmp_path, pd.concat([daily, weekly]))
    load_err(path, "history.csv", "channel kol", "channel search", "one frequency",
             match="has weekly rows but channel search has daily rows")


def test_monthly_rows_are_rejected(tmp_path):
    dates = pd.date_range("2022-01-01", periods=24, freq="MS").strftime("%Y-%m-%d")
    rows = pd.DataFrame({"date": dates, "channel": "kol", "spend": 1.0, "revenue": 2.0})
    load_err(write_csv(tmp_path, rows), "history.csv line 3", "2022-01-01 then 2022-02-01",
             "one row per week", match="are 31 days apart.*must be daily or weekly")


def test_irregular_weekly_spacing(tmp_path):
    rows = make_rows(days=60, step=7, channels=("kol",), start="2024-01-01")
    rows.loc[10, "date"] = "2024-03-13"  # 2024-03-11 moved two days later
    load_err(write_csv(tmp_path, rows), "history.csv line 12", "same weekday",
             match="are 9 days apart; weekly rows must be exactly 7 days apart")


def test_unit_that_stops_early(tmp_path):
    rows = make_rows(days=400, start="2024-01-01")
    rows = rows[~((rows["channel"] == "kol") & (rows["date"] > "2024-12-31"))]
    load_err(write_csv(tmp_path, rows), "channel kol", "2024-12-31", "2025-02-03", "add rows up to",
             match="ends on 2024-12-31 but the history runs to 2025-02-03")


def test_units_may_start_at_different_dates(tmp_path):
    rows = make_rows(days=400)
    rows = rows[~((rows["channel"] == "kol") & (rows["date"] < "2023-01-20"))]
    h = load_history(write_csv(tmp_path, rows))
    assert h.unit_frame("kol")["date"].iloc[0] == pd.Timestamp("2023-01-20")
    assert h.start == pd.Timestamp(START)


# ---------------------------------------------------------------------------- 8. length


def test_too_little_history_says_have_and_need(tmp_path):
    path = write_csv(tmp_path, make_rows(days=200, start="2024-01-01"))
    load_err(path, "history.csv", "has 200 days", "365 days are needed", "full year", "min_history_days",
             match="2024-01-01 to 2024-07-18")


def test_too_little_history_weekly_counts_the_last_week(tmp_path):
    path = write_csv(tmp_path, make_rows(days=10, step=7))
    load_err(path, "history.csv", "has 70 days", "365", "and 1 more unit)", match="70 days of history")
    assert load_history(path, min_history_days=70).freq == "W"


def test_short_unit_among_long_ones(tmp_path):
    rows = make_rows(days=400)
    rows = rows[~((rows["channel"] == "kol") & (rows["date"] < "2023-06-01"))]
    load_err(write_csv(tmp_path, rows), "channel kol", "days are needed", match=r"has 249 days")
