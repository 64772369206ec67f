"""The store: plans and their revisions, append-only observations, batches, notes and overrides.

- ``store``: the DuckDB store (``Store``), editors, the write lock, every query as parameters;
- ``schema``: the schema as numbered migrations, and the columns of a batch of observations.

May import ``kpi.plan``, ``kpi.settings`` and ``kpi.notes`` — never ingest, the status engine or the reports
(they call the store).
"""

from kpi.store.store import REVERTIBLE, WRITE_KINDS, Editor, Store, StoreError, StoreLocked

__all__ = ["REVERTIBLE", "WRITE_KINDS", "Editor", "Store", "StoreError", "StoreLocked"]
