"""Exports: CSV (UTF-8 with BOM, for Excel) and XLSX, safe from formula injection."""

from __future__ import annotations

import io

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel shows Chinese; line endings fixed for byte-stable output."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "data", notes: list[str] | None = None) -> bytes:
    """One sheet of data (and, with ``notes``, a second sheet of instructions)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    safe = safe_frame(frame)
    ws.append(list(safe.columns))
    for row in safe.itertuples(index=False):
        ws.append([None if (not isinstance(v, str) and pd.isna(v)) else v for v in row])
    for i, col in enumerate(safe.columns, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(10, min(48, len(str(col)) * 2 + 4))
    if notes:
        help_sheet = wb.create_sheet("说明 Notes")
        for line in notes:
            help_sheet.append([neutralise(line)])
        help_sheet.column_dimensions["A"].width = 110
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


TEMPLATE_SHEET = "数据"


def template_frame(plan, period: str) -> pd.DataFrame:
    """The upload template: one row per indicator, an empty value column headed by the period."""
    rows = []
    for item in plan.indicators():
        unit = f"{item.unit.zh} / {item.unit.en}" if item.unit else "完成日期或“完成” / date or done"
        rows.append({"指标编码": item.code, "指标名称": item.name.zh, "Indicator name": item.name.en,
                     "单位 Unit": unit, period: "", "备注": ""})
    return pd.DataFrame(rows)


TEMPLATE_NOTES = [
    "在“数据”表的期间列填写本期实际值（当期新增数，不填累计数）；空白单元格不改变任何数据。",
    "Fill in the period column of the sheet 数据 with the value for the period (not a cumulative figure); "
    "blank cells change nothing.",
    "节点类指标填写完成日期（如 2023-09-20）或“完成”；未完成可填“未完成”。",
    "Milestones take the completion date (e.g. 2023-09-20) or done; not done yet: 未完成 / not done.",
    "可增加其他期间列（如 2023年7月、2023-Q3），但同一指标不要同时填月度和其所在季度。",
    "You may add columns for other periods (2023-07, 2023-Q3), but not a month and its quarter for one indicator.",
]


def observations_export(store, as_of_batch: int | None = None) -> pd.DataFrame:
    """Every value in force, in a stable order: what `python -m kpi export` writes."""
    cur = store.current(as_of_batch=as_of_batch)
    out = cur[["indicator", "period", "value", "done_on", "note", "batch_id"]].copy()
    out["done_on"] = out["done_on"].map(lambda d: "" if d is None or pd.isna(d) else str(d)[:10])
    out["value"] = out["value"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    out["note"] = out["note"].fillna("")
    return out.sort_values(["indicator", "period"]).reset_index(drop=True)
