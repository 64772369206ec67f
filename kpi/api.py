"""What the HTTP API answers, as JSON; ``ui/api.py`` serves it and ``python -m kpi`` prints the same.

- the status of a view: ``status_view`` (plan, period, as-of date, data version, checked and put in canonical form)
  and ``status_json``, the text ``python -m kpi status --format json`` prints and ``GET /api/v1/status`` sends;
- the history: ``history_json``, the text of ``python -m kpi history --format json`` and ``GET /api/v1/batches``;
- an import: ``import_file`` runs the one ingest pipeline and gives (HTTP status, body): 201 with the batch as the
  history lists it, 200 when nothing was written (a dry run, or a file of blanks), 422 with every problem as a row
  (row, column, value, sheet, key, message), 413 when the file is over ``KPI_UPLOAD_MAX_BYTES``;
- ``Refused``: what a caller has to change (a catalogue key, its parameters and an HTTP status).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pandas as pd

from kpi import ingest
from kpi.i18n import t
from kpi.ingest import scope
from kpi.periods import PeriodError, parse_period
from kpi.plan.windows import resolve_window
from kpi.problems import Localized, Problem
from kpi.report import query
from kpi.roles import Refused as OutOfScope
from kpi.settings import get_settings
from kpi.status import StatusRow
from kpi.store import Editor, Store, StoreError

TOO_BIG = 413


class Refused(Exception):
    """A request to change: a catalogue key and its parameters (or, with no key, a message as it is)."""

    def __init__(self, key: str | None, status: int = 400, message: str = "", **params: object):
        self.key, self.status, self.params, self._message = key, status, params, message
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        return t(self.key, lang, **self.params) if self.key else self._message

    def body(self, lang: str) -> dict:
        return {"error": {"key": self.key, "message": self.text(lang)}}


# --- status ------------------------------------------------------------------------------------------------

def status_view(store: Store, plan_id: str | None, period: str | None, as_of: str | None, data: int | None,
                lang: str) -> tuple[query.Snapshot, query.View]:
    """The snapshot and the View asked for, every part checked; ``Refused`` (400) says what to change."""
    ids = store.plan_ids()
    if not ids:
        raise Refused("cli.no_plans", db=store.path)
    if plan_id and plan_id not in ids:
        raise Refused("cli.unknown_plan", plan=plan_id, known=", ".join(ids))
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise Refused("cli.bad_date", value=as_of) from exc
    try:
        version = store.data_version() if data is None else data
        snap = query.snapshot(store, plan_id, version)
        _window(snap.plan, period)
        return snap, query.View.of(snap.plan, period, day, version, lang)
    except (PeriodError, ValueError, StoreError) as exc:
        raise Refused(None, message=str(exc)) from exc


def _window(plan, text: str | None) -> None:
    """The period asked for, checked against the plan span."""
    try:
        resolve_window(plan, text)
    except PeriodError as exc:
        try:
            p = parse_period(text)
        except PeriodError:
            raise Refused("plan.bad_period", value=text) from exc
        raise Refused("cli.outside_plan", period=p.label, plan=plan.id, start=plan.span.start,
                      end=plan.span.end) from exc


def status_json(rows: list[StatusRow]) -> str:
    """The status rows as JSON text: one object per indicator, every field of ``StatusRow``."""
    return json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=1)


# --- history -----------------------------------------------------------------------------------------------

def _records_json(frame: pd.DataFrame) -> str:
    frame = frame.copy()
    frame["created_at"] = frame["created_at"].astype(str)
    return frame.to_json(orient="records", force_ascii=False)


def history_json(store: Store) -> str:
    """Every batch, newest first, as JSON text: batch_id, kind, target_batch, editor, created_at, source, sha256,
    row_count, plan_id, comment, reverted."""
    return _records_json(store.batches())


def batch_record(store: Store, batch_id: int) -> dict:
    """One batch as ``history_json`` lists it."""
    frame = store.batches()
    return json.loads(_records_json(frame[frame["batch_id"] == int(batch_id)]))[0]


# --- import ------------------------------------------------------------------------------------------------

def problem_rows(problems: list[Problem], lang: str) -> list[dict]:
    """Every problem as a row: where (row, column, sheet), the value, the catalogue key, and the message."""
    return [{"row": p.row, "column": p.column, "value": p.value, "sheet": p.sheet, "key": p.key,
             "params": {k: v(lang) if isinstance(v, Localized) else v for k, v in p.params.items()},
             "text": p.text(lang), "message": p.message(lang)} for p in problems]


def rejected(filename: str, problems: list[Problem], lang: str, status: int = 422) -> tuple[int, dict]:
    return status, {"file": filename, "problems": problem_rows(problems, lang),
                    "error": {"key": "cli.rejected",
                              "message": t("cli.rejected", lang, file=filename, count=len(problems))}}


def too_big(filename: str, size: int, lang: str) -> tuple[int, dict]:
    """The answer to a file over the upload limit (the same problem the pipeline gives)."""
    limit = get_settings().upload_max_bytes
    return rejected(filename, [Problem(None, None, None, "ingest.too_big", {"size": size, "limit": limit})], lang,
                    TOO_BIG)


def import_file(store: Store, data: bytes, filename: str, lang: str, editor: Callable[[], Editor],
                dry_run: bool = False, correction: str | None = None,
                checker: Callable[[], Editor] | None = None) -> tuple[int, dict]:
    """Check a file with the one pipeline and write it as one batch: (HTTP status, body).

    ``editor`` is asked right before the write (so the writer is checked at that moment) and may raise ``Refused``;
    rows outside an area editor's areas, or of a period closed since, are refused with 403 and every row named.
    Rows of closed periods are a 422 unless ``correction`` gives a reason: then an admin's batch is a correction
    (更正) with that reason, and anyone else's is refused with 403. A dry run refuses the same rows the same way for
    the editor ``checker`` gives (the token's, which may be read-only), so its answer is the write's.
    """
    correction = (correction or "").strip() or None
    prepared = ingest.prepare(store, data, filename, correction=correction)
    if not prepared.ok:
        status = TOO_BIG if prepared.problems[0].key == "ingest.too_big" else 422
        return rejected(filename, prepared.problems, lang, status)
    body = {"file": filename, "rows": prepared.count, "same_file": store.find_by_sha(prepared.sha256),
            "layout": prepared.layout, "blanks": int(prepared.blanks), "ignored_columns": prepared.ignored_columns,
            "dry_run": dry_run, "batch": None}
    if dry_run or prepared.count == 0:
        refused = scope.check(store, prepared.values, checker(), correction) if dry_run and checker else []
        return rejected(filename, refused, lang, 403) if refused else (200, body)
    try:  # the token's editor, checked now: an area editor's rows of other areas, or a period closed since the check
        batch = ingest.commit(store, prepared, editor(), correction=correction)
    except OutOfScope as exc:
        return rejected(filename, exc.problems, lang, 403)
    return 201, {**body, "batch": batch_record(store, batch)}
