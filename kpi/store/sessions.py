"""The store's part of sign-in: every sign-in try, and the signed-in sessions (schema 3).

``Store`` inherits these methods. They write no batch, so the data version (and every cached view) stays as it is.
A session is kept as the sha256 of its random id (the cookie holds the id), the editor, a fingerprint of the
editor's password hash, and when it was created, expires and ended (with why).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd


def _now() -> dt.datetime:
    return dt.datetime.now()


class SessionStore:
    """Sign-in tries and sessions; mixed into ``Store`` (uses its ``_transaction``, ``query`` and ``_cursor``).

    Their transactions write no batch, so they take no lock on ``batches``."""

    def record_signin(self, name: str, outcome: str, at: dt.datetime | None = None) -> None:
        """Record one sign-in try: the name typed, when, and its outcome (ok, wrong, locked, busy)."""
        with self._transaction(lock=None) as cur:
            cur.execute("INSERT INTO signin_attempts VALUES (?, ?, ?, ?)",
                        [name, at or _now(), outcome == "ok", outcome])

    def signin_attempts(self, limit: int = 200) -> pd.DataFrame:
        """The newest sign-in tries first: name, tried_at, success, outcome."""
        return self.query("SELECT name, tried_at, success, outcome FROM signin_attempts ORDER BY tried_at DESC LIMIT ?",
                          [int(limit)])

    def start_session(self, id_hash: str, editor: str, fingerprint: str, created: dt.datetime,
                      expires: dt.datetime) -> None:
        with self._transaction(lock=None) as cur:
            cur.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, NULL, NULL)",
                        [id_hash, editor, fingerprint, created, expires])

    def session(self, id_hash: str) -> dict | None:
        """One session as a dict (editor, fingerprint, created_at, expires_at, ended_at, end_reason), or None."""
        with self._cursor() as cur:
            row = cur.execute("SELECT editor, fingerprint, created_at, expires_at, ended_at, end_reason "
                              "FROM sessions WHERE id_hash = ?", [id_hash]).fetchone()
        if row is None:
            return None
        return dict(zip(("editor", "fingerprint", "created_at", "expires_at", "ended_at", "end_reason"), row,
                        strict=True))

    def active_sessions(self, now: dt.datetime | None = None) -> list[tuple[str, str, str]]:
        """(id_hash, editor, fingerprint) of every session not ended and not expired."""
        with self._cursor() as cur:
            return cur.execute("SELECT id_hash, editor, fingerprint FROM sessions "
                               "WHERE ended_at IS NULL AND expires_at > ?", [now or _now()]).fetchall()

    def end_sessions(self, id_hashes: list[str], reason: str, at: dt.datetime | None = None) -> int:
        """End these sessions (those not ended yet); returns how many were ended."""
        if not id_hashes:
            return 0
        with self._transaction(lock=None) as cur:
            row = cur.execute("UPDATE sessions SET ended_at = ?, end_reason = ? "
                              "WHERE id_hash = ANY(?) AND ended_at IS NULL RETURNING id_hash",
                              [at or _now(), reason, list(id_hashes)]).fetchall()
        return len(row)

    def sessions(self) -> pd.DataFrame:
        """Every session, newest first (the id only as its hash)."""
        return self.query("SELECT id_hash, editor, fingerprint, created_at, expires_at, ended_at, end_reason "
                          "FROM sessions ORDER BY created_at DESC")
