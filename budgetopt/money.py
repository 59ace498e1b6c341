"""Money as planners read it: an amount with its currency sign. Shared by the rules (shadow
prices in words) and every output, so formatting never needs the solver."""
from __future__ import annotations

CURRENCY_SIGNS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}

#: KPI names that are money (shown with the currency sign rather than as plain numbers)
MONEY_MEASURES = ("revenue", "gmv", "profit")


def money(amount: float, currency: str = "CNY", decimals: int = 0) -> str:
    """An amount with its currency sign: ¥1,234."""
    symbol = CURRENCY_SIGNS.get(currency)
    number = f"{amount:,.{decimals}f}"
    return f"{symbol}{number}" if symbol else f"{number} {currency}"
