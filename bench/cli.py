"""The command line as a whole process: `python -m kpi status --db FILE --format json` from start to exit, against
a bare process that imports DuckDB, opens the same store read-only and counts its observations."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE = ("import duckdb, sys; "
        "duckdb.connect(sys.argv[1], read_only=True).execute('SELECT count(*) FROM observations').fetchall()")


@dataclass
class CliRow:
    observations: int
    runs: int
    status_s: float
    bare_s: float
    python_s: float  # `python -c pass`: the interpreter alone

    @property
    def ratio(self) -> float:
        return self.status_s / self.bare_s


@dataclass
class CliReport:
    rows: list[CliRow] = field(default_factory=list)
    measured: str = ""


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[:4]} failed: {done.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def measure_cli(db: Path, observations: int, runs: int = 7) -> CliRow:
    """The medians of ``runs`` alternating runs of each (one of each first, not counted: the disk cache)."""
    status = [sys.executable, "-m", "kpi", "status", "--db", str(db), "--format", "json"]
    bare = [sys.executable, "-c", BARE, str(db)]
    python = [sys.executable, "-c", "pass"]
    for cmd in (status, bare, python):
        _timed(cmd)
    times: dict[int, list[float]] = {0: [], 1: [], 2: []}
    for _ in range(runs):
        for i, cmd in enumerate((status, bare, python)):
            times[i].append(_timed(cmd))
    return CliRow(observations, runs, statistics.median(times[0]), statistics.median(times[1]),
                  statistics.median(times[2]))


def stamp() -> str:
    return f"{dt.datetime.now():%Y-%m-%d %H:%M}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
