"""The store's part of the HTTP API: API tokens (schema 4).

``Store`` inherits these methods. They write no batch, so the data version (and every cached view) stays as it is.
A token is kept only as the sha256 of its text, with its name, its editor, its scope (``write`` or ``read``), when
it was made, last used and revoked. Names are unique among the tokens not revoked; revoked ones stay listed.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

TOKEN_FIELDS = ("token_hash", "name", "editor", "scope", "created_at", "last_used_at", "revoked_at")


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class TokenNameTaken(ValueError):
    """A token not revoked already has this name: nothing was added."""


class TokenStore:
    """API tokens; mixed into ``Store`` (uses its ``_transaction``, ``query`` and ``_cursor``)."""

    def add_token(self, token_hash: str, name: str, editor: str, scope: str, at: dt.datetime | None = None) -> None:
        """Record a new token by its hash; ``TokenNameTaken`` when a token not revoked has the name."""
        with self._transaction() as cur:
            taken = cur.execute("SELECT count(*) FROM api_tokens WHERE name = ? AND revoked_at IS NULL",
                                [name]).fetchone()[0]
            if taken:
                raise TokenNameTaken(name)
            cur.execute("INSERT INTO api_tokens (token_hash, name, editor, scope, created_at) VALUES (?, ?, ?, ?, ?)",
                        [token_hash, name, editor, scope, at or _now()])

    def token(self, token_hash: str) -> dict | None:
        """One token as a dict (the fields of TOKEN_FIELDS), or None when no token has this hash."""
        with self._cursor() as cur:
            row = cur.execute("SELECT token_hash, name, editor, scope, created_at, last_used_at, revoked_at "
                              "FROM api_tokens WHERE token_hash = ?", [token_hash]).fetchone()
        return None if row is None else dict(zip(TOKEN_FIELDS, row, strict=True))

    def touch_token(self, token_hash: str, at: dt.datetime | None = None) -> None:
        """Note that a token was just used (shown by ``token list``)."""
        with self._transaction(lock=None) as cur:  # no batch: other writers need not wait
            cur.execute("UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?", [at or _now(), token_hash])

    def revoke_token(self, name: str, at: dt.datetime | None = None) -> int:
        """Revoke the token of this name that is not revoked yet; returns how many were revoked (0 or 1)."""
        with self._transaction() as cur:
            rows = cur.execute("UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL "
                               "RETURNING name", [at or _now(), name]).fetchall()
        return len(rows)

    def tokens(self) -> pd.DataFrame:
        """Every token, newest first, without its hash: name, editor, scope, created_at, last_used_at, revoked_at."""
        return self.query("SELECT name, editor, scope, created_at, last_used_at, revoked_at FROM api_tokens "
                          "ORDER BY created_at DESC, name")
