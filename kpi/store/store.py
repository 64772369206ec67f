"""The store: plans, indicators, targets, append-only observations, batches — the same on both engines.

Every change is a batch with a number, an editor and a time, written in one
transaction. Observations are never updated or deleted: a newer batch adds a
newer version, a revert is itself a batch. The data version is the newest
batch number, so any earlier state can be reproduced (``as_of_batch``).

Every query here is shared SQL that DuckDB and PostgreSQL both run (no QUALIFY, no macros, no list functions:
``= ANY(?)`` for a list of values, ``row_number()`` for the newest version). The engines (``kpi.store.duck``,
``kpi.store.pg``) differ only in how they connect, lock and bulk-insert (``kpi.store.engine``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa

from kpi.notes import checked_note
from kpi.plan.models import Plan
from kpi.plan.windows import target_entries
from kpi.store.duck import DuckEngine
from kpi.store.engine import Engine, is_server
from kpi.store.errors import (
    Editor,
    StoreConflict,
    StoreError,
    StoreLocked,
    StoreMissing,
    StoreUnreachable,
    _require_editor,
)
from kpi.store.meetings import CLOSURE, DECISION, MEETING, MeetingStore, in_force
from kpi.store.pg import PgEngine
from kpi.store.schema import OBS_COLUMNS
from kpi.store.sessions import SessionStore
from kpi.store.supervision import CLOSE, EVIDENCE, REOPEN, SupervisionStore
from kpi.store.tokens import TokenStore

__all__ = ["Editor", "Store", "StoreConflict", "StoreError", "StoreLocked", "StoreMissing", "StoreUnreachable"]

# what a batch is (batches.kind); the schema's CHECK lists the same words (meetings: kpi.store.meetings; closing
# and evidence: kpi.store.supervision)
IMPORT, SAMPLE, NOTE, OVERRIDE = "import", "sample", "note", "override"
PLAN, REVERT, REAPPLY = "plan", "revert", "reapply"
WRITE_KINDS = (IMPORT, SAMPLE)  # batches of observations
# batches a revert takes out of force
REVERTIBLE = (IMPORT, SAMPLE, NOTE, OVERRIDE, MEETING, DECISION, CLOSURE, CLOSE, REOPEN, EVIDENCE)
# The indicators (i) of the newest revision (r) of every plan.
_NEWEST_INDICATORS = """
    FROM indicators i
    JOIN (SELECT plan_id, max(revision) AS revision FROM plan_revisions GROUP BY plan_id) newest
      USING (plan_id, revision)
    JOIN plan_revisions r USING (plan_id, revision)"""
# The batches in force right after batch $as_of (a CTE named live): data, note and override batches that are not
# reverted, or were reapplied since (the newest revert or reapply of a batch decides).
LIVE = """live AS (
    SELECT b.batch_id, b.kind FROM batches b
    LEFT JOIN (SELECT target_batch, kind AS last_kind,
                      row_number() OVER (PARTITION BY target_batch ORDER BY batch_id DESC) AS nth
               FROM batches WHERE kind IN ('revert', 'reapply') AND batch_id <= $as_of) acts
      ON acts.target_batch = b.batch_id AND acts.nth = 1
    WHERE b.kind IN ('import', 'sample', 'note', 'override') AND b.batch_id <= $as_of
      AND coalesce(acts.last_kind, 'reapply') <> 'revert')"""


def _live(sql: str) -> str:
    """A query that reads the CTE ``live`` (the batches in force right after ``$as_of``)."""
    return "WITH " + LIVE + sql  # noqa: S608 - two constants of this module


class Store(SessionStore, TokenStore, MeetingStore, SupervisionStore, Engine):
    """The store on either engine. Open with ``Store.open(path or URL)``. Sign-in tries and sessions:
    ``kpi.store.sessions``; API tokens: ``kpi.store.tokens``; meetings and their decisions: ``kpi.store.meetings``;
    closed periods, corrections and evidence: ``kpi.store.supervision``; connections, transactions and the schema:
    ``kpi.store.engine``."""

    @classmethod
    def open(cls, location: str | os.PathLike, create: bool = True, hold: bool = True) -> Store:
        """The store at ``location``: a DuckDB file, or a ``postgresql://`` URL (server mode).

        ``create``: make and migrate the store when there is none (else ``StoreMissing`` says how to create it).
        ``hold`` (DuckDB): keep the file open until ``close()``; False opens it for each piece of work and lets go
        when idle, so other processes can use it (the dashboard, ``kpi.store.duck``). Waits up to
        ``KPI_LOCK_WAIT`` for a file another process holds, then raises ``StoreLocked``.
        """
        if is_server(location):
            return PgStore.connect(str(location), create)
        return DuckStore.connect(Path(location), create, hold)

    def _new_batch(self, cur, kind: str, who: str, **fields) -> int:
        batch_id = cur.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM batches").fetchone()[0]
        cur.execute(
            "INSERT INTO batches (batch_id, kind, target_batch, editor, created_at, source, sha256, row_count,"
            " plan_id, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [batch_id, kind, fields.get("target_batch"), who, dt.datetime.now().replace(microsecond=0),
             fields.get("source"), fields.get("sha256"), fields.get("row_count", 0), fields.get("plan_id"),
             fields.get("comment")])
        return int(batch_id)

    # --- versions -------------------------------------------------------
    def _resolve(self, as_of_batch: int | None) -> int:
        latest = self.data_version()
        return latest if as_of_batch is None else min(int(as_of_batch), latest)

    # --- plans ----------------------------------------------------------
    def save_plan(self, plan: Plan, editor: Editor, source: str | None = None, new: bool = False) -> tuple[int, bool]:
        """Store a plan; a changed plan becomes a new revision. Returns (revision, changed).

        ``new``: the plan must not exist yet (its revision 1); StoreConflict, nothing written, when its id is taken —
        checked inside the write, so two editors creating the same id cannot both succeed.
        """
        who = _require_editor(editor)
        sha = plan.sha256()
        with self._transaction() as cur:
            row = cur.execute("SELECT revision, sha256 FROM plan_revisions WHERE plan_id = ? "
                              "ORDER BY revision DESC LIMIT 1", [plan.id]).fetchone()
            if new and row:
                raise StoreConflict(f"plan {plan.id!r} exists already")
            if row and row[1] == sha:
                return int(row[0]), False
            revision = (row[0] if row else 0) + 1
            batch = self._new_batch(cur, PLAN, who, source=source, sha256=sha, plan_id=plan.id,
                                    row_count=len(plan.indicators()), comment=f"revision {revision}")
            cur.execute("INSERT INTO plan_revisions VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [plan.id, revision, batch, sha, plan.canonical_json(), plan.span.start, plan.span.end])
            areas, indicators, targets = _plan_frames(plan, revision)
            cur.insert("areas", areas)
            cur.insert("indicators", indicators)
            if len(targets):
                cur.insert("targets", targets)
            return revision, True

    def plan_revisions(self, plan_id: str) -> pd.DataFrame:
        """Every revision of a plan, newest first, with who saved it, when, and from what."""
        return self.query("""
            SELECT r.revision, r.batch_id, b.editor, b.created_at, b.source, b.comment
            FROM plan_revisions r JOIN batches b USING (batch_id)
            WHERE r.plan_id = ? ORDER BY r.revision DESC""", [plan_id])

    def plan_at_revision(self, plan_id: str, revision: int) -> Plan:
        row = self.query("SELECT body FROM plan_revisions WHERE plan_id = ? AND revision = ?", [plan_id, revision])
        if row.empty:
            raise StoreError(f"plan {plan_id} has no revision {revision}")
        return Plan.model_validate(json.loads(row["body"].iloc[0]))

    def restore_plan(self, plan_id: str, revision: int, editor: Editor) -> tuple[int, bool]:
        """Make an earlier revision the one in force again, as a new revision (recorded like any other)."""
        plan = self.plan_at_revision(plan_id, revision)
        return self.save_plan(plan, editor, source=f"restore revision {revision}")

    def plan_ids(self, as_of_batch: int | None = None) -> list[str]:
        """The plans in the store (at a data version: those loaded by then)."""
        return self.query("SELECT DISTINCT plan_id FROM plan_revisions WHERE batch_id <= ? ORDER BY plan_id",
                          [self._resolve(as_of_batch)])["plan_id"].tolist()

    def plan(self, plan_id: str, as_of_batch: int | None = None) -> Plan:
        """The plan revision in force at a data version (default: the newest)."""
        row = self._plan_row(plan_id, as_of_batch)
        if row is None:
            raise StoreError(f"no plan {plan_id!r} in {self.path}; known: {', '.join(self.plan_ids()) or 'none'}")
        return Plan.model_validate(json.loads(row[1]))

    def plan_revision(self, plan_id: str, as_of_batch: int | None = None) -> int | None:
        row = self._plan_row(plan_id, as_of_batch)
        return None if row is None else int(row[0])

    def _plan_row(self, plan_id: str, as_of_batch: int | None):
        with self._cursor() as cur:
            return cur.execute(
                "SELECT revision, body FROM plan_revisions WHERE plan_id = ? AND batch_id <= ? "
                "ORDER BY revision DESC LIMIT 1", [plan_id, self._resolve(as_of_batch)]).fetchone()

    def plans_mentioning(self, text: str) -> list[str]:
        """The plans whose newest revision's canonical JSON contains ``text`` (``kpi.ingest.bounds``: '"bounds"')."""
        return self.query("SELECT r.plan_id FROM plan_revisions r"
                          " JOIN (SELECT plan_id, max(revision) AS revision FROM plan_revisions GROUP BY plan_id)"
                          " newest USING (plan_id, revision) WHERE strpos(r.body, ?) > 0 ORDER BY r.plan_id",
                          [text])["plan_id"].tolist()

    def known_indicators(self) -> pd.DataFrame:
        """Every indicator of the newest revision of every plan, with its plan span."""
        return self.query("SELECT i.plan_id, i.code, i.kind, i.name_zh, i.name_en, i.unit_zh, i.unit_en, "
                          "r.span_start, r.span_end " + _NEWEST_INDICATORS + " ORDER BY i.plan_id, i.position")

    def indicator_spans(self) -> pa.Table:
        """Code, kind and plan span of every indicator of the newest revision of every plan (for the fast path)."""
        with self._cursor() as cur:
            return cur.arrow("SELECT i.code, i.kind, r.span_start, r.span_end " + _NEWEST_INDICATORS
                             + " ORDER BY i.plan_id, i.position")

    # --- observations ---------------------------------------------------
    def write_batch(self, rows, editor: Editor, source: str | None, sha256: str | None,
                    kind: str = IMPORT, expected_version: int | None = None,
                    correction: tuple[list[tuple[str, str, int]], str] | None = None) -> int:
        """Append one batch of observations (columns OBS_COLUMNS; a frame or an Arrow table) in one transaction.

        ``expected_version``: the data version the writer previewed against; if another batch was written since,
        nothing is written and ``StoreConflict`` says so (the preview is stale). ``correction``: (the cells of
        closed periods it changes, the reason), recorded in the same transaction (kpi.store.supervision).
        """
        who = _require_editor(editor)
        if kind not in WRITE_KINDS:
            raise ValueError(f"kind must be one of {WRITE_KINDS}")
        frame = rows[OBS_COLUMNS] if isinstance(rows, pd.DataFrame) else rows.select(OBS_COLUMNS)
        with self._transaction() as cur:
            if expected_version is not None and self.data_version() != expected_version:
                raise StoreConflict(f"the data changed since the preview (version {expected_version}, now "
                                    f"{self.data_version()})")
            batch = self._new_batch(cur, kind, who, source=source, sha256=sha256, row_count=len(frame))
            cur.insert("observations", frame, batch_id=batch)
            if correction:
                self._record_correction(cur, batch, *correction)
            return batch

    def current(self, codes: list[str] | None = None, start: dt.date | None = None, end: dt.date | None = None,
                as_of_batch: int | None = None) -> pd.DataFrame:
        """The current value of each (indicator, period): the newest version from a batch not reverted."""
        params = {"as_of": self._resolve(as_of_batch), "codes": codes or [], "sample": SAMPLE,
                  "all_codes": codes is None, "start": start or dt.date(1900, 1, 1), "end": end or dt.date(2200, 1, 1)}
        return self.query(_live("""
            SELECT indicator, period, grain, period_start, period_end, value, done_on, note, batch_id, sample FROM (
                SELECT o.indicator, o.period, o.grain, o.period_start, o.period_end, o.value, o.done_on, o.note,
                       o.batch_id, live.kind = $sample AS sample,
                       row_number() OVER (PARTITION BY o.indicator, o.period
                                          ORDER BY o.batch_id DESC, o.row_no DESC) AS nth
                FROM observations o JOIN live USING (batch_id)
                WHERE ($all_codes OR o.indicator = ANY($codes))
                  AND o.period_start >= $start AND o.period_end <= $end) versions
            WHERE nth = 1
            ORDER BY indicator, period_start, period_end DESC"""), params)

    def batch_rows(self, batch_id: int) -> pd.DataFrame:
        """The observations one batch wrote, in file order."""
        return self.query("SELECT indicator, period, grain, period_start, period_end, value, done_on, note, row_no "
                          "FROM observations WHERE batch_id = ? ORDER BY row_no", [int(batch_id)])

    def versions(self, code: str, as_of_batch: int | None = None) -> pd.DataFrame:
        """Every value ever imported for one indicator, newest first, with its batch and whether it is in force."""
        params = {"as_of": self._resolve(as_of_batch), "code": code}
        return self.query(_live(""", cur AS (
                SELECT batch_id, row_no, period FROM (
                    SELECT o.batch_id, o.row_no, o.period,
                           row_number() OVER (PARTITION BY o.period ORDER BY o.batch_id DESC, o.row_no DESC) AS nth
                    FROM observations o JOIN live USING (batch_id) WHERE o.indicator = $code) versions
                WHERE nth = 1)
            SELECT o.period, o.value, o.done_on, o.note, o.batch_id, b.kind, b.source, b.editor, b.created_at,
                   cur.batch_id IS NOT NULL AS in_force
            FROM observations o JOIN batches b USING (batch_id)
            LEFT JOIN cur ON cur.batch_id = o.batch_id AND cur.row_no = o.row_no AND cur.period = o.period
            WHERE o.indicator = $code AND o.batch_id <= $as_of
            ORDER BY o.period_start, o.period_end DESC, o.batch_id DESC, o.row_no DESC"""), params)

    # --- explanations and overrides --------------------------------------
    def write_note(self, indicator: str, period: str, note: str, editor: Editor,
                   correction: tuple[list[tuple[str, str, int]], str] | None = None) -> int:
        """Attach an explanation to an indicator-period (an empty note clears it), as a batch; ``correction``
        records it as an admin's correction of a closed period (kpi.writes).

        Control characters go (``kpi.notes``); NoteTooLong (a ValueError) past KPI_NOTE_MAX_CHARS."""
        who = _require_editor(editor)
        note = checked_note(note)
        with self._transaction() as cur:
            batch = self._new_batch(cur, NOTE, who, row_count=1, source=f"{indicator} {period}")
            cur.execute("INSERT INTO notes VALUES (?, ?, ?, ?)", [batch, indicator, period, note])
            if correction:
                self._record_correction(cur, batch, *correction)
            return batch

    def write_override(self, indicator: str, period: str, status: str, reason: str, editor: Editor,
                       correction: tuple[list[tuple[str, str, int]], str] | None = None) -> int:
        """Override the computed status of an indicator-period, with a reason (empty status clears it).

        The reason is cleaned and bounded as a note is (NoteTooLong past KPI_NOTE_MAX_CHARS)."""
        who = _require_editor(editor)
        reason = checked_note(reason)
        if status and not reason:
            raise ValueError("an override needs a reason")
        with self._transaction() as cur:
            batch = self._new_batch(cur, OVERRIDE, who, row_count=1, source=f"{indicator} {period}",
                                    comment=status or None)
            cur.execute("INSERT INTO overrides VALUES (?, ?, ?, ?, ?)", [batch, indicator, period, status, reason])
            if correction:
                self._record_correction(cur, batch, *correction)
            return batch

    def current_notes(self, codes: list[str] | None = None, as_of_batch: int | None = None) -> pd.DataFrame:
        """The newest explanation per (indicator, period) from batches in force; cleared ones left out."""
        return self._latest("notes", ("note",), codes, as_of_batch).query("note != ''")

    def current_overrides(self, codes: list[str] | None = None, as_of_batch: int | None = None) -> pd.DataFrame:
        """The newest override per (indicator, period) from batches in force; cleared ones left out."""
        return self._latest("overrides", ("status", "reason"), codes, as_of_batch).query("status != ''")

    def _latest(self, table: str, columns: tuple[str, ...], codes: list[str] | None,
                as_of_batch: int | None) -> pd.DataFrame:
        """The newest row of ``table`` per (indicator, period) from batches in force, in that order."""
        if table not in ("notes", "overrides") or not set(columns) <= {"note", "status", "reason"}:
            raise ValueError(table)
        params = {"as_of": self._resolve(as_of_batch), "codes": codes or [], "all_codes": codes is None}
        names = ", ".join(columns)
        sql = ("WITH " + LIVE + " SELECT indicator, period, " + names + ", batch_id, editor, created_at FROM ("  # noqa: S608
               "SELECT n.indicator, n.period, " + ", ".join(f"n.{c}" for c in columns) + ", n.batch_id, b.editor, "
               "b.created_at, row_number() OVER (PARTITION BY n.indicator, n.period ORDER BY n.batch_id DESC) AS nth "
               "FROM " + table + " n JOIN live USING (batch_id) JOIN batches b USING (batch_id) "
               "WHERE ($all_codes OR n.indicator = ANY($codes))) newest WHERE nth = 1 ORDER BY indicator, period")
        return self.query(sql, params)

    def has_sample(self, as_of_batch: int | None = None) -> bool:
        """True when any value in force comes from the sample data."""
        return bool(self.scalar(_live(" SELECT count(*) > 0 FROM live WHERE kind = $sample"),
                                {"as_of": self._resolve(as_of_batch), "sample": SAMPLE}))

    # --- batches --------------------------------------------------------
    def batches(self) -> pd.DataFrame:
        """Every batch, newest first, with whether it is reverted now (any revertible kind: its newest revert or
        re-apply decides, ``kpi.store.meetings.in_force``)."""
        latest = self.data_version()
        return self.query("""
            SELECT b.batch_id, b.kind, b.target_batch, b.editor, b.created_at, b.source, b.sha256, b.row_count,
                   b.plan_id, b.comment,
                   (b.kind = ANY(?) AND NOT """ + in_force("b") + """) AS reverted
            FROM batches b ORDER BY b.batch_id DESC""",  # noqa: S608 - fixed SQL; values are parameters
                          [list(REVERTIBLE), latest, latest])

    def batch(self, batch_id: int) -> dict:
        found = self.batches()
        found = found[found["batch_id"] == int(batch_id)]
        if found.empty:
            raise StoreError(f"no batch {batch_id}")
        return found.iloc[0].to_dict()

    def find_by_sha(self, sha256: str) -> list[int]:
        return self.query("SELECT batch_id FROM batches WHERE sha256 = ? AND kind = ANY(?) "
                          "ORDER BY batch_id", [sha256, list(WRITE_KINDS)])["batch_id"].tolist()

    def revert(self, batch_id: int, editor: Editor) -> int:
        """Take a batch's values out of force; recorded as a batch of its own."""
        return self._toggle(batch_id, editor, REVERT)

    def reapply(self, batch_id: int, editor: Editor) -> int:
        """Undo a revert: the batch's values are in force again."""
        return self._toggle(batch_id, editor, REAPPLY)

    def _toggle(self, batch_id: int, editor: Editor, action: str) -> int:
        who = _require_editor(editor)
        info = self.batch(batch_id)
        if info["kind"] == PLAN:
            return self._toggle_plan(batch_id, editor, action)
        if info["kind"] not in REVERTIBLE:
            raise StoreError(f"batch {batch_id} is a {info['kind']} batch; only data, note, override, meeting, "
                             "decision, closure, close, reopen, evidence and plan batches can be reverted")
        with self._transaction() as cur:
            info = self.batch(batch_id)  # again under the write lock: another editor may have just toggled it
            if bool(info["reverted"]) == (action == REVERT):
                raise StoreConflict(f"batch {batch_id} is already {'reverted' if action == REVERT else 'in force'}")
            return self._new_batch(cur, action, who, target_batch=int(batch_id),
                                   row_count=int(info["row_count"]), source=info["source"])

    def _toggle_plan(self, batch_id: int, editor: Editor, action: str) -> int:
        """Revert a plan batch: the revision before it is in force again; re-apply: its own revision is."""
        row = self.query("SELECT plan_id, revision FROM plan_revisions WHERE batch_id = ?", [int(batch_id)])
        plan_id, revision = row["plan_id"].iloc[0], int(row["revision"].iloc[0])
        wanted = revision - 1 if action == REVERT else revision
        if wanted < 1:
            raise StoreError(f"batch {batch_id} loaded the first revision of plan {plan_id}: nothing to go back to")
        _, changed = self.restore_plan(plan_id, wanted, editor)
        if not changed:
            raise StoreError(f"revision {wanted} of plan {plan_id} is already in force")
        return self.data_version()


