"""Embedded mode: the store in one DuckDB file, which the dashboard and the command line take turns at.

DuckDB lets one process at a time open a file for writing. So the dashboard (``hold=False``) holds no lock while
idle: a piece of work (a query, a transaction) opens the file, the pieces that overlap share that one connection
(a count of users), and the file is let go ``IDLE_SECONDS`` after the last one ends. A connection kept busy for
more than ``MAX_HOLD_SECONDS`` is let go at the next moment nobody uses it, and reopened only ``YIELD_SECONDS``
later, so a command waiting for the file gets its turn even on a busy server. The command line holds the file for
its one command (``hold=True``). Whoever finds the file busy retries (every 10–50 ms) for up to ``KPI_LOCK_WAIT``
seconds, then raises ``StoreLocked``.

Opening a file costs tens of milliseconds, so the data version is not read on every page run: it is kept with a
signature of the file and its write-ahead log (inode, size, modified and changed times) and read again only when
the signature changes — any write by any process changes it. A signature younger than ``TRUST_AFTER_SECONDS`` is
not relied on (file times have a coarse clock: two writes within one tick could look the same), as git does with a
racily clean index. ``peek_version`` answers at once while another process writes: the version read last, and busy.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from kpi.settings import get_settings
from kpi.store.engine import Engine, StoreError, StoreLocked, StoreMissing
from kpi.store.schema import DUCKDB

IDLE_SECONDS = 0.25  # a page run's queries share one opening; the file is free again a quarter second after
MAX_HOLD_SECONDS = 2.0  # a connection busy this long is let go at its next idle moment...
YIELD_SECONDS = 0.1  # ...and reopened only after this, so a waiting command gets in (it retries every 10-50 ms)
RETRY_FIRST_SECONDS, RETRY_MAX_SECONDS = 0.01, 0.05
TRUST_AFTER_SECONDS = 2.0  # a file changed more recently than this is read again rather than trusted by signature


class DuckCursor:
    """A DuckDB cursor as ``kpi.store.engine.Cursor``."""

    def __init__(self, cur: duckdb.DuckDBPyConnection):
        self._cur = cur

    def execute(self, sql: str, params: list | dict | None = None) -> DuckCursor:
        self._cur.execute(sql, params or [])
        return self

    def fetchone(self):
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._cur.fetchall()

    def df(self) -> pd.DataFrame:
        return self._cur.df()

    def arrow(self, sql: str, params: list | dict | None = None) -> pa.Table:
        return self._cur.sql(sql, params=params).to_arrow_table()

    def insert(self, table: str, frame: pd.DataFrame | pa.Table, **constants) -> None:
        """Append the rows of a frame (its columns by name) with constant columns (``batch_id=7``)."""
        names = list(frame.columns) if isinstance(frame, pd.DataFrame) else frame.column_names
        self._cur.register("rows_in", frame)
        columns = ", ".join([*constants, *names])
        values = ", ".join(["?"] * len(constants) + [f'"{n}"' for n in names])
        # identifiers are the schema's own names, never a user's; the values are parameters
        self._cur.execute(f"INSERT INTO {table} ({columns}) SELECT {values} FROM rows_in",  # noqa: S608
                          list(constants.values()))
        self._cur.unregister("rows_in")  # (after a failure the transaction is aborted; the cursor goes with it)


def _signature(path: Path) -> tuple:
    out = []
    for f in (path, path.with_name(path.name + ".wal")):
        try:
            s = os.stat(f)
        except FileNotFoundError:
            out.append(None)
            continue
        out.append((s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns))
    return tuple(out)


def _newest_ns(signature: tuple) -> int:
    return max((max(part[2], part[3]) for part in signature if part), default=0)


class DuckEngine(Engine):
    """A DuckDB file (embedded mode); ``kpi.store.store.DuckStore`` is the store on it."""

    engine = DUCKDB

    def __init__(self, path: Path, hold: bool):
        super().__init__()
        self.path = path
        self._hold = hold
        self._gate = threading.Condition()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._users = 0
        self._opening = False
        self._opened_at = 0.0
        self._draining = False
        self._idle_round = 0
        self._yield_until = 0.0
        self._closed = False
        self._known: tuple[tuple, int, bool] | None = None  # (signature, version, trusted)
        self._mine = threading.local()  # how many pieces of work this thread has open

    @classmethod
    def connect(cls, path: Path, create: bool, hold: bool):
        if not create and not path.exists():
            raise StoreMissing(str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        store = cls(path, hold)
        with store._use():  # opens (waiting for the file), migrates; a held store keeps the connection
            store.migrate()
        return store

    def close(self) -> None:
        with self._gate:
            self._closed = True
            self._hold = False
            if self._con is not None and self._users == 0:
                self._shut()

    # --- the connection's lifecycle -----------------------------------------
    def _try_open(self) -> duckdb.DuckDBPyConnection | None:
        """The file opened, or None while another process holds it."""
        try:
            return duckdb.connect(str(self.path))
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                return None
            raise StoreError(f"cannot open {self.path}: {exc}") from exc

    def _open_waiting(self, wait: bool) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + (get_settings().lock_wait if wait else 0.0)
        delay = RETRY_FIRST_SECONDS
        while True:
            con = self._try_open()
            if con is not None:
                return con
            left = deadline - time.monotonic()
            if left <= 0:
                raise StoreLocked(str(self.path))
            time.sleep(min(delay, left))
            delay = min(delay * 2, RETRY_MAX_SECONDS)

    def _shut(self) -> None:
        """Close the connection (the gate is held and nobody uses it)."""
        con, self._con = self._con, None
        con.close()
        if self._draining:  # let a waiting process in before reopening
            self._draining = False
            self._yield_until = time.monotonic() + YIELD_SECONDS

    @contextmanager
    def _use(self, wait: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """The shared connection for one piece of work: opened if need be, let go when the last user is done.

        ``wait=False``: raise ``StoreLocked`` at once rather than wait for the file (or for another thread that
        is opening it)."""
        mine = getattr(self._mine, "depth", 0)  # this thread's pieces of work already open: never wait for itself
        con = None
        with self._gate:
            while True:
                if self._closed:
                    raise StoreError(f"the store {self.path} is closed")
                if self._con is not None and (mine or not self._draining):
                    con = self._join()
                    break
                if self._con is None and not self._opening:
                    self._opening = True  # this thread opens it; the others wait for it
                    break
                if not wait:
                    raise StoreLocked(str(self.path))
                self._gate.wait()
        if con is None:
            try:
                pause = self._yield_until - time.monotonic()
                if pause > 0 and wait:
                    time.sleep(pause)
                opened = self._open_waiting(wait)
            except BaseException:
                with self._gate:
                    self._opening = False
                    self._gate.notify_all()
                raise
            with self._gate:
                self._con, self._opening, self._opened_at = opened, False, time.monotonic()
                con = self._join()
                self._gate.notify_all()
        self._mine.depth = mine + 1
        try:
            yield con
        finally:
            self._mine.depth = mine
            with self._gate:
                self._users -= 1
                if self._users == 0 and not self._hold:
                    if self._draining or self._closed:
                        self._shut()
                        self._gate.notify_all()
                    else:
                        self._idle_round += 1
                        timer = threading.Timer(IDLE_SECONDS, self._close_if_idle, args=(self._idle_round,))
                        timer.daemon = True
                        timer.start()

    def _join(self) -> duckdb.DuckDBPyConnection:
        """One more user of the open connection (the gate is held)."""
        self._users += 1
        if not self._hold and time.monotonic() - self._opened_at > MAX_HOLD_SECONDS:
            self._draining = True  # newcomers wait; the last user closes
        return self._con

    def _close_if_idle(self, round_: int) -> None:
        with self._gate:
            if self._users == 0 and self._con is not None and round_ == self._idle_round and not self._hold:
                self._shut()
                self._gate.notify_all()

    # --- the engine's part ----------------------------------------------------
    @contextmanager
    def _open_cursor(self) -> Iterator[DuckCursor]:
        with self._use() as con:
            cur = con.cursor()
            try:
                yield DuckCursor(cur)
            finally:
                cur.close()

    @contextmanager
    def _open_transaction(self, lock: str | None) -> Iterator[DuckCursor]:
        with self._open_cursor() as cur:  # the process's write lock is the lock: one process has the file
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def _wrote(self) -> None:
        self._known = None

    def table_names(self) -> list[str]:
        return self.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                          "AND table_type = 'BASE TABLE' ORDER BY table_name")["table_name"].tolist()

    def columns(self, table: str) -> list[str]:
        return self.query("SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' "
                          "AND table_name = ? ORDER BY ordinal_position", [table])["column_name"].tolist()

    # --- the data version -----------------------------------------------------
    def data_version(self) -> int:
        if self._hold or getattr(self._local, "tx", None) is not None:
            return super().data_version()
        return self._version(wait=True)[0]

    def peek_version(self) -> tuple[int, bool]:
        if self._hold:
            return super().data_version(), False
        return self._version(wait=False)

    def available(self) -> bool:
        if self._hold:
            return True
        try:
            with self._use(wait=False):
                return True
        except StoreLocked:
            return False

    def _version(self, wait: bool) -> tuple[int, bool]:
        seen_at = time.time_ns()
        signature = _signature(self.path)  # before reading: a write after it changes the next signature
        known = self._known
        if known is not None and known[0] == signature and known[2]:
            return known[1], False
        try:
            with self._use(wait=wait or known is None):
                version = super().data_version()
        except StoreLocked:
            if wait or known is None:
                raise
            return known[1], True
        trusted = _newest_ns(signature) < seen_at - int(TRUST_AFTER_SECONDS * 1e9)
        self._known = (signature, version, trusted)
        return version, False
