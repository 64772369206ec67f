"""The plan as a workbook: YAML → workbook → YAML gives the same plan; a workbook read back goes through the plan's
own validation, every problem named by sheet, row and column in the user's language; the CLI tells a plan workbook
from a targets file."""

from __future__ import annotations

import io
import re

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from kpi.cli import main
from kpi.i18n import CATALOGUE, t
from kpi.plan.cells import is_plan_workbook, plan_from_xlsx, read_workbook
from kpi.plan.dump import plan_yaml
from kpi.plan.models import Plan, load_plan, parse_plan_text
from kpi.plan.workbook import ITEM_COLUMNS, SHEETS, guard, plan_to_xlsx, unguard
from kpi.setup import load_plans
from kpi.store import Store
from tests.conftest import EDITOR, PLAN_FILE, ROOT

PLANS = sorted((ROOT / "data" / "plans").glob("*.yaml")) + [ROOT / "tests" / "data" / "plans" / "zh-only.yaml"]
ZH_ONLY = ROOT / "tests" / "data" / "plans" / "zh-only.yaml"


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def _save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _col(ws, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def _doc_example() -> Plan:
    doc = (ROOT / "docs" / "plan-format.md").read_text(encoding="utf-8")
    return parse_plan_text(re.search(r"```yaml\n(.*?)```", doc, flags=re.S).group(1))


# --- the round trip ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", PLANS, ids=[p.name for p in PLANS])
def test_yaml_to_workbook_to_yaml_gives_the_same_plan(path):
    plan = load_plan(path)
    back, problems = plan_from_xlsx(plan_to_xlsx(plan))
    assert problems == []
    assert back == plan
    again = parse_plan_text(plan_yaml(back))
    assert again == plan and plan_yaml(again) == plan_yaml(plan)


def test_the_documented_example_round_trips_with_phased_targets_ranges_and_every():
    plan = _doc_example()
    data = plan_to_xlsx(plan)
    assert plan_from_xlsx(data) == (plan, [])
    wb = _book(data)
    targets = [[c.value for c in row] for row in wb["分期目标"].iter_rows(min_row=2)]
    assert targets == [["INV-VISITS", "2025-Q1", 8], ["INV-VISITS", "2025-Q2", 12]]
    items = wb["指标"]
    rate = next(r for r in items.iter_rows(min_row=2) if r[0].value == "ENT-APPEALS-RATE")
    assert rate[_col(items, "目标") - 1].value == "90–100"  # a range in one cell


def test_a_draft_with_review_flags_keeps_them_through_the_workbook():
    raw = yaml.safe_load(ZH_ONLY.read_text(encoding="utf-8"))
    raw["review"] = ["title"]
    raw["areas"][0]["review"] = ["name", "code"]
    raw["areas"][0]["items"][1]["review"] = ["kind", "target", "baseline"]
    plan = Plan.model_validate(raw)
    back, problems = plan_from_xlsx(plan_to_xlsx(plan))
    assert problems == [] and back == plan
    assert back.open_reviews() == [("(top)", ["title"]), ("areas[0]", ["name", "code"]),
                                   ("areas[0].items[1]", ["kind", "target", "baseline"])]


# --- what a person opening it in Excel or WPS sees -------------------------------------------------

def test_sheets_headers_lists_frozen_header_and_widths():
    wb = _book(plan_to_xlsx(load_plan(PLAN_FILE)))
    assert wb.sheetnames == ["计划", "领域", "指标", "分期目标", "说明"]
    items = wb["指标"]
    assert [c.value for c in items[1]] == [t(c.key, "zh") for c in ITEM_COLUMNS]
    assert items.freeze_panes == "B2" and wb["计划"].freeze_panes == "B2"
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in items.data_validations.dataValidation}
    letter = {h: items.cell(row=1, column=_col(items, h)).column_letter for h in ("类型", "方向", "每期", "待确认")}
    assert lists[f"{letter['类型']}2"] == '"count,stock,rate,milestone"'
    assert lists[f"{letter['方向']}2"] == '"at_least,at_most,range"'
    assert lists[f"{letter['每期']}2"] == '"month,quarter,half,year"'
    assert "target" in lists[f"{letter['待确认']}2"]
    widths = [items.column_dimensions[items.cell(row=1, column=i).column_letter].width
              for i in range(1, items.max_column + 1)]
    assert all(8 <= w <= 60 for w in widths) and max(widths) == 60  # the verbatim source is wide, capped
    plan_row = [c.value for c in wb["计划"][2]]
    assert plan_row[:2] == ["2023-H2", "罗湖区科技创新局2023年下半年工作计划"]


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)", "＝1+1",
                                  "'quoted", "'=already", "plain"])