class DuckStore(DuckEngine, Store):
    """The store in a DuckDB file (embedded mode)."""


class PgStore(PgEngine, Store):
    """The store in a PostgreSQL database (server mode)."""


def _plan_frames(plan: Plan, revision: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    areas, indicators, targets = [], [], []
    for a_pos, area in enumerate(plan.areas):
        areas.append({"plan_id": plan.id, "revision": revision, "code": area.code, "position": a_pos,
                      "name_zh": area.name.zh, "name_en": area.name.en})
        for item in area.items:
            indicators.append({
                "plan_id": plan.id, "revision": revision, "code": item.code, "area": area.code,
                "position": len(indicators), "name_zh": item.name.zh, "name_en": item.name.en,
                "unit_zh": item.unit.zh if item.unit else None, "unit_en": item.unit.en if item.unit else None,
                "kind": item.kind, "direction": item.direction, "every": item.every, "due": item.due,
                "baseline": item.baseline.value if item.baseline else None,
                "baseline_date": item.baseline.date if item.baseline else None,
                "monitored": item.monitored, "source_quote": item.source})
            for period, value, recurring in target_entries(plan, item):
                low, high = (value.low, value.high) if hasattr(value, "low") else (None, None)
                targets.append({
                    "plan_id": plan.id, "revision": revision, "indicator": item.code, "period": period.label,
                    "period_start": period.start, "period_end": period.end,
                    "value": None if low is not None else float(value), "low": low, "high": high,
                    "recurring": recurring})
    return pd.DataFrame(areas), pd.DataFrame(indicators), pd.DataFrame(targets)
