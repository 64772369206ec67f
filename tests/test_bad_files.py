"""Every file in tests/data/bad is rejected whole, with exactly the problems a user needs to fix it.

One table entry per file: the problems as (row, column, English message), the row as numbered in the
spreadsheet (header = 1) or None for the whole file, the column as headed in the file. A file without
an entry fails ``test_every_bad_file_has_expectations``. The files are built by tests/data/make_bad_files.py.
"""

from __future__ import annotations

import importlib.util

import pytest

from kpi import ingest
from kpi.report.export import observations_export, to_csv_bytes
from tests.conftest import EDITOR, ROOT, run_cli

DATA = ROOT / "tests" / "data"
BAD = DATA / "bad"
GOOD_FIRST = DATA / "good" / "long_en_utf8.csv"  # imported before each bad file: the data that must stay

NOT_PERIOD = "is not a period: write it like 2023-Q3, 2023-07 or 2023年第三季度"
NOT_NUMBER = "is not a number: enter a number such as 12"
NOT_MILESTONE = "is neither a completion date nor done/not done: enter e.g. 2023-09-20 or done"
NOT_INDICATOR = "is not an indicator of any plan: use an indicator code such as INV-PROJ-SELECT"
OUTSIDE = "is outside the span of the plan of INV-EVENTS (2023-07-01 to 2023-12-31)"
CUMULATIVE = ("INV-EVENTS takes the value for the period, not a cumulative (year-to-date) figure: "
              "enter the period's own value")
ONE_ROW = "one row per indicator and period"
NEGATIVE = "'-3' is negative: INV-VISITS is a count, enter 0 or more"
EMPTY = "file: the file is empty: add at least one row under the header"
UNREADABLE = "; save it as CSV (UTF-8) or XLSX and try again"
RATE = "is not a percentage from 0 to 100: ENT-APPEALS-RATE is a rate; enter 87.5 for 87.5%"

