"""The limits of one upload: how many rows, columns and cells it may span, how long a note may be.

They are read from the settings in the process that receives the upload and handed to the reading step
(which may run in a child process of its own, see ``sandbox``), so both see the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from kpi.problems import Problem
from kpi.settings import get_settings


@dataclass(frozen=True)
class Limits:
    rows: int
    columns: int
    cells: int
    note_chars: int

    @classmethod
    def current(cls) -> Limits:
        s = get_settings()
        return cls(s.upload_max_rows, s.upload_max_columns, s.upload_max_cells, s.note_max_chars)


class Refused(Exception):
    """Reading stopped: the file is past a limit or cannot be read as it is; ``problems`` say why and where."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems
