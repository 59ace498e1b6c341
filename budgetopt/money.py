"""Money as planners read it: an amount with its currency sign, formatted by Babel. Shared by
the rules (shadow prices in words) and every output, so formatting never needs the solver.

Without a reader's locale each currency is written as at home: ¥ for CNY (Babel's English
writes CN¥), $ for USD, € for EUR, £ for GBP, ¥ for JPY; a currency with no sign of its own
is written after the amount (1,234 XYZ)."""
from __future__ import annotations

from babel.numbers import format_currency, get_currency_symbol

#: the Babel locale a currency's sign is taken from when no reader's locale is given
HOME_LOCALES = {"CNY": "zh_Hans_CN"}
DEFAULT_LOCALE = "en_US"

#: KPI names that are money (shown with the currency sign rather than as plain numbers)
MONEY_MEASURES = ("revenue", "gmv", "profit")


def currency_sign(currency: str, locale: str | None = None) -> str:
    """The currency's sign (¥, $, €), or "" when it has none but its code."""
    symbol = get_currency_symbol(currency, locale or HOME_LOCALES.get(currency, DEFAULT_LOCALE))
    return "" if symbol == currency else symbol


def money(amount: float, currency: str = "CNY", decimals: int = 0,
          locale: str | None = None) -> str:
    """An amount with its currency sign: ¥1,234 (a reader's Babel `locale` may be given)."""
    where = locale or HOME_LOCALES.get(currency, DEFAULT_LOCALE)
    digits = "#,##0" + ("." + "0" * decimals if decimals else "")
    pattern = f"¤{digits}" if currency_sign(currency, where) else f"{digits} ¤"
    return format_currency(amount, currency, format=pattern, locale=where, currency_digits=False)