EXPECTED: dict[str, list[tuple[int | None, str | None, str]]] = {
    # --- one problem in one row -------------------------------------------------------------
    "unknown_indicator.csv": [(3, "indicator", f"row 3, column indicator: 'INV-NOPE' {NOT_INDICATOR}")],
    "unknown_indicator_name.csv": [(3, "指标名称", f"row 3, column 指标名称: '招商大会' {NOT_INDICATOR}")],
    # a value with no indicator: say the cell is blank, not "'' is not an indicator"
    "indicator_blank_with_value.csv": [
        (3, "indicator", "row 3, column indicator: the indicator is blank: "
                         "enter an indicator code such as INV-PROJ-SELECT")],
    "unparseable_period.csv": [(3, "period", f"row 3, column period: '2023-Q5' {NOT_PERIOD}")],
    # a value with no period: say the cell is blank, not "'' is not a period"
    "period_blank_with_value.csv": [
        (3, "period", "row 3, column period: the period is blank: write it like 2023-Q3, 2023-07 or 2023年第三季度")],
    "period_outside_plan.csv": [(3, "period", f"row 3, column period: 2024-Q1 {OUTSIDE}")],
    "not_a_number.csv": [(3, "value", f"row 3, column value: 'three' {NOT_NUMBER}")],
    "rate_not_a_number.csv": [(2, "value", f"row 2, column value: 'abc%' {NOT_NUMBER}")],
    # 'inf' is no figure anyone reports; it must not be stored as infinity
    "infinite_value.csv": [(3, "value", f"row 3, column value: 'inf' {NOT_NUMBER}")],
    # a decimal comma (87,5) in a semicolon file must not silently become 875
    "decimal_comma.csv": [(3, "value", f"row 3, column value: '87,5' {NOT_NUMBER}")],
    "negative_count.csv": [(3, "value", f"row 3, column value: {NEGATIVE}")],
    "milestone_bad_value.csv": [(3, "value", f"row 3, column value: 'soon' {NOT_MILESTONE}")],
    "milestone_impossible_date.csv": [(3, "value", f"row 3, column value: '2023-02-30' {NOT_MILESTONE}")],
    "duplicate_rows.csv": [
        (2, "period", f"row 2, column period: INV-EVENTS 2023-Q3 appears more than once (also row 4): {ONE_ROW}"),
        (4, "period", f"row 4, column period: INV-EVENTS 2023-Q3 appears more than once (also row 2): {ONE_ROW}")],
    "duplicate_other_spelling.csv": [
        (2, "period", f"row 2, column period: INV-EVENTS 2023-Q3 appears more than once (also row 3): {ONE_ROW}"),
        (3, "period", f"row 3, column period: INV-EVENTS 2023-Q3 appears more than once (also row 2): {ONE_ROW}")],
    "month_and_quarter.csv": [
        (3, "period", "row 3, column period: INV-EVENTS has both 2023-Q3 and 2023-08 inside it (row 2): "
                      "that counts twice; keep one of them")],
    "quarter_and_half.csv": [
        (3, "period", "row 3, column period: INV-EVENTS has both 2023-H2 and 2023-Q3 inside it (row 2): "
                      "that counts twice; keep one of them")],
    "cumulative_note.csv": [(3, "value", f"row 3, column value: {CUMULATIVE}")],
    "cumulative_column.csv": [(2, "累计完成值", f"row 2, column 累计完成值: {CUMULATIVE}")],
    # 1,200 unquoted: the 200 went to a fourth cell and the file imported 1
    "extra_cells.csv": [
        (3, "(4)", "row 3, column (4): '200' is in a column with no header (the header has 3 columns): a number "
                   "with a thousands separator such as 1,200 must be quoted (\"1,200\") or written without it "
                   "(1200); delete any other extra cells")],
    # values the indicator cannot take (0 to 100 for a rate, 0 or more for a stock), unless its plan says so
    "rate_out_of_range.csv": [(3, "value", f"row 3, column value: '120' {RATE}"),
                              (4, "value", f"row 4, column value: '-5' {RATE}")],
    "negative_stock.csv": [
        (3, "value", "row 3, column value: '-1' is negative: HK-BASES is a level at period end, enter 0 or more")],
    # a control character in a value is refused, and shown as what it is (in a note it is stripped instead)
    "control_characters.csv": [(3, "value", f"row 3, column value: '3\\x07' {NOT_NUMBER}")],
    # a note of 501 characters: notes are at most 500 (KPI_NOTE_MAX_CHARS), here as in the note forms
    "note_too_long.csv": [
        (3, "note", "row 3, column note: the note has 501 characters, over the limit of 500: shorten it")],
    # --- five problems in one file: all of them, in row order ---------------------------------
    "many_problems.csv": [
        (3, "indicator", f"row 3, column indicator: 'INV-NOPE' {NOT_INDICATOR}"),
        (4, "period", f"row 4, column period: '2023-13' {NOT_PERIOD}"),
        (5, "value", f"row 5, column value: 'lots' {NOT_NUMBER}"),
        (6, "value", f"row 6, column value: {NEGATIVE}"),
        (7, "value", f"row 7, column value: 'soon' {NOT_MILESTONE}")],
    # --- structure ----------------------------------------------------------------------------
    "missing_indicator_column.csv": [
        (None, None, "file: missing column indicator / 指标编码: the header needs one of "
                     "indicator, indicator code, code, 指标编码, 指标代码, 编码, 代码")],
    "missing_value_column.csv": [
        (None, None, "file: missing column value / 实际值: the header needs one of "
                     "value, actual, 实际值, 完成值, 数值, 实际完成, 完成数, 完成情况")],
    "no_period.csv": [
        (None, None, "file: no period found: add a period column (long format) or use periods as column headers "
                     "(2023-Q3, 2023-07)")],
    # two columns headed "value" (2 and 5): which one is meant cannot be guessed
    "duplicate_value_column.csv": [(None, None, "file: the column value appears more than once: keep one of them")],
    "empty.csv": [(None, None, EMPTY)],
    "header_only.csv": [(None, None, EMPTY)],
    "blank_lines_only.csv": [(None, None, EMPTY)],
    # --- encodings and formats ----------------------------------------------------------------
    "not_text.csv": [(None, None, f"file: cannot read the file: the text is neither UTF-8 nor GBK{UNREADABLE}")],
    "utf16.csv": [(None, None, f"file: cannot read the file: the text is neither UTF-8 nor GBK{UNREADABLE}")],
    "broken.xlsx": [(None, None, f"file: cannot read the file: it is not a valid Excel (XLSX) file{UNREADABLE}")],
    # UTF-8 but for one row in GBK: decoded whole as GBK it imported, 台风影响 as 鍙伴褰卞搷
    "mixed_encoding.csv": [
        (3, "note", "row 3, column note: the text of this row is not UTF-8 while the rest of the file is (pasted "
                    "from a GBK file?): save the whole file as UTF-8 and upload it again")],
    # --- files made to hurt: refused at once, before anything large is built ------------------
    # 5 KB with one cell at XFD1048576: the reader padded every row to the sheet's far corner
    "far_corner.xlsx": [
        (None, None, "file: cell XFD1048576 has content, beyond the 1,048,576 rows and 1,000 columns a sheet may "
                     "use: delete it (and anything else outside the data) and upload again")],
    # 10,000 period columns (KPI_UPLOAD_MAX_COLUMNS is 1,000)
    "wide_10000_columns.csv": [
        (None, None, "file: row 1 has 10,001 columns, over the limit of 1,000: delete the columns not needed, "
                     "or split the file")],
    "bad_row.xlsx": [(3, "实际值", f"row 3, column 实际值: '三次' {NOT_NUMBER}")],
    "gbk_chinese_headers_bad.csv": [(4, "实际值", f"row 4, column 实际值: '三' {NOT_NUMBER}")],
    "semicolon_bad.csv": [(3, "value", f"row 3, column value: {NEGATIVE}")],
    "tab_bad.tsv": [(3, "期间", f"row 3, column 期间: '2023-13' {NOT_PERIOD}")],
    # --- the template's wide layout: INV-EVENTS is on row 6, the column is the period header ----
    "wide_bad_value.csv": [(6, "2023-Q3", f"row 6, column 2023-Q3: '两场' {NOT_NUMBER}")],
    "wide_outside_plan.csv": [(6, "2024-Q1", f"row 6, column 2024-Q1: 2024-Q1 {OUTSIDE}")],
    "wide_month_and_quarter.csv": [
        (6, "2023年7月", "row 6, column 2023年7月: INV-EVENTS has both 2023-Q3 and 2023-07 inside it (row 6): "
                         "that counts twice; keep one of them")],
}

