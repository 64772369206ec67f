"""Carrying a plan forward: the next span's plan as a draft with the same codes, each guess flagged; plan check
accepts it; loaded beside the last plan, the indicator page compares the two whole plans."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from kpi.cli import main
from kpi.plan.carry import CarryError, carry_forward, retitle, shift_months, span_period
from kpi.plan.cells import plan_from_xlsx
from kpi.plan.dump import plan_yaml
from kpi.plan.models import Text, load_plan, parse_plan_text
from kpi.report import query, tables
from kpi.settings import get_settings
from kpi.setup import load_plans, load_sample
from kpi.store import Editor, Store
from tests.conftest import EDITOR, PLAN_FILE, ROOT, import_csv
from tests.test_app import _run
from tests.test_workbook import _doc_example

ZH_ONLY = ROOT / "tests" / "data" / "plans" / "zh-only.yaml"


@pytest.mark.parametrize(("day", "months", "moved"), [
    (dt.date(2023, 12, 31), 6, dt.date(2024, 6, 30)),  # a month's last day stays the last day
    (dt.date(2023, 9, 30), 6, dt.date(2024, 3, 31)),
    (dt.date(2023, 8, 15), 6, dt.date(2024, 2, 15)),
    (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
    (dt.date(2023, 11, 30), 12, dt.date(2024, 11, 30)),
])
def test_shift_months(day, months, moved):
    assert shift_months(day, months) == moved


def test_the_title_names_the_new_span_in_each_language_it_is_written_in():
    h2, h1 = span_period(dt.date(2023, 7, 1), dt.date(2023, 12, 31)), span_period(dt.date(2024, 1, 1),
                                                                                  dt.date(2024, 6, 30))
    assert (h2.label, h1.label) == ("2023-H2", "2024-H1")
    title = Text(zh="罗湖区科技创新局2023年下半年工作计划", en="Work Plan, Second Half of 2023 (2023-H2)")
    assert retitle(title, h2, h1) == Text(zh="罗湖区科技创新局2024年上半年工作计划",
                                          en="Work Plan, First Half of 2024 (2024-H1)")
    year = span_period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert retitle(Text(zh="2024年工作计划"), span_period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)), year) == \
        Text(zh="2025年工作计划")
    assert retitle(Text(zh="工作要点"), h2, h1) == Text(zh="工作要点")  # names no span: unchanged


def test_2023_h2_to_2024_h1_keeps_every_code_and_flags_every_guess():
    old = load_plan(PLAN_FILE)
    new, notes = carry_forward(old, "2024-H1")
    assert new.id == "2024-H1" and (new.span.start, new.span.end) == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert [a.code for a in new.areas] == [a.code for a in old.areas]
    assert [i.code for i in new.indicators()] == [i.code for i in old.indicators()]
    assert new.title.zh == "罗湖区科技创新局2024年上半年工作计划" and new.review == ["title"]
    assert new.published is None and new.source is None
    for item, before in zip(new.indicators(), old.indicators(), strict=True):
        assert (item.name, item.kind, item.unit, item.source) == (before.name, before.kind, before.unit, before.source)
        if item.kind == "milestone":
            assert "due" in item.review and new.span.start <= item.due <= new.span.end
        if before.target is not None:
            assert item.target == before.target and item.every == before.every and "target" in item.review
    assert new.indicator("SCI-DAY").due == dt.date(2024, 3, 31)  # 2023-09-30 + 6 months
    assert new.indicator("INV-PROJ-SELECT").due == dt.date(2024, 6, 30)  # due at the end: at the new end
    firms = new.indicator("INV-FIRMS")  # a level counted from the start of the plan: from the new start
    assert (firms.baseline.value, firms.baseline.date, "baseline" in firms.review) == (0, dt.date(2024, 1, 1), False)
    listed = new.indicator("INV-TARGET-LIST")  # no store: the old baseline kept, flagged
    assert listed.baseline == old.indicator("INV-TARGET-LIST").baseline and listed.review == ["baseline"]
    assert new.indicator("INV-EUROPE").review == []  # monitored, nothing guessed
    said = [n("en") for n in notes]
    assert "SCI-DAY: due date 2023-09-30 moved to 2024-03-31 (to confirm)" in said
    assert "INV-FIRMS: baseline 0 now counts from the new span's start, 2024-01-01" in said
    assert said[-1] == "6 targets kept from the plan, each marked for review"
    assert [n("zh") for n in notes][-1] == "6 项目标沿用原计划，均已标记待确认"


def test_clear_targets_leaves_monitored_items_flagged_to_fill_in():
    new, notes = carry_forward(load_plan(PLAN_FILE), "2024-H1", keep_targets=False)
    assert all(i.target is None and not i.targets and i.every is None for i in new.indicators())
    assert new.indicator("INV-EVENTS").review == ["target"]
    assert new.indicator("INNO-IP-TRAIN").review == ["target", "every"]
    assert notes[-1]("en") == "6 targets cleared, each marked to fill in"


def test_phased_targets_move_when_their_grain_fits_and_are_dropped_when_not():
    example = _doc_example()  # INV-VISITS: 2025-Q1 8, 2025-Q2 12
    half = carry_forward(example, "2025-H2")[0].indicator("INV-VISITS")
    assert [(e.period, e.value) for e in half.targets] == [("2025-Q3", 8), ("2025-Q4", 12)]
    year = carry_forward(example, "2026")[0].indicator("INV-VISITS")  # 12 months on, inside the year
    assert [e.period for e in year.targets] == ["2026-Q1", "2026-Q2"]
    quarter, notes = carry_forward(example, "2025-Q2")  # Q1 → Q2 fits; Q2 → Q3 leaves the span
    assert [e.period for e in quarter.indicator("INV-VISITS").targets] == ["2025-Q2"]
    assert "INV-VISITS: phased targets 2025-Q2 do not fit the new span and were dropped (to confirm)" in \
        [n("en") for n in notes]
    month, _ = carry_forward(example, "2025-02")  # one month on: no quarter fits
    visits = month.indicator("INV-VISITS")
    assert visits.targets == [] and visits.monitored and visits.review == ["target"]


def test_a_recurring_minimum_that_does_not_divide_the_span_is_dropped_and_a_late_due_date_kept_inside():
    new, notes = carry_forward(load_plan(ZH_ONLY), "2025-Q3")
    training = new.indicator("ZL-PX")  # every quarter fits a quarter
    assert (training.every, training.target) == ("quarter", 2)
    due = new.indicator("ZL-ZY")  # 2025-05-31 + 6 months = 2025-11-30, past 2025-Q3
    assert due.due == dt.date(2025, 9, 30) and due.review == ["due"]
    assert "ZL-ZY: due date 2025-05-31 moved past the new span; set to its end, 2025-09-30 (to confirm)" in \
        [n("en") for n in notes]
    monthly, notes = carry_forward(load_plan(ZH_ONLY), "2025-07")
    training = monthly.indicator("ZL-PX")
    assert (training.every, training.target, training.review) == (None, None, ["every", "target"])
    assert monthly.title.zh == "某区科技局2025年7月工作要点（虚构示例）" and monthly.title.en is None


def test_a_span_that_does_not_come_later_is_refused():
    with pytest.raises(CarryError) as info:
        carry_forward(load_plan(PLAN_FILE), "2023-Q3")
    assert info.value.key == "carry.not_later"


def _store_with_actuals(tmp_path) -> Store:
    store = Store.open(tmp_path / "kpi.duckdb")
    load_plans(store, EDITOR, [PLAN_FILE])
    load_sample(store, Editor("sample", via="test"))
    return store


def test_with_a_store_a_stocks_baseline_is_the_last_plans_latest_value(tmp_path):
    store = _store_with_actuals(tmp_path)
    try:
        new, notes = carry_forward(store.plan("2023-H2"), "2024-H1", store=store)
    finally:
        store.close()
    listed = new.indicator("INV-TARGET-LIST")  # 28 in 2023-Q3, 31 in 2023-Q4 (the sample)
    assert (listed.baseline.value, listed.baseline.date) == (31, dt.date(2024, 1, 1))
    assert listed.baseline.note == Text(zh="上一计划（2023-H2）期末的最新值",
                                        en="The latest value of the previous plan (2023-H2)")
    assert listed.review == ["baseline"]
    assert new.indicator("INV-FIRMS").baseline.value == 0  # counted from the start of each plan
    assert new.indicator("INV-VISITS").baseline is None  # a count starts again
    assert "INV-TARGET-LIST: baseline set to 31, the latest value of plan 2023-H2 (to confirm)" in \
        [n("en") for n in notes]


def test_cli_plan_next_from_a_stored_plan_reads_the_baselines_from_its_actuals(tmp_path, capsys):
    _store_with_actuals(tmp_path).close()
    db = str(tmp_path / "kpi.duckdb")
    assert main(["plan", "next", "2023-H2", "--span", "2024-H1", "--db", db, "--id", "LH-2024-H1"]) == 0
    carried = parse_plan_text(capsys.readouterr().out)
    assert carried.id == "LH-2024-H1" and carried.indicator("INV-TARGET-LIST").baseline.value == 31


def test_cli_plan_next_writes_a_draft_that_plan_check_accepts_and_plan_load_refuses(tmp_path, capsys):
    out = tmp_path / "2024-H1.yaml"
    assert main(["plan", "next", str(PLAN_FILE), "--span", "2024-H1", "-o", str(out), "--lang", "zh"]) == 0
    captured = capsys.readouterr()
    assert "SCI-DAY：截止日期 2023-09-30 顺延为 2024-03-31（待确认）" in captured.err
    assert out.read_text(encoding="utf-8").startswith("# 由计划 2023-H2 延续而来的草稿")
    assert main(["plan", "check", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"{out}: ok (2024-H1, 6 areas, 53 items)" in printed and "guesses of the draft" in printed
    carried = load_plan(out)
    assert [i.code for i in carried.indicators()] == [i.code for i in load_plan(PLAN_FILE).indicators()]
    db = tmp_path / "kpi.duckdb"
    assert main(["plan", "load", str(out), "--db", str(db)]) == 1
    assert main(["plan", "load", str(out), "--db", str(db), "--accept-draft"]) == 0
    book = tmp_path / "2024-H1.xlsx"  # the same draft as a workbook
    assert main(["plan", "next", str(PLAN_FILE), "--span", "2024-H1", "-o", str(book)]) == 0
    assert plan_from_xlsx(book.read_bytes()) == (carried, [])


@pytest.mark.parametrize(("args", "zh"), [(["--span", "2023-Q3"], "须在原计划开始（2023-07-01）之后"),
                                          (["--span", "someday"], "不是可识别的期间")])
def test_cli_plan_next_usage_errors_in_the_users_language(args, zh, capsys):
    assert main(["plan", "next", str(PLAN_FILE), *args, "--lang", "zh"]) == 2
    assert zh in capsys.readouterr().err


def test_yaml_of_a_carried_plan_reads_back_the_same():
    new, _ = carry_forward(load_plan(PLAN_FILE), "2024", keep_targets=True)
    text = plan_yaml(new)
    assert parse_plan_text(text) == new
    assert "review: [title]" in text and yaml.safe_load(text)["id"] == "2024"


# --- the two plans side by side ----------------------------------------------------------------------

VISITS_2024 = "指标编码,期间,实际值\nINV-VISITS,2024-Q1,8\nINV-VISITS,2024-Q2,7\nHK-BASES,2024-Q1,4\n"


@pytest.fixture
def two_plans(tmp_path, monkeypatch):
    """2023-H2 with the sample actuals, and 2024-H1 carried from it (loaded as a draft) with a few actuals."""
    store = _store_with_actuals(tmp_path)
    carried, _ = carry_forward(store.plan("2023-H2"), "2024-H1", store=store)
    load_path = tmp_path / "2024-H1.yaml"
    load_path.write_text(plan_yaml(carried), encoding="utf-8")
    load_plans(store, EDITOR, [load_path], accept_draft=True)
    import_csv(store, VISITS_2024)
    path = store.path
    store.close()
    monkeypatch.setenv("KPI_DB", str(path))
    get_settings.cache_clear()
    return path


def test_the_whole_plan_compares_with_the_whole_of_each_other_plan(two_plans):
    store = Store.open(two_plans)
    try:
        new, old = store.plan("2024-H1"), store.plan("2023-H2")
        assert tables.same_periods(new, "2024-H1", old) == ["2023-H2"]
        assert tables.same_periods(new, "2024-Q1", old) == []  # no Q1 in 2023-H2
        snap = query.snapshot(store, "2024-H1")
        table, rows = tables.year_over_year(store, snap, "INV-VISITS", "2024-H1", dt.date(2024, 6, 30), "en")
    finally:
        store.close()
    assert [(r.period, r.actual, r.target) for r in rows] == [("2023-H2", 16, 20), ("2024-H1", 15, 20)]
    assert table["Period"].tolist() == ["H2 2023 (whole plan)", "H1 2024 (whole plan)"]


def test_indicator_page_shows_the_comparison_for_2024_h1_next_to_2023_h2(two_plans):
    at = _run("indicator", lang="en", plan="2024-H1", indicator="INV-VISITS")
    assert "The whole plan against other plans" in [s.value for s in at.subheader]
    compared = next(d.value for d in at.dataframe if "Plan" in d.value.columns)
    assert compared["Period"].tolist() == ["H2 2023 (whole plan)", "H1 2024 (whole plan)"]
    assert compared["Actual"].tolist() == ["16 visits", "15 visits"]
    assert compared["Plan"].tolist()[1] == "Luohu District Science, Technology and Innovation Bureau — Work Plan, " \
                                           "First Half of 2024"
    zh = _run("indicator", lang="zh", plan="2024-H1", indicator="HK-BASES")
    assert "与其他计划的全期比较" in [s.value for s in zh.subheader]
    quarter = _run("indicator", lang="en", plan="2024-H1", indicator="INV-VISITS", period="2024-Q1")
    assert "The whole plan against other plans" not in [s.value for s in quarter.subheader]
