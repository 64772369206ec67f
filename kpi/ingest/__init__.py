"""The way in: uploaded bytes to checked observations, or every problem with its row and column.

``read`` (bytes → a table of strings: ``text`` for CSV in UTF-8/GBK, ``sheet`` for XLSX, within the ``limits``
of rows, columns and cells) → ``layout`` (which column is which: the header aliases) → ``checks`` (the whole
file at once, column by column; ``cells`` reads one cell, ``bounds`` says what values an indicator can take)
→ ``pipeline`` (``prepare``: a checked batch or its problems; ``commit``: one batch in one transaction).
``fast`` reads and checks a clean canonical long CSV inside DuckDB and gives the same rows. ``sandbox`` runs
the reading and checking in a child process within a budget of memory and time. ``scope`` says which checked rows
the editor may write: their work areas, and the periods closed (an admin's correction with a reason).

May import ``kpi.periods``, ``kpi.problems``, ``kpi.notes``, ``kpi.settings``, ``kpi.roles`` and ``kpi.store`` —
never the reports or the UI.
"""

from kpi.ingest.pipeline import FAST_PATH_MIN_BYTES, Prepared, commit, prepare

__all__ = ["FAST_PATH_MIN_BYTES", "Prepared", "commit", "prepare"]
