"""Reading uploaded bytes into a table of strings: CSV (UTF-8, BOM, GBK) or XLSX.

The result keeps the spreadsheet's own row numbers (header = row 1), drops
trailing empty rows and columns, and trims spaces around headers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile

import pandas as pd

from kpi.ingest.layout import norm_header
from kpi.problems import Localized, Problem

XLSX_MAGIC = b"PK\x03\x04"
DELIMITERS = (",", ";", "\t")
TEMPLATE_SHEETS = ("数据", "data", "template", "模板")


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


def _cell(v: object, number_format: str = "") -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (int, float)) and not isinstance(v, bool) and "%" in number_format:
        v = round(v * 100, 10)  # Excel keeps 87.5% as 0.875 with a % format: the sheet shows 87.5
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _grid_csv(data: bytes) -> pd.DataFrame:
    """Every record of a CSV as strings, blank records kept (they have spreadsheet row numbers too)."""
    text = decode(data)
    delimiter = _sniff(text)
    try:  # the C parser: fast; blank records stay as rows of ""
        return pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                           skip_blank_lines=False, quotechar='"', engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError):  # ragged records: the csv module takes them
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        width = max((len(r) for r in rows), default=0)
        return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)


def _grid_xlsx(data: bytes) -> pd.DataFrame:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = next((wb[n] for n in wb.sheetnames if norm_header(n) in TEMPLATE_SHEETS), wb.worksheets[0])
        rows = [[_cell(c.value, getattr(c, "number_format", "") or "") for c in row] for row in sheet.iter_rows()]
    finally:
        wb.close()
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "encoding"
    if isinstance(exc, (zipfile.BadZipFile, KeyError)) or "zip" in type(exc).__name__.lower():
        return "xlsx"
    return "format"


def read_table(data: bytes, filename: str) -> tuple[pd.DataFrame | None, int, Problem | None]:
    """(table of strings with the header as columns, spreadsheet row of the header, problem)."""
    try:
        if data[:4] == XLSX_MAGIC or filename.lower().endswith((".xlsx", ".xlsm")):
            grid = _grid_xlsx(data)
        else:
            grid = _grid_csv(data)
    except Exception as exc:  # noqa: BLE001 - a broken file can raise anything; the user gets a sentence
        return None, 0, Problem(None, None, None, "ingest.unreadable", {"reason": Localized(f"reason.{_reason(exc)}")})
    if grid.empty:
        return None, 0, None
    grid = grid.fillna("").astype(str)
    filled = grid.apply(lambda col: col.str.strip().ne("")).any(axis=1).to_numpy()
    if not filled.any():
        return None, 0, None
    header_at = int(filled.argmax())
    last = len(filled) - 1 - int(filled[::-1].argmax())
    headers = [unicodedata.normalize("NFKC", h).strip() for h in grid.iloc[header_at]]
    body = grid.iloc[header_at + 1: last + 1]
    body = body[filled[header_at + 1: last + 1]]  # empty rows between go; their numbers stay
    body.index = body.index - header_at - 1  # 0 = the row under the header
    keep = [i for i, h in enumerate(headers) if h or body.iloc[:, i].str.strip().ne("").any()]
    named = [headers[i] or f"({i + 1})" for i in keep]
    repeated = sorted({h for h in named if named.count(h) > 1})
    if repeated:
        return None, 0, Problem(None, None, None, "ingest.duplicate_column", {"column": ", ".join(repeated)})
    body = body.iloc[:, keep]
    body.columns = named
    return body, header_at + 1, None
