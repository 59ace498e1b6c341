"""Ratio strings as planners write them: a plain number, or "1:X" (spend:return) which reads X."""
from __future__ import annotations

import math
import re

_SPEND_RETURN = re.compile(r"^\s*1(?:\.0*)?\s*:\s*(\d+(?:\.\d*)?|\.\d+)\s*$")
HOW_TO_WRITE = "write a plain number such as 4 or 4.0, or \"1:4\" (spend:return)"


def parse_ratio(value: object) -> float:
    """Read a ratio (ROI) from a number or a "1:X" string; anything else is a ValueError saying how to write it."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{value!r} is not a ratio; {HOW_TO_WRITE}")
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            raise ValueError(f"a {len(str(value))}-digit number is not a ratio (too large); "
                             f"{HOW_TO_WRITE}") from None
    elif isinstance(value, str):
        text = value.strip()
        match = _SPEND_RETURN.match(text)
        if match:
            number = float(match.group(1))
        else:
            try:
                number = float(text.replace("_", ""))
            except ValueError:
                raise ValueError(f"{value!r} is not a ratio; {HOW_TO_WRITE}") from None
    else:
        raise ValueError(f"{value!r} is not a ratio; {HOW_TO_WRITE}")
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{value!r} is not a ratio ≥ 0; {HOW_TO_WRITE}")
    return number
