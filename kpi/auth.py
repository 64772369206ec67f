"""Editor sign-in: salted scrypt hashes, constant-time comparison, a growing delay after failures.

Editors come from the environment (``KPI_EDITORS="name=HASH;other=HASH"``) and
from ``.streamlit/secrets.toml`` (an ``[editors]`` table of name = HASH). No
editor configured means editing is off. Passwords are never stored, only
``scrypt$n$r$p$salt$hash`` strings.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
import tomllib
from pathlib import Path

from kpi.settings import get_settings
from kpi.store import Editor

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # about 50 ms and 16 MB per check: slow to guess, quick to sign in
MAX_DELAY_SECONDS = 8.0  # the delay after failures doubles up to this
_failures: dict[str, int] = {}
_failures_lock = threading.Lock()


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


def secrets_file() -> Path:
    return get_settings().secrets_file


def load_editors() -> dict[str, str]:
    """name -> stored hash, from the secrets file and then the environment (which wins)."""
    editors: dict[str, str] = {}
    path = secrets_file()
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, OSError):
            data = {}
        table = data.get("editors", {})
        if isinstance(table, dict):
            editors.update({str(k): str(v) for k, v in table.items()})
    for part in os.environ.get("KPI_EDITORS", "").split(";"):
        name, sep, stored = part.partition("=")
        if sep and name.strip() and stored.strip():
            editors[name.strip()] = stored.strip()
    return editors


def editing_enabled() -> bool:
    return bool(load_editors())


def failure_delay(name: str) -> float:
    """Seconds to wait before checking this name again: 0, then 1, 2, 4 ... up to MAX_DELAY_SECONDS."""
    with _failures_lock:
        count = _failures.get(name, 0)
    return 0.0 if count == 0 else min(2.0 ** (count - 1), MAX_DELAY_SECONDS)


def sign_in(name: str, password: str, sleep=time.sleep) -> Editor | None:
    """An Editor for a right name and password, else None (after the delay earned by earlier failures)."""
    name = name.strip()
    delay = failure_delay(name)
    if delay:
        sleep(delay)
    stored = load_editors().get(name)
    # check a dummy hash for unknown names too, so timing does not tell which names exist
    ok = verify_password(password, stored or hash_password("x", salt=b"\0" * 16)) and stored is not None
    with _failures_lock:
        if ok:
            _failures.pop(name, None)
        else:
            _failures[name] = _failures.get(name, 0) + 1
    return Editor(name=name, via="web") if ok else None


def write_editor(name: str, password: str, path: Path | None = None) -> Path:
    """Add or replace an editor in the secrets file (only the hash is written)."""
    path = path or secrets_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    current = {}
    other_lines: list[str] = []
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        current = tomllib.loads(text).get("editors", {})
        other_lines = _without_editors_table(text)
    current[name] = hash_password(password)
    body = "\n".join(f"{json.dumps(k, ensure_ascii=False)} = {json.dumps(v)}" for k, v in current.items())
    text = ("\n".join(other_lines).strip() + "\n\n" if "".join(other_lines).strip() else "") + f"[editors]\n{body}\n"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return path


def _without_editors_table(text: str) -> list[str]:
    out, skipping = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            skipping = stripped == "[editors]"
        if not skipping:
            out.append(line)
    return out


def new_password() -> str:
    return secrets.token_urlsafe(9)
