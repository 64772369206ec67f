"""The way in: uploaded bytes to checked observations, or every problem with its row and column.

``read`` (bytes → a table of strings: CSV in UTF-8/GBK, XLSX) → ``layout`` (which column is which: the header
aliases) → ``checks`` (the whole file at once, column by column) → ``pipeline`` (``prepare``: a checked batch or
its problems; ``commit``: one batch in one transaction). ``fast`` reads and checks a clean canonical long CSV
inside DuckDB and gives the same rows.

May import ``kpi.periods``, ``kpi.problems``, ``kpi.settings`` and ``kpi.store`` — never the reports or the UI.
"""

from kpi.ingest.pipeline import FAST_PATH_MIN_BYTES, Prepared, commit, prepare

__all__ = ["FAST_PATH_MIN_BYTES", "Prepared", "commit", "prepare"]
