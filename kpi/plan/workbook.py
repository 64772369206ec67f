"""The plan as an Excel workbook (Excel and WPS): written from a plan, read back through the plan's own validation.

Sheets: 计划 (the plan's own fields, one row), 领域 (one row per area), 指标 (one row per item), 分期目标 (one row
per item and period) and 说明 (notes, never read). Headers are written in Chinese; the English ones are accepted
on the way back. A workbook read back goes through ``validate_plan``, like a YAML file, and every problem is named
by sheet, row and column (``kpi/plan/sheets.py`` reads the cells, ``kpi/plan/cells.py`` places the problems).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass
from typing import get_args

from kpi.i18n import t
from kpi.plan.models import Direction, Grain, Kind, Plan, Range, ReviewFlag
from kpi.report.export import neutralise, number_text, xlsx_text

XLSX = ".xlsx"


@dataclass(frozen=True)
class Column:
    name: str  # what the reader calls it: title_zh, target, ...
    key: str  # the catalogue key of its header (Chinese written, English accepted)
    kind: str = "text"  # text, number, date, target, bool, flags, choice
    required: bool = False
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other spellings of the header


def _text_pair(name: str, zh_key: str, en_key: str, required: bool = False) -> tuple[Column, Column]:
    """A Text's two columns: Chinese and English."""
    return Column(f"{name}_zh", zh_key, required=required), Column(f"{name}_en", en_key)


FLAGS = get_args(ReviewFlag)
PLAN_COLUMNS = (
    Column("id", "workbook.col_id", required=True, aliases=("id", "编号")),
    *_text_pair("title", "workbook.col_title_zh", "workbook.col_title_en", required=True),
    *_text_pair("issuer", "workbook.col_issuer_zh", "workbook.col_issuer_en"),
    Column("published", "workbook.col_published", "date"),
    Column("plan_source", "workbook.col_plan_source"),
    Column("example", "workbook.col_example", "bool"),
    Column("start", "workbook.col_start", "date", required=True),
    Column("end", "workbook.col_end", "date", required=True),
    Column("review", "workbook.col_review", "flags", choices=FLAGS),
)
AREA_COLUMNS = (
    Column("area_code", "workbook.col_area_code", required=True, aliases=("code", "编码")),
    *_text_pair("name", "workbook.col_name_zh", "workbook.col_name_en", required=True),
    *_text_pair("heading", "workbook.col_heading_zh", "workbook.col_heading_en"),
    *_text_pair("owner", "workbook.col_owner_zh", "workbook.col_owner_en"),
    Column("review", "workbook.col_review", "flags", choices=FLAGS),
)
ITEM_COLUMNS = (
    Column("code", "workbook.col_code", required=True, aliases=("indicator", "编码")),
    Column("area", "workbook.col_area", aliases=("领域", "领域编码", "area code")),
    *_text_pair("name", "workbook.col_name_zh", "workbook.col_name_en", required=True),
    *_text_pair("unit", "workbook.col_unit_zh", "workbook.col_unit_en"),
    Column("kind", "workbook.col_kind", "choice", required=True, choices=get_args(Kind)),
    Column("direction", "workbook.col_direction", "choice", choices=get_args(Direction)),
    Column("target", "workbook.col_target", "target"),
    Column("every", "workbook.col_every", "choice", choices=get_args(Grain)),
    Column("due", "workbook.col_due", "date"),
    # bounds: when the Indicator model gains `bounds` (a plausible low/high for a value), its two columns go
    # here, as Column("bounds_low", ..., "number") and Column("bounds_high", ...), with _item_cells and
    # sheets._item (the reader) taking them to and from the model.
    Column("baseline", "workbook.col_baseline", "number"),
    Column("baseline_date", "workbook.col_baseline_date", "date"),
    *_text_pair("baseline_note", "workbook.col_baseline_note_zh", "workbook.col_baseline_note_en"),
    Column("source", "workbook.col_source", required=True),
    *_text_pair("note", "workbook.col_note_zh", "workbook.col_note_en"),
    Column("review", "workbook.col_review", "flags", choices=FLAGS),
)
TARGET_COLUMNS = (
    Column("code", "workbook.col_code", required=True, aliases=("indicator", "编码")),
    Column("period", "workbook.col_period", required=True),
    Column("target", "workbook.col_target", "target", required=True, aliases=("value", "目标值")),
)
# (role, catalogue key of the sheet's name, columns, required sheet)
SHEETS = (("plan", "workbook.sheet_plan", PLAN_COLUMNS, True), ("areas", "workbook.sheet_areas", AREA_COLUMNS, True),
          ("items", "workbook.sheet_items", ITEM_COLUMNS, True),
          ("targets", "workbook.sheet_targets", TARGET_COLUMNS, False))
