"""The store: plans and their revisions, append-only observations, batches, notes and overrides.

- ``store``: the DuckDB store (``Store``), editors, the write lock, every query as parameters;
- ``schema``: the schema as numbered migrations, and the columns of a batch of observations;
- ``sessions``: sign-in tries and signed-in sessions (methods of ``Store``);
- ``supervision``: closed periods, corrections after close, evidence files (methods of ``Store``).

May import ``kpi.plan`` and ``kpi.settings`` — never ingest, the status engine or the reports (they call the store).
"""

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

__all__ = ["CLOSE", "EVIDENCE", "IMPORT", "NOTE", "OVERRIDE", "PLAN", "REAPPLY", "REOPEN", "REVERT", "REVERTIBLE",
           "SAMPLE", "WRITE_KINDS", "Editor", "Store", "StoreConflict", "StoreError", "StoreLocked"]
