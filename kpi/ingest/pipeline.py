"""One ingest pipeline for the upload page and ``python -m kpi import``.

read (CSV in UTF-8/GBK, XLSX) -> find the layout (long or wide) -> validate
the whole file at once (pandas, column by column, no loop per row) -> a
prepared batch with every problem found -> commit in one transaction.
Any problem rejects the whole file; nothing is written.

The reading and checking (``prepare_bytes``) run in a child process within a
memory and a time budget (``sandbox``); this process only asks the store what
the plans hold and receives the result.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa

from kpi.ingest import bounds, sandbox, scope
from kpi.ingest.cells import is_cumulative, strip_marks
from kpi.ingest.checks import check_long, empty_rows
from kpi.ingest.fast import try_prepare
from kpi.ingest.layout import ALIASES, norm_header
from kpi.ingest.limits import Limits
from kpi.ingest.read import read_table, too_big
from kpi.periods import PeriodError, parse_period
from kpi.problems import Problem
from kpi.settings import get_settings
from kpi.store import Editor, Store

FAST_PATH_MIN_BYTES = 256 * 1024  # below this (about 10,000 rows) the full pipeline is as quick (make bench)


@dataclass
class Prepared:
    """A file read and checked, not yet written."""

    filename: str
    sha256: str
    values: pd.DataFrame | pa.Table  # OBS_COLUMNS, one row per value to write (Arrow from the fast path)
    problems: list[Problem]
    blanks: int = 0
    layout: str = ""
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def count(self) -> int:
        """How many values the file would write."""
        return len(self.values) if isinstance(self.values, pd.DataFrame) else self.values.num_rows

    @cached_property
    def rows(self) -> pd.DataFrame:
        """The values to write as a frame, for the preview (made once from Arrow when the fast path gave it)."""
        return self.values if isinstance(self.values, pd.DataFrame) else self.values.to_pandas()


def _find(headers: list[str], role: str, normed: list[str] | None = None) -> str | None:
    """The first header that is an alias of ``role`` (``normed``: the headers through norm_header, if at hand)."""
    wanted = {norm_header(a) for a in ALIASES[role]}
    normed = normed if normed is not None else [norm_header(h) for h in headers]
    return next((h for h, n in zip(headers, normed, strict=True) if n in wanted), None)


def prepare(store: Store, data: bytes, filename: str, fast: bool = True, editor: Editor | None = None,
            correction: str | None = None) -> Prepared:
    """Read and validate a file against the plans in the store. Writes nothing.

    A clean canonical long CSV takes the fast path (DuckDB reads and checks it); every other file, and any
    file with a problem, the full pipeline, which lists every problem. Each runs in a child process within
    KPI_UPLOAD_MEMORY_MB and, together, KPI_UPLOAD_SECONDS; past them the file is refused. Then the rows are
    checked against the editor's work areas and the closed periods (``scope``; an admin's ``correction`` reason
    lets closed periods be changed): every refused row is a problem.
    """
    prepared = _read_and_check(store, data, filename, fast)
    problems = scope.check(store, prepared.values, editor, correction) if prepared.ok else []
    return replace(prepared, values=empty_rows(), problems=problems) if problems else prepared


def _read_and_check(store: Store, data: bytes, filename: str, fast: bool) -> Prepared:
    sha = hashlib.sha256(data).hexdigest()
    big = too_big(data)
    if big:
        return Prepared(filename, sha, empty_rows(), [big])
    s, limits = get_settings(), Limits.current()
    deadline = time.monotonic() + s.upload_seconds
    given = bounds.declared(store)
    try:
        if fast and len(data) >= FAST_PATH_MIN_BYTES:
            quick = sandbox.run(try_prepare, (store.indicator_spans(), data, filename, limits, given),
                                s.upload_memory_mb, s.upload_seconds)
            if quick is not None:
                rows, blanks, ignored = quick
                return Prepared(filename, sha, rows, [], blanks, "long", ignored)
        known = bounds.with_declared(store.known_indicators(), given)
        left = deadline - time.monotonic()
        if left <= 0:
            raise sandbox.OverBudget("ingest.over_time", s.upload_seconds)
        rows, problems, blanks, layout, ignored = sandbox.run(prepare_bytes, (known, data, filename, limits),
                                                              s.upload_memory_mb, left, shown=s.upload_seconds)
    except sandbox.OverBudget as over:
        return Prepared(filename, sha, empty_rows(), [over.problem])
    return Prepared(filename, sha, rows, problems, blanks, layout, ignored)


def prepare_bytes(known: pd.DataFrame, data: bytes, filename: str,
                  limits: Limits) -> tuple[pd.DataFrame, list[Problem], int, str, list[str]]:
    """The full pipeline: (rows, problems, blanks, layout, ignored columns) of a file, against ``known`` (the plans'
    indicators with their declared bounds). Pure: no store, no settings; ``prepare`` runs it in a child process."""
    table, first_row, problems = read_table(data, filename, limits)
    if problems:
        return empty_rows(), problems, 0, "", []
    if table is None or table.empty:
        return empty_rows(), [Problem(None, None, None, "ingest.empty")], 0, "", []
    long, layout, ignored, problems = _to_long(table, first_row)
    if problems:
        return empty_rows(), problems, 0, layout, ignored
    rows, problems, blanks = check_long(known, long, limits)
    return rows, problems, blanks, layout, ignored


def _to_long(table: pd.DataFrame, first_row: int) -> tuple[pd.DataFrame, str, list[str], list[Problem]]:
    """Columns: row, ind_col, per_col, ind_raw, per_raw, val_raw, val_col, note, note_col, cumulative.

    The *_col columns hold the header the value came from, to name it in problems. Linear in the columns:
    each header is looked at once (a wide file may have thousands).
    """
    headers = list(table.columns)
    normed = [norm_header(h) for h in headers]
    name_col = _find(headers, "indicator_name", normed)
    ind_col = _find(headers, "indicator", normed) or name_col
    per_col, val_col, note_col = (_find(headers, role, normed) for role in ("period", "value", "note"))
    cumulative = dict(zip(headers, is_cumulative(pd.Series(headers, dtype=object)).tolist(), strict=True))
    if val_col is None and per_col is not None:
        val_col = next((h for h in headers if h not in (ind_col, per_col, note_col) and cumulative[h]), None)
    rows = pd.Series(table.index, index=table.index) + first_row + 1  # spreadsheet numbering
    problems = []
    period_cols = [] if per_col else [h for h in headers if h not in (ind_col, note_col) and _parses(h)]
    if ind_col is None:
        problems.append(Problem(None, None, None, "ingest.missing_column",
                                {"column": "indicator / 指标编码", "aliases": ", ".join(ALIASES["indicator"])}))
    if per_col is None and not period_cols:
        problems.append(Problem(None, None, None, "ingest.no_periods"))
    elif per_col is not None and val_col is None:
        problems.append(Problem(None, None, None, "ingest.missing_column",
                                {"column": "value / 实际值", "aliases": ", ".join(ALIASES["value"])}))
    if problems:
        return pd.DataFrame(), "", [], problems
    note = table[note_col] if note_col else pd.Series("", index=table.index)
    if per_col:
        used = {ind_col, per_col, val_col, note_col}
        long = pd.DataFrame({"row": rows, "ind_col": ind_col, "per_col": per_col,
                             "ind_raw": table[ind_col], "per_raw": table[per_col],
                             "val_raw": table[val_col], "val_col": val_col, "note": note, "note_col": note_col or "",
                             "cumulative": cumulative[val_col]})
        layout = "long"
    else:  # one block of rows per period column, in column order: values column by column (Fortran order)
        used = {ind_col, note_col, *period_cols}
        n, k = len(table), len(period_cols)
        long = pd.DataFrame({"row": np.tile(rows.to_numpy(), k), "ind_col": ind_col,
                             "per_col": np.repeat(np.array(period_cols, dtype=object), n),
                             "ind_raw": np.tile(table[ind_col].to_numpy(dtype=object), k),
                             "per_raw": np.repeat(np.array(period_cols, dtype=object), n),
                             "val_raw": table[period_cols].to_numpy(dtype=object).ravel(order="F"),
                             "val_col": np.repeat(np.array(period_cols, dtype=object), n),
                             "note": np.tile(note.to_numpy(dtype=object), k), "note_col": note_col or "",
                             "cumulative": np.repeat(np.array([cumulative[h] for h in period_cols], dtype=bool), n)})
        layout = "wide"
    long["cumulative"] = long["cumulative"] | is_cumulative(long["note"])
    ignored = [h for h in headers if h not in used and h != name_col]
    return long, layout, ignored, []


def _parses(header: str) -> bool:
    try:
        parse_period(strip_marks(header))
        return True
    except PeriodError:
        return False


def commit(store: Store, prepared: Prepared, editor: Editor, kind: str = "import",
           expected_version: int | None = None, correction: str | None = None) -> int:
    """Write a prepared file as one batch. Refuses a file with problems.

    ``expected_version``: the data version the editor previewed against; a later batch makes the preview stale and
    the commit is refused (``StoreConflict``), so Confirm writes only what the editor saw. The editor's areas and
    the closed periods are checked again now (``scope.require``: ``Refused`` names every row, nothing written);
    with an admin's ``correction`` reason the rows of closed periods are written as a correction (更正).
    """
    if not prepared.ok:
        raise ValueError("a file with problems cannot be committed")
    seen = store.data_version()
    scope.require(store, prepared.values, editor, correction)
    cells = scope.corrections(store, prepared.values, correction)
    if expected_version is None and not store.closed_periods().empty:
        expected_version = seen  # a period closed between the check and the write refuses the write
    return store.write_batch(prepared.values, editor, prepared.filename, prepared.sha256, kind=kind,
                             expected_version=expected_version,
                             correction=(cells, correction) if cells else None)


def warm_up() -> None:
    """Read and check a two-row CSV once, so each child of the upload sandbox finds pandas' lazy parts loaded."""
    known = pd.DataFrame({"plan_id": ["P"], "code": ["A-B"], "kind": ["count"], "name_zh": ["甲"], "name_en": ["a"],
                          "span_start": [pd.Timestamp("2023-01-01")], "span_end": [pd.Timestamp("2023-12-31")]})
    prepare_bytes(known, "指标编码,期间,实际值,备注\nA-B,2023-Q1,1,说明\nA-B,2023-07,-1,\n".encode(), "warm.csv",
                  Limits(10, 10, 100, 10))
