"""Every coded error's English wording, in one place: a stable code (printed in every language,
searchable in docs/errors.md), what is wrong and how to fix it, as templates with `{name}`
placeholders. A raise site names its code and values only — `InputError("E0201", path=...,
where=...)` — and the gettext catalogs word the same templates in Chinese. Codes never change
meaning; a retired code is not reused.

E01xx: the scenario file; E02xx: the history file; E03xx: the scenario against its history;
E04xx: the command line and output directories; E05xx: runs that cannot be reproduced;
E06xx: plans that cannot be made (exit code 1); E07xx: rebalancing mid-quarter; E08xx:
comparing runs; E09xx: backtest, frontier and shocks; E10xx: forecasting backends; E11xx: curve
tables given to the LP."""
from __future__ import annotations

from budgetopt.input_errors import INPUT_ERRORS
from budgetopt.messages import ErrorText, N_
from budgetopt.run_errors import RUN_ERRORS

ERRORS: dict[str, ErrorText] = {**INPUT_ERRORS, **RUN_ERRORS}

#: What the topics are called in docs/errors.md (and in Chinese)
TOPICS = {"scenario": N_("The scenario file"), "history": N_("The history file"),
          "inputs": N_("The scenario against its history"),
          "command": N_("The command line and output directories"),
          "reproduce": N_("Reproducing a run"), "plan": N_("Plans that cannot be made"),
          "rebalance": N_("Rebalancing mid-quarter"), "compare": N_("Comparing runs"),
          "sweeps": N_("Backtest, frontier and shocks"),
          "backend": N_("Forecasting backends"), "curves": N_("Curve tables given to the LP")}


def error_text(code: str) -> ErrorText:
    """The wording of `code`; an unknown code is a programming error."""
    try:
        return ERRORS[code]
    except KeyError:
        raise KeyError(f"no error code {code!r} in budgetopt.error_codes") from None
