"""Delimited text (CSV, TSV; comma, semicolon or tab): bytes to a grid of strings, within the upload limits.

Encodings: UTF-8 (with or without BOM), else GB18030 (a superset of GBK) for a file wholly in it. A file in
UTF-8 but for some rows — a GBK line pasted into it — is refused with those rows: decoded whole as GB18030,
every Chinese character of its UTF-8 rows would turn into mojibake (台风影响 → 鍙伴褰卞搷).

The grid is rows × the widest record; its size is known (or bounded) before it is built, and a file past the
limits of rows, columns or cells is refused before the grid exists.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata

import numpy as np
import pandas as pd

from kpi.ingest.limits import Limits, Refused
from kpi.problems import Problem

DELIMITERS = (",", ";", "\t")
WIDE = 64  # more columns than this: the csv module (pandas' reader costs a Series per column, even if empty)
_CJK = re.compile("[\u4e00-\u9fff]")
_ESCAPED = re.compile("[\udc80-\udcff]")  # bytes that are not UTF-8, kept by the surrogateescape handler


def _common(text: str) -> int:
    """How many characters of the text are among the 3,755 most common Chinese characters (GB2312 level 1)."""
    count = 0
    for ch in _CJK.findall(text):
        try:
            lead = ch.encode("gb2312")[0]
        except UnicodeEncodeError:
            continue
        count += 0xB0 <= lead <= 0xD7
    return count


def _reads_as_utf8(raw: bytes) -> bool:
    """Bytes that are UTF-8 Chinese — not GBK bytes that happen to be valid UTF-8: read as UTF-8 they give
    common characters, read as GBK rare ones (UTF-8's lead bytes are GBK's rarely used level-2 rows)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return _common(text) > _common(raw.decode("gb18030", "replace"))


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 for a file wholly in GBK; Refused for a mix of both."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    utf8 = data.startswith(codecs.BOM_UTF8) or any(
        not line.isascii() and _reads_as_utf8(line) for line in data.split(b"\n"))
    if utf8:
        raise Refused(_rows_not_utf8(data))
    return data.decode("gb18030")


def _rows_not_utf8(data: bytes) -> list[Problem]:
    """One problem per record with bytes that are not UTF-8, in a file that is UTF-8 elsewhere."""
    text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8", "surrogateescape")
    header: list[str] | None = None
    out = []
    for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=sniff(text)), start=1):
        if header is None and any(field.strip() for field in record):
            header = [_name(field) for field in record]
        bad = next((i for i, field in enumerate(record) if _ESCAPED.search(field)), None)
        if bad is not None:
            column = header[bad] if header and bad < len(header) and header[bad] else f"({bad + 1})"
            out.append(Problem(number, column, None, "ingest.mixed_encoding"))
    return out


def _name(field: str) -> str:
    return "" if _ESCAPED.search(field) else unicodedata.normalize("NFKC", field).strip()


def sniff(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def grid_csv(data: bytes, limits: Limits) -> pd.DataFrame:
    """Every record as strings (blank records kept: they have spreadsheet row numbers too), padded to the widest.
    Up to WIDE columns, string columns from pandas' C parser; wider, one block of objects (a column costs
    nothing then)."""
    text = decode(data)
    delimiter = sniff(text)
    first = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    if len(first) > limits.columns:
        raise Refused([Problem(None, None, None, "ingest.too_many_columns",
                               {"row": 1, "count": len(first), "limit": limits.columns})])
    records = max(text.count("\n"), text.count("\r")) + 1  # at least as many as there are
    if len(first) <= WIDE and records <= limits.rows and records * max(len(first), 1) <= limits.cells:
        try:  # the C parser: fast; its grid is as wide as the first record (a wider one is an error)
            return pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                               skip_blank_lines=False, quotechar='"', engine="c")
        except (pd.errors.ParserError, pd.errors.EmptyDataError):
            pass  # ragged records: counted and checked one by one below
    return _grid_by_records(text, delimiter, limits)


def _grid_by_records(text: str, delimiter: str, limits: Limits) -> pd.DataFrame:
    rows: list[list[str]] = []
    width = 0
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        rows.append(record)
        if len(record) > width:
            width = len(record)
            if width > limits.columns:
                raise Refused([Problem(None, None, None, "ingest.too_many_columns",
                                       {"row": len(rows), "count": width, "limit": limits.columns})])
        if len(rows) > limits.rows:
            raise Refused([Problem(None, None, None, "ingest.too_many_rows", {"limit": limits.rows})])
        if len(rows) * width > limits.cells:
            raise Refused([Problem(None, None, None, "ingest.too_many_cells",
                                   {"rows": len(rows), "columns": width, "limit": limits.cells})])
    grid = np.full((len(rows), width), "", dtype=object)
    for i, record in enumerate(rows):
        grid[i, :len(record)] = record
    return pd.DataFrame(grid, dtype=object)
