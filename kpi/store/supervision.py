"""The store's part of the supervision workflow (schema 6): closed periods, corrections after close, evidence.

``Store`` inherits these methods. Closing and reopening a period and attaching evidence are batches
(``close``, ``reopen``, ``evidence``): recorded with editor and time, revertible like any other, and read at a data
version, so a pinned link shows what was closed and attached then. A correction is the ordinary batch that made it
(an import, note or override) plus a row per (indicator, period) it changed in a closed period, with the reason.

Plain SQL with ``?`` parameters and no engine macros, so a PostgreSQL store can take it as it is; roles, scopes
and the rules of when a period may be closed live in ``kpi.writes``.
"""

from __future__ import annotations

import base64
import hashlib

import pandas as pd

from kpi.periods import Period
from kpi.store.errors import StoreConflict, _require_editor

CLOSE, REOPEN, EVIDENCE = "close", "reopen", "evidence"
# the batches of these kinds in force right after batch ? (twice): not taken out by their latest revert
_LIVE = """
    SELECT b.batch_id FROM batches b
    LEFT JOIN (SELECT target_batch, max(batch_id) AS last_act FROM batches
               WHERE kind IN ('revert', 'reapply') AND batch_id <= ? GROUP BY target_batch) a
           ON a.target_batch = b.batch_id
    LEFT JOIN batches la ON la.batch_id = a.last_act
    WHERE b.kind IN ({kinds}) AND b.batch_id <= ? AND (la.kind IS NULL OR la.kind <> 'revert')"""


def _live(kinds: tuple[str, ...], as_of: int) -> tuple[str, list]:
    """The SQL of the batches of ``kinds`` in force at a data version, and its parameters."""
    return _LIVE.format(kinds=", ".join("?" * len(kinds))), [as_of, *kinds, as_of]


def _who(editor) -> str:
    return _require_editor(editor)


