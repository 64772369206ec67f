"""Editing targets: the grid of the targets page and the targets file, both through the plan's own validation.

Either way the result is a whole new plan, validated by the same pydantic
models and rules as a plan file, and saved as a new revision (who, when, what
changed). Every problem comes back tied to what the editor touched: a grid
cell (indicator, column) or a file row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pandas as pd

from kpi.i18n import t
from kpi.ingest.layout import ALIASES, norm_header
from kpi.ingest.read import read_upload
from kpi.periods import PeriodError, parse_period, periods_in_span
from kpi.plan.models import Plan, validate_plan
from kpi.plan.windows import plan_window
from kpi.problems import Problem

GRID_FIXED = ["code", "name", "kind", "direction"]
EVERY = ["", "month", "quarter", "half", "year"]
FILE_ROLES = ("indicator", "period", "target")  # the columns of a targets file (spellings: ALIASES)
_ITEM = re.compile(r"^areas\[(\d+)\]\.items\[(\d+)\](?:\.(\w+))?(?:\[(\d+)\])?(?:\.(\w+))?")


def quarter_columns(plan: Plan) -> list[str]:
    return [p.label for p in periods_in_span(plan.span.start, plan.span.end, "quarter")]


def targets_grid(plan: Plan, lang: str) -> pd.DataFrame:
    """One row per item: its whole-plan target, recurring minimum, range, quarter targets, due date."""
    quarters = quarter_columns(plan)
    rows = []
    for item in plan.indicators():
        row = {"code": item.code, "name": item.name.get(lang), "kind": item.kind, "direction": item.direction,
               "target": None, "every": item.every or "", "low": None, "high": None, "due": item.due}
        if isinstance(item.target, (int, float)):
            row["target"] = float(item.target)
        elif item.target is not None:
            row["low"], row["high"] = item.target.low, item.target.high
        for q in quarters:
            row[q] = None
        for entry in item.targets:
            if entry.period in quarters and isinstance(entry.value, (int, float)):
                row[entry.period] = float(entry.value)
        rows.append(row)
    order = ["code", "target", "every", *quarters, "low", "high", "due", "kind", "direction", "name"]
    return pd.DataFrame(rows, columns=order)  # what an editor changes first, the long name last


def _num(value) -> float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    return float(value)


def apply_grid(plan: Plan, grid: pd.DataFrame) -> tuple[Plan | None, list[Problem]]:
    """The plan with the grid's targets, validated; or the problems, each tied to a grid cell."""
    raw = plan.model_dump(mode="json", exclude_none=True)
    quarters = quarter_columns(plan)
    by_code = {r["code"]: r for r in grid.to_dict("records")}
    for area in raw["areas"]:
        for item in area["items"]:
            row = by_code.get(item["code"])
            if row is None:
                continue
            for key in ("target", "targets", "every", "due"):
                item.pop(key, None)
            if item["kind"] == "milestone":
                due = row.get("due")
                if due is not None and not (isinstance(due, float) and pd.isna(due)):
                    item["due"] = pd.Timestamp(due).date().isoformat()
                continue
            phased = {q: _num(row.get(q)) for q in quarters if _num(row.get(q)) is not None}
            low, high, target = _num(row.get("low")), _num(row.get("high")), _num(row.get("target"))
            if item.get("direction") == "range" and (low is not None or high is not None):
                item["target"] = {"low": low, "high": high}
            elif phased:
                item["targets"] = [{"period": q, "value": v} for q, v in phased.items()]
                if target is not None:
                    item["target"] = target  # both given: the plan's rule names the conflict
            elif target is not None:
                item["target"] = target
            if row.get("every"):
                item["every"] = row["every"]
    new, issues = validate_plan(raw)
    where = _codes_at(raw)
    return new, [_to_cell(issue, where, quarters) for issue in issues]


def _codes_at(raw: dict) -> dict[tuple[int, int], str]:
    """(area index, item index) → item code, to name the item a validation path points at."""
    return {(i, j): item["code"] for i, area in enumerate(raw["areas"]) for j, item in enumerate(area["items"])}


def _to_cell(issue: Problem, where: dict, quarters: list[str]) -> Problem:
    """A plan problem tied to the grid cell it is about: the item's code and the grid column."""
    m = _ITEM.match(issue.path or "")
    if not m:
        return issue
    code = where.get((int(m.group(1)), int(m.group(2))), "")
    field, index, sub = m.group(3) or "", m.group(4), m.group(5)
    column = field
    if field == "targets" and index is not None and int(index) < len(quarters):
        column = quarters[int(index)]
    elif field == "target" and sub in ("low", "high"):
        column = sub
    return replace(issue, column=column, code=code)


