"""bench/RESULTS.md: the machine, the versions, the sizes, the medians and the ratios against their floors."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

from bench import viewers
from bench.hostile import section

IMPORT_GOAL = 3.0  # import ≤ 3× DuckDB's read_csv of the same file
FILE_GOAL, FILE_FULL_GOAL = 1.5, 5.0  # import ≤ 1.5× (fast path), ≤ 5× (full pipeline) DuckDB writing it to a file
CLI_GOAL = 2.0  # `kpi status` as a whole process ≤ 2× a bare Python process that opens the store with DuckDB
WARM_GOAL, COLD_GOAL = 2.0, 5.0  # pages against a bare page with one chart, at 400 thousand observations
MEMORY_GOAL_MB = 500  # the server's peak with 1 million observations
GOAL_SIZE = 400_000


def _versions() -> str:
    import duckdb
    import pandas
    import plotly
    import pydantic
    import streamlit

    return (f"Python {platform.python_version()}, streamlit {streamlit.__version__}, duckdb {duckdb.__version__}, "
            f"pandas {pandas.__version__}, plotly {plotly.__version__}, pydantic {pydantic.__version__}")


def _mark(ok: bool) -> str:
    return "yes" if ok else "**no**"


def write_results(imports: list, pages: list, engines: list, servers: list, out: Path, hostile=None, cli=None,
                  many=None) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Measured {dt.datetime.now():%Y-%m-%d %H:%M} on {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}; {_versions()}.",
        "Every figure is the median of several runs; every ratio compares with its floor measured in the same run. "
        "Re-run with `make bench`.",
        "",
        "The data: synthetic district plans (ten areas of ten items, a full year each) over ten years, with monthly "
        "values; the same district keeps its codes from year to year, so the history grows while each plan stays "
        "the size of one plan. `python -m bench generate --observations N --out DIR` writes one.",
    ]
    lines += ["", *import_section(imports)]
    lines += [
        "",
        "## Pages rendered on the server (AppTest): cold and warm caches, against a bare page with one chart",
        "",
        f"Goals at {GOAL_SIZE:,} observations: warm at most {WARM_GOAL:g}×, cold at most {COLD_GOAL:g}×. Cold means "
        "every Streamlit cache cleared (the store reopened, every query and figure computed); warm is the next run.",
        "",
        "| observations | page | cold | ratio | warm | ratio | bare cold / warm | goals met |",
        "|---:|---|---:|---:|---:|---:|---:|:--:|",
    ]
    for p in pages:
        goal = "" if p.observations != GOAL_SIZE else _mark(p.cold_ratio <= COLD_GOAL and p.warm_ratio <= WARM_GOAL)
        lines.append(f"| {p.observations:,} | {p.page} | {p.cold_s:.2f} s | {p.cold_ratio:.1f}× | "
                     f"{p.warm_s:.3f} s | {p.warm_ratio:.1f}× | "
                     f"{p.floor_cold_s:.2f} s / {p.floor_warm_s:.3f} s | {goal} |")
    lines += [
        "",
        "## The status engine for one plan and period, as the history grows",
        "",
        "It should grow with the plan, not with the whole history: the reads are bounded by the plan's codes "
        "and span.",
        "",
        "| observations | plans in the store | read the plan's values | evaluate 100 indicators |",
        "|---:|---:|---:|---:|",
    ]
    for e in engines:
        lines.append(f"| {e.observations:,} | {e.plans} | {e.current_s * 1000:.0f} ms | {e.status_s * 1000:.0f} ms |")
    lines += [
        "",
        "## A real server: peak memory, and the time to the first rendered chart in Chromium",
        "",
        f"Goal: peak memory at most {MEMORY_GOAL_MB} MB with 1,000,000 observations (the server's VmHWM after the "
        "overview, an area page and an indicator page were opened). The browser figure is the time from opening the "
        "overview link in a fresh browser context to its first rendered chart, against the same for the bare page.",
        "",
        "| observations | peak memory | goal met | first chart | bare page | ratio |",
        "|---:|---:|:--:|---:|---:|---:|",
    ]
    for s in servers:
        goal = _mark(s.peak_mb <= MEMORY_GOAL_MB) if s.observations == 1_000_000 else ""
        lines.append(f"| {s.observations:,} | {s.peak_mb:.0f} MB | {goal} | {s.first_chart_s:.2f} s | "
                     f"{s.floor_first_chart_s:.2f} s | {s.ratio:.1f}× |")
    if not servers:
        lines.append("| — | no Chromium found: not measured | | | | |")
    lines += ["", *cli_section(cli), "", *viewers.section(many), "", *section(hostile)]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def import_section(imports: list, measured: str = "") -> list[str]:
    """The import against its two floors: DuckDB's read_csv into memory, and into a table of a DuckDB file."""
    lines = [
        "## Import: read, check, write one batch — against DuckDB reading the same file",
        "",
        "The files are long, UTF-8, with codes and canonical periods, so they take the fast path; the full pipeline "
        "figures force the same file through the path of hand-edited files, GBK, XLSX, wide layouts, and of every "
        "file with a problem (`prepare(..., fast=False)`), then the same write. Below 256 KB (about 10,000 rows) "
        "both take the full pipeline: it is as quick there (`FAST_PATH_MIN_BYTES`).",
        "",
        *([f"Measured {measured}.", ""] if measured else []),
        f"Against DuckDB's own `read_csv` into an in-memory table. Goal: at most {IMPORT_GOAL:g}×.",
        "",
        "| observations | file | read + check | write | total | DuckDB read_csv | ratio | goal met | full pipeline |",
        "|---:|---:|---:|---:|---:|---:|---:|:--:|---:|",
    ]
    for r in imports:
        lines.append(f"| {r.observations:,} | {r.file_mb:.1f} MB | {r.prepare_s:.2f} s | {r.commit_s:.2f} s | "
                     f"{r.total_s:.2f} s | {r.floor_s:.3f} s | {r.ratio:.1f}× | {_mark(r.ratio <= IMPORT_GOAL)} | "
                     f"{r.full_ratio:.1f}× |")
    lines += [
        "",
        "Against the floor that writes: DuckDB, in-process, reading the file into a table of a new DuckDB *file* in "
        "one transaction (`BEGIN; CREATE TABLE t AS SELECT * FROM read_csv(...); COMMIT`), timed from BEGIN to "
        "COMMIT, as the import's write is timed to its commit. Closing that file (its checkpoint) is shown apart and "
        "counted on neither side: the store stays open after an import.",
        f"Goals: the fast path at most {FILE_GOAL:g}×, the full pipeline at most {FILE_FULL_GOAL:g}×.",
        "",
        "| observations | our import | DuckDB into a file | (then close) | ratio | goal met | full pipeline | ratio "
        "| goal met |",
        "|---:|---:|---:|---:|---:|:--:|---:|---:|:--:|",
    ]
    for r in imports:
        full = r.full_prepare_s + r.commit_s
        lines.append(f"| {r.observations:,} | {r.total_s:.2f} s | {r.file_floor_s:.3f} s | {r.file_close_s:.3f} s | "
                     f"{r.file_ratio:.1f}× | {_mark(r.file_ratio <= FILE_GOAL)} | {full:.2f} s | "
                     f"{r.file_full_ratio:.1f}× | {_mark(r.file_full_ratio <= FILE_FULL_GOAL)} |")
    return lines


