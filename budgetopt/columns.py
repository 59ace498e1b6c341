"""One rule for the history's columns: no column serves two roles. A total-KPI history names
its date, market, KPI, one spend column per channel and its controls; a column given two of
these (a channel's spend that is the KPI column, a control that is another channel's spend)
would credit one series twice, so it is refused wherever the roles are set — the scenario
file and the history checks call this same function."""
from __future__ import annotations

from collections.abc import Iterable

from budgetopt.error_codes import error_text
from budgetopt.errors import InputError
from budgetopt.messages import Msg, N_


def wide_roles(kpi: str, spend_columns: dict[str, str], controls: Iterable[str]) -> list[tuple[str, str]]:
    """(role, column) pairs of a total-KPI history, in the order a message should name them;
    each role is a `Msg`, so a message can word it in the reader's language."""
    roles = [(Msg.word(N_("the date")), "date"), (Msg.word(N_("the market")), "market"),
             (Msg.word(N_("the KPI (kpi)")), kpi)]
    roles += [(Msg(N_("the spend of {channel} ({key})"), channel=channel,
                   key=f"spend_columns.{channel}"), column)
              for channel, column in sorted(spend_columns.items())]
    roles += [(Msg.word(N_("a control (controls)")), column) for column in controls]
    return roles


def role_clash(roles: Iterable[tuple[str, str]]) -> tuple[Msg, str] | None:
    """(what is wrong, how to fix it) for the first column given two roles, or None; the
    wording of E0269 (the same role twice) or E0270 (two roles), values kept."""
    first: dict[str, str] = {}
    for role, column in roles:
        if column not in first:
            first[column] = role
            continue
        was = first[column]
        code = "E0269" if was == role else "E0270"
        return (Msg(error_text(code).what, column=repr(column), was=was, role=role),
                error_text(code).fix)
    return None


def clash_error(clash: tuple[Msg, str], where) -> InputError:
    """The InputError of a `role_clash` result, with its code."""
    values = clash[0].values
    return InputError("E0269" if values["was"] == values["role"] else "E0270",
                      column=values["column"], was=values["was"], role=values["role"],
                      where=where)
