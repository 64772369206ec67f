"""Copy a whole store into another, e.g. from the DuckDB file to PostgreSQL (``python -m kpi copy --from --to``).

Every table but ``meta``, every row as it is — batches with their numbers, editors and times, plan revisions,
observations, notes, overrides, sign-in tries and sessions, API tokens, meetings and decisions, closed periods,
corrections and evidence files — in one transaction on the destination, so a copy
either lands whole or not at all, and a pinned link (``data=N``) means the same numbers on either side. The
destination must be empty (a new file, or a database just made with ``init`` and nothing loaded), and both stores
are at the same schema version (opening them migrates both to this program's).
"""

from __future__ import annotations

from kpi.store.engine import StoreError
from kpi.store.store import Store


class StoreNotEmpty(StoreError):
    """The destination of a copy already holds data."""

    def __init__(self, where: str):
        super().__init__(f"{where} already holds data: copy into a new, empty store")
        self.where = where


def row_counts(store: Store) -> dict[str, int]:
    """Rows per table (``meta`` left out)."""
    return {table: int(store.scalar(f"SELECT count(*) FROM {table}"))  # noqa: S608 - the store's own table names
            for table in store.table_names() if table != "meta"}


def copy_store(source: Store, dest: Store) -> dict[str, int]:
    """Copy every row of ``source`` into the empty ``dest``; returns the rows copied per table."""
    if source.schema_version() != dest.schema_version():
        raise StoreError(f"{source.path} is at schema {source.schema_version()}, {dest.path} at "
                         f"{dest.schema_version()}: open both with this program first")
    if any(row_counts(dest).values()):
        raise StoreNotEmpty(str(dest.path))
    tables = [t for t in source.table_names() if t != "meta"]
    missing = [t for t in tables if not dest.has_table(t)]
    if missing:
        raise StoreError(f"{dest.path} has no table {', '.join(missing)}")
    counts = {}
    with dest._transaction() as cur:
        for table in tables:
            columns = source.columns(table)
            if set(columns) != set(dest.columns(table)):
                raise StoreError(f"the table {table} differs between {source.path} and {dest.path}")
            with source._cursor() as src:
                rows = src.arrow(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608 - the schema's names
            if rows.num_rows:
                cur.insert(table, rows)
            counts[table] = rows.num_rows
    return counts