def issues_table(problems: list[Problem], lang: str, rows: bool = False) -> pd.DataFrame:
    """The problems of a grid (code, column, what to do) or, with ``rows``, of a targets file (row and value too)."""
    table = {}
    if rows:
        table[t("problem.row", lang)] = [p.row if p.row is not None else "" for p in problems]
    table[t("col.code", lang)] = [p.code or "" for p in problems]
    table[t("targets.column", lang)] = [p.column or "" for p in problems]
    if rows:
        table[t("problem.value", lang)] = [p.value or "" for p in problems]
    table[t("problem.message", lang)] = [p.text(lang) for p in problems]
    return pd.DataFrame(table)


# --- a targets file: indicator, period, target ---------------------------------------

def apply_targets_file(plan: Plan, data: bytes, filename: str) -> tuple[Plan | None, list[Problem]]:
    """The plan with the file's targets (each item in the file gets exactly the targets the file gives)."""
    table, first_row, problems = read_upload(data, filename)  # KPI_UPLOAD_MAX_BYTES and the limits, as data uploads
    if problems:
        return None, problems
    if table is None or table.empty:
        return None, [Problem(None, None, None, "ingest.empty")]
    headers = {norm_header(h): h for h in table.columns}
    find = {role: next((headers[norm_header(a)] for a in ALIASES[role] if norm_header(a) in headers), None)
            for role in FILE_ROLES}
    missing = [Problem(None, None, None, "ingest.missing_column", {"column": _role_name(role),
                                                                    "aliases": ", ".join(ALIASES[role])})
               for role, col in find.items() if col is None]
    if missing:
        return None, missing
    codes = {i.code for i in plan.indicators()}
    whole = plan_window(plan).label
    per_item: dict[str, list[tuple[int, str, float]]] = {}
    problems: list[Problem] = []
    for index, rec in table.iterrows():  # a targets file has one row per item and period: tens of rows
        row = first_row + 1 + int(index)
        code, period, value = (str(rec[find[k]]).strip() for k in ("indicator", "period", "target"))
        if not code and not value:
            continue
        if code not in codes:
            problems.append(Problem(row, find["indicator"], code, "ingest.unknown_indicator",
                                    {"value": code, "example": next(iter(codes))}))
            continue
        try:
            label = whole if period.lower() in ("", "plan", whole.lower()) else parse_period(period).label
        except PeriodError:
            problems.append(Problem(row, find["period"], period, "ingest.bad_period", {"value": period}))
            continue
        number = _num(value.replace(",", "")) if re.fullmatch(r"-?[\d,]*\.?\d+", value or "") else None
        if number is None:
            problems.append(Problem(row, find["target"], value, "ingest.not_number", {"value": value}))
            continue
        per_item.setdefault(code, []).append((row, label, number))
    if problems:
        return None, problems
    raw = plan.model_dump(mode="json", exclude_none=True)
    origin: dict[str, int] = {}
    for i, area in enumerate(raw["areas"]):
        for j, item in enumerate(area["items"]):
            given = per_item.get(item["code"])
            if not given:
                continue
            for key in ("target", "targets", "every"):
                item.pop(key, None)
            at = f"areas[{i}].items[{j}]"
            for row, label, number in given:
                if label == whole:
                    item["target"] = number
                    origin[f"{at}.target"] = row
                else:
                    item.setdefault("targets", []).append({"period": label, "value": number})
                    origin[f"{at}.targets[{len(item['targets']) - 1}]"] = row
            origin.setdefault(at, given[0][0])
    new, issues = validate_plan(raw)
    codes_at = _codes_at(raw)
    for issue in issues:
        path = issue.path or ""
        row = next((origin[p] for p in sorted(origin, key=len, reverse=True) if path.startswith(p)), None)
        m = _ITEM.match(path)
        column = find["period"] if path.endswith(".period") else find["target"]
        problems.append(replace(issue, row=row, column=column, code=codes_at[(int(m.group(1)), int(m.group(2)))]
                                if m else None))
    return (None if problems else new), problems


def _role_name(role: str) -> str:
    """A column's name in both languages, as the data upload names it: ``target / 目标``."""
    return f"{role} / {next(a for a in ALIASES[role] if not a.isascii())}"


def plan_diff(old: Plan, new: Plan, lang: str) -> pd.DataFrame:
    """What a revision changed: per item and field, before and after."""
    def facts(plan: Plan) -> dict[tuple[str, str], str]:
        out = {}
        for item in plan.indicators():
            for field in ("target", "every", "due", "direction"):
                value = getattr(item, field)
                if value not in (None, ""):
                    out[(item.code, field)] = _show(value)
            for entry in item.targets:
                out[(item.code, entry.period)] = _show(entry.value)
        return out

    before, after = facts(old), facts(new)
    keys = sorted(set(before) | set(after))
    rows = [(code, field, before.get((code, field), ""), after.get((code, field), ""))
            for code, field in keys if before.get((code, field)) != after.get((code, field))]
    return pd.DataFrame(rows, columns=[t("col.code", lang), t("targets.column", lang), t("change.old", lang),
                                       t("change.new", lang)])


def _show(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "low"):
        return f"{_show(value.low)}–{_show(value.high)}"
    return str(value)
