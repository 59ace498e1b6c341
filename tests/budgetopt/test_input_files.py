"""Input files are regular files read with a hard byte limit (budgetopt/input_files.py,
docs/security.md): a device, a pipe or a directory behind a path or a symlink is refused by
kind, before a byte is read, and no file is read past its limit whatever size it reports."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from budgetopt.errors import InputError
from budgetopt.forecasts.history.loader import load_history
from budgetopt.input_files import read_regular, size_text
from budgetopt.optimizer.results.i18n import Words
from budgetopt.optimizer.scenario.loader import load_scenario

GOOD = Path(__file__).parents[1] / "fixtures" / "bad" / "good"


def _read(path, limit=1000, what="summary.json"):
    return read_regular(path, where=str(path), what=what, limit=limit)


def test_a_regular_file_is_read_whole(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 1000)
    assert _read(path) == b"x" * 1000


@pytest.mark.parametrize("what, expected", [
    ("summary.json", "summary.json is 1001 bytes, over the 1000 bytes limit — fix: restore the "
                     "file as the run wrote it [E0511]"),
    ("history file", "file is 1001 bytes, over the 1000 bytes limit — fix: split the history "
                     "into smaller files (fewer years or units) or aggregate days to weeks "
                     "[E0204]"),
    ("scenario file", "file is 1001 bytes, over the 1000 bytes limit — fix: a scenario is a few "
                      "kilobytes of YAML; check that this is the scenario file [E0117]"),
])
def test_a_file_over_the_limit_is_refused_from_its_size(tmp_path, what, expected):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 1001)
    with pytest.raises(InputError) as info:
        _read(path, what=what)
    assert str(info.value) == f"{path}: {expected}"


def test_the_limit_holds_for_a_file_that_reports_a_smaller_size():
    path = Path("/proc/self/status")          # a regular file that reports 0 bytes
    assert path.stat().st_size == 0 and len(path.read_bytes()) > 20
    with pytest.raises(InputError, match=r"summary.json is more than 20 bytes, over the 20 bytes "
                                         r"limit — fix: .* \[E0511\]$"):
        _read(path, limit=20)


@pytest.mark.parametrize("loader", ["history", "scenario"])
def test_a_link_to_a_device_is_refused_by_kind(tmp_path, loader):
    link = tmp_path / ("history.csv" if loader == "history" else "plan.yaml")
    link.symlink_to("/dev/zero")
    load = load_history if loader == "history" else load_scenario
    with pytest.raises(InputError) as info:
        load(link)
    what, code = ("history file", "E0223") if loader == "history" else ("scenario file", "E0116")
    assert str(info.value) == (f"{link}: is a link to a character device (/dev/zero), not a "
                               f"regular {what} — fix: point to the {what} itself, saved on disk "
                               f"[{code}]")
    kind = "历史数据文件" if loader == "history" else "方案文件"
    assert Words("zh").error_line(info.value) == (
        f"{link}：是指向字符设备的链接（/dev/zero），不是普通的{kind} — 修改方法：指向保存在磁盘上的"
        f"{kind}本身 [{code}]")


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "history.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="history.csv: is a pipe, not a regular history file"):
        load_history(fifo)


def test_a_directory_is_refused_by_kind(tmp_path):
    with pytest.raises(InputError, match=r"summary.json is a directory, not a regular file — fix: "
                                         r"restore the file as the run wrote it \[E0510\]$"):
        _read(tmp_path)


def test_a_link_to_a_regular_file_is_read(tmp_path):
    link = tmp_path / "history.csv"
    link.symlink_to(GOOD / "history.csv")
    assert load_history(link).channels == ["kol", "search_ads", "social"]


@pytest.mark.parametrize("n, text", [(0, "0 bytes"), (1023, "1023 bytes"), (1024, "1.0 KB"),
                                     (1536, "1.5 KB"), (5 * 1024**2, "5.0 MB"),
                                     (2 * 1024**3, "2.0 GB"), (3000 * 1024**3, "3000.0 GB")])
def test_sizes_read_in_planner_units(n, text):
    assert size_text(n) == text
