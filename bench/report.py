"""bench/RESULTS.md: the machine, the versions, the sizes, the medians and the ratios."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

IMPORT_GOAL = 3.0  # import ≤ 3× DuckDB's read_csv of the same file


def _versions() -> str:
    import duckdb
    import pandas
    import plotly
    import pydantic
    import streamlit

    return (f"Python {platform.python_version()}, streamlit {streamlit.__version__}, duckdb {duckdb.__version__}, "
            f"pandas {pandas.__version__}, plotly {plotly.__version__}, pydantic {pydantic.__version__}")


def write_results(imports: list, out: Path) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Measured {dt.datetime.now():%Y-%m-%d %H:%M} on {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}; {_versions()}.",
        "Each figure is the median of several runs in the same process; each ratio compares with its floor "
        "measured in the same run. Re-run with `make bench`.",
        "",
        "## Import of a valid CSV (read, check, write one batch) against DuckDB's own `read_csv` of the same file",
        "",
        f"Goal: at most {IMPORT_GOAL:g}×. The file is long, UTF-8, with codes and canonical periods, so it takes the "
        "fast path (DuckDB reads and checks it); the last column is the same file forced through the full pipeline "
        "(the path of hand-edited files, GBK, XLSX, wide layouts, and of every file with a problem).",
        "",
        "| observations | file | read + check | write | total | DuckDB read_csv | ratio | goal met | full pipeline |",
        "|---:|---:|---:|---:|---:|---:|---:|:--:|---:|",
    ]
    for r in imports:
        met = "yes" if r.ratio <= IMPORT_GOAL else "no"
        lines.append(f"| {r.observations:,} | {r.file_mb:.1f} MB | {r.prepare_s:.2f} s | {r.commit_s:.2f} s | "
                     f"{r.total_s:.2f} s | {r.floor_s:.3f} s | {r.ratio:.1f}× | {met} | {r.full_ratio:.1f}× |")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
