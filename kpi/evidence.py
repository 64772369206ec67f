"""Evidence files (佐证材料): which files are accepted, and the safe way they are handed back.

A file is accepted when its name ends in one of the named types (the ``evidence_types`` setting: PDF, images,
Word, Excel), its bytes begin the way that type's files begin (a page saved as ``report.pdf`` is refused), and
it is no larger than ``evidence_max_bytes``. It is kept in the store with its sha256, the editor, the time and its
batch (``Store.attach_evidence``, through ``kpi.writes.attach_evidence``, which checks the editor's areas).

It leaves only as a download (``Content-Disposition: attachment``) with the media type of its checked type —
never ``text/html`` or anything a browser would run — and under a name cleaned of paths and control characters.
"""

from __future__ import annotations

import re
import unicodedata

from kpi.problems import Problem
from kpi.settings import get_settings

# type -> (media type sent with the download, the ways a file of that type begins)
TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
}
FALLBACK_TYPE = "application/octet-stream"  # anything unexpected in the store leaves as plain bytes
NAME_MAX = 120  # characters of a file name kept


def allowed() -> list[str]:
    """The accepted types, as the setting names them (lower case, known ones only)."""
    wanted = [part.strip().lower().lstrip(".") for part in get_settings().evidence_types.split(",")]
    return [w for w in wanted if w in TYPES]


def clean_name(name: str) -> str:
    """The file's own name, without folders, control characters or a leading dot; at most NAME_MAX characters."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if len(base) > NAME_MAX:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: NAME_MAX - len(ext) - 1] + "." + ext) if dot and len(ext) <= 8 else base[:NAME_MAX]
    return base or "evidence"


def kind_of(name: str) -> str:
    return clean_name(name).rpartition(".")[2].lower() if "." in clean_name(name) else ""


def media_type(name: str) -> str:
    """The media type a stored file is sent with: its checked type's, else plain bytes."""
    return TYPES.get(kind_of(name), (FALLBACK_TYPE, ()))[0]


def problems(name: str, data: bytes) -> list[Problem]:
    """Why a file cannot be evidence (type, content, size, empty); none when it can."""
    kind, types, limit = kind_of(name), allowed(), get_settings().evidence_max_bytes
    file = clean_name(name)
    if kind not in types:
        return [Problem(None, None, file, "evidence.bad_type", {"file": file, "types": ", ".join(types)})]
    if not data:
        return [Problem(None, None, file, "evidence.empty", {"file": file})]
    if len(data) > limit:
        return [Problem(None, None, file, "evidence.too_big", {"file": file, "size": len(data), "limit": limit})]
    if not data.startswith(TYPES[kind][1]):
        return [Problem(None, None, file, "evidence.not_type", {"file": file, "type": kind.upper()})]
    return []
