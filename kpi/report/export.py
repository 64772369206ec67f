"""Exports: CSV (UTF-8 with BOM, for Excel) and XLSX. Numbers leave as numbers; text is guarded.

What a producer puts in a frame decides what a cell is: a number (int, float) is written as a number — in
CSV as its shortest exact text, in XLSX as a numeric cell — and never touched by the formula guard; a text
cell is written as text, with a leading apostrophe when a spreadsheet would run it as a formula. XLSX cannot
hold some characters a note can (C0 controls, U+FFFE/U+FFFF, lone surrogates): vertical tab and form feed
(Word's soft line and page breaks) become line breaks there, the others are left out, so no text can make an
export fail. CSV keeps every character.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from kpi.i18n import t

# A text starting with one of these is run as a formula by Excel, LibreOffice or WPS (the full-width forms too:
# a Chinese input method types them). Tab and carriage return hide a formula behind white space.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
CONTROLS = "".join(map(chr, range(0x20)))  # and a formula behind other control characters is guarded too
RISKY_STARTS = FORMULA_STARTS + tuple(CONTROLS)
# A number written as text ("-3.5", "+2", "1,234.5", "-87.5%", "1e-7") holds no formula: a spreadsheet reads it
# as the number it is, so it is left alone (checked after NFKC, so full-width digits and signs count too).
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
XLSX_LINE_BREAKS = re.compile("[\x0b\x0c]")
XLSX_ILLEGAL = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
EXCEL_DIGITS = 15  # significant digits a spreadsheet keeps; computed figures are rounded to them


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe; numbers never do."""
    if not isinstance(value, str) or not value.startswith(RISKY_STARTS):
        return value
    formula = value.startswith(("\t", "\r")) or value.lstrip(CONTROLS).startswith(FORMULA_STARTS)
    if formula and not PLAIN_NUMBER.fullmatch(unicodedata.normalize("NFKC", value)):
        return "'" + value
    return value


def xlsx_text(text: str) -> str:
    """Text an XLSX cell can hold: soft line and page breaks become line breaks, other illegal characters go."""
    return XLSX_ILLEGAL.sub("", XLSX_LINE_BREAKS.sub("\n", text))


def number_text(value: float) -> str:
    """The shortest text that reads back as exactly this number: 3, -3.5, 1234567.5, 0.30000000000000004."""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def excel_digits(value: float | None) -> float | None:
    """A computed figure (a sum, a share) without binary noise: 0.1 + 0.2 -> 0.3."""
    if value is None or not math.isfinite(value):
        return value
    return float(f"{value:.{EXCEL_DIGITS}g}")


