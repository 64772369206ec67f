"""Roles and scopes: who may write what.

- **admin**: an editor without work areas (``Editor.areas is None``) — plans, targets, editors, closing periods,
  corrections after close, every area;
- **area editor**: an editor with work areas (``[areas]`` in the secrets file, ``KPI_EDITOR_AREAS``) — uploads,
  explanations, overrides and evidence for the indicators of those areas only;
- **viewer**: everyone else, read-only (signed in when viewer accounts are configured).

An indicator belongs to the area its code begins with (``INV-EVENTS`` → ``INV``; the plan rules make it so). Every
check here runs at the moment of writing with the editor as configured then (``kpi.sessions.editor_for``,
``kpi.auth.editor_named``); a refusal is a ``Refused`` carrying every reason as a ``Problem``, and nothing is
written.
"""

from __future__ import annotations

import pandas as pd

from kpi.i18n import t
from kpi.plan.models import Plan
from kpi.problems import Localized, Problem
from kpi.store import Editor

ADMIN, EDITOR, VIEWER = "admin", "editor", "viewer"


class Refused(PermissionError):
    """A write refused for its role, its scope or a closed period: every reason, each a Problem; nothing written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        return "\n".join(p.message(lang) if p.row is not None else p.text(lang) for p in self.problems)


def area_of(code: str) -> str:
    """The work area of an indicator: the part of its code before the first hyphen."""
    return str(code).split("-", 1)[0]


def role(editor: Editor | None) -> str:
    if editor is None:
        return VIEWER
    return ADMIN if editor.admin else EDITOR


def may_write(editor: Editor | None, code: str) -> bool:
    """Whether this editor may write for this indicator (an admin: any)."""
    return editor is not None and (editor.admin or area_of(code) in editor.areas)


def areas_text(editor: Editor) -> str:
    return ", ".join(editor.areas or ()) or "—"


def require_admin(editor: Editor | None, what: str) -> None:
    """Refuse unless an admin; ``what`` is a catalogue key naming the action (role.what_close …)."""
    if editor is None or not editor.admin:
        name = editor.name if editor else ""
        raise Refused([Problem(None, None, None, "role.admin_only", {"name": name, "what": Localized(what)})])


def require_scope(editor: Editor | None, codes: list[str]) -> None:
    """Refuse unless the editor may write every one of these indicators."""
    if editor is None:
        raise PermissionError("writing needs a signed-in editor")
    outside = sorted({c for c in codes if not may_write(editor, c)})
    if outside:
        raise Refused([Problem(None, None, c, "role.outside_area",
                               {"name": editor.name, "code": c, "area": area_of(c), "areas": areas_text(editor)})
                       for c in outside])


def outside_rows(rows: pd.DataFrame, editor: Editor | None) -> list[Problem]:
    """Every row of a checked upload (columns row_no, indicator, period) outside the editor's areas, in file order."""
    if editor is None or editor.admin or rows is None or len(rows) == 0:
        return []
    areas = rows["indicator"].astype(str).str.split("-", n=1).str[0]
    bad = rows[~areas.isin(list(editor.areas))].sort_values("row_no", kind="stable")
    return [Problem(int(r.row_no), None, str(r.indicator), "role.row_outside",
                    {"code": r.indicator, "period": r.period, "area": area_of(r.indicator),
                     "name": editor.name, "areas": areas_text(editor)})
            for r in bad.itertuples(index=False)]


def area_label(plan: Plan, code: str, lang: str) -> str:
    """An area with its office (科室) when the plan names one: 招商引资（INV · 负责科室：投资促进科）."""
    try:
        area = plan.area(code)
    except KeyError:
        return code
    if area.owner is None:
        return t("role.area", lang, name=area.name.get(lang), code=code)
    return t("role.area_owner", lang, name=area.name.get(lang), code=code, owner=area.owner.get(lang))


def scope_text(editor: Editor | None, plan: Plan, lang: str) -> str:
    """What an editor may write, in words: every area (admin), or their areas with their offices."""
    if editor is None:
        return t("role.viewer", lang)
    if editor.admin:
        return t("role.admin", lang)
    sep = "；" if lang == "zh" else "; "
    return t("role.editor_of", lang, areas=sep.join(area_label(plan, a, lang) for a in editor.areas or ()) or "—")
