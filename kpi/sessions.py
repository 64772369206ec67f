"""Signed-in sessions: a random id in a signed, expiring cookie; its hash, editor and password fingerprint in the store.

The cookie value is ``<id>.<expires>.<signature>``: 32 random bytes, the expiry
(seconds since the epoch) and an HMAC-SHA256 of both under ``auth.session_key()``.
The store keeps only sha256(id). A session counts while it is not ended, not
expired, its editor (or viewer account) is still configured, and its password
hash is the one it was made with: removing an editor or changing a password
ends it (the next check records the end). Sign-out ends it too. The role and
the work areas are read from the configuration at every check, so a change of
scope applies to the next write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from kpi import auth
from kpi.settings import get_settings
from kpi.store import Editor, Store

COOKIE_NAME = "kpi_session"
ENDED_SIGN_OUT, ENDED_REMOVED, ENDED_PASSWORD = "signed out", "editor removed", "password changed"


def id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def lifetime() -> dt.timedelta:
    return dt.timedelta(hours=get_settings().session_hours)


def start(store: Store, who: Editor | str, now: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """A new session for an editor (or a viewer account, by name) who has just signed in: (its id, its expiry)."""
    name = who.name if isinstance(who, Editor) else who
    stored = auth.load_accounts().get(name)
    if stored is None:
        raise PermissionError(f"{name} is not an editor or a viewer")
    created = (now or dt.datetime.now()).replace(microsecond=0)
    expires = created + lifetime()
    session_id = secrets.token_urlsafe(32)
    store.start_session(id_hash(session_id), name, auth.fingerprint(stored), created, expires)
    return session_id, expires


def _signature(payload: str) -> str:
    return hmac.new(auth.session_key(), payload.encode(), hashlib.sha256).hexdigest()


def cookie_value(session_id: str, expires: dt.datetime) -> str:
    payload = f"{session_id}.{int(expires.timestamp())}"
    return f"{payload}.{_signature(payload)}"


def session_id(cookie: str | None, now: dt.datetime | None = None) -> str | None:
    """The session id in a cookie value whose signature is right and that has not expired; else None."""
    if not cookie:
        return None
    payload, _, signature = cookie.rpartition(".")
    sid, _, expires = payload.rpartition(".")
    if not sid or not expires.isdigit() or not hmac.compare_digest(signature, _signature(payload)):
        return None
    if int(expires) <= (now or dt.datetime.now()).timestamp():
        return None
    return sid


def end_stale(store: Store, now: dt.datetime | None = None) -> int:
    """End every open session whose editor is gone or whose password changed; returns how many."""
    editors = auth.load_accounts()
    removed, changed = [], []
    for hashed, name, fingerprint in store.active_sessions(now):
        if name not in editors:
            removed.append(hashed)
        elif auth.fingerprint(editors[name]) != fingerprint:
            changed.append(hashed)
    return store.end_sessions(removed, ENDED_REMOVED) + store.end_sessions(changed, ENDED_PASSWORD)


def account_for(store: Store, session_id: str | None, now: dt.datetime | None = None) -> str | None:
    """The name signed in with a session that still counts (an editor or a viewer), checked now; else None."""
    if not session_id:
        return None
    now = now or dt.datetime.now()
    end_stale(store, now)
    row = store.session(id_hash(session_id))
    if row is None or row["ended_at"] is not None or row["expires_at"] <= now:
        return None
    return row["editor"]


def editor_for(store: Store, session_id: str | None, now: dt.datetime | None = None) -> Editor | None:
    """The editor of a session that still counts, with their role and areas as configured now; None for a viewer
    and otherwise."""
    name = account_for(store, session_id, now)
    return None if name is None else auth.editor_named(name, "web")


def end(store: Store, session_id: str | None, reason: str = ENDED_SIGN_OUT) -> bool:
    """End one session (sign-out); False when there was none open."""
    return bool(session_id) and store.end_sessions([id_hash(session_id)], reason) > 0
