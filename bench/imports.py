"""Import of a valid CSV through the real pipeline, against DuckDB's own read_csv of the same file."""

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

    @property
    def total_s(self) -> float:
        return self.prepare_s + self.commit_s

    @property
    def ratio(self) -> float:
        return self.total_s / self.floor_s

    @property
    def full_ratio(self) -> float:
        return (self.full_prepare_s + self.commit_s) / self.floor_s


def _floor(csv_path: Path) -> float:
    """DuckDB's own read_csv of the same file into a table: the floor an import cannot beat."""
    con = duckdb.connect()
    start = time.perf_counter()
    con.execute("CREATE TABLE floor AS SELECT * FROM read_csv(?)", [str(csv_path)])
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def measure_import(built: Built, repeat: int) -> ImportResult:
    """Times each run on a fresh copy of the plans-only store; the last run's store is kept for the pages."""
    data = built.csv.read_bytes()
    prepares, commits, floors, fulls = [], [], [], []
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
            start = time.perf_counter()
            assert ingest.prepare(store, data, built.csv.name, fast=False).ok
            fulls.append(time.perf_counter() - start)
        finally:
            store.close()
        built.db = path
    return ImportResult(built.observations, len(data) / 1e6, statistics.median(prepares), statistics.median(commits),
                        statistics.median(floors), statistics.median(fulls))
