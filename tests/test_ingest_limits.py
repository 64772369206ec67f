"""Files made to hurt: limits of rows, columns and cells, sheets read from their cells, and the budget of memory
and time that reading and checking one upload may take (a child process; the server's memory does not move)."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook

from kpi import ingest
from kpi.ingest import sandbox
from kpi.plan.edit import apply_targets_file
from kpi.settings import get_settings
from tests.conftest import ROOT

BAD = ROOT / "tests" / "data" / "bad"
EN = "indicator,period,value\n"


@pytest.fixture
def settings(monkeypatch):
    """Set KPI_ settings for one test: settings(UPLOAD_MAX_ROWS=5)."""
    def set_(**values):
        for name, value in values.items():
            monkeypatch.setenv(f"KPI_{name}", str(value))
        get_settings.cache_clear()
    return set_


def _keys(prepared) -> list[str]:
    return [p.key for p in prepared.problems]


def _xlsx(rows: list[list], far: dict | None = None, formatted: str | None = None) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    for coordinate, value in (far or {}).items():
        wb.active[coordinate] = value
    if formatted:
        wb.active[formatted].number_format = "0.00"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ROWS = EN + "".join(f"INV-VISITS,2023-{m:02d},{m}\n" for m in range(7, 13))


# --- limits of rows, columns and cells ------------------------------------------------------------------
def test_the_limit_of_rows(store, settings):
    settings(UPLOAD_MAX_ROWS=7)
    assert ingest.prepare(store, ROWS.encode(), "ok.csv").ok  # the header and six rows
    settings(UPLOAD_MAX_ROWS=6)
    prepared = ingest.prepare(store, ROWS.encode(), "rows.csv")
    assert [p.message("en") for p in prepared.problems] == [
        "file: the file has more than 6 rows: split it and upload the parts"]
    sheet = ingest.prepare(store, _xlsx([row.split(",") for row in ROWS.splitlines()]), "rows.xlsx")
    assert [p.message("en") for p in sheet.problems] == [
        "file: cell A7 has content, beyond the 6 rows and 1,000 columns a sheet may use: delete it (and anything "
        "else outside the data) and upload again"]


def test_the_limit_of_cells_counts_rows_times_the_widest_record(store, settings):
    settings(UPLOAD_MAX_CELLS=21)  # 7 records × 3 columns
    assert ingest.prepare(store, ROWS.encode(), "ok.csv").ok
    settings(UPLOAD_MAX_CELLS=20)
    assert _keys(ingest.prepare(store, ROWS.encode(), "cells.csv")) == ["ingest.too_many_cells"]
    ragged = ROWS.replace("2023-08,8", "2023-08,8,,,,,,")  # one record of 9 cells: the grid is 7 × 9
    settings(UPLOAD_MAX_CELLS=62)
    assert _keys(ingest.prepare(store, ragged.encode(), "ragged.csv")) == ["ingest.too_many_cells"]
    settings(UPLOAD_MAX_CELLS=63)
    assert ingest.prepare(store, ragged.encode(), "ragged.csv").ok  # trailing empty cells are fine


def test_the_limit_of_columns_names_the_widest_row(store, settings):
    settings(UPLOAD_MAX_COLUMNS=5)
    wide = ROWS.replace("2023-09,9", "2023-09,9" + ",x" * 5)
    prepared = ingest.prepare(store, wide.encode(), "wide.csv")
    assert [p.message("zh") for p in prepared.problems] == [
        "文件：第4行有 8 列，超过上限 5 列：请删除多余的列，或拆分后分批上传"]


def test_a_sheet_is_read_from_its_cells_not_its_declared_size(store):
    """A formatted but empty cell at the far corner makes openpyxl's reader pad to it; here it counts for nothing."""
    data = _xlsx([["indicator", "period", "value"], ["INV-EVENTS", "2023-Q3", 2]], formatted="XFD1048576")
    start = time.perf_counter()
    prepared = ingest.prepare(store, data, "far.xlsx")
    assert prepared.ok and prepared.count == 1
    assert time.perf_counter() - start < 10  # the old reader built lists to the far corner for minutes


