"""Import of a valid CSV through the real pipeline, against two floors measured in the same run: DuckDB's own
read_csv of the same file into an in-memory table, and the same into a table of a DuckDB *file* in one transaction
(the floor that writes: an import ends with its rows committed to a file, so this is the floor it is held to)."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.fixtures import EDITOR, Built
from kpi import ingest
from kpi.store import Store


@dataclass
class ImportResult:
    observations: int
    file_mb: float
    prepare_s: float
    commit_s: float
    floor_s: float
    full_prepare_s: float  # the same file through the full pipeline (the path of human-edited files)
    file_floor_s: float = float("nan")  # read_csv into a table of a DuckDB file: BEGIN, CREATE TABLE AS, COMMIT
    file_close_s: float = float("nan")  # then closing that file (its checkpoint): counted on neither side

    @property
    def total_s(self) -> float:
        return self.prepare_s + self.commit_s

    @property
    def ratio(self) -> float:
        return self.total_s / self.floor_s

    @property
    def full_ratio(self) -> float:
        return (self.full_prepare_s + self.commit_s) / self.floor_s

    @property
    def file_ratio(self) -> float:
        """Our import against the floor that writes to a file."""
        return self.total_s / self.file_floor_s

    @property
    def file_full_ratio(self) -> float:
        """The full pipeline (read + check of hand-edited files, then the same write) against that floor."""
        return (self.full_prepare_s + self.commit_s) / self.file_floor_s


def _floor(csv_path: Path) -> float:
    """DuckDB's own read_csv of the same file into a table: the floor an import cannot beat."""
    con = duckdb.connect()
    start = time.perf_counter()
    con.execute("CREATE TABLE floor AS SELECT * FROM read_csv(?)", [str(csv_path)])
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def _file_floor(csv_path: Path, db_path: Path) -> tuple[float, float]:
    """DuckDB reading the file into a table of a new DuckDB file in one transaction, in-process: the time from BEGIN
    to COMMIT (the rows durable, as an import's commit leaves them), and the close that follows (the checkpoint,
    which the import's figures do not include either: the store stays open)."""
    db_path.unlink(missing_ok=True)
    con = duckdb.connect(str(db_path))
    start = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(csv_path)])
    con.execute("COMMIT")
    middle = time.perf_counter()
    con.close()
    end = time.perf_counter()
    db_path.unlink(missing_ok=True)
    return middle - start, end - middle


def measure_import(built: Built, repeat: int) -> ImportResult:
    """Times each run on a fresh copy of the plans-only store; the last run's store is kept for the pages."""
    data = built.csv.read_bytes()
    prepares, commits, floors, fulls, file_floors, closes = [], [], [], [], [], []
    for run in range(repeat):
        path = built.fresh(f"run{run}.duckdb")
        store = Store.open(path)
        try:
            start = time.perf_counter()
            prepared = ingest.prepare(store, data, built.csv.name)
            middle = time.perf_counter()
            assert prepared.ok, prepared.problems[:3]
            ingest.commit(store, prepared, EDITOR)
            end = time.perf_counter()
            prepares.append(middle - start)
            commits.append(end - middle)
            floors.append(_floor(built.csv))
            file_floor, close = _file_floor(built.csv, path.with_name(f"floor{run}.duckdb"))
            file_floors.append(file_floor)
            closes.append(close)
            start = time.perf_counter()
            assert ingest.prepare(store, data, built.csv.name, fast=False).ok
            fulls.append(time.perf_counter() - start)
        finally:
            store.close()
        built.db = path
    return ImportResult(built.observations, len(data) / 1e6, statistics.median(prepares), statistics.median(commits),
                        statistics.median(floors), statistics.median(fulls), statistics.median(file_floors),
                        statistics.median(closes))
