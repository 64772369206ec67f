"""Editor sign-in: salted scrypt hashes, constant-time checks, a growing delay and a lockout after failures.

Editors come from the environment (``KPI_EDITORS="name=HASH;other=HASH"``) and
from ``.streamlit/secrets.toml`` (an ``[editors]`` table of name = HASH). No
editor configured means editing is off. An editor is an admin unless given work
areas (``[areas]`` name = ["INV", "HK"], or ``KPI_EDITOR_AREAS="name=INV,HK"``):
then an area editor of those areas (kpi.roles). Viewer accounts (``[viewers]``,
``KPI_VIEWERS``) sign in to read; with any configured, the dashboard opens only
after sign-in. Passwords are never stored, only
``scrypt$n$r$p$salt$hash`` strings; the secrets file is created readable by its
owner only (0600) and replaced whole.

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

import base64
import contextlib
import functools
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
import tomllib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kpi.settings import get_settings
from kpi.store import Editor

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # about 50 ms and 16 MB per check: slow to guess, quick to sign in
MAX_DELAY_SECONDS = 8.0  # the default of signin_max_delay_seconds: the delay after failures doubles up to this
OK, WRONG, LOCKED, BUSY = "ok", "wrong", "locked", "busy"
OUTCOMES = (OK, WRONG, LOCKED, BUSY)
NAME_MAX = 100  # longer names are cut (for counting and recording)
TRACKED_MAX = 10_000  # names with failures kept in memory; quiet ones are dropped past this


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when the password matches the stored hash; compared in constant time."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        got = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, made once: an unknown name is checked against it (one scrypt, like a known one)."""
    return hash_password(secrets.token_urlsafe(16))


def fingerprint(stored: str) -> str:
    """A short digest of a stored hash: a session remembers it, so a changed password ends the session."""
    return hashlib.sha256(stored.encode()).hexdigest()[:16]


# --- the secrets file ---------------------------------------------------------------

def secrets_file() -> Path:
    return get_settings().secrets_file


def _read_secrets(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError):
        return {}


def load_editors() -> dict[str, str]:
    """name -> stored hash, from the secrets file and then the environment (which wins)."""
    editors: dict[str, str] = {}
    table = _read_secrets(secrets_file()).get("editors", {})
    if isinstance(table, dict):
        editors.update({str(k): str(v) for k, v in table.items()})
    editors.update(_env_table("KPI_EDITORS"))
    return editors


def _env_table(variable: str) -> dict[str, str]:
    """``name=value;other=value`` from an environment variable."""
    out = {}
    for part in os.environ.get(variable, "").split(";"):
        name, sep, value = part.partition("=")
        if sep and name.strip() and value.strip():
            out[name.strip()] = value.strip()
    return out


def load_areas() -> dict[str, tuple[str, ...]]:
    """Area editor -> the work areas they may write, from the secrets file and then KPI_EDITOR_AREAS (which wins).

    An editor named here with no area at all may write nothing (never silently an admin).
    """
    out: dict[str, tuple[str, ...]] = {}
    table = _read_secrets(secrets_file()).get("areas", {})
    if isinstance(table, dict):
        for name, areas in table.items():
            codes = areas if isinstance(areas, list) else str(areas).split(",")
            out[str(name)] = _codes(codes)
    for name, areas in _env_table("KPI_EDITOR_AREAS").items():
        out[name] = _codes(areas.split(","))
    return out


def _codes(values) -> tuple[str, ...]:
    return tuple(sorted({str(v).strip().upper() for v in values if str(v).strip()}))


def load_viewers() -> dict[str, str]:
    """Viewer accounts: name -> stored hash, from the secrets file ([viewers]) and then KPI_VIEWERS."""
    viewers: dict[str, str] = {}
    table = _read_secrets(secrets_file()).get("viewers", {})
    if isinstance(table, dict):
        viewers.update({str(k): str(v) for k, v in table.items()})
    viewers.update(_env_table("KPI_VIEWERS"))
    return viewers


