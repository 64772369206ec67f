"""Files made to hurt, against the real ingest: each refused in under a second, the process preparing it (the
server, on the upload page) growing by under 50 MB. And what reading in a child process costs a small upload.

The measurements run in a fresh process (``probe``), so its peak memory (VmHWM, reset through
/proc/self/clear_refs before each file) is the upload's alone.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECONDS_GOAL, MEMORY_GOAL_MB = 1.0, 50.0
SMALL = ("indicator,period,value,note\nINV-EVENTS,2023-Q3,2,Beijing and Hong Kong\nINV-VISITS,2023-07,3,\n"
         "INV-FIRMS,2023-Q3,1000,\nHK-BASES,2023-Q3,3,\nENT-APPEALS-RATE,2023-Q3,87.5,\nSCI-DAY,2023-09,2023-09-22,\n")


@dataclass
class Hostile:
    name: str
    kb: float
    seconds: float  # median of the runs: bytes in, problems out
    growth_mb: float  # the largest growth of the preparing process: VmHWM after - VmRSS before
    message: str

    @property
    def met(self) -> bool:
        return self.seconds < SECONDS_GOAL and self.growth_mb < MEMORY_GOAL_MB


@dataclass
class HostileReport:
    files: list[Hostile]
    small_worker_ms: float  # a small upload prepared through the worker (a child process)
    small_local_ms: float  # the same reading and checking in the process itself
    start_s: float  # the first upload of a process: the worker's start
    measured: str = ""  # when, and the machine's load average then (other work skews the times, not the memory)


def far_corner() -> bytes:
    """A workbook of two rows and one cell at XFD1048576: about 5 KB, its sheet declaring a billion cells."""
    from openpyxl import Workbook

    wb = Workbook()
    for row in (["指标编码", "期间", "实际值"], ["INV-EVENTS", "2023-Q3", 2]):
        wb.active.append(row)
    wb.active["XFD1048576"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def many_columns(count: int = 10_000) -> bytes:
    """The wide layout with ``count`` month columns and one value."""
    months = [f"{(1190 * 12 + i) // 12}-{(1190 * 12 + i) % 12 + 1:02d}" for i in range(count)]
    return ("指标编码," + ",".join(months) + "\nINV-EVENTS" + "," * count + "1\n").encode()


def _status() -> dict[str, float]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def _limit_columns(value: str | None) -> None:
    from kpi.settings import get_settings

    if value is None:
        os.environ.pop("KPI_UPLOAD_MAX_COLUMNS", None)
    else:
        os.environ["KPI_UPLOAD_MAX_COLUMNS"] = value
    get_settings.cache_clear()


def probe(repeat: int) -> None:
    """In a fresh process: a store with the 2023-H2 plan, then each file ``repeat`` times; prints JSON."""
    from kpi import ingest
    from kpi.ingest import bounds, pipeline
    from kpi.ingest.limits import Limits
    from kpi.setup import load_plans
    from kpi.store import Editor, Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "hostile.duckdb")
        load_plans(store, Editor("bench", via="bench"), [ROOT / "data" / "plans" / "2023-H2.yaml"])
        start = time.perf_counter()
        assert ingest.prepare(store, SMALL.encode(), "small.csv").ok
        start_s = time.perf_counter() - start
        files = []
        for name, data, columns in (("far-corner XLSX (one cell at XFD1048576)", far_corner(), None),
                                    ("CSV with 10,000 period columns", many_columns(), None),
                                    ("the same CSV with the column limit lifted to 20,000: every header read and "
                                     "checked", many_columns(), "20000")):
            _limit_columns(columns)
            times, growths, message = [], [], ""
            for _ in range(repeat):
                Path("/proc/self/clear_refs").write_text("5")  # VmHWM from here
                before = _status()["VmRSS"]
                start = time.perf_counter()
                prepared = ingest.prepare(store, data, name)
                times.append(time.perf_counter() - start)
                growths.append(_status()["VmHWM"] - before)
                assert not prepared.ok
                message = prepared.problems[0].message("en")
            files.append({"name": name, "kb": len(data) / 1024, "seconds": statistics.median(times),
                          "growth_mb": max(growths), "message": message})
        _limit_columns(None)
        worker, local = [], []
        for _ in range(max(repeat, 10)):
            start = time.perf_counter()
            ingest.prepare(store, SMALL.encode(), "small.csv")
            worker.append(time.perf_counter() - start)
            start = time.perf_counter()
            known = bounds.with_declared(store.known_indicators(), bounds.declared(store))  # as prepare asks
            pipeline.prepare_bytes(known, SMALL.encode(), "small.csv", Limits.current())
            local.append(time.perf_counter() - start)
        store.close()
    print(json.dumps({"files": files, "small_worker_ms": statistics.median(worker) * 1000,
                      "small_local_ms": statistics.median(local) * 1000, "start_s": start_s}))


def measure_hostile(repeat: int) -> HostileReport:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_UPLOAD")}  # the settings a server has
    out = subprocess.run([sys.executable, "-c", f"from bench.hostile import probe; probe({int(repeat)})"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=True)
    raw = json.loads(out.stdout.strip().splitlines()[-1])
    load = os.getloadavg()[0]
    return HostileReport([Hostile(**f) for f in raw["files"]], raw["small_worker_ms"], raw["small_local_ms"],
                         raw["start_s"], f"{dt.datetime.now():%Y-%m-%d %H:%M}, load average {load:.1f} on "
                                         f"{os.cpu_count()} cores")


def section(report: HostileReport | None) -> list[str]:
    """The section of bench/RESULTS.md."""
    lines = [
        "## Files made to hurt: refused at once, the server's memory unmoved",
        "",
        f"Goal: each refused in under {SECONDS_GOAL:g} s, the process that prepares it (the server, on the upload "
        f"page) growing by under {MEMORY_GOAL_MB:g} MB — its peak resident memory after the prepare against its "
        "memory before. Reading and checking run in a child process (KPI_UPLOAD_MEMORY_MB, KPI_UPLOAD_SECONDS); "
        "the limits of rows, columns and cells stop the first two before anything large is built; the third lifts the "
        "limit of columns, to show that every header is read and checked in linear time.",
        "",
        *([f"Measured {report.measured}.", ""] if report and report.measured else []),
        "| file | size | refused in | memory growth | goal met | refused with |",
        "|---|---:|---:|---:|:--:|---|",
    ]
    if report is None:
        return lines + ["| — | not measured | | | | |"]
    for f in report.files:
        lines.append(f"| {f.name} | {f.kb:.1f} KB | {f.seconds:.2f} s | {f.growth_mb:.1f} MB | "
                     f"{'yes' if f.met else '**no**'} | {f.message} |")
    added = report.small_worker_ms - report.small_local_ms
    lines += ["", f"What the child process costs: a six-row upload takes {report.small_worker_ms:.0f} ms through the "
              f"worker against {report.small_local_ms:.0f} ms read and checked in the process itself "
              f"(+{added:.0f} ms: a fork of the worker, the plans' indicators and the file sent over, the result "
              f"sent back). The worker starts once per process: the first upload took {report.start_s:.1f} s."]
    return lines
