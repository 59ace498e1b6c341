"""Error types every layer raises: one line saying what is wrong, where, and how to fix it."""
from __future__ import annotations


class BudgetoptError(Exception):
    """Base error; `exit_code` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None):
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self.line())

    def line(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        if self.fix:
            text += f" — fix: {self.fix}"
        return " ".join(text.split())


class InputError(BudgetoptError):
    """Bad input (scenario, history, arguments): exit code 2."""

    exit_code = 2


class PlanError(BudgetoptError):
    """The plan cannot be made (infeasible rules, solver failure, time limit): exit code 1."""

    exit_code = 1
