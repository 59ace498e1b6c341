"""The experiments file: read with the history's readers, checked row by row against the
history; an interval gives the standard error."""
from __future__ import annotations

import pandas as pd
import pytest

from budgetopt.errors import InputError
from budgetopt.forecasts.history.experiments import Z_95, load_experiments
from budgetopt.forecasts.history.loader import load_history
from pathlib import Path

GOOD = Path(__file__).parents[2] / "fixtures" / "bad" / "good" / "history.csv"


@pytest.fixture(scope="module")
def history():
    return load_history(GOOD)


def _write(tmp_path, text, name="tests.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_interval_and_test_control_spend_are_read(history, tmp_path):
    path = _write(tmp_path, "channel,start,end,test_spend,control_spend,lift,lift_low,lift_high,"
                            "kind,note\nkol,2025-09-07,2025-09-28,68000,53000,60000,20000,"
                            "100000,geo,北区\n")
    (test,), digest = load_experiments(path, history)
    assert test.spend_change == 15000 and test.lift == 60000
    assert test.se == pytest.approx(80000 / (2 * Z_95))
    assert test.note == "北区" and len(digest) == 64
    assert test.start == pd.Timestamp("2025-09-07")


def test_an_xlsx_file_reads_as_the_csv(history, tmp_path):
    frame = pd.DataFrame({"channel": ["kol"], "start": [pd.Timestamp("2025-09-07")],
                          "end": [pd.Timestamp("2025-09-28")], "spend_change": [-5000],
                          "lift": [-20000], "std_error": [9000]})
    path = tmp_path / "tests.xlsx"
    frame.to_excel(path, index=False)
    (test,), _ = load_experiments(path, history)
    assert test.spend_change == -5000 and test.se == 9000


@pytest.mark.parametrize("row, code, says", [
    ("kol,2025-09-07,2025-09-28,99999999,60000,20000", "E0352", "more than the history spent"),
    ("kol,2025-09-07,2025-09-28,0,60000,20000", "E0350", "changes spend by 0"),
    ("kol,2025-09-28,2025-09-07,15000,60000,20000", "E0344", "not inside the history"),
    ("kol,2025-09-31,2025-10-28,15000,60000,20000", "E0349", "'2025-09-31' is not a date"),
    ("kol,2025-09-07,2025-09-28,15000,lots,20000", "E0348", "'lots' is not a number"),
    ("kol,2025-09-07,2025-09-28,15000,60000,-3", "E0345", "standard error is -3"),
])
def test_bad_rows_are_named(history, tmp_path, row, code, says):
    path = _write(tmp_path, "channel,start,end,spend_change,lift,std_error\n" + row + "\n")
    with pytest.raises(InputError) as err:
        load_experiments(path, history)
    text = str(err.value)
    assert code in text and says in text and "line 2" in text
