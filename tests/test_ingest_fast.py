"""The fast path agrees with the full pipeline: same rows for clean files, and it steps aside for anything else."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bench.generate import generate
from kpi import ingest
from kpi.ingest.fast import try_prepare
from kpi.setup import load_plans
from kpi.store.schema import OBS_COLUMNS
from tests.conftest import EDITOR, ROOT

pytestmark = pytest.mark.engines  # on a DuckDB file and on PostgreSQL

GOOD = sorted((ROOT / "tests" / "data" / "good").iterdir())
BAD = sorted((ROOT / "tests" / "data" / "bad").glob("*.*"))
CANONICAL = "indicator,period,value,note\nINV-EVENTS,2023-Q3,2,\nINV-VISITS,2023-07,3,\nHK-BASES,2023-Q3,3,\n"


def _normal(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in ("period_start", "period_end"):
        out[col] = pd.to_datetime(out[col]).dt.date
    out["done_on"] = out["done_on"].map(lambda d: None if d is None or pd.isna(d) else pd.Timestamp(d).date())
    out["note"] = out["note"].map(lambda n: None if n is None or (isinstance(n, float) and pd.isna(n)) else n)
    out["value"] = out["value"].astype(float)
    out["row_no"] = out["row_no"].astype("int64")
    return out.sort_values("row_no").reset_index(drop=True)[OBS_COLUMNS]


def test_good_files_give_the_same_rows_on_both_paths(store):
    """The good files mix names, Chinese periods and milestones, so most go the full way; any that does not agrees."""
    for path in GOOD:
        data = path.read_bytes()
        quick, full = try_prepare(store.indicator_spans(), data, path.name), ingest.prepare(store, data, path.name,
                                                                                           fast=False)
        assert full.ok, path.name
        if quick is not None:
            pd.testing.assert_frame_equal(_normal(quick[0].to_pandas()), _normal(full.rows), check_dtype=False)
            assert (quick[1], quick[2]) == (full.blanks, full.ignored_columns), path.name


ROWS = [("INV-EVENTS", "2023-Q3", "2", ""), ("INV-VISITS", "2023-07", "3", "走访, 含\"引号\""),
        ("HK-BASES", "2023-Q3", "3", " 备注 "), ("ENT-APPEALS-RATE", "2023-Q3", "87.5", ""),
        ("INV-FIRMS", "2023-H2", "1000", ""), ("INV-VISITS", "2023-08", "", "blank value")]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize("extra", [False, True])
def test_canonical_variants_take_the_fast_path_with_the_same_rows(store, delimiter, bom, crlf, extra):
    """Delimiters, BOM, CRLF, quoted fields with delimiters and quotes inside, a blank value, an extra column."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(["指标编码", "期间", "实际值", "备注"] + (["说明 extra"] if extra else []))
    for row in ROWS:
        writer.writerow(list(row) + (["x"] if extra else []))
    data = buf.getvalue().encode("utf-8-sig" if bom else "utf-8")
    quick = try_prepare(store.indicator_spans(), data, "v.csv")
    assert quick is not None
    full = ingest.prepare(store, data, "v.csv", fast=False)
    assert full.ok
    pd.testing.assert_frame_equal(_normal(quick[0].to_pandas()), _normal(full.rows), check_dtype=False)
    assert (quick[1], quick[2]) == (full.blanks, full.ignored_columns) == (1, ["说明 extra"] if extra else [])


@pytest.mark.parametrize("path", BAD, ids=[p.name for p in BAD])
def test_the_fast_path_steps_aside_for_every_bad_file(store, path: Path):
    assert try_prepare(store.indicator_spans(), path.read_bytes(), path.name) is None


def test_a_canonical_file_takes_the_fast_path_with_the_same_rows(store):
    quick = try_prepare(store.indicator_spans(), CANONICAL.encode(), "c.csv")
    assert quick is not None
    full = ingest.prepare(store, CANONICAL.encode(), "c.csv", fast=False)
    pd.testing.assert_frame_equal(_normal(quick[0].to_pandas()), _normal(full.rows), check_dtype=False)


