"""Reading a plan workbook's cells: its sheets found by name (Chinese or English), its columns by header, and each
cell turned into plan data for ``validate_plan`` (``kpi/plan/cells.py`` puts the problems back at their cells).

A cell that cannot be what its column holds (a target written as words) is a problem of its own, at its cell; the
plan's validation does not name that cell again.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field

from kpi.i18n import LANGS, t
from kpi.plan.workbook import SHEETS, Column, unguard
from kpi.problems import Localized, Problem
from kpi.report.export import number_text

SHEET_NAMES = {"plan": ("plan", "计划"), "areas": ("areas", "area", "领域"), "items": ("items", "indicators", "指标"),
               "targets": ("phased targets", "targets", "分期目标")}
NUMBER = r"\d+(?:\.\d*)?|\.\d+"
RANGE = re.compile(rf"({NUMBER})\s*(?:[-–—~～]|至|到)\s*({NUMBER})")
FLAG_SPLIT = re.compile(r"[\s,，、;；]+")
DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
TRUE, FALSE = ("true", "yes", "y", "1", "是", "对"), ("false", "no", "n", "0", "否", "不是")
# choices also accepted as the catalogue's words for them (计数, 季度 ...); the workbook writes the codes
LABELS = {"kind": ("kind.count", "kind.stock", "kind.rate", "kind.milestone"),
          "every": ("grains.month", "grains.quarter", "grains.half", "grains.year")}


class Headers(Localized):
    """A sheet's headers, in whichever language the message is shown (类型、方向 / kind, direction)."""

    def __call__(self, lang: str) -> str:
        return ("、" if lang == "zh" else ", ").join(t(key, lang) for key in self.params["keys"])


def norm(text: object) -> str:
    return re.sub(r"[\s()\[\]【】_\-:/]+", "", unicodedata.normalize("NFKC", str(text)).lower())


def spellings(column: Column) -> set[str]:
    out = {norm(a) for a in column.aliases}
    for lang in LANGS:
        head = t(column.key, lang)
        out.add(norm(head))
        for tail in ("（中文）", " (zh)"):
            if head.endswith(tail):
                out.add(norm(head[: -len(tail)]))  # 名称 for 名称（中文）
    return out


def role_of(name: str) -> str | None:
    return next((role for role, names in SHEET_NAMES.items() if norm(name) in {norm(n) for n in names}), None)


