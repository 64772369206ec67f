"""Who writes, and what the store says when it cannot do what was asked: shared by the store, its engines and its
parts (``kpi.store.engine`` re-exports the errors)."""

from __future__ import annotations

from dataclasses import dataclass


class StoreError(RuntimeError):
    """The store cannot do what was asked (missing file, unknown batch...)."""


class StoreLocked(StoreError):
    """Another process holds the database file (DuckDB allows one writing process), still after KPI_LOCK_WAIT."""


class StoreMissing(StoreError):
    """There is no store where one was asked for without ``create`` (a missing file, a database never initialised)."""

    def __init__(self, where: str):
        super().__init__(f"no database at {where}; create it with: python -m kpi init --db {where}")
        self.where = where


class StoreUnreachable(StoreError):
    """The PostgreSQL server cannot be reached (or refuses the user): its own words in ``reason``."""

    def __init__(self, where: str, reason: str):
        super().__init__(f"cannot connect to {where}: {reason}")
        self.where, self.reason = where, reason


class StoreConflict(StoreError):
    """The store changed since the writer looked (a preview, a batch's state): nothing was written."""


@dataclass(frozen=True)
class Editor:
    """Who writes. Every write function takes one and refuses without it.

    ``areas``: the work areas an area editor may write (kpi.roles checks them); None for an admin, who may write
    every area and close periods.
    """

    name: str
    via: str = "cli"
    areas: tuple[str, ...] | None = None

    @property
    def admin(self) -> bool:
        return self.areas is None


def _require_editor(editor: Editor | None) -> str:
    """The name to record for a write; PermissionError without an editor."""
    if not isinstance(editor, Editor) or not editor.name.strip():
        raise PermissionError("writing needs a signed-in editor")
    return f"{editor.name.strip()} ({editor.via})"
