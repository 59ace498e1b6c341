"""Error types every layer raises: one line saying what is wrong, where, and how to fix it.

A coded error names its code and the values its template needs — `InputError("E0201",
path=..., where=...)`; its wording lives in budgetopt.error_codes (English) and the gettext
catalogs (Chinese), and its line ends with the code in every language: `… [E0201]` (the
line still starts with where the problem is, as uncoded lines do).
Errors without a code (`InputError("what", where=..., fix=...)`) still work, worded as given."""
from __future__ import annotations

import re

_CODE = re.compile(r"E\d{4}")


class BudgetoptError(Exception):
    """Base error; `exit_code` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None,
                 **values):
        self.code = None
        self.values = values
        if _CODE.fullmatch(what):
            from budgetopt.error_codes import error_text
            from budgetopt.messages import Msg

            text = error_text(what)
            self.code = what
            what = Msg(text.what, **values)
            fix = Msg(text.fix, **values) if text.fix and fix is None else fix
        elif values:
            raise TypeError(f"values without an error code: {sorted(values)}")
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self.line())

    def line(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        if self.fix:
            text += f" — fix: {self.fix}"
        return " ".join(text.split()) + (f" [{self.code}]" if self.code else "")


class InputError(BudgetoptError):
    """Bad input (scenario, history, arguments): exit code 2."""

    exit_code = 2


class PlanError(BudgetoptError):
    """The plan cannot be made (infeasible rules, solver failure, time limit): exit code 1."""

    exit_code = 1
