"""Import of a valid CSV through the real pipeline, against DuckDB's own read_csv of the same file."""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.generate import generate
from kpi import ingest
from kpi.plan import load_plan
from kpi.store import Editor, Store

EDITOR = Editor("bench", via="bench")


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


def measure_import(observations: int, repeat: int) -> ImportResult:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        plan_path, csv_path = generate(observations, tmp_path)
        plan = load_plan(plan_path)
        data = csv_path.read_bytes()
        prepares, commits, floors, fulls = [], [], [], []
        for run in range(repeat):
            store = Store.open(tmp_path / f"run{run}.duckdb")
            store.save_plan(plan, EDITOR)
            start = time.perf_counter()
            prepared = ingest.prepare(store, data, csv_path.name)
            middle = time.perf_counter()
            assert prepared.ok, prepared.problems[:3]
            ingest.commit(store, prepared, EDITOR)
            end = time.perf_counter()
            store.close()
            prepares.append(middle - start)
            commits.append(end - middle)
            floors.append(_floor(csv_path))
            store = Store.open(tmp_path / f"run{run}.duckdb")
            start = time.perf_counter()
            assert ingest.prepare(store, data, csv_path.name, fast=False).ok
            fulls.append(time.perf_counter() - start)
            store.close()
        return ImportResult(observations, len(data) / 1e6, statistics.median(prepares), statistics.median(commits),
                            statistics.median(floors), statistics.median(fulls))


def run_imports(sizes: list[int], repeat: int) -> list[ImportResult]:
    results = []
    for n in sizes:
        r = measure_import(n, repeat)
        print(f"import {n:>9,} rows ({r.file_mb:.1f} MB): read+check {r.prepare_s:.2f} s, write {r.commit_s:.2f} s, "
              f"total {r.total_s:.2f} s; DuckDB read_csv {r.floor_s:.3f} s; ratio {r.ratio:.1f}x "
              f"(full pipeline {r.full_ratio:.1f}x)", flush=True)
        results.append(r)
    return results
