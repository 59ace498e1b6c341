"""Money goes through Babel: each currency with its own sign (¥ for CNY as at home, where
Babel's English writes CN¥), grouped thousands, the minus before the sign, and a currency with
no sign written after the amount."""
from __future__ import annotations

import pytest
from babel.numbers import format_currency

from budgetopt.money import currency_sign, money


@pytest.mark.parametrize("currency", ["USD", "EUR", "GBP", "JPY", "KRW"])
def test_amounts_read_as_babel_writes_them_in_english(currency):
    assert money(1234567.891, currency, 2) == format_currency(
        1234567.891, currency, format="¤#,##0.00", locale="en_US", currency_digits=False)


def test_the_yuan_keeps_its_home_sign():
    assert money(1234567.4) == "¥1,234,567"
    assert money(-2.5, "CNY", 2) == "-¥2.50"
    assert currency_sign("CNY") == "¥" and currency_sign("USD") == "$"


def test_a_currency_without_a_sign_follows_the_amount():
    assert currency_sign("XYZ") == ""
    assert money(1500, "XYZ") == "1,500 XYZ"


def test_a_readers_locale_is_used_when_given():
    assert money(1234, "USD", locale="zh_Hans_CN") == "US$1,234"