def _blank(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _percent_text(ratio: float) -> str:
    return number_text(excel_digits(float(ratio) * 100)) + "%"


def _csv_cell(value: object, percent: bool) -> str:
    if _blank(value):
        return ""
    if _is_number(value):
        return _percent_text(value) if percent else number_text(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return str(value)
    return str(neutralise(str(value)))


def _csv_text(rows: Iterable[Sequence[str]], bare_cr: bool) -> str:
    """CSV text with "\\n" after each record. The csv module quotes a field with a line feed but not one with
    a bare carriage return (which readers take for a line end), so files holding one write record by record
    with "\\r" among the quoting reasons."""
    buf = io.StringIO()
    if not bare_cr:
        csv.writer(buf, lineterminator="\n").writerows(rows)
        return buf.getvalue()
    writer = csv.writer(buf, lineterminator="\r\n")
    lines = []
    for row in rows:
        buf.seek(0)
        buf.truncate()
        writer.writerow(row)
        lines.append(buf.getvalue()[:-2] + "\n")  # the record's own "\r\n" becomes "\n"
    return "".join(lines)


def to_csv_bytes(frame: pd.DataFrame, percent: Sequence[str] = ()) -> bytes:
    """UTF-8 with BOM so Excel shows Chinese; ``percent`` columns hold ratios, written as 70%."""
    header = [str(neutralise(str(c))) for c in frame.columns]
    columns = [_csv_column(frame.iloc[:, i], frame.columns[i] in percent) for i in range(frame.shape[1])]
    bare_cr = any("\r" in v for v in header) or any(_has_cr(col) for col in columns)
    return _csv_text([header, *zip(*columns, strict=True)], bare_cr).encode("utf-8-sig")


def _csv_column(col: pd.Series, percent: bool) -> list[str]:
    """One column as CSV fields; whole columns of numbers or of text take the quick way."""
    if pd.api.types.is_integer_dtype(col) and not percent:
        return ["" if v is None or v is pd.NA else str(v) for v in col.tolist()]
    if pd.api.types.is_float_dtype(col):
        write = _percent_text if percent else number_text
        return ["" if v != v else write(v) for v in col.tolist()]  # v != v: NaN
    if pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):
        text = col.astype(object).where(col.notna(), "")
        risky = text.str.startswith(RISKY_STARTS).fillna(False).to_numpy(bool)
        out = text.tolist()
        for i in risky.nonzero()[0]:
            out[i] = neutralise(out[i])
        return out
    return [_csv_cell(v, percent) for v in col.tolist()]


def _has_cr(values: list[str]) -> bool:
    return "\r" in "".join(values)


def _xlsx_cell(value: object) -> object:
    if _blank(value):
        return None
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if _is_number(value) or isinstance(value, (dt.date, dt.datetime)):
        return value
    return neutralise(xlsx_text(str(value)))  # what the sheet holds is what is checked


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "data", notes: list[str] | None = None,
                  percent: Sequence[str] = ()) -> bytes:
    """One sheet of data (and, with ``notes``, a second sheet of instructions); ``percent`` columns hold ratios."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    header = [_xlsx_cell(str(c)) for c in frame.columns]
    ws.append(header)
    for row in frame.itertuples(index=False):
        values = [_xlsx_cell(v) for v in row]
        ws.append(values)
        for i, v in enumerate(values):
            if isinstance(v, float) and math.isfinite(v) and float(f"{v:.16g}") != v:
                # openpyxl writes 16 significant digits; this double needs 17 to come back exactly
                ws.cell(row=ws.max_row, column=i + 1)._value = repr(v)
    for i, col in enumerate(frame.columns, start=1):
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = max(10, min(48, len(str(header[i - 1])) * 2 + 4))
        if col in percent:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "0%"
    if notes:
        help_sheet = wb.create_sheet("说明 Notes")
        for line in notes:
            help_sheet.append([_xlsx_cell(line)])
        help_sheet.column_dimensions["A"].width = 110
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


TEMPLATE_SHEET = "数据"


def template_frame(plan, period: str, areas: Sequence[str] | None = None) -> pd.DataFrame:
    """The upload template: one row per indicator (of ``areas`` only, for an area editor), an empty value column
    headed by the period."""
    rows = []
    for item in plan.indicators():
        if areas is not None and item.area not in areas:
            continue
        unit = f"{item.unit.zh} / {item.unit.get('en')}" if item.unit else "完成日期或“完成” / date or done"
        rows.append({"指标编码": item.code, "指标名称": item.name.zh, "Indicator name": item.name.get("en"),
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


def observations_export(store, as_of_batch: int | None = None, lang: str = "en") -> pd.DataFrame:
    """Every value in force, in a stable order: what `python -m kpi export` writes, and `kpi import` reads back.

    A value is a number; a milestone's is its completion date when it has one (as an upload gives it). When
    sample data is in force, a first column ``sample`` says which rows are sample data (the import ignores it).
    """
    cur = store.current(as_of_batch=as_of_batch)
    out = cur[["indicator", "period", "value", "done_on", "note", "batch_id"]].copy()
    done_on = out["done_on"].map(lambda d: "" if d is None or pd.isna(d) else str(d)[:10])
    out["value"] = [day if day else (None if pd.isna(v) else float(v)) for v, day in zip(out["value"], done_on,
                                                                                        strict=True)]
    out["done_on"] = done_on
    out["note"] = out["note"].fillna("")
    out["batch_id"] = out["batch_id"].astype("int64")
    fixed = store.current_corrections(as_of_batch=as_of_batch)
    if not fixed.empty:  # a correction after close (更正) in force: when, by whom and why, on the cells it changed
        last = fixed.drop_duplicates(["indicator", "period"], keep="last").set_index(["indicator", "period"])
        out["correction"] = [
            t("correct.line", lang, when=str(last.loc[key, "created_at"])[:16], by=last.loc[key, "editor"],
               reason=last.loc[key, "reason"]) if key in last.index else ""
            for key in zip(out["indicator"], out["period"], strict=True)]
    files = store.evidence(as_of_batch=as_of_batch)
    if not files.empty:  # evidence in force: names and hashes, never the contents
        from kpi.report.supervision import evidence_for

        plans = {plan_id: store.plan(plan_id) for plan_id in store.plan_ids()}
        out["evidence"] = [evidence_for(files, code, period, lang, plans)
                           for code, period in zip(out["indicator"], out["period"], strict=True)]
    if cur["sample"].any():
        out.insert(0, "sample", [t("export.sample_row", lang) if s else "" for s in cur["sample"]])
    return out.sort_values(["indicator", "period"]).reset_index(drop=True)
