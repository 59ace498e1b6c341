"""The one rule for channel, market, group, event and shock names, shared by the history checks,
the scenario file, rebalance actuals and the synthetic worlds.

A name may be written in any script: Unicode letters, digits and combining marks, spaces
inside, and the punctuation `_ . - · ( )` with their full-width forms (＿ ． － ・ （ ）). It is
NFC-normalized and at most 64 characters long. Refused: control and format characters, path
separators, a leading `= + - @` (spreadsheets read those as formulas, also in full width), spaces
at either end, and — across a set of names — two names that differ only by normalization or
character width (NFKC), since they would look the same in every report.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MAX_LENGTH = 64

#: Punctuation allowed inside a name besides letters, digits and marks.
PUNCTUATION = frozenset("_.-·()＿．－・（）･‐")

#: Spaces allowed between words (not at either end).
SPACES = frozenset(" \u3000")

FORMULA_STARTS = frozenset("=+-@")

PATH_SEPARATORS = frozenset("/\\")

RULE = ("letters or digits in any script, spaces inside and _ . - · ( ) (also full width), "
        f"at most {MAX_LENGTH} characters, not starting with = + - @")


def normalize(name: str) -> str:
    """The name as it is stored and compared: NFC."""
    return unicodedata.normalize("NFC", name)


def fold(name: str) -> str:
    """What two names must not share: their NFKC form (width and compatibility folded)."""
    return unicodedata.normalize("NFKC", name)


def name_problem(name: str) -> str | None:
    """Why `name` (already NFC) cannot be a name, in a few words, or None when it can."""
    if name == "":
        return "is empty"
    if len(name) > MAX_LENGTH:
        return f"is longer than {MAX_LENGTH} characters ({len(name)})"
    for ch in name:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            return f"contains the control character U+{ord(ch):04X}"
    if fold(name)[:1] in FORMULA_STARTS:
        return f"starts with {name[0]!r}, which spreadsheets read as a formula"
    for ch in name:
        if ch in PATH_SEPARATORS:
            return f"contains the path separator {ch!r}"
    if name[0] in SPACES or name[-1] in SPACES or name != name.strip():
        return "starts or ends with a space"
    for ch in name:
        category = unicodedata.category(ch)
        if category[0] in "LNM" or ch in PUNCTUATION or ch in SPACES:
            continue
        return f"contains {ch!r} (U+{ord(ch):04X}), which names may not use"
    return None


def check_name(name: str) -> str:
    """The NFC form of a valid name; ValueError ("name '…' <why>; rename it …") otherwise."""
    if not isinstance(name, str):
        raise ValueError(f"name {name!r} is not text; write it as text")
    value = normalize(name)
    problem = name_problem(value)
    if problem:
        raise ValueError(f"name {value!r} {problem}; rename it using {RULE}")
    return value


def collision(names: Iterable[str]) -> tuple[str, str] | None:
    """The first two distinct names that fold to the same text (would look alike), if any."""
    seen: dict[str, str] = {}
    for name in names:
        key = fold(name)
        other = seen.setdefault(key, name)
        if other != name:
            return other, name
    return None


def collision_text(pair: tuple[str, str]) -> str:
    first, second = pair
    return (f"names {first!r} and {second!r} differ only in character width or Unicode form "
            f"and would look the same in reports{_code_points(first, second)}")


def _code_points(first: str, second: str) -> str:
    """Where two look-alike names part, in code points: ' (U+00E9 against U+0065 U+0301)'."""
    i = next((k for k, (a, b) in enumerate(zip(first, second)) if a != b),
             min(len(first), len(second)))
    a, b = first[i:], second[i:]
    # the rest of each name up to where they agree again (at most a few characters)
    j = next((k for k in range(1, 4) if fold(a[:k]) == fold(b[:k + len(b) - len(a)])), 1)
    shown = [" ".join(f"U+{ord(c):04X}" for c in part) for part in (a[:j], b[:j + len(b) - len(a)])]
    return f" ({shown[0]} against {shown[1]})" if all(shown) else ""


def safe_file_part(name: str) -> str:
    """A name made safe as one part of a file name (no separators, dots or spaces at the ends)."""
    text = "".join(ch if (unicodedata.category(ch)[0] in "LNM" or ch in "_-") else "_"
                   for ch in normalize(name))
    return text.strip("_") or "unit"
