"""What a store needs of its database, whichever it is: cursors, transactions, the schema, the data version.

``Engine`` is the base of ``Store``. The two engines (``duck.DuckEngine``, ``pg.PgEngine``) supply a cursor
(``_open_cursor``) and a transaction (``_open_transaction``); everything else — every query of the store — is
shared SQL. The SQL is written with DuckDB's parameters (``?`` and ``$name``); the PostgreSQL cursor translates
them. A cursor (``Cursor``) runs ``execute(sql, params)`` and gives ``fetchone``, ``fetchall``, ``df`` (a frame
with the same dtypes from either engine), ``arrow`` and ``insert(table, frame, **constants)`` (a bulk insert:
DuckDB scans the frame, PostgreSQL takes ``COPY``).

Inside a transaction, every read of the same thread goes through the transaction's cursor, so a writer sees the
state it writes over and needs no second connection.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import pyarrow as pa

from kpi.store.errors import StoreConflict, StoreError, StoreLocked, StoreMissing, StoreUnreachable
from kpi.store.schema import SCHEMA_VERSION, statements

__all__ = ["Cursor", "Engine", "StoreConflict", "StoreError", "StoreLocked", "StoreMissing", "StoreUnreachable",
           "is_server", "shown"]

SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server(location: str | os.PathLike) -> bool:
    """True for a PostgreSQL URL (server mode), False for a DuckDB file (embedded mode)."""
    return str(location).startswith(SERVER_SCHEMES)


def shown(location: str | os.PathLike) -> str:
    """A location as messages may show it: a URL without its password."""
    text = str(location)
    if not is_server(text):
        return text
    parts = urlsplit(text)
    if parts.password is None:
        return text
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


class Cursor(Protocol):
    def execute(self, sql: str, params: list | dict | None = None) -> Cursor: ...
    def fetchone(self) -> tuple | None: ...
    def fetchall(self) -> list[tuple]: ...
    def df(self) -> pd.DataFrame: ...
    def arrow(self, sql: str, params: list | dict | None = None) -> pa.Table: ...
    def insert(self, table: str, frame: pd.DataFrame | pa.Table, **constants) -> None: ...


class Engine:
    """The plumbing every store shares; an engine (``duck.DuckEngine``, ``pg.PgEngine``) adds its connections.
    ``kpi.store.store`` puts an engine and the store's queries together (``DuckStore``, ``PgStore``)."""

    engine = ""  # "duckdb" or "postgresql": which statements of a migration run (kpi.store.schema)
    path: Path | str  # the DuckDB file, or the server URL without its password (for messages)

    def __init__(self) -> None:
        self._write_lock = threading.Lock()  # one writer at a time in this process
        self._local = threading.local()  # the transaction's cursor of this thread, if any

    def close(self) -> None:
        raise NotImplementedError

    # --- the engine's part ------------------------------------------------
    @contextmanager
    def _open_cursor(self) -> Iterator[Cursor]:
        raise NotImplementedError
        yield

    @contextmanager
    def _open_transaction(self, lock: str | None) -> Iterator[Cursor]:
        """A cursor inside BEGIN … COMMIT (ROLLBACK on any error). ``lock``: a table no other writer may change
        until the end (PostgreSQL: ``LOCK TABLE … IN EXCLUSIVE MODE``; readers go on)."""
        raise NotImplementedError
        yield

    def _wrote(self) -> None:
        """Called after every committed transaction."""

    # --- shared -----------------------------------------------------------
    @contextmanager
    def _cursor(self) -> Iterator[Cursor]:
        tx = getattr(self._local, "tx", None)
        if tx is not None:
            yield tx
            return
        with self._open_cursor() as cur:
            yield cur

    @contextmanager
    def _transaction(self, lock: str | None = "batches") -> Iterator[Cursor]:
        """One transaction; by default it writes a batch, so it locks ``batches`` against other writers."""
        with self._write_lock:
            try:
                with self._open_transaction(lock) as cur:
                    self._local.tx = cur
                    try:
                        yield cur
                    finally:
                        self._local.tx = None
            finally:
                self._wrote()

    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        with self._cursor() as cur:
            return cur.execute(sql, params).df()

    def scalar(self, sql: str, params: list | dict | None = None):
        with self._cursor() as cur:
            row = cur.execute(sql, params).fetchone()
            return None if row is None else row[0]

    def schema_version(self) -> int:
        """The schema version the store is at (0: none yet). Creates the ``meta`` table if it is missing."""
        if not self.has_table("meta"):
            with self._transaction(lock=None) as cur:
                cur.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        row = self.scalar("SELECT value FROM meta WHERE key = 'schema_version'")
        return int(row) if row else 0

    def has_table(self, name: str) -> bool:
        return name in self.table_names()

    def table_names(self) -> list[str]:
        """The tables of the store (its own schema only), sorted."""
        raise NotImplementedError

    def columns(self, table: str) -> list[str]:
        """The columns of one table, in order."""
        raise NotImplementedError

    def migrate(self) -> None:
        """Bring the schema to SCHEMA_VERSION, one transaction per migration (each re-checked under the lock)."""
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema {current}, newer than this program ({SCHEMA_VERSION})")
        while current < SCHEMA_VERSION:
            with self._transaction(lock="meta") as cur:
                row = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                current = int(row[0]) if row else 0
                if current >= SCHEMA_VERSION:  # another process migrated meanwhile
                    break
                current += 1
                for sql in statements(current, self.engine):
                    cur.execute(sql)
                cur.execute("DELETE FROM meta WHERE key = 'schema_version'")
                cur.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", [str(current)])

    def data_version(self) -> int:
        """The newest batch number: changes with every write, 0 for an empty store."""
        return int(self.scalar("SELECT coalesce(max(batch_id), 0) FROM batches"))

    def available(self) -> bool:
        """Whether the store can be used right now without waiting for another process (always, on a server)."""
        return True

    def peek_version(self) -> tuple[int, bool]:
        """(the data version, busy): as ``data_version``, except that a store another process is writing to
        answers at once with the version it read last, and busy=True (a page shows the numbers it has for it)."""
        return self.data_version(), False
