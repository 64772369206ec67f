"""XLSX: the cells a sheet actually holds, into a grid of strings, within the upload limits.

A sheet declares its size (``<dimension ref="A1:XFD1048576"/>``) and openpyxl's read-only reader pads every row
to it: a 5 KB file with one cell at XFD1048576 asks for a billion cells. Here the declared size is ignored
(``reset_dimensions``): only cells with a value count, a value past the limits of rows or columns refuses the
file at once (naming the cell), and the grid is built only when rows × columns of the cells with values is
within the limit of cells. Formatted but empty cells (Excel's trailing rows and columns) count for nothing.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd

from kpi.ingest.layout import norm_header
from kpi.ingest.limits import Limits, Refused
from kpi.problems import Problem

XLSX_MAGIC = b"PK\x03\x04"
TEMPLATE_SHEETS = ("数据", "data", "template", "模板")


def is_xlsx(data: bytes, filename: str) -> bool:
    return data[:4] == XLSX_MAGIC or filename.lower().endswith((".xlsx", ".xlsm"))


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


def _too_far(cell, limits: Limits) -> Problem:
    return Problem(None, None, None, "ingest.cell_too_far",
                   {"cell": cell.coordinate, "rows": limits.rows, "columns": limits.columns})


def grid_xlsx(data: bytes, limits: Limits) -> pd.DataFrame:
    """The sheet 数据 (or data, template, 模板), else the first, as a grid from A1 to its last cell with a value."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = next((wb[n] for n in wb.sheetnames if norm_header(n) in TEMPLATE_SHEETS), wb.worksheets[0])
        sheet.reset_dimensions()  # rows as the file has them, not padded to the size the sheet declares
        cells: list[tuple[int, int, str]] = []
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                if cell.row > limits.rows or cell.column > limits.columns:
                    raise Refused([_too_far(cell, limits)])
                cells.append((cell.row, cell.column, _cell(cell.value, cell.number_format or "")))
                if len(cells) > limits.cells:
                    raise Refused([Problem(None, None, None, "ingest.too_many_cells",
                                           {"rows": cell.row, "columns": cell.column, "limit": limits.cells})])
    finally:
        wb.close()
    if not cells:
        return pd.DataFrame()
    height, width = max(r for r, _, _ in cells), max(c for _, c, _ in cells)
    if height * width > limits.cells:
        raise Refused([Problem(None, None, None, "ingest.too_many_cells",
                               {"rows": height, "columns": width, "limit": limits.cells})])
    grid = np.full((height, width), "", dtype=object)
    for r, c, text in cells:
        grid[r - 1, c - 1] = text
    return pd.DataFrame(grid, dtype=object)  # one block of objects, however many columns
