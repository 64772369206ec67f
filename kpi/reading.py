"""Reading uploaded bytes into a table of strings: CSV (UTF-8, BOM, GBK) or XLSX.

The result keeps the spreadsheet's own row numbers (header = row 1), drops
trailing empty rows and columns, and trims spaces around headers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from kpi.i18n import t

XLSX_MAGIC = b"PK\x03\x04"
DELIMITERS = (",", ";", "\t")
TEMPLATE_SHEETS = ("数据", "data", "template", "模板")


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
        return t(self.key, lang, **self.params)

    def message(self, lang: str = "zh") -> str:
        text = self.text(lang)
        sep = ": " if lang == "en" else "："
        if self.row is None:
            return f"{t('where.file', lang)}{sep}{text}"
        return f"{t('where.row_col', lang, row=self.row, column=self.column or '')}{sep}{text}"


def norm_header(text: object) -> str:
    """Headers compare without case, width, spaces or underscores."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return " ".join(s.replace("_", " ").split())


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _sniff(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _rows_csv(data: bytes) -> list[list[str]]:
    text = decode(data)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=_sniff(text)))


def _rows_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = next((wb[n] for n in wb.sheetnames if norm_header(n) in TEMPLATE_SHEETS), wb.worksheets[0])
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_table(data: bytes, filename: str) -> tuple[pd.DataFrame | None, int, Problem | None]:
    """(table of strings with the header as columns, spreadsheet row of the header, problem)."""
    try:
        if data[:4] == XLSX_MAGIC or filename.lower().endswith((".xlsx", ".xlsm")):
            rows = _rows_xlsx(data)
        else:
            rows = _rows_csv(data)
    except (UnicodeDecodeError, csv.Error, OSError, ValueError, KeyError) as exc:
        return None, 0, Problem(None, None, None, "ingest.unreadable", {"reason": type(exc).__name__})
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        return None, 0, Problem(None, None, None, "ingest.unreadable", {"reason": type(exc).__name__})
    header_at = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if header_at is None:
        return None, 0, None
    width = max(len(r) for r in rows)
    grid = [r + [""] * (width - len(r)) for r in rows[header_at:]]
    frame = pd.DataFrame(grid[1:], columns=range(width), dtype=object)
    headers = [unicodedata.normalize("NFKC", h).strip() for h in grid[0]]
    keep = [i for i, h in enumerate(headers) if h or (len(frame) and frame[i].str.strip().ne("").any())]
    frame = frame[keep]
    frame.columns = [headers[i] or f"({i + 1})" for i in keep]
    frame = frame.loc[:, ~pd.Index(frame.columns).duplicated()]
    frame.index = range(len(frame))
    if len(frame):
        filled = frame.apply(lambda col: col.str.strip().ne("")).any(axis=1)
        if not filled.any():
            return pd.DataFrame(columns=frame.columns), header_at + 1, None
        frame = frame.loc[: filled[filled].index.max()]  # trailing empty rows go
        frame = frame[filled.loc[frame.index]]  # empty rows between go too, their numbers stay
    return frame, header_at + 1, None