def cli_section(result) -> list[str]:
    """`python -m kpi status` as a whole process against a bare process opening the store."""
    lines = [
        "## The command line as a whole process: `kpi status` against a bare DuckDB process",
        "",
        "`python -m kpi status --db FILE --format json` from the start of the process to its exit, against "
        "`python -c \"import duckdb; duckdb.connect(FILE, read_only=True).execute('SELECT count(*) FROM "
        "observations').fetchall()\"` on the same store (the median of the runs; Python alone is `python -c pass`).",
        f"Goal: at most {CLI_GOAL:g}×.",
        "",
        *([f"Measured {result.measured}.", ""] if result is not None and result.measured else []),
        "| observations | runs | kpi status | bare process | ratio | goal met | Python alone |",
        "|---:|---:|---:|---:|---:|:--:|---:|",
    ]
    if result is None:
        return lines + ["| — | not measured | | | | | |"]
    for r in result.rows:
        lines.append(f"| {r.observations:,} | {r.runs} | {r.status_s:.2f} s | {r.bare_s:.2f} s | {r.ratio:.1f}× | "
                     f"{_mark(r.ratio <= CLI_GOAL)} | {r.python_s:.2f} s |")
    return lines


def replace_section(lines: list[str], out: Path) -> None:
    """Replace (or add) one section (its lines start with its ``## `` heading) in an existing RESULTS.md."""
    text = out.read_text(encoding="utf-8") if out.exists() else "# Benchmark results\n"
    head = lines[0]
    if head in text:
        before, rest = text.split(head, 1)
        after = rest.split("\n## ", 1)
        text = before + "\n".join(lines) + ("\n\n## " + after[1] if len(after) > 1 else "\n")
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    out.write_text(text, encoding="utf-8")
