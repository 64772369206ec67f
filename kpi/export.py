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


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    safe = safe_frame(frame)
    ws.append(list(safe.columns))
    for row in safe.itertuples(index=False):
        ws.append([None if (not isinstance(v, str) and pd.isna(v)) else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def observations_export(store, as_of_batch: int | None = None) -> pd.DataFrame:
    """Every value in force, in a stable order: what `python -m kpi export` writes."""
    cur = store.current(as_of_batch=as_of_batch)
    out = cur[["indicator", "period", "value", "done_on", "note", "batch_id"]].copy()
    out["done_on"] = out["done_on"].map(lambda d: "" if d is None or pd.isna(d) else str(d)[:10])
    out["value"] = out["value"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    out["note"] = out["note"].fillna("")
    return out.sort_values(["indicator", "period"]).reset_index(drop=True)
