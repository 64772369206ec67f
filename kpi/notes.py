"""Free text that editors write — upload notes, explanations, override reasons — cleaned and bounded one way.

Line breaks of every kind become a newline (CR LF, a lone CR, and Word's soft line break and page break, vertical
tab and form feed); the other C0 control characters (NUL, escape, backspace...) go, tab stays; spaces around go;
the text is at most ``KPI_NOTE_MAX_CHARS`` characters (500) wherever it comes from: a CSV cell, the indicator page's
forms, a script calling the store.
"""

from __future__ import annotations

import re

from kpi.i18n import t
from kpi.settings import get_settings

BREAK = "\r\n?|[\x0b\x0c]"  # what else stands for a line break: CR LF, CR, vertical tab, form feed (a regex)
CONTROL = "[\x00-\x08\x0b-\x1f]"  # C0 controls but tab (\x09) and newline (\x0a); a regular expression
_BREAK, _CONTROL = re.compile(BREAK), re.compile(CONTROL)


class NoteTooLong(ValueError):
    """A note or reason longer than KPI_NOTE_MAX_CHARS; ``message(lang)`` says so in the user's language."""

    def __init__(self, length: int, limit: int):
        self.length, self.limit = length, limit
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        return t("note.too_long", lang, length=self.length, limit=self.limit)


def clean_note(text: str) -> str:
    """The text with one kind of line break, without other C0 control characters (tab aside) and spaces around it."""
    return _CONTROL.sub("", _BREAK.sub("\n", text)).strip()


def checked_note(text: str, limit: int | None = None) -> str:
    """The text cleaned; NoteTooLong when it is still longer than the limit (default KPI_NOTE_MAX_CHARS)."""
    limit = get_settings().note_max_chars if limit is None else limit
    out = clean_note(text)
    if len(out) > limit:
        raise NoteTooLong(len(out), limit)
    return out
