"""Every write an editor makes from a page or the command line, checked at the moment of writing.

The pages and the CLI call these, never the store's write methods directly: each checks the editor's role and
work areas (``kpi.roles``) and the closed periods, then writes one batch — or raises ``Refused`` with every reason,
having written nothing. Uploads go through ``kpi.ingest`` (``prepare``/``commit`` run the same checks, in
``kpi.ingest.scope``).

- explanations and overrides: the indicator's area must be the editor's; a period inside a closed period needs an
  admin's correction with a reason (then the batch is recorded as 更正);
- closing and reopening a period, corrections, plans and targets: admins only; a period is closed once it has
  ended, and only when open (reopened only when closed);
- reverting or re-applying a batch: admins any; an area editor only an upload, explanation, override or evidence
  batch wholly inside their areas and outside closed periods.
"""

from __future__ import annotations

import datetime as dt

from kpi.ingest.scope import closed_cells
from kpi.periods import PeriodError, parse_period
from kpi.plan.models import Plan
from kpi.plan.windows import plan_window
from kpi.problems import Problem
from kpi.roles import Refused, require_admin, require_scope
from kpi.store import CLOSE, EVIDENCE, IMPORT, NOTE, OVERRIDE, REOPEN, Editor, Store, StoreConflict

AREA_KINDS = (IMPORT, NOTE, OVERRIDE, EVIDENCE)  # the batches an area editor may revert within their areas


def _refuse(key: str, **params: object) -> Refused:
    return Refused([Problem(None, None, None, key, params)])


def _period(text: str, store: Store | None = None):
    """A period (2023-Q3 …), or the whole span of a plan named by its id (the pages' first period option)."""
    try:
        return parse_period(text)
    except PeriodError as exc:
        if store is not None and str(text) in store.plan_ids():
            return plan_window(store.plan(str(text)))
        raise _refuse("plan.bad_period", value=str(text)) from exc


def _closed_cells(store: Store, code: str, period: str, editor: Editor, correction: str | None):
    """The correction to record for (code, period), None when it is not in a closed period; refused when it is and
    no admin gives a reason."""
    window = _period(period, store)
    closed = store.closed_periods()
    hits = [r for r in closed.to_dict("records")
            if r["period_start"] <= window.start and window.end <= r["period_end"]]
    if not hits:
        return None
    close = hits[0]
    if not (correction and correction.strip()):
        raise _refuse("close.write_closed", code=code, period=window.label, closed=close["period"],
                      when=str(close["created_at"])[:10], by=close["editor"])
    require_admin(editor, "role.what_correct")
    return [(code, window.label, int(close["batch_id"]))], correction.strip()


def write_note(store: Store, editor: Editor, code: str, period: str, note: str,
               correction: str | None = None) -> int:
    """An explanation for an indicator's period (an empty one clears it), by an editor of its area."""
    require_scope(editor, [code])
    cells = _closed_cells(store, code, period, editor, correction)
    return store.write_note(code, _period(period, store).label, note, editor, correction=cells)


def write_override(store: Store, editor: Editor, code: str, period: str, status: str, reason: str,
                   correction: str | None = None) -> int:
    """A status set by hand, with its reason (an empty status clears it), by an editor of the indicator's area."""
    require_scope(editor, [code])
    cells = _closed_cells(store, code, period, editor, correction)
    return store.write_override(code, _period(period, store).label, status, reason, editor, correction=cells)


def attach_evidence(store: Store, editor: Editor, code: str, period: str, name: str, data: bytes) -> int:
    """Keep a file as evidence (佐证材料) for an indicator's period (a milestone: any of its periods), by an editor
    of its area: a named type, its content that type, within the size limit. Closed periods accept evidence."""
    from kpi import evidence

    require_scope(editor, [code])
    found = evidence.problems(name, data)
    if found:
        raise Refused(found)
    file = evidence.clean_name(name)
    return store.attach_evidence(code, _period(period, store).label, file, evidence.media_type(file), data, editor)


def close_period(store: Store, editor: Editor, period: str, reason: str | None = None,
                 today: dt.date | None = None) -> int:
    """Close a period that has ended (admins): its values, notes and overrides change only by a correction."""
    require_admin(editor, "role.what_close")
    p = _period(period)
    today = today or dt.date.today()
    if p.end >= today:
        raise _refuse("close.not_ended", period=p.label, end=p.end.isoformat())
    try:
        return store.set_period_closed(p, True, editor, reason)
    except StoreConflict as exc:
        raise _refuse("close.already_closed", period=p.label) from exc


def reopen_period(store: Store, editor: Editor, period: str, reason: str | None = None) -> int:
    """Reopen a closed period (admins): ordinary uploads may change it again."""
    require_admin(editor, "role.what_close")
    p = _period(period)
    try:
        return store.set_period_closed(p, False, editor, reason)
    except StoreConflict as exc:
        raise _refuse("close.not_closed", period=p.label) from exc


def _may_toggle(store: Store, editor: Editor, batch_id: int) -> None:
    if editor is None:
        raise PermissionError("writing needs a signed-in editor")
    if editor.admin:
        return
    info = store.batch(batch_id)
    if info["kind"] not in AREA_KINDS:
        require_admin(editor, "role.what_revert")
    cells = store.batch_cells(batch_id)
    require_scope(editor, cells["indicator"].tolist())
    if info["kind"] == EVIDENCE:
        return  # evidence may be attached to a closed period, and taken back by its area
    hits = closed_cells(store.closed_periods(), cells.assign(row_no=range(1, len(cells) + 1)))
    if not hits.empty:
        first = hits.iloc[0]
        raise _refuse("close.revert_closed", batch=int(batch_id), code=first["indicator"], period=first["period"],
                      closed=first["closed_period"])


def revert(store: Store, editor: Editor, batch_id: int) -> int:
    """Take a batch out of force (recorded as a batch of its own), if this editor may."""
    _may_toggle(store, editor, batch_id)
    return store.revert(batch_id, editor)


def reapply(store: Store, editor: Editor, batch_id: int) -> int:
    """Put a reverted batch back in force, if this editor may."""
    _may_toggle(store, editor, batch_id)
    return store.reapply(batch_id, editor)


def save_plan(store: Store, editor: Editor, plan: Plan, source: str | None = None,
              new: bool = False) -> tuple[int, bool]:
    """Save a plan or its targets (admins): a changed plan becomes a new revision; ``new``: a plan whose id must
    not exist yet (the New plan page; StoreConflict when it does)."""
    require_admin(editor, "role.what_plan")
    return store.save_plan(plan, editor, source=source, new=new)


def restore_plan(store: Store, editor: Editor, plan_id: str, revision: int) -> tuple[int, bool]:
    require_admin(editor, "role.what_plan")
    return store.restore_plan(plan_id, revision, editor)


__all__ = ["AREA_KINDS", "CLOSE", "REOPEN", "attach_evidence", "close_period", "reapply", "reopen_period",
           "restore_plan", "revert", "save_plan", "write_note", "write_override"]