class SupervisionStore:
    """Closed periods, corrections and evidence; mixed into ``Store`` (uses its ``_transaction``, ``query``,
    ``_new_batch`` and ``_resolve``)."""

    # --- closing periods ------------------------------------------------------------------------------------
    def set_period_closed(self, period: Period, closed: bool, editor, reason: str | None = None) -> int:
        """Close (or reopen) a period, as a batch; ``StoreConflict`` when it already is so (checked under the lock)."""
        who = _who(editor)
        with self._transaction() as cur:
            now = self._closed_rows(cur, cur.execute("SELECT coalesce(max(batch_id), 0) FROM batches").fetchone()[0])
            if (period.label in set(now["period"])) == closed:
                raise StoreConflict(f"{period.label} is already {'closed' if closed else 'open'}")
            batch = self._new_batch(cur, CLOSE if closed else REOPEN, who, source=period.label, row_count=1,
                                    comment=(reason or "").strip() or None)
            cur.execute("INSERT INTO period_closes VALUES (?, ?, ?, ?, ?, ?)",
                        [batch, period.label, period.start, period.end, closed, (reason or "").strip() or None])
            return batch

    def closed_periods(self, as_of_batch: int | None = None) -> pd.DataFrame:
        """The periods closed at a data version: period, period_start, period_end, batch_id (the close), editor,
        created_at, reason — in the order they were closed."""
        with self._cursor() as cur:
            return self._closed_rows(cur, self._resolve(as_of_batch))

    def _closed_rows(self, cur, as_of: int) -> pd.DataFrame:
        live, params = _live((CLOSE, REOPEN), as_of)
        sql = f"""
            SELECT period, period_start, period_end, batch_id, editor, created_at, reason FROM (
                SELECT p.period, p.period_start, p.period_end, p.closed, p.batch_id, b.editor, b.created_at, p.reason,
                       row_number() OVER (PARTITION BY p.period ORDER BY p.batch_id DESC) AS newest
                FROM period_closes p JOIN batches b ON b.batch_id = p.batch_id
                WHERE p.batch_id IN ({live})) s
            WHERE newest = 1 AND closed ORDER BY batch_id"""  # noqa: S608 - only placeholders are formatted in
        frame = cur.execute(sql, params).df()
        for col in ("period_start", "period_end"):  # dates as dates, to compare with periods
            frame[col] = [pd.Timestamp(d).date() for d in frame[col]]
        return frame

    # --- corrections after close ------------------------------------------------------------------------------
    def _record_correction(self, cur, batch: int, cells: list[tuple[str, str, int]], reason: str) -> None:
        """Inside the writing transaction: the (indicator, period, close batch) cells a correction changed."""
        for indicator, period, close_batch in cells:
            cur.execute("INSERT INTO corrections VALUES (?, ?, ?, ?, ?)",
                        [batch, indicator, period, int(close_batch), reason.strip()])

    def current_corrections(self, codes: list[str] | None = None, as_of_batch: int | None = None) -> pd.DataFrame:
        """Every correction in force at a data version, newest last: indicator, period, batch_id, kind, editor,
        created_at, reason, close_batch."""
        live, params = _live(("import", "note", "override"), self._resolve(as_of_batch))
        frame = self.query(f"""
            SELECT c.indicator, c.period, c.batch_id, b.kind, b.editor, b.created_at, c.reason, c.close_batch
            FROM corrections c JOIN batches b ON b.batch_id = c.batch_id
            WHERE c.batch_id IN ({live}) ORDER BY c.batch_id, c.indicator, c.period""", params)  # noqa: S608
        return frame if codes is None else frame[frame["indicator"].isin(codes)]

    def correction_reasons(self) -> dict[int, str]:
        """batch -> the reason of every correction batch (for the history)."""
        frame = self.query("SELECT batch_id, min(reason) AS reason FROM corrections GROUP BY batch_id")
        return dict(zip(frame["batch_id"].astype(int), frame["reason"], strict=True))

    def batch_cells(self, batch_id: int) -> pd.DataFrame:
        """The (indicator, period) cells one batch wrote: values, an explanation, an override or evidence."""
        return self.query("""
            SELECT DISTINCT indicator, period FROM (
                SELECT indicator, period FROM observations WHERE batch_id = ?
                UNION ALL SELECT indicator, period FROM notes WHERE batch_id = ?
                UNION ALL SELECT indicator, period FROM overrides WHERE batch_id = ?
                UNION ALL SELECT indicator, period FROM evidence WHERE batch_id = ?) cells
            ORDER BY indicator, period""", [int(batch_id)] * 4)

    # --- evidence -----------------------------------------------------------------------------------------------
    def attach_evidence(self, indicator: str, period: str, file_name: str, media_type: str, data: bytes,
                        editor) -> int:
        """Keep a file as evidence for an indicator's period, as a batch; the bytes once per sha256."""
        who = _who(editor)
        sha = hashlib.sha256(data).hexdigest()
        with self._transaction() as cur:
            batch = self._new_batch(cur, EVIDENCE, who, source=f"{indicator} {period}", sha256=sha, row_count=1,
                                    comment=file_name)
            if cur.execute("SELECT count(*) FROM evidence_files WHERE sha256 = ?", [sha]).fetchone()[0] == 0:
                cur.execute("INSERT INTO evidence_files VALUES (?, ?, ?)",
                            [sha, len(data), base64.b64encode(data).decode("ascii")])
            cur.execute("INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [batch, indicator, period, file_name, media_type, len(data), sha])
            return batch

    def evidence(self, codes: list[str] | None = None, as_of_batch: int | None = None,
                 in_force_only: bool = True) -> pd.DataFrame:
        """Evidence attached up to a data version: indicator, period, file_name, media_type, size, sha256, batch_id,
        editor, created_at, in_force (its batch not reverted then); in the order attached."""
        as_of = self._resolve(as_of_batch)
        live, params = _live((EVIDENCE,), as_of)
        frame = self.query(f"""
            SELECT e.indicator, e.period, e.file_name, e.media_type, e.size, e.sha256, e.batch_id, b.editor,
                   b.created_at, e.batch_id IN ({live}) AS in_force
            FROM evidence e JOIN batches b ON b.batch_id = e.batch_id
            WHERE e.batch_id <= ? ORDER BY e.batch_id""", [*params, as_of])  # noqa: S608
        if codes is not None:
            frame = frame[frame["indicator"].isin(codes)]
        return frame[frame["in_force"]].reset_index(drop=True) if in_force_only else frame.reset_index(drop=True)

    def evidence_bytes(self, sha256: str) -> bytes | None:
        """The bytes of an evidence file, by its sha256; None when the store has no such file."""
        with self._cursor() as cur:
            row = cur.execute("SELECT content FROM evidence_files WHERE sha256 = ?", [sha256]).fetchone()
        return None if row is None else base64.b64decode(row[0])