RANGE_DASH = "–"  # a range target in one cell: 90–100
DATE_FORMAT = "yyyy-mm-dd"
WIDTH = (8, 60)  # column widths, in characters (a Chinese character counts two)
SPARE_ROWS = 500  # rows below the data that still get the drop-down lists


# --- writing -----------------------------------------------------------------------------------

def _text_cells(name: str, text) -> dict:
    return {f"{name}_zh": text.zh if text else None, f"{name}_en": text.en if text else None}


def _plan_cells(plan: Plan) -> dict:
    return {"id": plan.id, **_text_cells("title", plan.title), **_text_cells("issuer", plan.issuer),
            "published": plan.published, "plan_source": plan.source, "example": plan.example,
            "start": plan.span.start, "end": plan.span.end, "review": plan.review}


def _item_cells(item) -> dict:
    base = item.baseline
    return {"code": item.code, "area": item.area, **_text_cells("name", item.name), **_text_cells("unit", item.unit),
            "kind": item.kind, "direction": item.direction, "target": item.target, "every": item.every,
            "due": item.due, "baseline": base.value if base else None, "baseline_date": base.date if base else None,
            **_text_cells("baseline_note", base.note if base else None), "source": item.source,
            **_text_cells("note", item.note), "review": item.review}


def sheet_rows(plan: Plan) -> dict[str, list[dict]]:
    """Each sheet's rows, as {column name: value}."""
    return {
        "plan": [_plan_cells(plan)],
        "areas": [{"area_code": a.code, **_text_cells("name", a.name), **_text_cells("heading", a.heading),
                   **_text_cells("owner", a.owner), "review": a.review} for a in plan.areas],
        "items": [_item_cells(item) for item in plan.indicators()],
        "targets": [{"code": item.code, "period": e.period, "target": e.value}
                    for item in plan.indicators() for e in item.targets],
    }


def guard(text: str) -> str:
    """A text cell: never run as a formula (the exports' guard), and an apostrophe of its own kept (doubled)."""
    text = xlsx_text(text)
    return "'" + text if text.startswith("'") or neutralise(text) != text else text


def unguard(text: str) -> str:
    """What ``guard`` wrote, back to the text it was given."""
    if text.startswith("'") and (text[1:].startswith("'") or neutralise(text[1:]) != text[1:]):
        return text[1:]
    return text


def _value(column: Column, value):
    """What a cell holds for a value of the plan."""
    if value is None or value == [] or (column.kind == "text" and value == ""):
        return None
    if column.kind == "flags":
        return ", ".join(value)
    if isinstance(value, Range):
        return f"{number_text(value.low)}{RANGE_DASH}{number_text(value.high)}"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, str):
        return guard(value)
    return value


def _width(value) -> int:
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _fill_sheet(ws, columns: tuple[Column, ...], rows: list[dict]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws.append([t(c.key, "zh") for c in columns])
    for row in rows:
        ws.append([_value(c, row.get(c.name)) for c in columns])
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        head = ws.cell(row=1, column=i)
        head.font, head.fill, head.alignment = head_font, head_fill, Alignment(vertical="center")
        cells = [ws.cell(row=r, column=i) for r in range(2, len(rows) + 2)]
        for cell in cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(cell.value, float) and math.isfinite(cell.value) and \
                    float(f"{cell.value:.16g}") != cell.value:
                cell._value = repr(cell.value)  # openpyxl writes 16 digits; this double needs 17 to come back
            elif column.kind == "text" and isinstance(cell.value, str):
                cell.number_format = "@"  # text stays text (an id such as 2024)
        widest = max([_width(head.value)] + [_width(c.value) for c in cells if c.value is not None])
        ws.column_dimensions[letter].width = max(WIDTH[0], min(WIDTH[1], widest + 2))
        if column.choices:
            listed = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                                    showErrorMessage=column.kind != "flags",  # several flags: a list, typed
                                    errorTitle=t(column.key, "zh"),
                                    error=f"{t('workbook.choose', 'zh')} / {t('workbook.choose', 'en')}")
            listed.add(f"{letter}2:{letter}{len(rows) + 1 + SPARE_ROWS}")
            ws.add_data_validation(listed)
    ws.freeze_panes = "B2" if ws.max_column > 3 else "A2"  # the header, and the code beside every row


def plan_to_xlsx(plan: Plan) -> bytes:
    """The plan as an Excel workbook: 计划, 领域, 指标, 分期目标 and 说明 (notes)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    rows = sheet_rows(plan)
    for role, key, columns, _ in SHEETS:
        _fill_sheet(wb.create_sheet(t(key, "zh")), columns, rows[role])
    notes = wb.create_sheet(t("workbook.sheet_notes", "zh"))
    for zh, en in zip(t("workbook.notes", "zh").split("|"), t("workbook.notes", "en").split("|"), strict=True):
        notes.append([zh])
        notes.append([en])
    notes.column_dimensions["A"].width = 120
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