CLI_CASES = ["not_a_number.csv", "gbk_chinese_headers_bad.csv", "bad_row.xlsx", "far_corner.xlsx"]


def _zh_where(row: int | None, column: str | None) -> str:
    return "文件：" if row is None else f"第{row}行，“{column}”列："


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_bad_files", DATA / "make_bad_files.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_bad_file_has_expectations():
    assert sorted(p.name for p in BAD.iterdir()) == sorted(EXPECTED)
    assert len(EXPECTED) >= 28
    assert all(EXPECTED.values()), "every bad file names at least one problem"


def test_bad_folder_is_what_the_generator_writes():
    built = _load_generator().bad_files()
    assert sorted(built) == sorted(p.name for p in BAD.iterdir())
    for name, data in built.items():
        assert (BAD / name).read_bytes() == data, name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_is_rejected_whole(store, name):
    first = ingest.prepare(store, GOOD_FIRST.read_bytes(), GOOD_FIRST.name)
    assert first.ok, [p.message("en") for p in first.problems]
    ingest.commit(store, first, EDITOR)
    before = to_csv_bytes(observations_export(store))
    version = store.data_version()

    prepared = ingest.prepare(store, (BAD / name).read_bytes(), name)

    assert [(p.row, p.column, p.message("en")) for p in prepared.problems] == EXPECTED[name]
    row, column, _ = EXPECTED[name][0]
    assert prepared.problems[0].message("zh").startswith(_zh_where(row, column))
    assert not prepared.ok
    with pytest.raises(ValueError):
        ingest.commit(store, prepared, EDITOR)
    assert store.data_version() == version
    assert to_csv_bytes(observations_export(store)) == before


@pytest.mark.parametrize("name", CLI_CASES)
def test_cli_import_of_bad_file_exits_1_and_writes_nothing(tmp_path, name):
    db = tmp_path / "cli.duckdb"
    assert run_cli("init", "--db", str(db)).returncode == 0
    ok = run_cli("import", str(GOOD_FIRST), "--db", str(db))
    assert ok.returncode == 0, ok.stderr
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    assert run_cli("export", "--db", str(db), "-o", str(before)).returncode == 0

    out = run_cli("import", str(BAD / name), "--db", str(db), "--lang", "en")
    assert out.returncode == 1
    messages = [m for _, _, m in EXPECTED[name]]
    assert out.stderr.splitlines() == [f"{name}: {len(messages)} problem(s); nothing was written", *messages]
    zh = run_cli("import", str(BAD / name), "--db", str(db), "--lang", "zh")
    assert zh.returncode == 1
    row, column, _ = EXPECTED[name][0]
    assert zh.stderr.splitlines()[1].startswith(_zh_where(row, column))

    assert run_cli("export", "--db", str(db), "-o", str(after)).returncode == 0
    assert after.read_bytes() == before.read_bytes()
    assert b"INV-EVENTS" in before.read_bytes()  # the good file's data is what stayed
