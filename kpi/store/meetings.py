"""The store's part of meetings (schema 6): meetings recorded, their decisions (会议决定事项) and the closing of each.

``Store`` inherits these methods. Each write is a batch with an editor and a time (kinds ``meeting``, ``decision``,
``closure``), so the History page lists it and a revert takes it back: a reverted decision batch takes its
decisions out, a reverted closure opens its decision again, a reverted meeting leaves the list (with its decisions).
Decisions and closures are pinned like values: ``decisions(..., as_of_batch=V)`` is their state right after batch V.

The SQL is plain (no DuckDB macros) so a PostgreSQL store can run it as it is.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kpi.store.errors import StoreConflict, _require_editor

MEETING, DECISION, CLOSURE = "meeting", "decision", "closure"  # batches.kind; the schema's CHECK lists them
MAX_TEXT = 500  # characters of a decision or a closing note; a meeting's name: MAX_NAME
MAX_NAME = 100

# A batch (alias x) in force right after batch :v: written by then, and its last revert or re-apply by then (if any)
# is a re-apply. The same rule as the data batches' ``live_batches``, in plain SQL.
_IN_FORCE = """({x}.batch_id <= ? AND coalesce((
    SELECT a.kind FROM batches a WHERE a.target_batch = {x}.batch_id AND a.kind IN ('revert', 'reapply')
      AND a.batch_id <= ? ORDER BY a.batch_id DESC LIMIT 1), 'reapply') <> 'revert')"""


def in_force(alias: str) -> str:
    """The condition that batch ``alias.batch_id`` is in force right after batch ?, taking that number twice."""
    return _IN_FORCE.format(x=alias)


class MeetingError(ValueError):
    """What was asked of a meeting or a decision cannot be done (an unknown meeting, an empty text...).

    ``key`` and ``params`` name the message in the catalogue (``kpi.i18n``), so a page can say it in the user's
    language.
    """

    def __init__(self, key: str, **params: object):
        super().__init__(f"{key} {params}")
        self.key, self.params = key, params


def _text(value: object, limit: int, empty: str, long: str) -> str:
    """The text with its spaces tidied; MeetingError ``empty`` when there is none, ``long`` past ``limit``."""
    text = " ".join(str(value or "").split())
    if not text:
        raise MeetingError(empty)
    if len(text) > limit:
        raise MeetingError(long, limit=limit)
    return text


class MeetingStore:
    """Meetings and decisions; mixed into ``Store`` (uses its ``_transaction``, ``_new_batch``, ``query``)."""

    # --- meetings -----------------------------------------------------------------------
    def record_meeting(self, name: str, held_on: dt.date, plan_id: str, period: str, as_of: dt.date,
                       data_version: int, editor) -> int:
        """Record a meeting and the view on its screen; returns its id (the batch that recorded it)."""
        who = _require_editor(editor)
        name = _text(name, MAX_NAME, "meeting.name_empty", "meeting.name_long")
        with self._transaction() as cur:
            latest = cur.execute("SELECT coalesce(max(batch_id), 0) FROM batches").fetchone()[0]
            if not 1 <= int(data_version) <= latest:
                raise MeetingError("meeting.unknown_version", version=data_version, latest=latest)
            batch = self._new_batch(cur, MEETING, who, source=name, plan_id=plan_id, row_count=1,
                                    comment=f"{period} {as_of.isoformat()} v{int(data_version)}")
            cur.execute("INSERT INTO meetings VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [batch, name, held_on, plan_id, period, as_of, int(data_version)])
            return batch

    def meetings(self, plan_id: str | None = None) -> pd.DataFrame:
        """The meetings in force, the latest held first: meeting (its id), name, held_on, plan_id, period, as_of,
        data_version, editor, recorded_at."""
        latest = self.data_version()
        where, params = [in_force("m")], [latest, latest]
        if plan_id is not None:
            where.append("m.plan_id = ?")
            params.append(plan_id)
        return self.query("""
            SELECT m.batch_id AS meeting, m.name, m.held_on, m.plan_id, m.period, m.as_of, m.data_version,
                   b.editor, b.created_at AS recorded_at
            FROM meetings m JOIN batches b ON b.batch_id = m.batch_id
            WHERE """ + " AND ".join(where) + """
            ORDER BY m.held_on DESC, m.batch_id DESC""", params)  # noqa: S608 - fixed SQL; values are parameters

    def meeting(self, meeting_id: int) -> dict | None:
        """One meeting in force as a dict (the columns of ``meetings``), or None."""
        found = self.meetings()
        found = found[found["meeting"] == int(meeting_id)]
        return None if found.empty else found.iloc[0].to_dict()

    # --- decisions ----------------------------------------------------------------------
    def record_decisions(self, meeting_id: int, decisions: list[dict], editor) -> int:
        """Write a meeting's decisions as one batch; each a dict with what, area, due (a date) and indicators
        (codes, may be empty). Returns the batch. Nothing is written when any decision is incomplete."""
        who = _require_editor(editor)
        if not decisions:
            raise MeetingError("decision.none")
        clean = []
        for d in decisions:
            if not isinstance(d.get("due"), dt.date):
                raise MeetingError("decision.due_missing")
            if not str(d.get("area") or "").strip():
                raise MeetingError("decision.area_missing")
            what = _text(d.get("what"), MAX_TEXT, "decision.what_empty", "decision.what_long")
            clean.append((what, str(d["area"]).strip(), d["due"],
                          sorted({str(c) for c in d.get("indicators") or []})))
        with self._transaction() as cur:
            if self.meeting(meeting_id) is None:
                raise MeetingError("meeting.unknown", meeting=meeting_id)
            batch = self._new_batch(cur, DECISION, who, source=clean[0][0][:60], row_count=len(clean),
                                    comment=f"meeting {int(meeting_id)}")
            first = cur.execute("SELECT coalesce(max(decision_id), 0) + 1 FROM decisions").fetchone()[0]
            for row_no, (what, area, due, codes) in enumerate(clean, start=1):
                decision = first + row_no - 1
                cur.execute("INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [decision, batch, int(meeting_id), row_no, what, area, due])
                for code in codes:
                    cur.execute("INSERT INTO decision_indicators VALUES (?, ?)", [decision, code])
            return batch

    def close_decision(self, decision_id: int, note: str, closed_on: dt.date, editor) -> int:
        """Close a decision (办结) with a note, as a batch; a decision closed already is refused."""
        who = _require_editor(editor)
        note = _text(note, MAX_TEXT, "decision.note_empty", "decision.note_long")
        with self._transaction() as cur:
            found = self.decisions()
            found = found[found["decision"] == int(decision_id)]
            if found.empty:
                raise MeetingError("decision.unknown", decision=decision_id)
            if bool(found["closed"].iloc[0]):
                raise StoreConflict(f"decision {decision_id} is closed already")
            batch = self._new_batch(cur, CLOSURE, who, source=str(found["what"].iloc[0])[:60], row_count=1,
                                    comment=f"decision {int(decision_id)}")
            cur.execute("INSERT INTO decision_closures VALUES (?, ?, ?, ?)", [batch, int(decision_id), closed_on, note])
            return batch

    def decisions(self, meeting_id: int | None = None, area: str | None = None,
                  as_of_batch: int | None = None) -> pd.DataFrame:
        """The decisions in force right after batch ``as_of_batch`` (the newest when None), oldest first, with
        their state then: decision, batch_id, meeting, meeting_name, held_on, what, area, due, indicators (a
        list of codes), closed, closed_on, close_note, close_batch, editor, recorded_at.

        Only decisions of meetings in force; ``meeting_id`` and ``area`` narrow the list.
        """
        v = self._resolve(as_of_batch)
        where, params = [in_force("d"), in_force("m")], [v, v, v, v]
        for column, value in (("d.meeting", meeting_id), ("d.area", area)):
            if value is not None:
                where.append(column + " = ?")
                params.append(int(value) if column == "d.meeting" else value)
        frame = self.query("""
            WITH closed AS (
                SELECT c.decision_id, c.closed_on, c.note, c.batch_id,
                       row_number() OVER (PARTITION BY c.decision_id ORDER BY c.batch_id DESC) AS n
                FROM decision_closures c WHERE """ + in_force("c") + """)
            SELECT d.decision_id AS decision, d.batch_id, d.meeting, m.name AS meeting_name, m.held_on, d.what,
                   d.area, d.due, c.batch_id IS NOT NULL AS closed, c.closed_on, c.note AS close_note,
                   c.batch_id AS close_batch, b.editor, b.created_at AS recorded_at
            FROM decisions d
            JOIN batches b ON b.batch_id = d.batch_id
            JOIN meetings m ON m.batch_id = d.meeting
            LEFT JOIN closed c ON c.decision_id = d.decision_id AND c.n = 1
            WHERE """ + " AND ".join(where) + """
            ORDER BY d.decision_id""", [v, v, *params])  # noqa: S608 - fixed SQL; values are parameters
        links = self.query("SELECT decision_id, indicator FROM decision_indicators ORDER BY decision_id, indicator")
        codes: dict[int, list[str]] = {}
        for decision, code in zip(links["decision_id"], links["indicator"], strict=True):
            codes.setdefault(int(decision), []).append(code)
        frame["indicators"] = [codes.get(int(d), []) for d in frame["decision"]]
        return frame
