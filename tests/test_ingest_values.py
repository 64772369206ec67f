"""A value is stored exactly as meant, or the file is refused: extra cells, mixed encodings, bounds, notes.

The bad files of each case are in tests/data/bad (tests/test_bad_files.py); here, what they do not show:
what stays accepted, both paths, the plan's own bounds, and the store's note forms.
"""

from __future__ import annotations

import pandas as pd
import pytest

from kpi import ingest
from kpi.ingest import bounds
from kpi.ingest.fast import try_prepare
from kpi.notes import NoteTooLong
from kpi.plan.models import parse_plan_text
from kpi.report.export import observations_export, to_csv_bytes
from tests.conftest import EDITOR, import_csv
from tests.test_ingest_fast import _normal

EN = "indicator,period,value\n"


def _messages(prepared) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.message("en")) for p in prepared.problems]


# --- extra cells ------------------------------------------------------------------------------------------
def test_trailing_empty_cells_stay_fine(store):
    """Excel writes trailing delimiters; cells that are empty or spaces right of the header change nothing."""
    prepared = ingest.prepare(store, (EN + "INV-EVENTS,2023-Q3,2,,\nINV-FIRMS,2023-Q3,\"1,200\", ,\n").encode(),
                              "t.csv")
    assert prepared.ok, _messages(prepared)
    assert prepared.rows.set_index("indicator")["value"].to_dict() == {"INV-EVENTS": 2.0, "INV-FIRMS": 1200.0}


def test_every_row_with_extra_cells_is_named_with_its_first_extra_cell(store):
    text = EN + "INV-EVENTS,2023-Q3,2\nINV-FIRMS,2023-Q3,1,200\nINV-VISITS,2023-07,3\nHK-BASES,2023-Q3,3,,x\n"
    prepared = ingest.prepare(store, text.encode(), "r.csv")
    assert [(p.row, p.column, p.value, p.key) for p in prepared.problems] == [
        (3, "(4)", "200", "ingest.extra_cells"), (5, "(5)", "x", "ingest.extra_cells")]
    assert "1,200" in prepared.problems[0].message("zh") and "1200" in prepared.problems[0].message("en")


def test_a_value_under_an_unnamed_header_column_inside_the_header_is_not_an_extra_cell(store):
    """A column with an empty header between named ones is a column of the file (shown as (2)), not a split."""
    prepared = ingest.prepare(store, b"indicator,,period,value\nINV-EVENTS,x,2023-Q3,2\n", "u.csv")
    assert prepared.ok and prepared.ignored_columns == ["(2)"]


# --- encodings --------------------------------------------------------------------------------------------
GBK_NOTES = "指标编码,期间,实际值,备注\nINV-EVENTS,2023-Q3,2,北京香港\nINV-VISITS,2023-07,3,隆隆\n"


def test_a_gbk_file_whose_cell_happens_to_be_valid_utf8_is_read_as_gbk(store):
    """隆隆 in GBK is C2 A1 C2 A1, valid UTF-8 for ¡¡: not a sign of UTF-8 (read as GBK it is common Chinese)."""
    assert "隆隆".encode("gbk").decode("utf-8") == "¡¡"
    prepared = ingest.prepare(store, GBK_NOTES.encode("gbk"), "g.csv")
    assert prepared.ok, _messages(prepared)
    assert prepared.rows.set_index("indicator")["note"].to_dict() == {"INV-EVENTS": "北京香港", "INV-VISITS": "隆隆"}


def test_a_utf8_file_with_bom_and_a_gbk_row_is_refused_even_without_other_chinese(store):
    data = ("\ufeffindicator,period,value,note\nINV-EVENTS,2023-Q3,2,ok\n".encode()
            + "INV-VISITS,2023-07,3,北京\n".encode("gbk") + b"HK-BASES,2023-Q3,3,\n")
    prepared = ingest.prepare(store, data, "b.csv")
    assert [(p.row, p.column, p.key) for p in prepared.problems] == [(3, "note", "ingest.mixed_encoding")]


def test_mixed_encoding_names_every_gbk_row_and_the_utf8_rows_are_not_mojibake(store):
    rows = ["INV-EVENTS,2023-Q3,2,台风影响", "INV-VISITS,2023-07,3,北京香港", "HK-BASES,2023-Q3,3,新增两处"]
    data = (EN.rstrip("\n") + ",note\n").encode() + b"".join(
        (r + "\n").encode("gbk" if i != 0 else "utf-8") for i, r in enumerate(rows))
    prepared = ingest.prepare(store, data, "m.csv")
    assert [(p.row, p.column) for p in prepared.problems] == [(3, "note"), (4, "note")]
    assert prepared.problems[0].message("zh").startswith("第3行，“note”列：")


