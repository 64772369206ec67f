"""A drafted plan as two editable tables (its areas, its items) and back: the grids of the New plan page.

``area_frame`` and ``item_frame`` give one row per area (code, name …) and per item (area, code, name, kind,
target, every, unit, direction, due, baseline, the open review flags, the source sentence). ``read_grids`` turns the
edited tables, and the plan's own fields (id, title), back into plan data, validated by the plan's own models and
rules, with every problem at its grid, row and column (``Cell``). A review flag is resolved when its row is ticked as
checked, or when the field it is about was changed: a person decided it. A row ticked ``drop`` leaves the plan (an
area with its items). An item's code follows its area's code when the area is renamed (ZSYZ-WCZDCY -> INV-WCZDCY).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace

import pandas as pd

from kpi.i18n import t
from kpi.plan.models import Plan, validate_plan
from kpi.plan.values import day_of, number_of, parse_target, plan_text, same, target_text, text_of, texts, ticked
from kpi.problems import Localized, Problem

# left to right as an editor works a row: what it is, what stands in the way, what to check and the tick, the values
# checked most (in sight on a laptop beside the sidebar), the source sentence, then what is changed seldom
AREA_COLUMNS = ("code", "name", "problem", "review", "checked", "heading", "name_en", "drop")
ITEM_COLUMNS = ("name", "problem", "review", "checked", "kind", "target", "unit", "every", "due", "source", "code",
                "baseline", "baseline_date", "direction", "area", "name_en", "unit_en", "phased", "drop")
READ_ONLY = ("problem", "review", "heading", "source", "phased")
KINDS = ("count", "stock", "rate", "milestone")
DIRECTIONS = ("at_least", "at_most", "range")
EVERY = ("month", "quarter", "half", "year")
# what each review flag is about: the grid columns whose change settles it ("heading" only by a tick)
FLAG_COLUMNS = {"area": ("area",), "code": ("code",), "name": ("name", "name_en"), "unit": ("unit", "unit_en"),
                "kind": ("kind",), "direction": ("direction",), "target": ("target",), "every": ("every",),
                "due": ("due",), "baseline": ("baseline", "baseline_date"), "heading": (),
                "title": ("title", "title_en")}
ITEM_FIELDS = {"code": "code", "name": "name", "name.zh": "name", "name.en": "name_en", "unit": "unit",
               "unit.zh": "unit", "unit.en": "unit_en", "kind": "kind", "direction": "direction", "target": "target",
               "targets": "phased", "every": "every", "due": "due", "baseline": "baseline",
               "baseline.value": "baseline", "baseline.date": "baseline_date", "source": "source", "review": "review"}
AREA_FIELDS = {"code": "code", "name": "name", "name.zh": "name", "name.en": "name_en", "heading": "heading",
               "review": "review", "items": "name"}
PLAN_FIELDS = {"id": "id", "title": "title", "title.zh": "title", "title.en": "title_en", "span": "span"}
_ITEM_AT = re.compile(r"^areas\[(\d+)\]\.items\[(\d+)\](?:\.(.+))?$")
_AREA_AT = re.compile(r"^areas\[(\d+)\](?:\.(.+))?$")
_FORM_KEYS = {"items": "newplan.code_form", "areas": "newplan.area_code_form", "plan": "newplan.id_form"}


@dataclass(frozen=True)
class Cell:
    """A problem at its place in the page: the grid (plan, areas, items), the row as numbered there, the column."""

    grid: str
    row: int | None
    column: str | None
    problem: Problem


@dataclass
class Result:
    """The plan the grids make (None while a problem stands), its data, every problem and the flags still open."""

    raw: dict
    plan: Plan | None
    cells: list[Cell] = field(default_factory=list)
    flags: dict[tuple[str, int], list[str]] = field(default_factory=dict)  # (grid, row) -> flags still open
    plan_flags: list[str] = field(default_factory=list)

    @property
    def open(self) -> int:
        """How many rows (and the plan itself) still have a guess to confirm."""
        return sum(1 for f in self.flags.values() if f) + (1 if self.plan_flags else 0)

    def problems_at(self, grid: str) -> dict[int, list[Cell]]:
        out: dict[int, list[Cell]] = {}
        for cell in self.cells:
            if cell.grid == grid and cell.row is not None:
                out.setdefault(cell.row, []).append(cell)
        return out


# --- plan data -> grids --------------------------------------------------------------------------------

def flag_names(flags: list[str], lang: str) -> str:
    """Review flags in words: 类型、目标 / kind, target."""
    return ("、" if lang == "zh" else ", ").join(t(f"newplan.col_{f}", lang) for f in flags)


def plan_fields(data: dict) -> dict:
    """The plan's own fields an editor sets beside the grids: id and title (Chinese, English)."""
    zh, en = texts(data.get("title"))
    return {"id": data.get("id") or "", "title": zh or "", "title_en": en or "", "checked": False}