def test_text_cells_never_run_as_formulas_and_come_back_exactly(text):
    raw = yaml.safe_load(ZH_ONLY.read_text(encoding="utf-8"))
    raw["areas"][0]["items"][0]["note"] = {"zh": text, "en": text}
    raw["areas"][0]["items"][0]["source"] = text
    plan = Plan.model_validate(raw)
    data = plan_to_xlsx(plan)
    items = _book(data)["指标"]
    for header in ("说明（中文）", "原文"):
        cell = items.cell(row=2, column=_col(items, header))
        assert cell.data_type == "s" and not str(cell.value).startswith(("=", "+", "-", "@", "＝"))
    assert plan_from_xlsx(data) == (plan, [])
    assert unguard(guard(text)) == text


def test_english_sheet_names_and_headers_are_accepted():
    plan = load_plan(ZH_ONLY)
    wb = _book(plan_to_xlsx(plan))
    for _, key, columns, _ in SHEETS:
        ws = wb[t(key, "zh")]
        ws.title = t(key, "en")
        for i, column in enumerate(columns, start=1):
            ws.cell(row=1, column=i).value = t(column.key, "en")
    data = _save(wb)
    assert is_plan_workbook(data)
    assert plan_from_xlsx(data) == (plan, [])


def test_what_people_type_in_a_spreadsheet_is_read_as_meant():
    plan = load_plan(ZH_ONLY)
    wb = _book(plan_to_xlsx(plan))
    items = wb["指标"]
    row = {r[0].value: r[0].row for r in items.iter_rows(min_row=2)}
    items.cell(row=row["ZS-HD"], column=_col(items, "目标")).value = "4"  # a number typed as text
    rate = items.cell(row=row["FW-MY"], column=_col(items, "目标"))
    rate.value, rate.number_format = 0.95, "0%"  # 95% typed with a percent format
    items.cell(row=row["ZL-ZY"], column=_col(items, "截止日期")).value = "2025年5月31日"
    items.cell(row=row["ZL-PX"], column=_col(items, "每期")).value = "季度"  # the word, not the code
    items.cell(row=row["ZS-HD"], column=_col(items, "类型")).value = "Count"
    wb["计划"].cell(row=2, column=_col(wb["计划"], "示例")).value = "是"
    assert plan_from_xlsx(_save(wb)) == (plan, [])


# --- a bad workbook: every problem at its sheet, row and column --------------------------------------

def _bad_workbook() -> bytes:
    """The zh-only plan with a bad kind, a duplicate code and a target written as words."""
    wb = _book(plan_to_xlsx(load_plan(ZH_ONLY)))
    items = wb["指标"]
    items.cell(row=2, column=_col(items, "类型")).value = "counter"
    items.cell(row=3, column=_col(items, "指标编码")).value = "ZS-HD"
    items.cell(row=4, column=_col(items, "目标")).value = "每季度2场"
    return _save(wb)


def test_a_bad_kind_a_duplicate_code_and_a_text_target_are_each_named_at_their_cell():
    plan, problems = plan_from_xlsx(_bad_workbook())
    assert plan is None
    assert [(p.sheet, p.row, p.column, p.key) for p in problems] == [
        ("指标", 2, "类型", "plan.one_of"),
        ("指标", 3, "指标编码", "plan.duplicate_code"),
        ("指标", 4, "目标", "workbook.not_target"),
    ]
    assert [p.message("zh") for p in problems] == [
        "工作表“指标”，第2行，“类型”列：ZS-HD：必须是以下之一：count, stock, rate, milestone",
        "工作表“指标”，第3行，“指标编码”列：ZS-HD：指标编码 ZS-HD 重复（另见 第2行）",
        "工作表“指标”，第4行，“目标”列：ZL-PX：“每季度2场”不是目标：请填写数字（如 12），区间写成 90–100",
    ]
    assert problems[1].message("en") == "sheet 指标, row 3, column 指标编码: ZS-HD: duplicate code ZS-HD (also row 2)"
    assert problems[2].value == "每季度2场"


