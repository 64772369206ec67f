"""Reading uploaded bytes into a table of strings: CSV (``text``: UTF-8, BOM, GBK) or XLSX (``sheet``).

The result keeps the spreadsheet's own row numbers (header = row 1), drops trailing empty rows and columns,
and trims spaces around headers. Every step is linear in the cells: no work per pair of columns.
"""

from __future__ import annotations

import unicodedata
import zipfile
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi.ingest import sandbox
from kpi.ingest.limits import Limits, Refused
from kpi.ingest.sheet import TEMPLATE_SHEETS, XLSX_MAGIC, grid_xlsx, is_xlsx
from kpi.ingest.text import DELIMITERS, WIDE, decode, grid_csv
from kpi.problems import Localized, Problem
from kpi.settings import get_settings

__all__ = ["DELIMITERS", "TEMPLATE_SHEETS", "XLSX_MAGIC", "decode", "read_table", "read_upload", "too_big"]


def too_big(data: bytes) -> Problem | None:
    """The problem of a file over KPI_UPLOAD_MAX_BYTES, else None."""
    limit = get_settings().upload_max_bytes
    if len(data) > limit:
        return Problem(None, None, None, "ingest.too_big", {"size": len(data), "limit": limit})
    return None


def read_upload(data: bytes, filename: str) -> tuple[pd.DataFrame | None, int, list[Problem]]:
    """``read_table`` for an upload of another kind (the targets file): the same size limit, limits and budget
    as a data upload (``pipeline.prepare``)."""
    big = too_big(data)
    if big:
        return None, 0, [big]
    s = get_settings()
    try:
        return sandbox.run(read_table, (data, filename, Limits.current()), s.upload_memory_mb, s.upload_seconds)
    except sandbox.OverBudget as over:
        return None, 0, [over.problem]


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "encoding"
    if isinstance(exc, (zipfile.BadZipFile, KeyError)) or "zip" in type(exc).__name__.lower():
        return "xlsx"
    return "format"


def _filled(grid: pd.DataFrame) -> np.ndarray:
    """rows × columns: True where a cell holds more than spaces. Column by column for a few string columns, in one
    pass over a block of objects otherwise (linear in the cells either way)."""
    if grid.shape[1] <= WIDE:
        return np.column_stack([grid[c].fillna("").astype(str).str.strip().ne("").to_numpy(dtype=bool)
                                for c in grid.columns])
    flat = pa.array(grid.to_numpy(dtype=object).ravel(), type=pa.string(), from_pandas=True)
    filled = pc.not_equal(pc.utf8_trim_whitespace(flat), "").fill_null(False)
    return filled.to_numpy(zero_copy_only=False).reshape(grid.shape)


def read_table(data: bytes, filename: str,
               limits: Limits | None = None) -> tuple[pd.DataFrame | None, int, list[Problem]]:
    """(table of strings with the header as columns, spreadsheet row of the header, problems)."""
    limits = limits or Limits.current()
    sheet = is_xlsx(data, filename)
    try:
        grid = grid_xlsx(data, limits) if sheet else grid_csv(data, limits)
    except Refused as refused:
        return None, 0, refused.problems
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken file can raise anything; the user gets a sentence
        reason = Localized(f"reason.{_reason(exc)}")
        return None, 0, [Problem(None, None, None, "ingest.unreadable", {"reason": reason})]
    if grid.empty:
        return None, 0, []
    grid.columns = range(grid.shape[1])
    filled = _filled(grid)
    in_row = filled.any(axis=1)
    if not in_row.any():
        return None, 0, []
    header_at = int(in_row.argmax())
    last = len(in_row) - 1 - int(in_row[::-1].argmax())
    headers = [unicodedata.normalize("NFKC", str(h)).strip() for h in grid.iloc[header_at].fillna("")]
    body_rows = np.flatnonzero(in_row[header_at + 1: last + 1]) + header_at + 1  # empty rows go; numbers stay
    if not sheet:
        problems = _extra_cells(grid, filled, body_rows, headers)
        if problems:
            return None, 0, problems
    used = filled[body_rows].any(axis=0)
    keep = [i for i, h in enumerate(headers) if h or used[i]]
    named = [headers[i] or f"({i + 1})" for i in keep]
    repeated = sorted(h for h, n in Counter(named).items() if n > 1)
    if repeated:
        return None, 0, [Problem(None, None, None, "ingest.duplicate_column", {"column": ", ".join(repeated)})]
    body = grid.iloc[body_rows, keep]
    body.index = body_rows - header_at - 1  # 0 = the row under the header
    body.columns = named
    return body, header_at + 1, []


def _extra_cells(grid: pd.DataFrame, filled: np.ndarray, body_rows: np.ndarray, headers: list[str]) -> list[Problem]:
    """A CSV row with a value right of the last header: a number split by its thousands separator (1,200 unquoted
    is the cells 1 and 200) or a stray delimiter. Trailing empty cells (Excel's habit) are fine."""
    width = max((i + 1 for i, h in enumerate(headers) if h), default=0)
    beyond = filled[body_rows, width:]
    if not beyond.any():
        return []
    hit = beyond.any(axis=1)
    out = []
    for r, first in zip(body_rows[hit], beyond[hit].argmax(axis=1), strict=True):
        column = width + int(first)
        value = str(grid.iat[int(r), column]).strip()
        out.append(Problem(int(r) + 1, f"({column + 1})", value, "ingest.extra_cells",
                           {"value": value, "count": width}))
    return out