def load_accounts() -> dict[str, str]:
    """Everyone who can sign in (viewers, then editors, who win a shared name): name -> stored hash."""
    return {**load_viewers(), **load_editors()}


def editor_named(name: str, via: str) -> Editor | None:
    """The editor of that name as configured now (an area editor with their areas, else an admin); None if none."""
    if name not in load_editors():
        return None
    return Editor(name=name, via=via, areas=load_areas().get(name))


def viewing_restricted() -> bool:
    """Whether viewers must sign in: some viewer account is configured."""
    return bool(load_viewers())


def editing_enabled() -> bool:
    return bool(load_editors())


def _write_private(path: Path, text: str) -> None:
    """Replace the file whole; the new file is created with mode 0600, so it is never readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _write_table(path: Path, table: str, entries: dict[str, str]) -> None:
    """Write one [table] of the secrets file, keeping every other table and line as it was."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    others = "\n".join(_without_table(text, table)).strip()
    body = "\n".join(f"{json.dumps(k, ensure_ascii=False)} = {json.dumps(v)}" for k, v in entries.items())
    _write_private(path, (others + "\n\n" if others else "") + f"[{table}]\n{body}\n")


def _without_table(text: str, table: str) -> list[str]:
    out, skipping = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            skipping = stripped == f"[{table}]"
        if not skipping:
            out.append(line)
    return out


KEEP = object()  # write_editor's areas: leave the editor's role as it is (a new editor becomes an admin)


def write_editor(name: str, password: str, path: Path | None = None, areas=KEEP) -> Path:
    """Add or replace an editor in the secrets file (only the hash is written).

    ``areas``: a list of work areas makes an area editor of them, None an admin; by default a known editor keeps
    their role and a new one is an admin (an entry without areas).
    """
    path = path or secrets_file()
    current = dict(_read_secrets(path).get("editors", {}))
    current[name] = hash_password(password)
    _write_table(path, "editors", current)
    if areas is not KEEP:
        scoped = dict(_read_secrets(path).get("areas", {}))
        if areas is None:
            scoped.pop(name, None)
        else:
            scoped[name] = list(_codes(areas))
        _write_table(path, "areas", scoped)
    _drop(path, "viewers", name)
    return path


def write_viewer(name: str, password: str, path: Path | None = None) -> Path:
    """Add or replace a viewer account (read-only; with any viewer account the dashboard needs a sign-in)."""
    path = path or secrets_file()
    current = dict(_read_secrets(path).get("viewers", {}))
    current[name] = hash_password(password)
    _write_table(path, "viewers", current)
    for table in ("editors", "areas"):
        _drop(path, table, name)
    return path


def _drop(path: Path, table: str, name: str) -> bool:
    current = dict(_read_secrets(path).get(table, {}))
    if current.pop(name, None) is None:
        return False
    _write_table(path, table, current)
    return True


def remove_editor(name: str, path: Path | None = None) -> bool:
    """Take an editor (or a viewer account) out of the secrets file; False when the file has no such name."""
    path = path or secrets_file()
    found = [_drop(path, table, name) for table in ("editors", "viewers")]
    _drop(path, "areas", name)
    return any(found)


_keys: dict[str, bytes] = {}
_keys_lock = threading.Lock()


def session_key() -> bytes:
    """The key that signs session cookies: the session_secret setting, else [sessions] key in the secrets file.

    The file's key is made on first use (and kept, so sign-ins survive a restart); if the file cannot be written
    the key lives in this process only.
    """
    configured = get_settings().session_secret
    if configured:
        return configured.encode()
    path = secrets_file()
    with _keys_lock:
        if str(path) not in _keys:
            key = _read_secrets(path).get("sessions", {}).get("key")
            if not isinstance(key, str) or len(key) < 32:
                key = secrets.token_urlsafe(32)
                with contextlib.suppress(OSError):
                    _write_table(path, "sessions", {"key": key})
            _keys[str(path)] = key.encode()
        return _keys[str(path)]


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
