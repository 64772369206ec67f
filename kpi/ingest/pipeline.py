"""One ingest pipeline for the upload page and ``python -m kpi import``.

read (CSV in UTF-8/GBK, XLSX) -> find the layout (long or wide) -> validate
the whole file at once (pandas, column by column, no loop per row) -> a
prepared batch with every problem found -> commit in one transaction.
Any problem rejects the whole file; nothing is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

import pandas as pd
import pyarrow as pa

from kpi.ingest import scope
from kpi.ingest.checks import check_long, empty_rows, is_cumulative, strip_marks
from kpi.ingest.fast import try_prepare
from kpi.ingest.layout import ALIASES, norm_header
from kpi.ingest.read import read_table
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
    batch: pd.DataFrame | pa.Table  # OBS_COLUMNS, one row per value to write (Arrow from the fast path)
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
        return len(self.batch) if isinstance(self.batch, pd.DataFrame) else self.batch.num_rows

    @property
    def rows(self) -> pd.DataFrame:
        """The values to write as a frame (converted once when the fast path gave Arrow)."""
        if not isinstance(self.batch, pd.DataFrame):
            self.batch = self.batch.to_pandas()
        return self.batch


def _find(headers: list[str], role: str) -> str | None:
    wanted = {norm_header(a) for a in ALIASES[role]}
    for h in headers:
        if norm_header(h) in wanted:
            return h
    return None


def prepare(store: Store, data: bytes, filename: str, fast: bool = True, editor: Editor | None = None,
            correction: str | None = None) -> Prepared:
    """Read and validate a file against the plans in the store. Writes nothing.

    A clean canonical long CSV takes the fast path (DuckDB reads and checks it); every other file, and any
    file with a problem, the full pipeline, which lists every problem. Then the rows are checked against the
    editor's work areas and the closed periods (``scope``; an admin's ``correction`` reason lets closed periods
    be changed): every refused row is a problem.
    """
    prepared = _read_and_check(store, data, filename, fast)
    problems = scope.check(store, prepared.batch, editor, correction) if prepared.ok else []
    return replace(prepared, batch=empty_rows(), problems=problems) if problems else prepared


def _read_and_check(store: Store, data: bytes, filename: str, fast: bool) -> Prepared:
    sha = hashlib.sha256(data).hexdigest()
    limit = get_settings().upload_max_bytes
    if len(data) > limit:
        return Prepared(filename, sha, empty_rows(), [Problem(None, None, None, "ingest.too_big",
                                                           {"size": len(data), "limit": limit})])
    if fast and len(data) >= FAST_PATH_MIN_BYTES:
        quick = try_prepare(store.indicator_spans(), data, filename)
        if quick is not None:
            rows, blanks, ignored = quick
            return Prepared(filename, sha, rows, [], blanks, "long", ignored)
    table, first_row, problem = read_table(data, filename)
    if problem:
        return Prepared(filename, sha, empty_rows(), [problem])
    if table is None or table.empty:
        return Prepared(filename, sha, empty_rows(), [Problem(None, None, None, "ingest.empty")])
    long, layout, ignored, problems = _to_long(table, first_row)
    if problems:
        return Prepared(filename, sha, empty_rows(), problems, layout=layout, ignored_columns=ignored)
    rows, problems, blanks = check_long(store.known_indicators(), long)
    return Prepared(filename, sha, rows, problems, blanks, layout, ignored)


def _to_long(table: pd.DataFrame, first_row: int) -> tuple[pd.DataFrame, str, list[str], list[Problem]]:
    """Columns: row, ind_col, per_col, ind_raw, per_raw, val_raw, val_col, note, cumulative.

    The *_col columns hold the header the value came from, to name it in problems.
    """
    headers = list(table.columns)
    ind_col = _find(headers, "indicator") or _find(headers, "indicator_name")
    per_col, val_col, note_col = _find(headers, "period"), _find(headers, "value"), _find(headers, "note")
    if val_col is None and per_col is not None:
        val_col = next((h for h in headers if h not in (ind_col, per_col, note_col)
                        and is_cumulative(pd.Series([h])).iloc[0]), None)
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
                             "val_raw": table[val_col], "val_col": val_col, "note": note,
                             "cumulative": is_cumulative(pd.Series([val_col] * len(table), index=table.index))})
        layout = "long"
    else:
        used = {ind_col, note_col, *period_cols}
        parts = [pd.DataFrame({"row": rows, "ind_col": ind_col, "per_col": h,
                               "ind_raw": table[ind_col], "per_raw": h, "val_raw": table[h],
                               "val_col": h, "note": note, "cumulative": is_cumulative(pd.Series([h]))[0]})
                 for h in period_cols]
        long = pd.concat(parts, ignore_index=True)
        layout = "wide"
    long["cumulative"] = long["cumulative"] | is_cumulative(long["note"])
    ignored = [h for h in headers if h not in used and h != _find(headers, "indicator_name")]
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
    scope.require(store, prepared.batch, editor, correction)
    cells = scope.corrections(store, prepared.batch, correction)
    if expected_version is None and not store.closed_periods().empty:
        expected_version = seen  # a period closed between the check and the write refuses the write
    return store.write_batch(prepared.batch, editor, prepared.filename, prepared.sha256, kind=kind,
                             expected_version=expected_version,
                             correction=(cells, correction) if cells else None)
