"""The ingest pipeline on real bytes: every accepted shape imports the same values; bad files write nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from kpi import ingest
from kpi.report.export import observations_export, to_csv_bytes
from tests.conftest import EDITOR

pytestmark = pytest.mark.engines  # on a DuckDB file and on PostgreSQL

EXPECTED = {("INV-EVENTS", "2023-Q3"): 2.0, ("INV-VISITS", "2023-07"): 3.0, ("SCI-DAY", "2023-09"): 1.0}


def _xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


LONG_EN = "indicator,period,value,note\nINV-EVENTS,2023-Q3,2,\nINV-VISITS,2023-07,3,\nSCI-DAY,2023-09,2023-09-22,\n"
LONG_ZH = "指标编码,期间,实际值,备注\nINV-EVENTS,2023年第三季度,2,\nINV-VISITS,2023年7月,3,\nSCI-DAY,2023/9,完成,\n"
GOOD_FILES = {
    "utf8.csv": LONG_EN.encode("utf-8"),
    "bom.csv": LONG_ZH.encode("utf-8-sig"),
    "gbk.csv": LONG_ZH.encode("gbk"),
    "semicolon.csv": LONG_ZH.replace(",", ";").encode("utf-8"),
    "tab.csv": LONG_ZH.replace(",", "\t").encode("gb18030"),
    "spaces.csv": " 指标编码 , 期间 ,实际值\nINV-EVENTS, 2023 Q3 ,２\nINV-VISITS,2023-07-01,3\nSCI-DAY,2023-09,是\n"
                  "\n,,\n".encode(),
    "reordered.csv": b"value,period,indicator\n2,2023Q3,INV-EVENTS\n3,2023/7,INV-VISITS\nyes,2023-09,SCI-DAY\n",
    "by_name.csv": "指标,期间,实际值\n市外招商活动,2023-Q3,2\n精准上门招商,2023-07,3\n"
                   "全国科普日系列活动,2023-09,完成\n".encode(),
    "wide.csv": "指标编码,指标名称,2023年7月,2023-09,2023年第三季度\nINV-EVENTS,市外招商活动,,,2\n"
                "INV-VISITS,精准上门招商,3,,\nSCI-DAY,全国科普日,,2023-09-22,\n".encode("utf-8-sig"),
    "long.xlsx": _xlsx([["指标编码", "期间", "实际值"], ["INV-EVENTS", "2023-Q3", 2], ["INV-VISITS", "2023年7月", 3],
                        ["SCI-DAY", "2023-09", "完成"], [None, None, None]]),
}


@pytest.mark.parametrize("name", sorted(GOOD_FILES))
def test_good_files_import_the_same_values(store, name):
    prepared = ingest.prepare(store, GOOD_FILES[name], name)
    assert prepared.ok, [p.message("en") for p in prepared.problems]
    ingest.commit(store, prepared, EDITOR)
    current = store.current()
    got = {(r.indicator, r.period): r.value for r in current.itertuples()}
    assert got == EXPECTED


def test_milestone_date_is_kept(store):
    prepared = ingest.prepare(store, GOOD_FILES["utf8.csv"], "utf8.csv")
    ingest.commit(store, prepared, EDITOR)
    row = store.current(["SCI-DAY"]).iloc[0]
    assert str(row["done_on"])[:10] == "2023-09-22"


def test_blank_cells_change_nothing(store):
    ingest.commit(store, ingest.prepare(store, b"indicator,period,value\nINV-EVENTS,2023-Q3,2\n", "a.csv"), EDITOR)
    prepared = ingest.prepare(store, b"indicator,period,value\nINV-EVENTS,2023-Q3,\nINV-EVENTS,2023-Q4,4\n", "b.csv")
    assert prepared.ok and prepared.blanks == 1 and len(prepared.rows) == 1
    ingest.commit(store, prepared, EDITOR)
    got = {(r.indicator, r.period): r.value for r in store.current().itertuples()}
    assert got == {("INV-EVENTS", "2023-Q3"): 2.0, ("INV-EVENTS", "2023-Q4"): 4.0}


BAD_FILES = [
    ("indicator,period,value\nINV-EVENTS,2023-Q3,1\nINV-VISITS,2023-Q3,oops\n", 3, "value", "is not a number"),
    ("indicator,period,value\nNOPE,2023-Q3,1\n", 2, "indicator", "is not an indicator"),
    ("indicator,period,value\nINV-EVENTS,2023-Q5,1\n", 2, "period", "is not a period"),
    ("indicator,period,value\nINV-EVENTS,2024-Q1,1\n", 2, "period", "is outside the span"),
    ("indicator,period,value\nINV-EVENTS,2023-Q3,-2\n", 2, "value", "is negative"),
    ("indicator,period,value\nSCI-DAY,2023-09,maybe\n", 2, "value", "neither a completion date"),
    ("indicator,period,value\nINV-EVENTS,2023-Q3,1\nINV-EVENTS,2023年第三季度,2\n", 3, "period", "more than once"),
    ("indicator,period,value\nINV-EVENTS,2023-Q3,1\nINV-EVENTS,2023-08,2\n", 3, "period", "counts twice"),
    ("indicator,period,value,note\nINV-EVENTS,2023-Q3,5,1-9月累计\n", 2, "value", "cumulative"),
    ("indicator,period,累计完成\nINV-EVENTS,2023-Q3,5\n", 2, "累计完成", "cumulative"),
]


@pytest.mark.parametrize(("text", "row", "column", "fragment"), BAD_FILES)
def test_bad_file_is_rejected_whole(store, text, row, column, fragment):
    ingest.commit(store, ingest.prepare(store, b"indicator,period,value\nINV-FIRMS,2023-Q3,40\n", "ok.csv"), EDITOR)
    before = to_csv_bytes(observations_export(store))
    version = store.data_version()
    prepared = ingest.prepare(store, text.encode(), "bad.csv")
    assert not prepared.ok
    hit = [p for p in prepared.problems if p.row == row and p.column == column]
    assert hit, [p.message("en") for p in prepared.problems]
    assert fragment in hit[0].message("en")
    with pytest.raises(ValueError):
        ingest.commit(store, prepared, EDITOR)
    assert store.data_version() == version
    assert to_csv_bytes(observations_export(store)) == before


@pytest.mark.parametrize(("data", "key"), [
    (b"", "ingest.empty"),
    (b"indicator,period,value\n", "ingest.empty"),
    (b"foo,bar\n1,2\n", "ingest.missing_column"),
    (b"indicator,period\nINV-EVENTS,2023-Q3\n", "ingest.missing_column"),
    (b"indicator,name\nINV-EVENTS,x\n", "ingest.no_periods"),
    (b"PK\x03\x04not really a workbook", "ingest.unreadable"),
])
def test_structure_problems(store, data, key):
    prepared = ingest.prepare(store, data, "x.csv")
    assert [p.key for p in prepared.problems][:1] == [key]
    assert prepared.problems[0].row is None


def test_every_problem_is_listed_in_both_languages(store):
    text = "指标编码,期间,实际值\nINV-EVENTS,2023-Q3,x\nNOPE,2023-Q3,1\nINV-VISITS,2023-13,1\n"
    prepared = ingest.prepare(store, text.encode("gbk"), "bad.csv")
    assert [(p.row, p.column) for p in prepared.problems] == [(2, "实际值"), (3, "指标编码"), (4, "期间")]
    assert prepared.problems[0].message("zh").startswith("第2行，“实际值”列：")
    assert prepared.problems[0].message("en").startswith("row 2, column 实际值: ")


def test_too_big(store, monkeypatch):
    monkeypatch.setenv("KPI_UPLOAD_MAX_BYTES", "10")
    from kpi.settings import get_settings
    get_settings.cache_clear()
    prepared = ingest.prepare(store, GOOD_FILES["utf8.csv"], "big.csv")
    assert [p.key for p in prepared.problems] == ["ingest.too_big"]
