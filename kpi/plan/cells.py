"""Where a plan's parts are in a workbook: each problem of the plan's validation goes back to the sheet, row and
column it came from (in the workbook's own spelling of the header); ``read_workbook`` reads a plan workbook."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from kpi.plan.models import Plan, PlanError, load_plan, validate_plan
from kpi.plan.sheets import Reader, cell_text, load_sheets, norm, role_of, sheet_roles, spellings
from kpi.plan.workbook import SHEETS, XLSX
from kpi.problems import Localized, Problem


def _texts(field_: str, name: str | None = None) -> dict[str, str]:
    name = name or field_
    return {field_: f"{name}_zh", f"{field_}.zh": f"{name}_zh", f"{field_}.en": f"{name}_en"}


PLAN_FIELDS = {"id": "id", "published": "published", "source": "plan_source", "example": "example",
               "span": "start", "span.start": "start", "span.end": "end", "review": "review",
               **_texts("title"), **_texts("issuer")}
AREA_FIELDS = {"code": "area_code", "review": "review", "items": "area_code",
               **_texts("name"), **_texts("heading"), **_texts("owner")}
ITEM_FIELDS = {"code": "code", "kind": "kind", "direction": "direction", "target": "target", "target.low": "target",
               "target.high": "target", "every": "every", "due": "due", "baseline": "baseline",
               "baseline.value": "baseline", "baseline.date": "baseline_date", "source": "source", "review": "review",
               "targets": "target", **_texts("name"), **_texts("unit"), **_texts("note"),
               **_texts("baseline.note", "baseline_note")}
TARGET_AT = re.compile(r"^areas\[(\d+)\]\.items\[(\d+)\]\.targets\[(\d+)\](?:\.(.+))?$")
ITEM_AT = re.compile(r"^areas\[(\d+)\]\.items\[(\d+)\](?:\.(.+))?$")
AREA_AT = re.compile(r"^areas\[(\d+)\](?:\.(.+))?$")


@dataclass
class Found:
    """What a workbook holds: the plan (or None), every problem at its cell, and where each plan path is."""

    plan: Plan | None
    problems: list[Problem]
    reader: Reader | None = None

    def place(self, path: str, default: str | None = None) -> tuple[str | None, int | None, str | None, str | None]:
        """A plan path's (role, row, column name, item code); ``default`` names the column for a bare row."""
        r = self.reader
        if r is None:
            return None, None, None, None
        rest = lambda s: re.sub(r"\[\d+\]", "", s or "")  # noqa: E731 - review[1] is the review column
        if m := TARGET_AT.match(path):
            key = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
            name = "period" if rest(m.group(4)).startswith("period") else "target"
            return "targets", r.target_rows.get(key), name, r.item_codes.get(key[:2])
        if m := ITEM_AT.match(path):
            key = (int(m.group(1)), int(m.group(2)))
            field_ = rest(m.group(3))
            first = min((row for k, row in r.target_rows.items() if k[:2] == key), default=None)
            if field_ == "targets" and first is not None:
                return "targets", first, "target", r.item_codes.get(key)
            return "items", r.item_rows.get(key), ITEM_FIELDS.get(field_, default), r.item_codes.get(key)
        if m := AREA_AT.match(path):
            i = int(m.group(1))
            row = r.area_rows[i] if i < len(r.area_rows) else None
            return "areas", row, AREA_FIELDS.get(rest(m.group(2)), default), None
        if path == "areas":
            return "areas", None, None, None
        return "plan", r.plan_row, PLAN_FIELDS.get(rest(path), default), None

    def locate(self, problem: Problem, default: str | None = None) -> Problem:
        """A plan problem (at a path) at its sheet, row and column instead."""
        role, row, name, code = self.place(problem.path or "", default)
        if role is None or role not in self.reader.sheets:
            return problem
        sheet = self.reader.sheets[role]
        params = dict(problem.params)
        if isinstance(params.get("other"), str) and params["other"].startswith("areas["):
            other = self.place(params["other"])[1]
            if other is not None:
                params["other"] = Localized("workbook.other_row", {"row": other})
        value = sheet.rows.get(row, {}).get(name) if row is not None and name else None
        return replace(problem, row=row, column=sheet.head(name) if name and row is not None else None,
                       value=cell_text(value), params=params, sheet=sheet.name, code=code)


def _order(problem: Problem) -> tuple:
    roles = [s[0] for s in SHEETS]
    names = {s[0]: s[2] for s in SHEETS}
    role = next((r for r in roles if problem.sheet and role_of(problem.sheet) == r), None)
    column = next((i for i, c in enumerate(names.get(role, ())) if problem.column and
                   norm(problem.column) in spellings(c)), 0)
    return (roles.index(role) if role else -1, problem.row or 0, column)


def read_workbook(data: bytes) -> Found:
    """Read a plan workbook: the plan, or every problem at its sheet, row and column."""
    sheets, problems = load_sheets(data)
    if problems:
        return Found(None, sorted(problems, key=_order))
    reader = Reader(sheets)
    raw = reader.raw()
    plan, issues = validate_plan(raw)
    found = Found(plan, [], reader)
    problems = list(reader.problems)
    for issue in issues:
        if issue.key == "plan.empty" and AREA_AT.fullmatch(issue.path or "") and (issue.path or "").endswith(".items"):
            i = int(AREA_AT.match(issue.path).group(1))
            issue = replace(issue, key="workbook.no_items", params={"code": raw["areas"][i].get("code", "")})
        placed = found.locate(issue)
        role, row, name, _ = found.place(issue.path or "")
        if (role, row, name) not in reader.flagged:
            problems.append(placed)
    found.problems = sorted(problems, key=_order)
    found.plan = None if problems else plan
    return found


# --- reading -----------------------------------------------------------------------------------

def plan_from_xlsx(data: bytes) -> tuple[Plan | None, list[Problem]]:
    """The plan a workbook holds, validated like a plan file; or every problem, by sheet, row and column."""
    found = read_workbook(data)
    return found.plan, found.problems


def is_plan_workbook(data: bytes) -> bool:
    """Whether these bytes are a plan workbook (sheets 计划 and 指标), not a targets file or a data upload."""
    return {"plan", "items"} <= set(sheet_roles(data).values())


def read_plan_file(path: str | Path) -> Plan:
    """A plan from a YAML file or a plan workbook (.xlsx); ``PlanError`` names every problem."""
    path = Path(path)
    if path.suffix.lower() != XLSX:
        return load_plan(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlanError([Problem.at("(file)", "plan.unreadable", reason=str(exc))], str(path)) from exc
    plan, problems = plan_from_xlsx(data)
    if problems:
        raise PlanError(problems, str(path))
    assert plan is not None
    return plan