def _edited(edit) -> list:
    wb = _book(plan_to_xlsx(load_plan(ZH_ONLY)))
    edit(wb)
    plan, problems = plan_from_xlsx(_save(wb))
    assert plan is None and problems
    for p in problems:
        for lang in ("zh", "en"):
            assert not re.search(r"\{[a-z_]+\}", p.message(lang))
    return [(p.sheet, p.row, p.column, p.key) for p in problems]


def _set(sheet: str, row: int, header: str, value, number_format: str | None = None):
    def edit(wb):
        ws = wb[sheet]
        cell = ws.cell(row=row, column=_col(ws, header))
        cell.value = value
        cell.number_format = number_format or cell.number_format
    return edit


@pytest.mark.parametrize(("edit", "expected"), [
    (_set("计划", 2, "结束日期", "2024-12-31"), [("计划", 2, "结束日期", "plan.span_order")]),
    (_set("计划", 2, "计划编号", None), [("计划", 2, "计划编号", "plan.required")]),
    (_set("计划", 3, "计划编号", "X"), [("计划", 3, "计划编号", "workbook.plan_rows")]),
    (_set("领域", 2, "名称（中文）", None), [("领域", 2, "名称（中文）", "plan.required")]),
    (_set("指标", 2, "所属领域", "XX"), [("指标", 2, "所属领域", "workbook.unknown_area")]),
    (_set("指标", 5, "截止日期", "2026-01-31"), [("指标", 5, "截止日期", "plan.outside_span")]),
    (_set("指标", 5, "截止日期", 45000, "General"), [("指标", 5, "截止日期", "plan.date")]),  # a serial, not a date
    (_set("指标", 3, "基数", "很多"), [("指标", 3, "基数", "plan.number")]),
    (_set("指标", 2, "待确认", "kind, guess"), [("指标", 2, "待确认", "plan.one_of")]),
    (_set("分期目标", 2, "指标编码", "ZS-NONE"), [("分期目标", 2, "指标编码", "workbook.unknown_indicator")]),
    (lambda wb: [_set("分期目标", 2, h, v)(wb) for h, v in (("指标编码", "ZS-HD"), ("期间", "2025-Q3"),
                                                            ("目标", 2))],
     [("分期目标", 2, "期间", "plan.outside_span"), ("分期目标", 2, "目标", "plan.target_and_targets")]),
    (lambda wb: wb["指标"].delete_rows(4, 3), [("领域", 3, "领域编码", "workbook.no_items")]),
    (_set("指标", 1, "类型", "种类"), [("指标", None, None, "workbook.missing_column"),
                                       ("指标", 1, "种类", "workbook.unknown_column")]),
    (lambda wb: wb.remove(wb["领域"]), [(None, None, None, "workbook.missing_sheet")]),
])
def test_each_problem_is_at_its_sheet_row_and_column(edit, expected):
    assert _edited(edit) == expected


def test_not_a_workbook_at_all():
    plan, problems = plan_from_xlsx(b"id: not a workbook")
    assert plan is None and [p.key for p in problems] == ["workbook.unreadable"]
    assert problems[0].message("zh").startswith("文件：无法作为 Excel 工作簿读取")
    assert not is_plan_workbook(b"id: not a workbook")


