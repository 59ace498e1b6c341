"""One rule for the history's columns: no column serves two roles. A total-KPI history names
its date, market, KPI, one spend column per channel and its controls; a column given two of
these (a channel's spend that is the KPI column, a control that is another channel's spend)
would credit one series twice, so it is refused wherever the roles are set — the scenario
file and the history checks call this same function."""
from __future__ import annotations

from collections.abc import Iterable


def wide_roles(kpi: str, spend_columns: dict[str, str], controls: Iterable[str]) -> list[tuple[str, str]]:
    """(role, column) pairs of a total-KPI history, in the order a message should name them."""
    roles = [("the date", "date"), ("the market", "market"), ("the KPI (kpi)", kpi)]
    roles += [(f"the spend of {channel} (spend_columns.{channel})", column)
              for channel, column in sorted(spend_columns.items())]
    roles += [("a control (controls)", column) for column in controls]
    return roles


def role_clash(roles: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """(what is wrong, how to fix it) for the first column given two roles, or None."""
    first: dict[str, str] = {}
    for role, column in roles:
        if column not in first:
            first[column] = role
            continue
        was = first[column]
        what = (f"column {column!r} is given twice as {role}" if was == role else
                f"column {column!r} is both {was} and {role}")
        return what, ("give each role its own column: the date, the market, the KPI, each "
                      "channel's spend and each control are different columns")
    return None
