"""Chinese files: CSV histories in UTF-8, UTF-8 with BOM, GB18030/GBK and .xlsx load to the same
history, names intact and NFC-normalized; the encoding is stated or detected safely."""
from __future__ import annotations

import codecs
import unicodedata

import pandas as pd
import pytest

from budgetopt.errors import InputError
from budgetopt.forecasts.history.loader import load_history
from history_rows import make_rows

NAMES = ("搜索广告", "直播带货 (抖音)", "小红书·种草")


def chinese_rows() -> pd.DataFrame:
    return make_rows(days=370, channels=NAMES, markets=["华东", "华南"])


def write(tmp_path, frame: pd.DataFrame, encoding: str, name: str = "history.csv"):
    path = tmp_path / name
    path.write_bytes(frame.to_csv(index=False).encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
@pytest.mark.parametrize("stated", [False, True])
def test_every_encoding_gives_the_same_history(tmp_path, encoding, stated):
    rows = chinese_rows()
    reference = load_history(write(tmp_path, rows, "utf-8", "ref.csv")).frame
    path = write(tmp_path, rows, encoding)
    if encoding == "gb18030":
        assert path.read_bytes() != (tmp_path / "ref.csv").read_bytes()
    h = load_history(path, encoding=encoding if stated else None)
    pd.testing.assert_frame_equal(h.frame, reference)
    assert sorted(h.frame["channel"].unique()) == sorted(NAMES)
    assert set(h.frame["market"].unique()) == {"华东", "华南"}


def test_xlsx_history_gives_the_same_history(tmp_path):
    rows = chinese_rows()
    reference = load_history(write(tmp_path, rows, "utf-8")).frame
    xlsx = tmp_path / "history.xlsx"
    typed = rows.assign(date=pd.to_datetime(rows["date"]))
    typed.to_excel(xlsx, index=False, engine="openpyxl")
    h = load_history(xlsx)
    pd.testing.assert_frame_equal(h.frame, reference)
    # text dates in the sheet read too
    rows.to_excel(xlsx, index=False, engine="openpyxl")
    pd.testing.assert_frame_equal(load_history(xlsx).frame, reference)


def test_xlsx_problems_name_the_sheet_row(tmp_path):
    rows = chinese_rows()
    rows.loc[5, "channel"] = "@kol"
    xlsx = tmp_path / "history.xlsx"
    rows.to_excel(xlsx, index=False, engine="openpyxl")
    with pytest.raises(InputError) as info:
        load_history(xlsx)
    text = str(info.value)
    assert "history.xlsx row 7, column 'channel'" in text and "formula" in text


def test_a_broken_xlsx_is_one_line(tmp_path):
    xlsx = tmp_path / "history.xlsx"
    xlsx.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InputError) as info:
        load_history(xlsx)
    assert "not a readable .xlsx workbook" in str(info.value) and "\n" not in str(info.value)


def test_a_gb18030_file_read_as_utf8_names_the_line(tmp_path):
    path = write(tmp_path, chinese_rows(), "gb18030")
    with pytest.raises(InputError) as info:
        load_history(path, encoding="utf-8")
    text = str(info.value)
    assert "history.csv line 2" in text and "cannot be read as utf-8" in text
    assert "history_encoding" in text


def test_a_bom_file_with_bad_bytes_is_not_guessed_as_gb18030(tmp_path):
    data = codecs.BOM_UTF8 + chinese_rows().to_csv(index=False).encode("gb18030")
    path = tmp_path / "history.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match="UTF-8 byte-order mark") as info:
        load_history(path)
    assert "history.csv line 2" in str(info.value)


def test_history_names_are_nfc_and_width_twins_are_refused(tmp_path):
    rows = chinese_rows()
    nfd = unicodedata.normalize("NFD", "Café")
    rows["channel"] = rows["channel"].replace({"搜索广告": nfd})
    h = load_history(write(tmp_path, rows, "utf-8"))
    assert "Café" in set(h.frame["channel"]) and nfd not in set(h.frame["channel"])
    rows = chinese_rows()
    rows.loc[rows.index[-1], "channel"] = "直播带货 （抖音）"
    with pytest.raises(InputError, match="differ only in character width") as info:
        load_history(write(tmp_path, rows, "utf-8"))
    assert f"line {len(rows) + 1}, column 'channel'" in str(info.value)
