"""Problems with what a user gave us (an uploaded file, a plan file, a targets grid): where, what, what to do.

A problem carries a catalogue key and its parameters, never a sentence: it is put
into words in whichever language it is shown (``text(lang)``, ``message(lang)``).
Where it is: a spreadsheet row and column (and sheet) for files of rows; a YAML
path (``areas[2].items[3].target``) and line for plan files; the item's code for
the targets grid and the targets file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kpi.i18n import t

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def visible(value: object) -> object:
    """Text with its control characters spelled out (``\\x07``), so a message shows what the cell really holds."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Localized:
    """A message to put into another one, in whichever language that one is shown."""

    key: str
    params: dict = field(default_factory=dict)

    def __call__(self, lang: str) -> str:
        return t(self.key, lang, **self.params)


class Invalid(ValueError):
    """A validator's complaint as a catalogue key and its parameters (pydantic passes it on in ``ctx``)."""

    def __init__(self, key: str, **params: object):
        self.key, self.params = key, params
        super().__init__(t(key, "en", **params))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with what a user gave us: where, what, and what to do (a catalogue key)."""

    row: int | None  # as numbered in the spreadsheet (header = 1); None for the whole file
    column: str | None
    value: str | None
    key: str
    params: dict = field(default_factory=dict)
    path: str | None = None  # a YAML path in a plan: areas[2].items[3].target
    line: int | None = None  # the line of a plan file the path is on
    sheet: str | None = None  # the sheet of a workbook
    code: str | None = None  # the plan item the problem is about (targets grid, targets file)

    @classmethod
    def at(cls, path: str, key: str, **params: object) -> Problem:
        """A problem of a plan, at a YAML path."""
        return cls(None, None, None, key, params, path=path)

    def text(self, lang: str = "zh") -> str:
        """What is wrong and what to do, without where."""
        params = {k: v(lang) if isinstance(v, Localized) else visible(v) for k, v in self.params.items()}
        return t(self.key, lang, **params)

    def where(self, lang: str = "zh") -> str:
        """Where the problem is, in words: sheet, row and column; or line and path; or the file."""
        parts = []
        if self.sheet:
            parts.append(t("where.sheet", lang, sheet=self.sheet))
        if self.row is not None:
            parts.append(t("where.row_col", lang, row=self.row, column=self.column) if self.column
                         else t("where.row", lang, row=self.row))
        elif self.path:
            parts.append(t("where.line_path", lang, line=self.line, path=self.path) if self.line
                         else self.path)
        if not parts:
            parts.append(t("where.file", lang))
        return ("，" if lang != "en" else ", ").join(parts)

    def message(self, lang: str = "zh") -> str:
        """The located sentence: ``line 42, areas[2].items[3].target: must be greater than 0``."""
        sep = ": " if lang == "en" else "："
        what = f"{self.code}{sep}{self.text(lang)}" if self.code else self.text(lang)
        return f"{self.where(lang)}{sep}{what}"
