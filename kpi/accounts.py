"""Who can sign in, and as what: the secrets file (and the environment) of editors, their work areas and viewers.

``.streamlit/secrets.toml`` (``KPI_SECRETS_FILE``) holds ``[editors]`` and ``[viewers]`` tables of name = scrypt
hash, an ``[areas]`` table of name = ["INV", "HK"] for area editors, and ``[sessions] key`` (the key that signs
session cookies, unless ``KPI_SESSION_SECRET`` is set). ``KPI_EDITORS``, ``KPI_EDITOR_AREAS`` and ``KPI_VIEWERS``
add to them (``name=value;other=value``) and win. The file is created readable by its owner only (0600) and
replaced whole; every table other than the one written is kept as it was. ``kpi.auth`` re-exports these names.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import threading
import tomllib
from pathlib import Path

from kpi.passwords import hash_password
from kpi.settings import get_settings
from kpi.store import Editor


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
