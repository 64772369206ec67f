"""Editing targets: every rule fails and passes through the grid's save and through `plan check`;
a revision and its revert change `python -m kpi status` and back."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kpi.plan import edit as plan_edit
from kpi.plan.models import load_plan
from tests.conftest import EDITOR, PLAN_FILE, run_cli

RANGE_PLAN = """
id: QA-2023H2
title: {zh: 测试计划, en: Test plan}
span: {start: 2023-07-01, end: 2023-12-31}
areas:
  - code: QA
    name: {zh: 测试, en: Test}
    items:
      - code: QA-RATE
        name: {zh: 办结率, en: Resolution rate}
        unit: {zh: "%", en: "%"}
        kind: rate
        direction: range
        target: {low: 90, high: 100}
        source: 测试
      - code: QA-COUNT
        name: {zh: 活动, en: Events}
        kind: count
        target: 4
        source: 测试
      - code: QA-DONE
        name: {zh: 节点, en: Milestone}
        kind: milestone
        due: 2023-10-31
        source: 测试
"""


@pytest.fixture
def plan():
    return load_plan(PLAN_FILE)


@pytest.fixture
def range_plan(tmp_path):
    path = tmp_path / "qa.yaml"
    path.write_text(RANGE_PLAN, encoding="utf-8")
    return load_plan(path)


def _grid(plan, cells: dict):
    grid = plan_edit.targets_grid(plan, "en")
    for (code, column), value in cells.items():
        grid.loc[grid["code"] == code, column] = value
    return grid


def _issues(plan, cells: dict):
    new, issues = plan_edit.apply_grid(plan, _grid(plan, cells))
    return new, [(i.code, i.column, i.text("en")) for i in issues]


@pytest.mark.parametrize(("cells", "expected"), [
    ({("INV-EVENTS", "target"): -1}, ("INV-EVENTS", "target", "must be greater than 0")),
    ({("INV-EVENTS", "target"): 0}, ("INV-EVENTS", "target", "must be greater than 0")),
    ({("INNO-IP-TRAIN", "target"): None}, ("INNO-IP-TRAIN", "every", "a recurring minimum needs a target per period")),
    ({("INNO-IP-TRAIN", "every"): "year"}, ("INNO-IP-TRAIN", "every", "the plan span is not made of whole years")),
    ({("SCI-DAY", "due"): None}, ("SCI-DAY", "due", "a milestone needs a due date inside the plan span")),
    ({("SCI-DAY", "due"): dt.date(2024, 2, 1)}, ("SCI-DAY", "due", "2024-02-01 is outside the plan span 2023-07-01 "
                                                                    "to 2023-12-31")),
    ({("INV-VISITS", "2023-Q3"): 10}, ("INV-VISITS", "targets",
                                        "give either a target for the whole plan or targets per period, not both")),
    ({("INV-VISITS", "target"): None, ("INV-VISITS", "2023-Q3"): -3}, ("INV-VISITS", "2023-Q3",
                                                                       "must be greater than 0")),
])
def test_grid_rules_fail_with_the_cell_named(plan, cells, expected):
    new, issues = _issues(plan, cells)
    assert new is None and issues == [expected]


@pytest.mark.parametrize(("cells", "check"), [
    ({("INV-EVENTS", "target"): 8}, lambda p: p.indicator("INV-EVENTS").target == 8),
    ({("INNO-IP-TRAIN", "every"): "month", ("INNO-IP-TRAIN", "target"): 1},
     lambda p: (p.indicator("INNO-IP-TRAIN").every, p.indicator("INNO-IP-TRAIN").target) == ("month", 1)),
    ({("SCI-DAY", "due"): dt.date(2023, 10, 31)}, lambda p: p.indicator("SCI-DAY").due == dt.date(2023, 10, 31)),
    ({("INV-VISITS", "target"): None, ("INV-VISITS", "2023-Q3"): 8, ("INV-VISITS", "2023-Q4"): 14},
     lambda p: [(e.period, e.value) for e in p.indicator("INV-VISITS").targets] == [("2023-Q3", 8), ("2023-Q4", 14)]),
    ({("INV-MAJOR-PROJ", "target"): 5}, lambda p: not p.indicator("INV-MAJOR-PROJ").monitored),
    ({("INV-EVENTS", "target"): None}, lambda p: p.indicator("INV-EVENTS").monitored),
])
def test_grid_rules_pass(plan, cells, check):
    new, issues = _issues(plan, cells)
    assert issues == [] and check(new)


def test_range_rule_fails_and_passes(range_plan):
    new, issues = _issues(range_plan, {("QA-RATE", "low"): 100, ("QA-RATE", "high"): 90})
    assert new is None and issues == [("QA-RATE", "target", "low 100 is greater than high 90")]
    new, issues = _issues(range_plan, {("QA-RATE", "low"): 85, ("QA-RATE", "high"): 95})
    assert issues == [] and (new.indicator("QA-RATE").target.low, new.indicator("QA-RATE").target.high) == (85, 95)


def test_grid_messages_in_chinese(plan):
    _, issues = plan_edit.apply_grid(plan, _grid(plan, {("INV-EVENTS", "target"): -1}))
    assert plan_edit.issues_table(issues, "zh").iloc[0].tolist() == ["INV-EVENTS", "target", "目标必须大于 0"]


def test_unchanged_grid_gives_the_same_plan(plan):
    new, issues = plan_edit.apply_grid(plan, plan_edit.targets_grid(plan, "zh"))
    assert issues == [] and new.sha256() == plan.sha256()


@pytest.mark.parametrize(("text", "fragment"), [
    ("indicator,period,target\nINV-EVENTS,2023-H2,-2\n", "row 2, column target: INV-EVENTS: must be greater than 0"),
    ("indicator,period,target\nINV-EVENTS,2024-Q1,2\n", "row 2, column period: INV-EVENTS: "
                                                         "2024-Q1 is outside the plan span 2023-07-01 to 2023-12-31"),
    ("indicator,period,target\nNOPE,2023-H2,2\n", "row 2, column indicator: 'NOPE' is not an indicator"),
    ("indicator,period,target\nINV-EVENTS,2023-Q9,2\n", "row 2, column period: '2023-Q9' is not a period"),
    ("indicator,period,target\nINV-EVENTS,2023-H2,lots\n", "row 2, column target: 'lots' is not a number"),
])
def test_plan_check_of_a_targets_file_fails_with_the_row(tmp_path, text, fragment):
    path = tmp_path / "targets.csv"
    path.write_text(text, encoding="utf-8")
    out = run_cli("plan", "check", str(path), "--plan", "2023-H2")
    assert out.returncode == 1
    assert fragment in out.stderr


def test_plan_check_of_a_good_targets_file(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("指标编码,期间,目标\nINV-EVENTS,2023-H2,8\nINV-VISITS,2023-Q3,8\nINV-VISITS,2023-Q4,14\n",
                    encoding="utf-8-sig")
    out = run_cli("plan", "check", str(path), "--plan", "2023-H2")
    assert out.returncode == 0 and "ok (targets for 2023-H2)" in out.stdout


@pytest.mark.parametrize("header", ["编码,期间,目标值", "indicator code,period,target", "指标编码,季度,计划目标",
                                    "Indicator_Code,Period,TARGET"])
def test_a_targets_file_takes_the_header_spellings_of_data_uploads(plan, header):
    """One alias table (kpi/ingest/layout.py ALIASES) for data uploads and the targets file."""
    text = f"{header}\nINV-EVENTS,2023-H2,8\nINV-VISITS,2023-Q3,8\nINV-VISITS,2023-Q4,14\n"
    new, problems = plan_edit.apply_targets_file(plan, text.encode("utf-8-sig"), "targets.csv")
    assert problems == []
    assert new.indicator("INV-EVENTS").target == 8
    assert [(e.period, e.value) for e in new.indicator("INV-VISITS").targets] == [("2023-Q3", 8), ("2023-Q4", 14)]


def test_a_targets_file_without_a_target_column_names_it_and_its_spellings(plan):
    new, problems = plan_edit.apply_targets_file(plan, "编码,期间,实际值\nINV-EVENTS,2023-H2,8\n".encode(), "t.csv")
    assert new is None and [p.key for p in problems] == ["ingest.missing_column"]
    assert problems[0].message("en") == ("file: missing column target / 目标: the header needs one of "
                                         "target, 目标, 目标值, 计划目标")
    assert problems[0].message("zh") == "文件：缺少“target / 目标”列：表头须含 target, 目标, 目标值, 计划目标"


def test_a_targets_file_rule_problem_in_chinese(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("编码,期间,目标值\nINV-EVENTS,2023-H2,-2\n", encoding="utf-8")
    out = run_cli("plan", "check", str(path), "--plan", "2023-H2", "--lang", "zh")
    assert out.returncode == 1
    assert out.stderr.splitlines() == ["targets.csv：发现 1 个问题，未写入任何数据",
                                       "第2行，“目标值”列：INV-EVENTS：目标必须大于 0"]


def test_the_targets_page_table_of_a_file_has_row_code_column_value_and_message(plan):
    data = b"indicator,period,target\nNOPE,2023-H2,2\n"
    _, problems = plan_edit.apply_targets_file(plan, data, "t.csv")
    table = plan_edit.issues_table(problems, "en", rows=True)
    assert list(table.columns) == ["Row", "Code", "Column", "Value", "Problem and what to do"]
    assert table.iloc[0].tolist()[:4] == [2, "", "indicator", "NOPE"]
    data = b"indicator,period,target\nINV-EVENTS,2023-H2,0\n"
    _, problems = plan_edit.apply_targets_file(plan, data, "t.csv")
    assert plan_edit.issues_table(problems, "zh", rows=True).iloc[0].tolist() == [
        2, "INV-EVENTS", "target", "", "目标必须大于 0"]


def _status(db, *args) -> dict:
    out = run_cli("status", "--db", str(db), "--format", "json", "--as-of", "2023-12-31", *args)
    assert out.returncode == 0, out.stderr
    return {r["indicator"]: r for r in json.loads(out.stdout)}


def test_a_revision_and_its_revert_change_status_and_back(tmp_path):
    db = tmp_path / "rev.duckdb"
    assert run_cli("init", "--db", str(db), "--plan", str(PLAN_FILE)).returncode == 0
    data = tmp_path / "actuals.csv"
    data.write_text("indicator,period,value\nINV-EVENTS,2023-Q3,3\nINV-EVENTS,2023-Q4,4\n", encoding="utf-8")
    assert run_cli("import", str(data), "--db", str(db)).returncode == 0
    assert (_status(db)["INV-EVENTS"]["target"], _status(db)["INV-EVENTS"]["status"]) == (6, "met")
    targets = tmp_path / "targets.csv"
    targets.write_text("indicator,period,target\nINV-EVENTS,2023-H2,10\n", encoding="utf-8")
    out = run_cli("plan", "load", str(targets), "--plan", "2023-H2", "--db", str(db))
    assert out.returncode == 0 and "revision 2 (loaded)" in out.stdout
    assert (_status(db)["INV-EVENTS"]["target"], _status(db)["INV-EVENTS"]["status"]) == (10, "missed")
    assert _status(db, "--data", "2")["INV-EVENTS"]["target"] == 6  # pinned before the revision: old targets
    assert run_cli("revert", "3", "--db", str(db)).returncode == 0  # batch 3 saved revision 2
    assert (_status(db)["INV-EVENTS"]["target"], _status(db)["INV-EVENTS"]["status"]) == (6, "met")
    assert run_cli("revert", "3", "--reapply", "--db", str(db)).returncode == 0
    assert _status(db)["INV-EVENTS"]["target"] == 10


def test_store_revisions_and_restore(store, plan):
    new, _ = plan_edit.apply_grid(plan, _grid(plan, {("INV-EVENTS", "target"): 9}))
    assert store.save_plan(new, EDITOR, source="targets page") == (2, True)
    revisions = store.plan_revisions("2023-H2")
    assert revisions["revision"].tolist() == [2, 1] and revisions["source"].tolist()[0] == "targets page"
    diff = plan_edit.plan_diff(store.plan_at_revision("2023-H2", 1), store.plan("2023-H2"), "en")
    assert diff.values.tolist() == [["INV-EVENTS", "target", "6", "9"]]
    assert store.restore_plan("2023-H2", 1, EDITOR) == (3, True)
    assert store.plan("2023-H2").indicator("INV-EVENTS").target == 6