def test_every_workbook_problem_key_is_produced_and_speaks_both_languages():
    """Each problem key of the workbook is produced by some case here (no dead messages)."""
    produced = {p.key for p in plan_from_xlsx(_bad_workbook())[1]} | {"workbook.unreadable"}
    for case in test_each_problem_is_at_its_sheet_row_and_column.pytestmark[0].args[1]:
        produced |= {key for *_, key in case[1]}
    wb = _book(plan_to_xlsx(load_plan(ZH_ONLY)))
    wb["指标"].cell(row=1, column=20).value = "类型"  # the kind column twice
    produced |= {p.key for p in plan_from_xlsx(_save(wb))[1]}
    problem_keys = {k for k in CATALOGUE if k.startswith("workbook.") and not k.startswith(
        ("workbook.sheet_", "workbook.col_")) and k not in ("workbook.choose", "workbook.notes", "workbook.other_row")}
    assert problem_keys - produced == set()


def test_review_flags_of_a_workbook_are_placed_on_their_review_cells():
    raw = yaml.safe_load(ZH_ONLY.read_text(encoding="utf-8"))
    raw["areas"][1]["items"][0]["review"] = ["every"]
    found = read_workbook(plan_to_xlsx(Plan.model_validate(raw)))
    from kpi.setup import review_problems

    [problem] = [found.locate(p, default="review") for p in review_problems(found.plan)]
    assert (problem.sheet, problem.row, problem.column, problem.code) == ("指标", 4, "待确认", "ZL-PX")


# --- the command line --------------------------------------------------------------------------------

def test_cli_exports_a_stored_plan_as_a_workbook_and_loads_it_back_unchanged(tmp_path, capsys):
    db = tmp_path / "kpi.duckdb"
    store = Store.open(db)
    load_plans(store, EDITOR, [PLAN_FILE])
    store.close()
    out = tmp_path / "plan.xlsx"
    assert main(["plan", "export", "2023-H2", "--format", "xlsx", "-o", str(out), "--db", str(db)]) == 0
    assert is_plan_workbook(out.read_bytes())
    assert main(["plan", "check", str(out)]) == 0
    assert "ok (2023-H2, 6 areas, 53 items)" in capsys.readouterr().out
    assert main(["plan", "load", str(out), "--db", str(db)]) == 0
    assert "plan 2023-H2: revision 1 (unchanged)" in capsys.readouterr().out


def test_cli_exports_yaml_to_standard_output_and_a_workbook_file_to_yaml(tmp_path, capsys):
    assert main(["plan", "export", str(ZH_ONLY)]) == 0
    assert parse_plan_text(capsys.readouterr().out) == load_plan(ZH_ONLY)
    book = tmp_path / "zh.xlsx"
    book.write_bytes(plan_to_xlsx(load_plan(ZH_ONLY)))
    assert main(["plan", "export", str(book), "--format", "yaml", "-o", str(tmp_path / "zh.yaml")]) == 0
    assert load_plan(tmp_path / "zh.yaml") == load_plan(ZH_ONLY)


@pytest.mark.parametrize("args", [["plan", "export", "2023-H2", "--format", "xlsx"],
                                  ["plan", "export", "NO-SUCH-PLAN"]])
def test_cli_export_usage_errors(args, capsys):
    assert main(args) == 2
    assert capsys.readouterr().err.strip()


def test_cli_check_refuses_a_bad_workbook_naming_each_cell_in_chinese(tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_bad_workbook())
    assert main(["plan", "check", str(bad), "--lang", "zh"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{bad}：发现 3 个问题"
    assert err[1].startswith("工作表“指标”，第2行，“类型”列：")
    db = tmp_path / "kpi.duckdb"
    assert main(["plan", "load", str(bad), "--db", str(db)]) == 1
    store = Store.open(db)
    try:
        assert store.plan_ids() == []  # nothing written
    finally:
        store.close()


def test_cli_still_reads_an_xlsx_targets_file_as_targets(tmp_path, capsys):
    wb = Workbook()
    wb.active.append(["指标编码", "期间", "目标"])
    wb.active.append(["INV-EVENTS", "2023-H2", 7])
    path = tmp_path / "targets.xlsx"
    path.write_bytes(_save(wb))
    assert not is_plan_workbook(path.read_bytes())
    assert main(["plan", "check", str(path), "--plan", "2023-H2"]) == 0
    assert "ok (targets for 2023-H2)" in capsys.readouterr().out
