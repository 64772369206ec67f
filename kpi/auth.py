"""Editor sign-in: salted scrypt hashes, constant-time checks, a growing delay and a lockout after failures.

Who can sign in, and as what (editors, their work areas, viewer accounts; the secrets file and ``KPI_EDITORS``,
``KPI_EDITOR_AREAS``, ``KPI_VIEWERS``), is ``kpi.accounts``; its names are re-exported here. No editor configured
means editing is off. Passwords are never stored, only ``scrypt$n$r$p$salt$hash`` strings.

A sign-in try (``attempt``) is admitted or refused *before* the password is
checked, under a lock per name: the try is counted as a failure first (a right
password clears the count), so parallel guesses see each other. An admitted try
waits the delay earned by the failures before it (1, 2, 4 ... seconds), then
costs exactly one scrypt hash whether the name exists or not, so timing does
not tell which names exist. After ``signin_lockout_failures`` failures in a row
a name is locked for ``signin_lockout_minutes``; all names together get
``signin_global_per_minute`` tries a minute. Every try has an outcome (ok,
wrong, locked, busy) that callers record in the store.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from kpi.passwords import hash_password, verify_password
from kpi.settings import get_settings
from kpi.store import Editor

MAX_DELAY_SECONDS = 8.0  # the default of signin_max_delay_seconds: the delay after failures doubles up to this
OK, WRONG, LOCKED, BUSY = "ok", "wrong", "locked", "busy"
OUTCOMES = (OK, WRONG, LOCKED, BUSY)
NAME_MAX = 100  # longer names are cut (for counting and recording)
TRACKED_MAX = 10_000  # names with failures kept in memory; quiet ones are dropped past this


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, made once: an unknown name is checked against it (one scrypt, like a known one)."""
    return hash_password(secrets.token_urlsafe(16))


def fingerprint(stored: str) -> str:
    """A short digest of a stored hash: a session remembers it, so a changed password ends the session."""
    return hashlib.sha256(stored.encode()).hexdigest()[:16]


# --- who can sign in: kpi/accounts.py (the secrets file), re-exported for the callers of kpi.auth ---------------

from kpi import accounts  # noqa: E402 - after the hashing, which kpi.accounts uses when it writes a password

KEEP, secrets_file, session_key = accounts.KEEP, accounts.secrets_file, accounts.session_key
load_editors, load_areas, load_viewers, load_accounts = (accounts.load_editors, accounts.load_areas,
                                                         accounts.load_viewers, accounts.load_accounts)
editor_named, editing_enabled, viewing_restricted = (accounts.editor_named, accounts.editing_enabled,
                                                     accounts.viewing_restricted)
write_editor, write_viewer, remove_editor = accounts.write_editor, accounts.write_viewer, accounts.remove_editor


def new_password() -> str:
    return secrets.token_urlsafe(9)


# --- sign-in tries ------------------------------------------------------------------

@dataclass
class _Failures:
    count: int = 0  # failures in a row, tries in flight included
    last: float = 0.0
    locked_until: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


_failures: dict[str, _Failures] = {}
_recent: deque[float] = deque()  # admitted tries of the last minute, every name
_table_lock = threading.Lock()


@dataclass(frozen=True)
class Ticket:
    """A try admitted (wait ``delay`` seconds, then check) or refused (``outcome`` locked or busy, until retry_at)."""

    name: str
    admitted: bool
    delay: float = 0.0
    outcome: str = ""
    retry_at: float | None = None


@dataclass(frozen=True)
class Result:
    name: str
    outcome: str  # one of OUTCOMES
    editor: Editor | None = None  # None for a viewer who signed in (ok) and for every refused try
    retry_at: float | None = None  # seconds since the epoch: when a locked or busy try may be made again

    @property
    def ok(self) -> bool:
        return self.outcome == OK


def _clean(name: str) -> str:
    return name.strip()[:NAME_MAX]


def _delay(count: int) -> float:
    settings = get_settings()
    if count == 0:
        return 0.0
    return min(settings.signin_first_delay_seconds * 2.0 ** (count - 1), settings.signin_max_delay_seconds)


def _admit(name: str, now: float) -> _Failures | float:
    """Take a place in the global count and the name's entry; or, with no place this minute, when one frees up."""
    with _table_lock:
        while _recent and _recent[0] <= now - 60:
            _recent.popleft()
        if len(_recent) >= get_settings().signin_global_per_minute:
            return _recent[0] + 60
        _recent.append(now)
        if len(_failures) > TRACKED_MAX:
            quiet = now - get_settings().signin_lockout_minutes * 60
            for key in [k for k, v in _failures.items() if v.last < quiet and v.locked_until <= now]:
                del _failures[key]
        return _failures.setdefault(name, _Failures())


def _give_back(now: float) -> None:
    """A try refused for its name's lockout does not use up the global count."""
    with _table_lock, contextlib.suppress(ValueError):
        _recent.remove(now)


def forget_failures() -> None:
    """Clear every failure count, lockout and the global count of this process (a fresh start, as after a restart)."""
    with _table_lock:
        _failures.clear()
        _recent.clear()


def failure_delay(name: str) -> float:
    """Seconds the next try for this name waits: 0, then 1, 2, 4 ... up to signin_max_delay_seconds."""
    entry = _failures.get(_clean(name))
    return _delay(entry.count) if entry else 0.0


def begin(name: str, now: float | None = None) -> Ticket:
    """Admit or refuse a try for this name, counting it as a failure before the password is checked."""
    settings = get_settings()
    now = time.time() if now is None else now
    name = _clean(name)
    lockout = settings.signin_lockout_minutes * 60
    entry = _admit(name, now)
    if not isinstance(entry, _Failures):
        return Ticket(name, False, outcome=BUSY, retry_at=entry)
    with entry.lock:
        if entry.locked_until > now:
            _give_back(now)
            return Ticket(name, False, outcome=LOCKED, retry_at=entry.locked_until)
        if entry.count and now - entry.last >= lockout:
            entry.count = 0  # a quiet spell as long as a lockout: start afresh
        delay = _delay(entry.count)
        entry.count += 1
        entry.last = now
        if entry.count >= settings.signin_lockout_failures:
            entry.locked_until = now + lockout  # further tries wait, unless this one is right
        return Ticket(name, True, delay=delay)


def finish(ticket: Ticket, password: str) -> Result:
    """Check an admitted try (one scrypt hash, known name or not); a refused one stays refused."""
    if not ticket.admitted:
        return Result(ticket.name, ticket.outcome, retry_at=ticket.retry_at)
    stored = load_accounts().get(ticket.name)
    ok = verify_password(password, stored if stored is not None else _dummy_hash()) and stored is not None
    if not ok:
        return Result(ticket.name, WRONG)
    entry = _failures.get(ticket.name)
    if entry:
        with entry.lock:
            entry.count, entry.locked_until = 0, 0.0
    return Result(ticket.name, OK, editor_named(ticket.name, "web"))  # a viewer: ok, and no editor


def attempt(name: str, password: str, sleep: Callable[[float], object] = time.sleep,
            record: Callable[[Result], object] | None = None) -> Result:
    """One sign-in try: admitted or refused, the earned delay, the check; ``record`` gets the result."""
    ticket = begin(name)
    if ticket.delay:
        sleep(ticket.delay)
    result = finish(ticket, password)
    if record is not None:
        record(result)
    return result


def sign_in(name: str, password: str, sleep: Callable[[float], object] = time.sleep) -> Editor | None:
    """An Editor for a right name and password, else None (after the delay earned by earlier failures)."""
    return attempt(name, password, sleep).editor