# --- bounds -----------------------------------------------------------------------------------------------
BOUNDED = """\
id: GROWTH-2023
title: {zh: 增长专项, en: Growth}
span: {start: 2023-07-01, end: 2023-12-31}
areas:
  - code: GRW
    name: {zh: 增长, en: Growth}
    items:
      - {code: GRW-RATE, name: {zh: 增速, en: Growth rate}, kind: rate, source: q, bounds: {low: -100, high: 500}}
      - {code: GRW-DAYS, name: {zh: 天数, en: Days}, kind: stock, source: q, bounds: {high: 31}}
      - {code: GRW-NET, name: {zh: 净增, en: Net new}, kind: count, source: q, bounds: {low: -50}}
"""


@pytest.fixture
def bounded(store):
    store.save_plan(parse_plan_text(BOUNDED), EDITOR)
    return store


def test_the_plans_bounds_replace_the_kinds_side_by_side(bounded):
    ok = EN + "GRW-RATE,2023-Q3,-30\nGRW-RATE,2023-Q4,250\nGRW-DAYS,2023-Q3,31\nGRW-NET,2023-Q3,-20\n"
    assert ingest.prepare(bounded, ok.encode(), "ok.csv").ok
    bad = EN + "GRW-RATE,2023-Q3,-200\nGRW-RATE,2023-Q4,600\nGRW-DAYS,2023-Q3,-1\nGRW-DAYS,2023-Q4,40\n" \
               "GRW-NET,2023-Q3,-60\nENT-APPEALS-RATE,2023-Q3,100.5\n"
    assert [m for _, _, m in _messages(ingest.prepare(bounded, bad.encode(), "bad.csv"))] == [
        "row 2, column value: '-200' is below -100, the lowest value the plan allows for GRW-RATE: check the value",
        "row 3, column value: '600' is above 500, the highest value the plan allows for GRW-RATE: check the value",
        "row 4, column value: '-1' is negative: GRW-DAYS is a level at period end, enter 0 or more",
        "row 5, column value: '40' is above 31, the highest value the plan allows for GRW-DAYS: check the value",
        "row 6, column value: '-60' is below -50, the lowest value the plan allows for GRW-NET: check the value",
        "row 7, column value: '100.5' is not a percentage from 0 to 100: ENT-APPEALS-RATE is a rate; "
        "enter 87.5 for 87.5%"]


def test_the_fast_path_enforces_the_same_bounds(bounded):
    known = bounds.with_declared(bounded.known_indicators(), bounds.declared(bounded))
    inside = "indicator,period,value,note\nGRW-RATE,2023-Q3,-30,\nGRW-NET,2023-Q3,-20,\nHK-BASES,2023-Q3,0,\n"
    quick = try_prepare(known, inside.encode(), "in.csv")
    assert quick is not None
    full = ingest.prepare(bounded, inside.encode(), "in.csv", fast=False)
    pd.testing.assert_frame_equal(_normal(quick[0].to_pandas()), _normal(full.rows), check_dtype=False)
    for row in ("GRW-RATE,2023-Q3,501,", "GRW-DAYS,2023-Q3,-1,", "ENT-APPEALS-RATE,2023-Q3,101,",
                "INV-EVENTS,2023-Q3,-1,", "GRW-NET,2023-Q3,-51,"):
        text = inside + row + "\n"
        assert try_prepare(known, text.encode(), "out.csv") is None, row
        assert not ingest.prepare(bounded, text.encode(), "out.csv", fast=False).ok, row


NESTED = """\
id: APPEALS-Q3
title: {zh: 三季度诉求专项, en: Q3 appeals drive}
span: {start: 2023-07-01, end: 2023-09-30}
areas:
  - code: ENT
    name: {zh: 企业服务, en: Enterprise services}
    items:
      - {code: ENT-APPEALS-RATE, name: {zh: 诉求, en: Appeals}, kind: rate, source: q, bounds: {high: 200}}
"""


@pytest.mark.parametrize("period, ok", [("2023-Q3", True), ("2023-08", True), ("2023-Q4", False)])
def test_an_indicator_whose_plans_disagree_is_checked_against_the_plans_holding_the_period(store, period, ok):
    """150 for ENT-APPEALS-RATE: the Q3 drive allows up to 200, 2023-H2 (a rate) up to 100."""
    store.save_plan(parse_plan_text(NESTED), EDITOR)
    text = f"indicator,period,value,note\nENT-APPEALS-RATE,{period},150,\n"
    prepared = ingest.prepare(store, text.encode(), "n.csv")
    assert prepared.ok is ok
    if not ok:
        assert [p.key for p in prepared.problems] == ["ingest.rate_range"]
    known = bounds.with_declared(store.known_indicators(), bounds.declared(store))
    assert try_prepare(known, text.encode(), "n.csv") is None
    assert try_prepare(store.indicator_spans(), text.encode(), "n.csv", declared=bounds.declared(store)) is None


