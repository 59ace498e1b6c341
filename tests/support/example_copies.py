"""A copy of a bundled example scenario that reads its history from the repository, with its
`forecast:` line changed — for tests that plan an example with other forecast settings."""
from __future__ import annotations

import re
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def example_copy(name: str, folder: Path, forecast: str, *, prepend: bool = False) -> Path:
    """scenarios/<name> written into `folder`, its history path made absolute and its one-line
    `forecast: {…}` mapping replaced by `{forecast}` (or, with `prepend`, given `forecast`'s
    keys first, the example's own kept after them)."""
    text = (SCENARIOS / name).read_text(encoding="utf-8")
    text, found = re.subn(r"^history: (.+)$",
                          lambda m: f"history: {(SCENARIOS / m.group(1)).as_posix()}", text,
                          count=1, flags=re.M)
    assert found == 1, f"{name} has no history line"
    if prepend:
        text, n = re.subn(r"^forecast: \{", f"forecast: {{{forecast}, ", text, flags=re.M)
    else:
        text, n = re.subn(r"^forecast: \{.*\}", f"forecast: {{{forecast}}}", text, flags=re.M)
    assert n == 1, f"{name} has no one-line forecast mapping"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
