"""API tokens: what a program sends the dashboard's HTTP API (``Authorization: Bearer <token>``) instead of signing in.

``python -m kpi token add NAME --editor E`` makes a token for an editor and shows it once: ``kpi_`` and 32 random
bytes (base64url). The store keeps only its sha256 (``kpi.store.tokens``), so a copied database gives no working
token. A token is always an editor's and carries that editor's rights, checked on every request as a sign-in session
is: it works while it is not revoked (``token revoke NAME``) and its editor is still configured (removing the editor
stops every token of theirs at once). A read-only token (``--read-only``) reads the status and the history but cannot
write. Writes through a token are recorded with the editor, as ``NAME (api)``.
"""

from __future__ import annotations

import hashlib
import secrets

from kpi import auth
from kpi.api import Refused
from kpi.store import Editor, Store
from kpi.store.tokens import TokenNameTaken

PREFIX = "kpi_"
WRITE, READ = "write", "read"
NAME_MAX = 100


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add(store: Store, name: str, editor: str, read_only: bool = False) -> str:
    """Make a token for a configured editor and record its hash; returns the token (shown once, never stored)."""
    name, editor = name.strip(), editor.strip()
    if not name or len(name) > NAME_MAX:
        raise Refused("cli.token_name", max=NAME_MAX)
    if editor not in auth.load_editors():
        raise Refused("cli.no_editor", name=editor)
    token = PREFIX + secrets.token_urlsafe(32)
    try:
        store.add_token(token_hash(token), name, editor, READ if read_only else WRITE)
    except TokenNameTaken as exc:
        raise Refused("cli.token_exists", name=name) from exc
    return token


def revoke(store: Store, name: str) -> bool:
    """Revoke the token of this name; False when there is none that is not revoked."""
    return store.revoke_token(name.strip()) > 0


def bearer(header: str | None) -> str | None:
    """The token in an ``Authorization: Bearer <token>`` header, or None."""
    scheme, _, value = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def editor_for(store: Store, token: str | None, write: bool) -> Editor:
    """The editor a token speaks for, checked now against the store and the editor list.

    Refused with 401 when there is no token, it is unknown or revoked, or its editor is no longer configured; with
    403 when a read-only token asks to write.
    """
    if not token:
        raise Refused("api.no_token", status=401)
    hashed = token_hash(token)
    row = store.token(hashed)
    if row is None or row["revoked_at"] is not None:
        raise Refused("api.bad_token", status=401)
    editor = auth.editor_named(row["editor"], "api")  # an area editor's token writes only their areas
    if editor is None:
        raise Refused("api.editor_gone", status=401, name=row["editor"])
    if write and row["scope"] != WRITE:
        raise Refused("api.read_only", status=403)
    store.touch_token(hashed)
    return editor