def area_frame(data: dict, lang: str) -> pd.DataFrame:
    """One row per area, numbered from 1."""
    rows = []
    for area in data.get("areas") or []:
        name, name_en = texts(area.get("name"))
        heading = texts(area.get("heading"))
        rows.append({"code": area.get("code"), "name": name, "problem": "",
                     "review": flag_names(list(area.get("review") or []), lang), "checked": False,
                     "name_en": name_en, "heading": heading[1] if lang == "en" and heading[1] else heading[0],
                     "drop": False})
    return _frame(rows, AREA_COLUMNS)


def _items(data: dict) -> list[tuple[int, dict]]:
    return [(i, item) for i, area in enumerate(data.get("areas") or []) for item in area.get("items") or []]


def item_frame(data: dict, lang: str, area_codes: list[object] | None = None) -> pd.DataFrame:
    """One row per item, numbered from 1. ``area_codes``: the areas' codes as edited (an item's code follows)."""
    rows = []
    for i, item in _items(data):
        old = data["areas"][i].get("code")
        area = area_codes[i] if area_codes is not None and i < len(area_codes) and text_of(area_codes[i]) else old
        code = item.get("code")
        if isinstance(code, str) and isinstance(old, str) and code.startswith(old + "-") and area != old:
            code = f"{text_of(area)}{code[len(old):]}"
        name, name_en = texts(item.get("name"))
        unit, unit_en = texts(item.get("unit"))
        base = item.get("baseline") or {}
        phased = "; ".join(f"{e.get('period')}: {target_text(e.get('value'))}" for e in item.get("targets") or [])
        rows.append({"area": text_of(area), "code": code, "name": name, "problem": "",
                     "review": flag_names(list(item.get("review") or []), lang), "checked": False,
                     "kind": item.get("kind"), "target": target_text(item.get("target")), "every": item.get("every"),
                     "unit": unit, "direction": item.get("direction", "at_least"), "due": day_of(item.get("due")),
                     "baseline": number_of(base.get("value")), "baseline_date": day_of(base.get("date")),
                     "source": item.get("source"), "name_en": name_en, "unit_en": unit_en, "phased": phased or None,
                     "drop": False})
    return _frame(rows, ITEM_COLUMNS)


