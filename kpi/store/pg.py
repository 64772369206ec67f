"""Server mode: the store on PostgreSQL (psycopg 3 and psycopg-pool), for several app processes behind one address.

The same tables, the same shared SQL (``kpi.store.store``), the same one transaction per batch. Plain PostgreSQL,
no extension, so PostgreSQL-compatible servers (openGauss, KingbaseES, HighGo) serve it too:

- parameters: the store's SQL uses DuckDB's ``?`` and ``$name``; ``translate`` turns them into psycopg's ``%s`` and
  ``%(name)s`` (a literal ``%`` doubled);
- writers: every transaction that writes a batch starts with ``LOCK TABLE batches IN EXCLUSIVE MODE``, so batch
  numbers (newest + 1) never collide between processes, and readers are never blocked;
- bulk rows (an upload's checked rows, a plan's targets, ``kpi copy``) go in with ``COPY … FROM STDIN`` inside the
  batch's transaction, as CSV that Arrow writes;
- results come back as frames with the dtypes DuckDB gives (nullable integers where a value is missing, ``str``
  text, ``datetime64[us]`` dates), so the pages and the status engine see the same frames from both engines;
- the data version is a query (``max(batch_id)``, an index lookup): a batch committed by one process is what every
  other process shows at its next rerun.

Connections: a pool of at most ``KPI_POOL_SIZE`` per process, in autocommit outside transactions.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
from psycopg_pool import ConnectionPool

from kpi.settings import get_settings
from kpi.store.engine import Engine, StoreMissing, StoreUnreachable, shown
from kpi.store.schema import POSTGRESQL

CONNECT_SECONDS = 10  # how long to wait for the server when opening the store
_PARAM = re.compile(r"\?|\$([A-Za-z_][A-Za-z0-9_]*)")
# PostgreSQL type oids -> how DuckDB would give the column to pandas
_KINDS = {16: "bool", 20: "int64", 21: "int16", 23: "int32", 700: "float64", 701: "float64", 1700: "float64",
          1082: "datetime", 1114: "datetime"}
_ARROW = {"bool": pa.bool_(), "int64": pa.int64(), "int16": pa.int16(), "int32": pa.int32(),
          "float64": pa.float64(), "str": pa.string()}
_ARROW_DATES = {1082: pa.date32(), 1114: pa.timestamp("us")}


@lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """DuckDB's parameters (``?``, ``$name``) as psycopg's (``%s``, ``%(name)s``)."""
    return _PARAM.sub(lambda m: "%s" if m.group(0) == "?" else f"%({m.group(1)})s", sql.replace("%", "%%"))


def _column(values: tuple, kind: str):
    """One result column as DuckDB's ``df()`` gives it."""
    missing = any(v is None for v in values)
    if kind in ("int64", "int32", "int16", "bool"):
        if missing:
            return pd.array(values, dtype="boolean" if kind == "bool" else kind.capitalize())
        return np.array(values, dtype=kind)
    if kind == "float64":
        return np.array([np.nan if v is None else float(v) for v in values], dtype="float64")
    if kind == "datetime":
        return pd.Series(values, dtype="datetime64[us]").to_numpy()
    if not values:
        return np.array([], dtype=object)  # DuckDB gives an empty text column as object
    return pd.array([None if v is None else str(v) for v in values], dtype="str")


class PgCursor:
    """A psycopg cursor as ``kpi.store.engine.Cursor``."""

    def __init__(self, cur: psycopg.Cursor):
        self._cur = cur

    def execute(self, sql: str, params: list | dict | None = None) -> PgCursor:
        if params:
            self._cur.execute(translate(sql), params)
        else:
            self._cur.execute(sql)
        return self

    def fetchone(self):
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._cur.fetchall()

    def _result(self) -> tuple[list[str], list[int], list[tuple]]:
        names = [d.name for d in self._cur.description]
        oids = [d.type_code for d in self._cur.description]
        rows = self._cur.fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return names, oids, columns

    def df(self) -> pd.DataFrame:
        names, oids, columns = self._result()
        frame = pd.DataFrame({i: _column(c, _KINDS.get(o, "str")) for i, (o, c) in enumerate(zip(oids, columns,
                                                                                                  strict=True))})
        frame.columns = names
        return frame

    def arrow(self, sql: str, params: list | dict | None = None) -> pa.Table:
        names, oids, columns = self.execute(sql, params)._result()
        arrays = []
        for oid, values in zip(oids, columns, strict=True):
            kind = _KINDS.get(oid, "str")
            typ = _ARROW_DATES.get(oid) or _ARROW.get(kind, pa.string())
            if kind == "float64":
                values = [None if v is None else float(v) for v in values]
            elif kind == "str":
                values = [None if v is None else str(v) for v in values]
            arrays.append(pa.array(values, type=typ))
        return pa.Table.from_arrays(arrays, names=names)

    def insert(self, table: str, frame: pd.DataFrame | pa.Table, **constants) -> None:
        """Append the rows of a frame (its columns by name) with constant columns, through ``COPY … (FORMAT csv)``.

        Arrow writes the CSV: text values quoted (an empty text is ``""``), a missing value an unquoted empty field,
        which is exactly what PostgreSQL's CSV format reads as NULL."""
        rows = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
        for i, name in enumerate(constants):
            rows = rows.add_column(i, name, pa.array([constants[name]] * rows.num_rows))
        rows = pa.Table.from_arrays([c.dictionary_decode() if pa.types.is_dictionary(c.type) else c
                                     for c in rows.columns], names=rows.column_names)
        data = io.BytesIO()
        pa_csv.write_csv(rows, data, pa_csv.WriteOptions(include_header=False))
        # identifiers are the schema's own names, never a user's; the rows go as data
        with self._cur.copy(f"COPY {table} ({', '.join(rows.column_names)}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(data.getbuffer())


class PgEngine(Engine):
    """A PostgreSQL database (server mode); ``kpi.store.store.PgStore`` is the store on it."""

    engine = POSTGRESQL

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.path = shown(url)
        self._pool = ConnectionPool(url, min_size=1, max_size=get_settings().pool_size, open=False,
                                    kwargs={"autocommit": True}, name="kpi")

    @classmethod
    def connect(cls, url: str, create: bool):
        try:  # once by hand, for the server's own words when it cannot be reached
            psycopg.connect(url, connect_timeout=CONNECT_SECONDS).close()
        except psycopg.Error as exc:
            raise StoreUnreachable(shown(url), str(exc).strip()) from exc
        store = cls(url)
        store._pool.open(wait=True, timeout=CONNECT_SECONDS)
        try:
            if not create and not store.has_table("meta"):
                raise StoreMissing(store.path)
            store.migrate()
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _open_cursor(self) -> Iterator[PgCursor]:
        with self._pool.connection() as conn, conn.cursor() as cur:
            yield PgCursor(cur)

    @contextmanager
    def _open_transaction(self, lock: str | None) -> Iterator[PgCursor]:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            if lock is not None:
                if lock not in ("batches", "meta"):
                    raise ValueError(lock)
                cur.execute(f"LOCK TABLE {lock} IN EXCLUSIVE MODE")
            yield PgCursor(cur)

    def table_names(self) -> list[str]:
        return self.query("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                          "AND table_type = 'BASE TABLE' ORDER BY table_name")["table_name"].tolist()

    def columns(self, table: str) -> list[str]:
        return self.query("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                          "AND table_name = ? ORDER BY ordinal_position", [table])["column_name"].tolist()
