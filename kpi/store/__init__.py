"""The store: plans and their revisions, append-only observations, batches, notes and overrides.

- ``store``: the DuckDB store (``Store``), editors, the write lock, every query as parameters;
- ``errors``: who writes (``Editor``) and what the store says when it cannot (``StoreError`` and kin);
- ``schema``: the schema as numbered migrations, and the columns of a batch of observations;
- ``sessions``: sign-in tries and signed-in sessions (methods of ``Store``);
- ``tokens``: API tokens, kept by their hash (methods of ``Store``);
- ``meetings``: meetings recorded, their decisions and the closing of each (methods of ``Store``);
- ``supervision``: closed periods, corrections after close, evidence files (methods of ``Store``).

May import ``kpi.plan``, ``kpi.settings`` and ``kpi.notes`` — never ingest, the status engine or the reports
(they call the store).
"""

from kpi.store.meetings import CLOSURE, DECISION, MEETING, MeetingError
from kpi.store.store import (
    CLOSE,
    EVIDENCE,
    IMPORT,
    NOTE,
    OVERRIDE,
    PLAN,
    REAPPLY,
    REOPEN,
    REVERT,
    REVERTIBLE,
    SAMPLE,
    WRITE_KINDS,
    Editor,
    Store,
    StoreConflict,
    StoreError,
    StoreLocked,
)

__all__ = ["CLOSE", "CLOSURE", "DECISION", "EVIDENCE", "IMPORT", "MEETING", "NOTE", "OVERRIDE", "PLAN", "REAPPLY",
           "REOPEN", "REVERT", "REVERTIBLE", "SAMPLE", "WRITE_KINDS", "Editor", "MeetingError", "Store",
           "StoreConflict", "StoreError", "StoreLocked"]
