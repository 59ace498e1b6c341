"""Ratio strings as planners write them (docs/scenario.md, "Writing values"): a plain number,
or "1:X" (spend:return) which reads as X. Anything else is a ValueError that says how to write
it — never a silent guess."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budgetopt.optimizer.scenario.ratios import HOW_TO_WRITE, parse_ratio


@pytest.mark.parametrize("value, expected", [
    (4, 4.0),
    (0, 0.0),
    (4.0, 4.0),
    (2.5, 2.5),
    ("4", 4.0),
    ("4.0", 4.0),
    ("0.8", 0.8),
    ("1:4", 4.0),
    ("1:2.5", 2.5),
    (" 1 : 4 ", 4.0),
    ("1 :4", 4.0),
    ("1.0:4", 4.0),
    ("1.00:3.5", 3.5),
    ("1:.5", 0.5),
    ("1:0", 0.0),
    ("\t1:4\n", 4.0),
])
def test_reads_numbers_and_spend_return_strings(value, expected):
    result = parse_ratio(value)
    assert type(result) is float
    assert result == expected


def test_one_to_four_is_roi_four_and_four_to_one_is_an_error():
    assert parse_ratio("1:4") == 4.0
    with pytest.raises(ValueError, match="not a ratio"):
        parse_ratio("4:1")


@pytest.mark.parametrize("value", [
    "4:1",          # return:spend, the wrong way round
    "2:8",          # not normalised to 1:X
    "1:3:5",
    "abc",
    "",
    "   ",
    ":4",
    "1:",
    "1:abc",
    "1:-4",
    "1:4:",
    "1/4",
    "25%",
    "4x",
    "1：4",         # full-width colon
    None,
    True,
    False,
    [1, 4],
    {"spend": 1, "return": 4},
    -1,
    -0.5,
    "-4",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1:nan",
    "1:inf",
    float("nan"),
    float("inf"),
    float("-inf"),
])
def test_anything_else_is_an_error_that_says_how_to_write_it(value):
    with pytest.raises(ValueError) as info:
        parse_ratio(value)
    message = str(info.value)
    assert HOW_TO_WRITE in message
    assert '"1:4"' in message and "plain number" in message
    assert "\n" not in message


def test_the_error_names_the_value_it_rejects():
    with pytest.raises(ValueError, match=r"'4:1' is not a ratio"):
        parse_ratio("4:1")
    with pytest.raises(ValueError, match=r"-2 is not a ratio ≥ 0"):
        parse_ratio(-2)
    with pytest.raises(ValueError, match=r"'nan' is not a ratio ≥ 0"):
        parse_ratio("nan")


def test_an_integer_too_large_for_a_float_is_a_value_error():
    with pytest.raises(ValueError, match="not a ratio"):
        parse_ratio(10 ** 400)


finite_positive = st.floats(min_value=0, exclude_min=True, allow_nan=False, allow_infinity=False)


@given(finite_positive.filter(lambda x: "e" not in repr(x)))
def test_one_colon_x_reads_as_x(x):
    assert parse_ratio(f"1:{x!r}") == x
    assert parse_ratio(f" 1 : {x!r} ") == x


@given(finite_positive)
def test_a_number_reads_as_itself(x):
    assert parse_ratio(x) == x
    assert parse_ratio(repr(x)) == x


@given(st.integers(min_value=0, max_value=10 ** 15))
def test_an_integer_reads_as_the_same_float(n):
    assert parse_ratio(n) == float(n)
    assert parse_ratio(str(n)) == float(n)


@given(st.floats(max_value=0, exclude_max=True, allow_nan=False))
def test_negative_numbers_are_errors(x):
    with pytest.raises(ValueError, match="≥ 0"):
        parse_ratio(x)


@given(finite_positive.filter(lambda x: "e" not in repr(x)))
def test_the_return_spend_order_is_always_an_error(x):
    """"X:1" is how a reversed ratio looks; only "1:1" reads, as 1."""
    if x == 1.0:
        assert parse_ratio(f"{x!r}:1") == 1.0
        return
    with pytest.raises(ValueError, match="not a ratio"):
        parse_ratio(f"{x!r}:1")


# text that is often a ratio: "A:B" with A a one or not, B a number or not, padded or not
ratio_like = st.builds(lambda pad, a, b: f"{pad}{a}:{b}{pad}",
                       st.sampled_from(["", " ", "\t"]),
                       st.sampled_from(["1", "1.0", " 1 ", "01", "2", "4", "", "one"]),
                       st.one_of(finite_positive.map(repr),
                                 st.sampled_from(["", "x", "-1", "2:3"])))


def _read_by_the_spec(text: str) -> float:
    """An independent reading of an accepted ratio text: "1:X" is X, anything else a number."""
    if ":" in text:
        spend, ret = text.strip().split(":")
        assert float(spend) == 1.0, text
        return float(ret)
    return float(text.strip().replace("_", ""))


@given(st.one_of(st.text(max_size=30), ratio_like, finite_positive.map(repr)))
def test_any_text_is_a_ratio_or_a_value_error(text):
    try:
        result = parse_ratio(text)
    except ValueError as exc:
        assert HOW_TO_WRITE in str(exc)
    else:
        assert type(result) is float
        assert math.isfinite(result) and result >= 0
        assert result == _read_by_the_spec(text)
