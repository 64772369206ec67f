"""Problems with what a user gave us (an uploaded file, a plan file, a targets grid): where, what, what to do.

A problem carries a catalogue key and its parameters, never a sentence: it is put
into words in whichever language it is shown (``text(lang)``, ``message(lang)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kpi.i18n import t


@dataclass(frozen=True)
class Localized:
    """A message to put into another one, in whichever language that one is shown."""

    key: str
    args: tuple = ()
    fallback: str = ""

    def __call__(self, lang: str) -> str:
        if not self.key:
            return self.fallback
        return t(self.key, lang, **{f"a{i}": a for i, a in enumerate(self.args)})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where, what, and what to do (a catalogue key)."""

    row: int | None  # as numbered in the spreadsheet (header = 1); None for the whole file
    column: str | None
    value: str | None
    key: str
    params: dict = field(default_factory=dict)

    def text(self, lang: str = "zh") -> str:
        """What is wrong and what to do, without where."""
        params = {k: v(lang) if isinstance(v, Localized) else v for k, v in self.params.items()}
        return t(self.key, lang, **params)

    def message(self, lang: str = "zh") -> str:
        text = self.text(lang)
        sep = ": " if lang == "en" else "："
        if self.row is None:
            return f"{t('where.file', lang)}{sep}{text}"
        return f"{t('where.row_col', lang, row=self.row, column=self.column or '')}{sep}{text}"