def sheet_roles(data: bytes) -> dict[str, str]:
    """{sheet name: role} for the sheets of a workbook a plan workbook has; {} for anything else."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True)
    except Exception:  # not a workbook at all: then not a plan workbook
        return {}
    try:
        return {name: role for name in wb.sheetnames if (role := role_of(name))}
    finally:
        wb.close()


@dataclass
class Sheet:
    role: str
    name: str
    columns: tuple[Column, ...]
    header: dict[str, tuple[int, str]] = field(default_factory=dict)  # column name -> (position, header text)
    rows: dict[int, dict] = field(default_factory=dict)  # spreadsheet row -> {column name: cell value}

    def head(self, name: str) -> str:
        found = self.header.get(name)
        return found[1] if found else t(next(c.key for c in self.columns if c.name == name), "zh")


def _cell(cell) -> object:
    value = cell.value
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return round(value * 100, 10)  # 95% in a cell is 0.95 shown as 95
    return value


def _sheet(ws, role: str, columns: tuple[Column, ...], problems: list[Problem]) -> Sheet:
    sheet = Sheet(role, ws.title, columns)
    rows = list(ws.iter_rows())
    lookup = {spelling: c for c in columns for spelling in spellings(c)}
    position: dict[int, str] = {}
    for i, cell in enumerate(rows[0] if rows else []):
        text = str(cell.value).strip() if cell.value is not None else ""
        if not text:
            continue
        column = lookup.get(norm(text))
        if column is None or column.name in sheet.header:
            key = "workbook.unknown_column" if column is None else "workbook.duplicate_column"
            problems.append(Problem(1, text, text, key, {"column": text, "expected": Headers(
                "workbook.col_code", {"keys": tuple(c.key for c in columns)})}, sheet=ws.title))
            continue
        sheet.header[column.name] = (i, text)
        position[i] = column.name
    for column in columns:
        if column.required and column.name not in sheet.header:
            problems.append(Problem(None, None, None, "workbook.missing_column", {"column": t(column.key, "zh")},
                                    sheet=ws.title))
    for row in rows[1:]:
        values = {position[i]: _cell(c) for i, c in enumerate(row) if i in position}
        if any(v is not None for v in values.values()):
            sheet.rows[row[0].row] = values
    return sheet


def load_sheets(data: bytes) -> tuple[dict[str, Sheet], list[Problem]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # not a zip, not a workbook, or openpyxl's own errors for a damaged file
        return {}, [Problem(None, None, None, "workbook.unreadable", {"reason": str(exc) or type(exc).__name__})]
    problems: list[Problem] = []
    sheets: dict[str, Sheet] = {}
    spec = {role: columns for role, _, columns, _ in SHEETS}
    for ws in wb.worksheets:
        role = role_of(ws.title)
        if role and role not in sheets:
            sheets[role] = _sheet(ws, role, spec[role], problems)
    for role, key, _, required in SHEETS:
        if required and role not in sheets:
            problems.append(Problem(None, None, None, "workbook.missing_sheet", {"sheet": t(key, "zh")}))
    return sheets, problems


# --- cells to plan data ----------------------------------------------------------------------------

def _number_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(",", "").strip()


def _date(text: str) -> object:
    m = DATE.fullmatch(unicodedata.normalize("NFKC", text))
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return text
    return text


def cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_text(value)
    return unguard(str(value)) or None


class Reader:
    """Turns a workbook's sheets into plan data, remembering where each part came from."""

    def __init__(self, sheets: dict[str, Sheet]):
        self.sheets = sheets
        self.problems: list[Problem] = []
        self.flagged: set[tuple[str, int, str]] = set()  # cells already named by a problem of their own
        self.plan_row = 2
        self.area_rows: list[int] = []
        self.item_rows: dict[tuple[int, int], int] = {}
        self.item_codes: dict[tuple[int, int], str | None] = {}
        self.target_rows: dict[tuple[int, int, int], int] = {}

    def cell_problem(self, role: str, row: int, name: str, key: str, **params) -> None:
        sheet = self.sheets[role]
        value = self.sheets[role].rows.get(row, {}).get(name)
        self.problems.append(Problem(row, sheet.head(name), cell_text(value), key, params, sheet=sheet.name,
                                     code=self._code_of(role, row)))
        self.flagged.add((role, row, name))

    def _code_of(self, role: str, row: int) -> str | None:
        if role not in ("items", "targets"):
            return None
        code = self.sheets[role].rows.get(row, {}).get("code")
        return cell_text(code)

    def value(self, role: str, row: int, name: str) -> object:
        """The cell as what its column holds: text, a number, a date, a target, true/false, flags, a choice."""
        raw = self.sheets[role].rows.get(row, {}).get(name)
        kind = next(c for c in self.sheets[role].columns if c.name == name).kind
        if raw is None:
            return None
        if kind == "text":
            return cell_text(raw)
        if isinstance(raw, dt.datetime):
            raw = raw.date()
        if kind == "date":
            return _date(raw) if isinstance(raw, str) else raw if isinstance(raw, dt.date) else cell_text(raw)
        if kind == "number":
            if isinstance(raw, str) and re.fullmatch(rf"-?(?:{NUMBER})", _number_text(raw)):
                return float(_number_text(raw))
            return raw if not isinstance(raw, bool) else str(raw)
        if kind == "target":
            return self._target(role, row, name, raw)
        if kind == "bool":
            word = norm(raw) if not isinstance(raw, bool) else None
            return raw if isinstance(raw, bool) else True if word in TRUE else False if word in FALSE else raw
        if kind == "flags":
            return [f for f in FLAG_SPLIT.split(cell_text(raw) or "") if f] or None
        word = str(cell_text(raw)).lower()
        labels = {t(k, lang).lower(): k.split(".")[1] for k in LABELS.get(name, ()) for lang in LANGS}
        return labels.get(word, word)

    def _target(self, role: str, row: int, name: str, raw: object) -> object:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return float(raw)
        text = _number_text(str(cell_text(raw)))
        if re.fullmatch(NUMBER, text):
            return float(text)
        m = RANGE.fullmatch(text)
        if m:
            return {"low": float(m.group(1)), "high": float(m.group(2))}
        self.cell_problem(role, row, name, "workbook.not_target", value=cell_text(raw))
        return cell_text(raw)  # the plan's validation refuses it too, at this cell (named once)

    def text(self, role: str, row: int, name: str) -> dict | None:
        zh, en = self.value(role, row, f"{name}_zh"), self.value(role, row, f"{name}_en")
        return None if zh is None and en is None else {k: v for k, v in (("zh", zh), ("en", en)) if v is not None}

    def raw(self) -> dict:
        rows = sorted(self.sheets["plan"].rows)
        self.plan_row = rows[0] if rows else 2
        for extra in rows[1:]:
            self.cell_problem("plan", extra, next(iter(self.sheets["plan"].rows[extra])), "workbook.plan_rows")
        at = ("plan", self.plan_row)
        span = {k: v for k in ("start", "end") if (v := self.value(*at, k)) is not None}
        raw = {"id": self.value(*at, "id"), "title": self.text(*at, "title"), "issuer": self.text(*at, "issuer"),
               "published": self.value(*at, "published"), "source": self.value(*at, "plan_source"),
               "example": self.value(*at, "example"), "span": span or None, "review": self.value(*at, "review"),
               "areas": self._areas()}
        return _drop_none(raw)

    def _areas(self) -> list[dict]:
        areas, index = [], {}
        for row in sorted(self.sheets["areas"].rows):
            at = ("areas", row)
            code = self.value(*at, "area_code")
            areas.append(_drop_none({"code": code, "name": self.text(*at, "name"), "heading": self.text(*at, "heading"),
                                     "owner": self.text(*at, "owner"), "review": self.value(*at, "review"),
                                     "items": []}))
            self.area_rows.append(row)
            if isinstance(code, str):
                index.setdefault(code, len(areas) - 1)
        by_code: dict[str, tuple[int, int]] = {}
        for row in sorted(self.sheets["items"].rows):
            item = self._item(row)
            code = item.get("code")
            area = self.value("items", row, "area") or (code.split("-", 1)[0] if isinstance(code, str) else None)
            if area is None and areas:
                i = 0  # no code and no area: the first area, so the missing code is named at its cell
            elif area not in index:
                name = "area" if self.value("items", row, "area") else "code"
                self.cell_problem("items", row, name, "workbook.unknown_area", area=area, areas=", ".join(index))
                continue
            else:
                i = index[area]
            areas[i]["items"].append(item)
            where = (i, len(areas[i]["items"]) - 1)
            self.item_rows[where], self.item_codes[where] = row, code if isinstance(code, str) else None
            if isinstance(code, str):
                by_code.setdefault(code, where)
        self._targets(areas, by_code)
        return areas

    def _item(self, row: int) -> dict:
        at = ("items", row)
        base = {"value": self.value(*at, "baseline"), "date": self.value(*at, "baseline_date"),
                "note": self.text(*at, "baseline_note")}
        return _drop_none({
            "code": self.value(*at, "code"), "name": self.text(*at, "name"), "unit": self.text(*at, "unit"),
            "kind": self.value(*at, "kind"), "direction": self.value(*at, "direction"),
            "target": self.value(*at, "target"), "every": self.value(*at, "every"), "due": self.value(*at, "due"),
            "baseline": _drop_none(base) or None, "source": self.value(*at, "source"),
            "note": self.text(*at, "note"), "review": self.value(*at, "review")})

    def _targets(self, areas: list[dict], by_code: dict[str, tuple[int, int]]) -> None:
        sheet = self.sheets.get("targets")
        for row in sorted(sheet.rows) if sheet else []:
            code = self.value("targets", row, "code")
            if code is None:
                self.cell_problem("targets", row, "code", "plan.required")
                continue
            if code not in by_code:
                self.cell_problem("targets", row, "code", "workbook.unknown_indicator", code=code)
                continue
            i, j = by_code[code]
            entries = areas[i]["items"][j].setdefault("targets", [])
            entries.append(_drop_none({"period": self.value("targets", row, "period"),
                                       "value": self.value("targets", row, "target")}))
            self.target_rows[(i, j, len(entries) - 1)] = row


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}