def _frame(rows: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    for column in columns:  # each column one type, whatever the rows hold (all blank included)
        kind = bool if column in ("checked", "drop") else object if column in ("due", "baseline_date") \
            else float if column == "baseline" else "str"
        frame[column] = frame[column].astype(kind)
    frame.index = pd.RangeIndex(1, len(frame) + 1)  # rows numbered as the grid shows them
    return frame


def shown(frame: pd.DataFrame, result: Result, grid: str, lang: str) -> pd.DataFrame:
    """The grid as shown: each row's problems and the flags it still has to confirm, in the user's language."""
    out = frame.copy()
    problems = result.problems_at(grid)
    colon, semicolon = ("：", "；") if lang == "zh" else (": ", "; ")
    out["problem"] = [semicolon.join((t(f"newplan.col_{c.column}", lang) + colon if c.column else "")
                                     + c.problem.text(lang) for c in problems.get(row, [])) for row in out.index]
    out["review"] = [flag_names(result.flags.get((grid, row), []), lang) for row in out.index]
    return out


# --- grids -> plan data ----------------------------------------------------------------------------------

def _open_flags(flags: list[str], row: dict, base: dict, checked: bool) -> list[str]:
    if checked:
        return []
    return [f for f in flags if not any(not same(row.get(c), base.get(c)) for c in FLAG_COLUMNS.get(f, ()))]


def _item(item: dict, row: dict, base: dict, at: int, cells: list[Cell]) -> tuple[dict, list[str]]:
    out = {k: v for k, v in copy.deepcopy(item).items() if k in ("source", "note", "targets")}
    out["code"] = text_of(row.get("code"))
    out["name"] = plan_text(row.get("name"), row.get("name_en"))
    unit = plan_text(row.get("unit"), row.get("unit_en"))
    if unit:
        out["unit"] = unit
    out["kind"] = text_of(row.get("kind"))
    direction = text_of(row.get("direction"))
    if direction and direction != "at_least":
        out["direction"] = direction
    target, ok = parse_target(row.get("target"))
    if not ok:  # kept as typed (a YAML download shows it); named once, here, not again by the validation
        out["target"] = text_of(row.get("target"))
        cells.append(Cell("items", at, "target", Problem(None, "target", out["target"], "workbook.not_target",
                                                         {"value": out["target"]})))
    elif target is not None:
        out["target"] = target
    if text_of(row.get("every")):
        out["every"] = text_of(row.get("every"))
    if day_of(row.get("due")) is not None:
        out["due"] = day_of(row.get("due"))
    value = number_of(row.get("baseline"))
    if value is not None:
        before = item.get("baseline") or {}
        out["baseline"] = {"value": value, "date": day_of(row.get("baseline_date"))}
        if before.get("note") and same(value, base.get("baseline")):
            out["baseline"]["note"] = copy.deepcopy(before["note"])
    flags = _open_flags(list(item.get("review") or []), row, base, ticked(row.get("checked")))
    out["review"] = flags
    return {k: v for k, v in out.items() if v is not None}, flags


def read_grids(data: dict, fields: dict, areas: pd.DataFrame, items: pd.DataFrame) -> Result:
    """The plan the edited grids make, validated; every problem at its grid, row and column (see the module's doc)."""
    raw = {k: copy.deepcopy(v) for k, v in data.items() if k != "areas"}
    raw["id"] = text_of(fields.get("id"))
    raw["title"] = plan_text(fields.get("title"), fields.get("title_en"))
    zh, en = texts(data.get("title"))
    result = Result(raw, None)
    result.plan_flags = _open_flags(list(data.get("review") or []), fields, {"title": zh, "title_en": en},
                                    ticked(fields.get("checked")))
    raw["review"] = result.plan_flags
    area_base = area_frame(data, "zh").to_dict("records")
    raw["areas"], area_rows, index, dropped = [], [], {}, set()
    for pos, row in enumerate(areas.to_dict("records")):
        code = text_of(row.get("code"))
        if ticked(row.get("drop")):
            dropped.add(code)
            continue
        area = {k: copy.deepcopy(v) for k, v in data["areas"][pos].items() if k in ("heading", "owner")}
        flags = _open_flags(list(data["areas"][pos].get("review") or []), row, area_base[pos],
                            ticked(row.get("checked")))
        result.flags[("areas", pos + 1)] = flags
        raw["areas"].append({"code": code, "name": plan_text(row.get("name"), row.get("name_en")), **area,
                             "review": flags, "items": []})
        area_rows.append(pos + 1)
        if code is not None:
            index.setdefault(code, len(raw["areas"]) - 1)
    item_base = item_frame(data, "zh", list(areas["code"])).to_dict("records")
    where: dict[tuple[int, int], int] = {}
    for pos, ((_, item), row) in enumerate(zip(_items(data), items.to_dict("records"), strict=True)):
        area = text_of(row.get("area"))
        if ticked(row.get("drop")) or (area in dropped and area not in index):
            continue  # dropped, or dropped with its area
        cells: list[Cell] = []
        new, flags = _item(item, row, item_base[pos], pos + 1, cells)
        result.flags[("items", pos + 1)] = flags
        result.cells += cells
        if area not in index:
            result.cells.append(Cell("items", pos + 1, "area", Problem(None, "area", area, "newplan.unknown_area", {
                "area": area or "", "areas": ", ".join(index)})))
            continue
        target = raw["areas"][index[area]]["items"]
        target.append(new)
        where[(index[area], len(target) - 1)] = pos + 1
    plan, issues = validate_plan(raw)
    named = {(c.grid, c.row, c.column) for c in result.cells}
    result.cells += [c for c in (_place(issue, where, area_rows) for issue in issues)
                     if (c.grid, c.row, c.column) not in named]
    result.cells.sort(key=_order)
    result.plan = None if result.cells else plan
    return result


def _place(issue: Problem, where: dict[tuple[int, int], int], area_rows: list[int]) -> Cell:
    """A problem of the plan's validation at its grid, row and column."""
    path = issue.path or ""
    params = dict(issue.params)
    other = params.get("other")
    if isinstance(other, str):
        row = _row_of(other, where, area_rows)
        if row is not None:
            params["other"] = Localized("workbook.other_row", {"row": row})
    issue = replace(issue, params=params)
    if m := _ITEM_AT.match(path):
        grid, row, column = "items", where.get((int(m.group(1)), int(m.group(2)))), _column(ITEM_FIELDS, m.group(3))
    elif m := _AREA_AT.match(path):
        i = int(m.group(1))
        grid, row, column = "areas", area_rows[i] if i < len(area_rows) else None, _column(AREA_FIELDS, m.group(2))
        if m.group(2) == "items":
            issue = replace(issue, key="newplan.no_items", params={})
    else:
        grid, row, column = "plan", None, _column(PLAN_FIELDS, path)
    if issue.key == "plan.pattern" and column in ("code", "id"):
        issue = replace(issue, key=_FORM_KEYS[grid], params={})
    return Cell(grid, row, column, issue)


def _order(cell: Cell) -> tuple:
    """The plan's own fields first, then the areas, then the items; row by row, column by column as shown."""
    columns = {"plan": tuple(PLAN_FIELDS.values()), "areas": AREA_COLUMNS, "items": ITEM_COLUMNS}[cell.grid]
    return (("plan", "areas", "items").index(cell.grid), cell.row or 0,
            columns.index(cell.column) if cell.column in columns else len(columns))


def _column(fields: dict[str, str], rest: str | None) -> str | None:
    """The grid column of a path's tail: ``target.low`` -> target, ``targets[2].value`` -> phased."""
    rest = re.sub(r"\[\d+\]", "", rest or "")
    while rest:
        if rest in fields:
            return fields[rest]
        rest = rest.rsplit(".", 1)[0] if "." in rest else ""
    return None


def _row_of(path: str, where: dict[tuple[int, int], int], area_rows: list[int]) -> int | None:
    if m := _ITEM_AT.match(path):
        return where.get((int(m.group(1)), int(m.group(2))))
    if m := _AREA_AT.match(path):
        i = int(m.group(1))
        return area_rows[i] if i < len(area_rows) else None
    return None


def cells_table(cells: list[Cell], lang: str) -> pd.DataFrame:
    """Every problem: which table (plan, areas, items), its row, the column and what to do."""
    return pd.DataFrame({
        t("newplan.table", lang): [t(f"newplan.grid_{c.grid}", lang) for c in cells],
        t("problem.row", lang): [str(c.row) if c.row is not None else "" for c in cells],
        t("problem.column", lang): [t(f"newplan.col_{c.column}", lang) if c.column else "" for c in cells],
        t("problem.message", lang): [c.problem.text(lang) for c in cells],
    })
