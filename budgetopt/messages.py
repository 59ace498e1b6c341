"""Sentences that remember their message id: a warning or note is worded in English where it is
found (summary.json keeps that English), and carries its template and values so a report,
workbook or console can word it in the reader's language through the gettext catalogs."""
from __future__ import annotations

from typing import NamedTuple


def N_(text: str) -> str:
    """Marks a message id for the catalogs (`pybabel extract -k N_`); returns it unchanged."""
    return text


def _rebuild(template: str, values: dict) -> "Msg":
    return Msg(template, **values)


class Msg(str):
    """The English sentence `template.format(**values)` that also keeps `template` (the
    message id) and `values`. Placeholders are plain `{name}`: numbers come formatted."""

    template: str
    values: dict

    def __new__(cls, template: str, **values) -> "Msg":
        self = super().__new__(cls, template.format(**values))
        self.template = template
        self.values = values
        return self

    @classmethod
    def word(cls, text: str) -> "Msg":
        """`text` as it is (a name or key, braces and all) that the catalogs may word."""
        self = str.__new__(cls, text)
        self.template, self.values = text, {}
        return self

    def __reduce__(self):
        if not self.values:
            return Msg.word, (self.template,)
        return _rebuild, (self.template, dict(self.values))


class ErrorText(NamedTuple):
    """An error code's English wording: what is wrong, how to fix it (templates), the topic
    docs/errors.md files it under, and for docs a meaning when `what` is only placeholders."""

    what: str
    fix: str | None = None
    topic: str = ""
    meaning: str | None = None     # for docs/errors.md, where `what` is only placeholders


class Worded(str):
    """Text worded by `wording(words)` — English from `english` where it is made; a reader's
    language words it again through the same function (a rule's own description inside an
    error, say). Pickled, it stays the English text."""

    wording: object

    def __new__(cls, wording, english) -> "Worded":
        self = super().__new__(cls, wording(english))
        self.wording = wording
        return self

    def __reduce__(self):
        return str, (str(self),)