def test_a_plan_without_bounds_keeps_its_canonical_form(plan):
    """Adding the field must not make every stored plan a new revision: absent bounds are left out."""
    assert '"bounds"' not in plan.canonical_json()
    assert '"bounds": {"high": 31.0, "low": null}' in parse_plan_text(BOUNDED).canonical_json()


# --- notes ------------------------------------------------------------------------------------------------
def test_control_characters_leave_notes_at_ingest_tab_and_newline_stay(store):
    note = "\x00暴雨\x1b[31m停工\r\n复工\t在即\x07 "
    text = 'indicator,period,value,note\nINV-EVENTS,2023-Q3,2,"' + note + '"\n'
    import_csv(store, text)
    assert store.current(["INV-EVENTS"])["note"].tolist() == ["暴雨[31m停工\n复工\t在即"]


@pytest.mark.parametrize("note", ["\u2028行分隔符开头", "制表\t符", "响铃\x07", "a" * 501])
def test_the_fast_path_steps_aside_for_a_note_the_full_pipeline_would_change_or_refuse(store, note):
    text = f'indicator,period,value,note\nINV-EVENTS,2023-Q3,2,"{note}"\n'
    assert try_prepare(store.indicator_spans(), text.encode(), "n.csv") is None


@pytest.mark.parametrize("note", [" 备注 ", "\u3000全角空格\u3000", "\xa0不换行空格"])
def test_spaces_around_a_note_are_trimmed_alike_on_both_paths(store, note):
    text = f'indicator,period,value,note\nINV-EVENTS,2023-Q3,2,"{note}"\n'
    quick = try_prepare(store.indicator_spans(), text.encode(), "n.csv")
    assert quick is not None
    assert quick[0].column("note").to_pylist() == ingest.prepare(store, text.encode(), "n.csv").rows["note"].tolist()
    assert quick[0].column("note").to_pylist() == [note.strip()]


def test_a_note_of_the_limit_imports_and_the_limit_is_a_setting(store, monkeypatch):
    import_csv(store, "indicator,period,value,note\nINV-EVENTS,2023-Q3,2," + "说" * 500 + "\n")
    monkeypatch.setenv("KPI_NOTE_MAX_CHARS", "10")
    from kpi.settings import get_settings
    get_settings.cache_clear()
    wide = "指标编码,2023-Q3,2023-Q4,备注\nINV-EVENTS,1,2," + "说" * 11 + "\n"
    prepared = ingest.prepare(store, wide.encode(), "w.csv")
    assert _messages(prepared) == [  # once for the row, not once per period
        (2, "备注", "row 2, column 备注: the note has 11 characters, over the limit of 10: shorten it")]


def test_a_problem_quotes_at_most_the_start_of_a_huge_cell(store):
    prepared = ingest.prepare(store, (EN + "INV-EVENTS,2023-Q3," + "x" * 100_000 + "\n").encode(), "h.csv")
    assert len(prepared.problems[0].message("en")) < 200
    assert prepared.problems[0].value == "x" * 60 + "…"


def test_the_store_cleans_notes_and_reasons_and_refuses_long_ones(store):
    before = store.data_version()
    with pytest.raises(NoteTooLong) as caught:
        store.write_note("INV-EVENTS", "2023-Q3", "长" * 501, EDITOR)
    assert caught.value.message("en") == "a note or reason has at most 500 characters; this one has 501: shorten it"
    assert caught.value.message("zh") == "说明或理由最多 500 个字，现有 501 个字：请精简"
    with pytest.raises(ValueError, match="at most 500"):
        store.write_override("INV-EVENTS", "2023-Q3", "met", "理" * 501, EDITOR)
    with pytest.raises(ValueError, match="needs a reason"):
        store.write_override("INV-EVENTS", "2023-Q3", "met", "\x00\x1b", EDITOR)  # nothing left once cleaned
    assert store.data_version() == before
    export = to_csv_bytes(observations_export(store))
    store.write_note("INV-EVENTS", "2023-Q3", "\x1b[2J会议\x00延期\r\n下周\t补办 ", EDITOR)
    store.write_override("INV-EVENTS", "2023-Q3", "met", "领导\x08认定", EDITOR)
    assert store.current_notes(["INV-EVENTS"])["note"].tolist() == ["[2J会议延期\n下周\t补办"]
    assert store.current_overrides(["INV-EVENTS"])["reason"].tolist() == ["领导认定"]
    assert to_csv_bytes(observations_export(store)) == export