def test_a_far_cell_with_content_is_refused_by_its_name(store):
    data = _xlsx([["indicator", "period", "value"], ["INV-EVENTS", "2023-Q3", 2]], far={"ALM7": "stray"})
    assert [p.params["cell"] for p in ingest.prepare(store, data, "far.xlsx").problems] == ["ALM7"]  # column 1,001


def test_the_header_work_is_linear_in_the_columns(store, settings):
    """10,000 period columns, with the limit lifted: checked (one value outside the plan) in seconds, not 21 s."""
    settings(UPLOAD_MAX_COLUMNS=20_000)
    data = (BAD / "wide_10000_columns.csv").read_bytes()
    ingest.prepare(store, b"indicator,period,value\nINV-EVENTS,2023-Q3,1\n", "warm.csv")  # the worker started
    start = time.perf_counter()
    prepared = ingest.prepare(store, data, "wide.csv")
    elapsed = time.perf_counter() - start
    assert [(p.row, p.column, p.key) for p in prepared.problems] == [(2, "2023-04", "ingest.outside_plan")]
    assert elapsed < 8, elapsed


# --- the budget of memory and time ---------------------------------------------------------------------
def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_work_past_the_memory_budget_is_refused_in_a_child_and_this_process_does_not_grow():
    sandbox.run(int, ("1",), 64, 60)  # the fork server is up
    before = _rss_mb()
    with pytest.raises(sandbox.OverBudget) as caught:
        sandbox.run(np.ones, (512 * 1024 * 1024, "int8"), 64, 60)
    assert caught.value.problem.message("en") == (
        "file: reading this file needs more than 64 MB of memory, the most one upload may use: split it into "
        "smaller files, or save it as CSV and try again")
    assert _rss_mb() - before < 20
    assert sandbox.run(int, ("7",), 64, 60) == 7  # the next job runs


def test_work_past_the_time_budget_is_stopped_and_its_child_killed():
    sandbox.run(int, ("1",), 64, 60)
    start = time.perf_counter()
    with pytest.raises(sandbox.OverBudget) as caught:
        sandbox.run(time.sleep, (60,), 64, 0.5)
    assert time.perf_counter() - start < 5
    assert caught.value.problem.key == "ingest.over_time"
    assert "0.5 秒" in caught.value.problem.message("zh")
    assert sandbox.run(os.getpid, (), 64, 60) != os.getpid()  # jobs run in a child, and still do


def test_a_bug_in_the_child_is_raised_here_not_hidden_as_a_refusal():
    with pytest.raises(RuntimeError, match="invalid literal for int"):
        sandbox.run(int, ("not a number",), 64, 60)


def test_an_upload_past_the_budget_is_refused_in_the_users_language(store, settings):
    data = (EN + "".join(f"INV-VISITS,2023-{m:02d},{m}\n" for m in range(7, 13)) * 20_000).encode()
    settings(UPLOAD_MEMORY_MB=8)
    prepared = ingest.prepare(store, data, "big.csv", fast=False)
    assert _keys(prepared) == ["ingest.over_memory"] and not prepared.ok
    assert prepared.problems[0].message("zh").startswith("文件：读取此文件需要超过 8 MB 内存")
    settings(UPLOAD_MEMORY_MB=1024, UPLOAD_SECONDS=0.01)
    assert _keys(ingest.prepare(store, data, "big.csv", fast=False)) == ["ingest.over_time"]


# --- the targets file: the same limits as a data upload -------------------------------------------------
def test_the_targets_file_checks_the_upload_size_and_the_limits(plan, settings):
    data = b"indicator,period,target\nINV-EVENTS,2023-H2,8\n"
    assert apply_targets_file(plan, data, "t.csv")[0] is not None
    settings(UPLOAD_MAX_BYTES=10)
    _, problems = apply_targets_file(plan, data, "t.csv")
    assert [p.key for p in problems] == ["ingest.too_big"]
    settings(UPLOAD_MAX_BYTES=20 * 1024 * 1024)
    _, problems = apply_targets_file(plan, (BAD / "far_corner.xlsx").read_bytes(), "far.xlsx")
    assert [p.key for p in problems] == ["ingest.cell_too_far"]
