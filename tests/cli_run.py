"""Run the budgetopt command in-process and return its exit code."""
from __future__ import annotations

import pytest

from budgetopt.optimizer.cli.main import main


def cli(*args) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    return exit_info.value.code