@pytest.mark.parametrize("text", [
    CANONICAL + "INV-EVENTS,2023-Q4,-1,\n",  # a negative count
    CANONICAL + "INV-EVENTS,2023-Q3,5,\n",  # a duplicate
    CANONICAL + "INV-EVENTS,2023-08,1,\n",  # a month inside a quarter already given
    CANONICAL + "INV-FIRMS,2023-Q3,40,1-9月累计\n",  # a cumulative figure
    CANONICAL + "INV-FIRMS,2024-Q1,40,\n",  # outside the plan
    CANONICAL + "NOPE,2023-Q3,1,\n",  # an unknown code
    CANONICAL + "inv-firms,2023-Q3,1,\n",  # a code the full pipeline resolves; the fast path does not guess
    CANONICAL + "SCI-DAY,2023-09,完成,\n",  # a milestone
    CANONICAL + "INV-FIRMS,2023-Q3, 40,\n",  # spaces around a value
    CANONICAL + "INV-FIRMS,2023-Q3,1e3,\n",  # a number the full pipeline reads its own way
    CANONICAL + "\nINV-FIRMS,2023-Q3,40,\n",  # a blank record keeps its spreadsheet number
    CANONICAL.replace("indicator,", "indicator,indicator,", 1),  # a repeated column
    CANONICAL + "INV-FIRMS,2023-Q3,1,200,late\n",  # 1,200 unquoted: a cell right of the header
    CANONICAL + "ENT-APPEALS-RATE,2023-Q3,100.5,\n",  # a rate over 100
    CANONICAL + "HK-BASES,2023-Q4,-1,\n",  # a negative stock
    CANONICAL + "INV-FIRMS,2023-Q3,40,暴雨\x1b停工\n",  # a control character in a note
    CANONICAL + "INV-FIRMS,2023-Q3,40," + "长" * 501 + "\n",  # a note over the limit
])
def test_the_fast_path_steps_aside(store, text):
    assert try_prepare(store.indicator_spans(), text.encode(), "x.csv") is None


@pytest.mark.slow  # seconds by itself: make test runs it, make test-fast leaves it out
def test_a_generated_file_takes_the_fast_path_and_imports_whole(tmp_path, new_location):
    from kpi.store import Store

    plans, csv_path = generate(20_000, tmp_path)
    store = Store.open(new_location("g"))
    try:
        load_plans(store, EDITOR, [plans])
        data = csv_path.read_bytes()
        assert len(data) >= ingest.FAST_PATH_MIN_BYTES  # prepare() takes the fast path for it
        assert try_prepare(store.indicator_spans(), data, csv_path.name) is not None
        fast, full = ingest.prepare(store, data, csv_path.name), ingest.prepare(store, data, csv_path.name, fast=False)
        pd.testing.assert_frame_equal(_normal(fast.rows), _normal(full.rows), check_dtype=False)
        ingest.commit(store, fast, EDITOR)
        assert len(store.current()) == 20_000
    finally:
        store.close()


@pytest.mark.slow  # seconds by itself: make test runs it, make test-fast leaves it out
def test_a_big_file_with_one_ragged_row_does_not_slip_through_the_fast_path(tmp_path):
    """20,000 clean rows and one with 1,200 unquoted: refused with its row, as a small file would be."""
    from kpi.store import Store

    plans, csv_path = generate(20_000, tmp_path)
    lines = csv_path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[12_345] = lines[12_345].rstrip("\n").rstrip(",") + ",1,200\n"
    data = "".join(lines).encode()
    store = Store.open(tmp_path / "g.duckdb")
    try:
        load_plans(store, EDITOR, [plans])
        assert len(data) >= ingest.FAST_PATH_MIN_BYTES
        assert try_prepare(store.indicator_spans(), data, csv_path.name) is None
        prepared = ingest.prepare(store, data, csv_path.name)
        assert [(p.row, p.key) for p in prepared.problems] == [(12_346, "ingest.extra_cells")]
        assert not prepared.ok and prepared.count == 0
    finally:
        store.close()


NESTED = """\
id: NESTED-Q3
title: {zh: 三季度专项, en: Q3 drive}
span:
  start: 2023-07-01
  end: 2023-09-30
areas:
  - code: INV
    name: {zh: 招商引资, en: Investment}
    items:
      - code: INV-FIRMS
        name: {zh: 重点企业, en: Key firms}
        kind: stock
        source: q
"""


@pytest.mark.parametrize("period, inside", [("2023-10", True), ("2023-Q4", True), ("2023-08", True),
                                            ("2024-01", False)])
def test_a_code_in_two_plans_is_checked_against_every_span(store, period, inside):
    """INV-FIRMS is in 2023-H2 and in a Q3 plan that starts later: October is inside the first span only.

    Any span that holds the period will do, as in the full pipeline; a period outside both sends the file there.
    """
    from kpi.plan.models import parse_plan_text

    store.save_plan(parse_plan_text(NESTED), EDITOR)
    text = CANONICAL + f"INV-FIRMS,{period},7,\n"
    quick, full = try_prepare(store.indicator_spans(), text.encode(), "n.csv"), ingest.prepare(
        store, text.encode(), "n.csv", fast=False)
    assert full.ok is inside
    assert (quick is not None) is inside
    if inside:
        pd.testing.assert_frame_equal(_normal(quick[0].to_pandas()), _normal(full.rows), check_dtype=False)
