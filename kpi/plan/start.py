"""Where a new plan starts (the New plan page): its text, a document, a plan workbook or YAML file, or a plan carried
forward. Each gives a ``Start``: the plan's data to edit as a draft (``kpi/plan/grid.py``), where it came from, notes
on what was done (carrying forward), or the problems that stopped it, nothing drafted then."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath

import pandas as pd

from kpi.i18n import t
from kpi.periods import PeriodError
from kpi.plan.carry import CarryError, carry_forward
from kpi.plan.cells import plan_from_xlsx
from kpi.plan.documents import DOCUMENT_TYPES, read_document
from kpi.plan.draft import draft_plan
from kpi.plan.dump import plan_data
from kpi.plan.models import Plan, PlanError, parse_plan_text
from kpi.problems import Localized, Problem

PLAN_TYPES = (".xlsx", ".yaml", ".yml")  # a plan already written as a plan: a workbook, a plan file
FILE_TYPES = DOCUMENT_TYPES + PLAN_TYPES


@dataclass
class Start:
    """A draft to edit (``data``, plan data as a plan file holds it) or the problems that stopped it."""

    data: dict | None
    origin: str  # what it came from, for the record: a file's name, "2023-H2 → 2024-H1", or "" for pasted text
    notes: list[Localized] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def from_text(text: str, span: str | None = None, origin: str = "") -> Start:
    """A plan drafted from its text; ``span`` (2024, 2024-H1) when the title does not say it."""
    draft = draft_plan(text, (span or "").strip() or None, source=origin or None)
    if draft.data is None:
        return Start(None, origin, problems=draft.problems)
    return Start(draft.data, origin)  # a draft that does not validate yet: its problems show on the grid's rows


def from_file(data: bytes, name: str, span: str | None = None) -> Start:
    """A plan from a file: drafted from a document (.txt, .docx, .pdf), or read from a plan workbook or YAML file."""
    name = PurePath(name).name
    suffix = PurePath(name).suffix.lower()
    if suffix == ".xlsx":
        plan, problems = plan_from_xlsx(data)
        return _plan(plan, name, problems)
    if suffix in (".yaml", ".yml"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        try:
            return _plan(parse_plan_text(text, name), name, [])
        except PlanError as exc:
            return Start(None, name, problems=exc.issues)
    text, problems = read_document(data, name)
    if problems:
        return Start(None, name, problems=problems)
    return from_text(text, span, name)


def from_plan(plan: Plan, span: str, new_id: str | None = None, keep_targets: bool = True, store=None) -> Start:
    """The plan carried forward to ``span`` (see ``kpi/plan/carry.py``): every change flagged for review."""
    try:
        carried, notes = carry_forward(plan, span, (new_id or "").strip() or None, keep_targets, store)
    except PeriodError:
        return Start(None, plan.id, problems=[Problem.at("span", "draft.bad_span", value=span)])
    except CarryError as exc:
        return Start(None, plan.id, problems=[Problem.at("span", exc.key, **exc.params)])
    except PlanError as exc:
        return Start(None, plan.id, problems=exc.issues)
    return Start(plan_data(carried), f"{plan.id} → {carried.id}", notes)


def _plan(plan: Plan | None, name: str, problems: list[Problem]) -> Start:
    if plan is None:
        return Start(None, name, problems=problems)
    return Start(plan_data(plan), name)


def problems_table(problems: list[Problem], lang: str) -> pd.DataFrame:
    """What stopped a draft: where (sheet, row and column; a YAML line; the plan period) and what to do."""
    def where(p: Problem) -> str:
        if p.sheet or p.row is not None or p.line:
            return p.where(lang)
        return t("newplan.col_span", lang) if p.path == "span" else ""

    return pd.DataFrame({t("newplan.where", lang): [where(p) for p in problems],
                         t("problem.message", lang): [p.text(lang) for p in problems]})
