"""The DuckDB store: plans, indicators, targets, append-only observations, batches.

Every change is a batch with a number, an editor and a time, written in one
transaction. Observations are never updated or deleted: a newer batch adds a
newer version, a revert is itself a batch. The data version is the newest
batch number, so any earlier state can be reproduced (``as_of_batch``).

Thread safety (DuckDB 2.x): one connection per process and file, a fresh
cursor per query, results fetched to completion, one lock around writes.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from kpi.notes import checked_note
from kpi.plan.models import Plan
from kpi.plan.windows import target_entries
from kpi.store.errors import Editor, StoreConflict, StoreError, StoreLocked, _require_editor
from kpi.store.meetings import CLOSURE, DECISION, MEETING, MeetingStore, in_force
from kpi.store.schema import MIGRATIONS, OBS_COLUMNS, SCHEMA_VERSION
from kpi.store.sessions import SessionStore
from kpi.store.supervision import CLOSE, EVIDENCE, REOPEN, SupervisionStore
from kpi.store.tokens import TokenStore

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
    JOIN (SELECT plan_id, max(revision) AS revision FROM plan_revisions GROUP BY plan_id) USING (plan_id, revision)
    JOIN plan_revisions r USING (plan_id, revision)"""


class Store(SessionStore, TokenStore, MeetingStore, SupervisionStore):
    """One DuckDB file. Open with ``Store.open(path)``. Sign-in tries and sessions: ``kpi.store.sessions``; API
    tokens: ``kpi.store.tokens``; meetings and their decisions: ``kpi.store.meetings``; closed periods, corrections
    and evidence: ``kpi.store.supervision``."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection):
        self.path = path
        self._con = con
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str | Path, create: bool = True) -> Store:
        path = Path(path)
        if not create and not path.exists():
            raise StoreError(f"no database at {path}; create it with: python -m kpi init --db {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreLocked(str(path)) from exc
            raise StoreError(f"cannot open {path}: {exc}") from exc
        store = cls(path, con)
        store.migrate()
        return store

    def close(self) -> None:
        self._con.close()

    # --- plumbing -------------------------------------------------------
    @contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        with self._cursor() as cur:
            return cur.execute(sql, params or []).df()

    def scalar(self, sql: str, params: list | dict | None = None):
        with self._cursor() as cur:
            row = cur.execute(sql, params or []).fetchone()
            return None if row is None else row[0]

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock, self._cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def schema_version(self) -> int:
        with self._cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
            row = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema {current}, newer than this program ({SCHEMA_VERSION})")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            with self._transaction() as cur:
                for sql in MIGRATIONS[version]:
                    cur.execute(sql)
                cur.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(version)])

    def _new_batch(self, cur, kind: str, who: str, **fields) -> int:
        batch_id = cur.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM batches").fetchone()[0]
        cur.execute(
            "INSERT INTO batches (batch_id, kind, target_batch, editor, created_at, source, sha256, row_count,"
            " plan_id, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [batch_id, kind, fields.get("target_batch"), who, dt.datetime.now().replace(microsecond=0),
             fields.get("source"), fields.get("sha256"), fields.get("row_count", 0), fields.get("plan_id"),
             fields.get("comment")])
        return batch_id

    # --- versions -------------------------------------------------------
    def data_version(self) -> int:
        """The newest batch number: changes with every write, 0 for an empty store."""
        return int(self.scalar("SELECT coalesce(max(batch_id), 0) FROM batches"))

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
            cur.register("areas_in", areas)
            cur.register("indicators_in", indicators)
            cur.execute("INSERT INTO areas BY NAME SELECT * FROM areas_in")
            cur.execute("INSERT INTO indicators BY NAME SELECT * FROM indicators_in")
            if len(targets):
                cur.register("targets_in", targets)
                cur.execute("INSERT INTO targets BY NAME SELECT * FROM targets_in")
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

    def known_indicators(self) -> pd.DataFrame:
        """Every indicator of the newest revision of every plan, with its plan span."""
        return self.query("SELECT i.plan_id, i.code, i.kind, i.name_zh, i.name_en, i.unit_zh, i.unit_en, "
                          "r.span_start, r.span_end " + _NEWEST_INDICATORS + " ORDER BY i.plan_id, i.position")

    def indicator_spans(self) -> pa.Table:
        """Code, kind and plan span of every indicator of the newest revision of every plan (for the fast path)."""
        with self._cursor() as cur:
            return cur.sql("SELECT i.code, i.kind, r.span_start, r.span_end " + _NEWEST_INDICATORS).to_arrow_table()

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
            cur.register("obs_in", frame)
            cur.execute("INSERT INTO observations BY NAME SELECT ? AS batch_id, * FROM obs_in", [batch])
            cur.unregister("obs_in")
            if correction:
                self._record_correction(cur, batch, *correction)
            return batch

    def current(self, codes: list[str] | None = None, start: dt.date | None = None, end: dt.date | None = None,
                as_of_batch: int | None = None) -> pd.DataFrame:
        """The current value of each (indicator, period): the newest version from a batch not reverted."""
        params = {"as_of": self._resolve(as_of_batch), "codes": codes or [], "sample": SAMPLE,
                  "all_codes": codes is None, "start": start or dt.date(1900, 1, 1), "end": end or dt.date(2200, 1, 1)}
        return self.query("""
            SELECT o.indicator, o.period, o.grain, o.period_start, o.period_end, o.value, o.done_on, o.note,
                   o.batch_id, live.kind = $sample AS sample
            FROM observations o JOIN live_batches($as_of) live USING (batch_id)
            WHERE ($all_codes OR list_contains($codes, o.indicator))
              AND o.period_start >= $start AND o.period_end <= $end
            QUALIFY row_number() OVER (PARTITION BY o.indicator, o.period
                                       ORDER BY o.batch_id DESC, o.row_no DESC) = 1
            ORDER BY o.indicator, o.period_start, o.period_end DESC""", params)

    def batch_rows(self, batch_id: int) -> pd.DataFrame:
        """The observations one batch wrote, in file order."""
        return self.query("SELECT indicator, period, grain, period_start, period_end, value, done_on, note, row_no "
                          "FROM observations WHERE batch_id = ? ORDER BY row_no", [int(batch_id)])

    def versions(self, code: str, as_of_batch: int | None = None) -> pd.DataFrame:
        """Every value ever imported for one indicator, newest first, with its batch and whether it is in force."""
        params = {"as_of": self._resolve(as_of_batch), "code": code}
        return self.query("""
            WITH cur AS (
                SELECT o.batch_id, o.row_no, o.period FROM observations o JOIN live_batches($as_of) USING (batch_id)
                WHERE o.indicator = $code
                QUALIFY row_number() OVER (PARTITION BY o.period ORDER BY o.batch_id DESC, o.row_no DESC) = 1)
            SELECT o.period, o.value, o.done_on, o.note, o.batch_id, b.kind, b.source, b.editor, b.created_at,
                   cur.batch_id IS NOT NULL AS in_force
            FROM observations o JOIN batches b USING (batch_id)
            LEFT JOIN cur ON cur.batch_id = o.batch_id AND cur.row_no = o.row_no AND cur.period = o.period
            WHERE o.indicator = $code AND o.batch_id <= $as_of
            ORDER BY o.period_start, o.period_end DESC, o.batch_id DESC""", params)

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
        return self._latest("notes", "n.note", codes, as_of_batch).query("note != ''")

    def current_overrides(self, codes: list[str] | None = None, as_of_batch: int | None = None) -> pd.DataFrame:
        """The newest override per (indicator, period) from batches in force; cleared ones left out."""
        return self._latest("overrides", "n.status, n.reason", codes, as_of_batch).query("status != ''")

    def _latest(self, table: str, columns: str, codes: list[str] | None, as_of_batch: int | None) -> pd.DataFrame:
        if table not in ("notes", "overrides"):
            raise ValueError(table)
        params = {"as_of": self._resolve(as_of_batch), "codes": codes or [], "all_codes": codes is None}
        sql = ("SELECT n.indicator, n.period, " + columns + ", n.batch_id, b.editor, b.created_at "  # noqa: S608
               "FROM " + table + " n JOIN live_batches($as_of) USING (batch_id) JOIN batches b USING (batch_id) "
               "WHERE ($all_codes OR list_contains($codes, n.indicator)) "
               "QUALIFY row_number() OVER (PARTITION BY n.indicator, n.period ORDER BY n.batch_id DESC) = 1")
        return self.query(sql, params)

    def has_sample(self, as_of_batch: int | None = None) -> bool:
        """True when any value in force comes from the sample data."""
        return bool(self.scalar("SELECT count(*) > 0 FROM live_batches(?) WHERE kind = ?",
                                [self._resolve(as_of_batch), SAMPLE]))

    # --- batches --------------------------------------------------------
    def batches(self) -> pd.DataFrame:
        """Every batch, newest first, with whether it is reverted now."""
        latest = self.data_version()
        return self.query("""
            SELECT b.batch_id, b.kind, b.target_batch, b.editor, b.created_at, b.source, b.sha256, b.row_count,
                   b.plan_id, b.comment,
                   (list_contains(?, b.kind) AND NOT """ + in_force("b") + """) AS reverted
            FROM batches b ORDER BY b.batch_id DESC""",  # noqa: S608 - fixed SQL; values are parameters
                          [list(REVERTIBLE), latest, latest])

    def batch(self, batch_id: int) -> dict:
        found = self.batches()
        found = found[found["batch_id"] == int(batch_id)]
        if found.empty:
            raise StoreError(f"no batch {batch_id}")
        return found.iloc[0].to_dict()

    def find_by_sha(self, sha256: str) -> list[int]:
        return self.query("SELECT batch_id FROM batches WHERE sha256 = ? AND list_contains(?, kind) "
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
