"""The Due list (待办): for a store built here, as of a given date, exactly the expected lines — for an admin, for an
area editor, on the command line as a table, JSON, CSV and an iCalendar file that icalendar parses with those
deadlines — and each line goes away once it is resolved."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kpi import writes
from kpi.plan.models import parse_plan_text
from kpi.report import due, query
from kpi.store import Editor, Store
from tests.conftest import EDITOR, import_csv, run_cli

pytestmark = pytest.mark.engines  # on a DuckDB file and on PostgreSQL

PLAN = """
id: DUE-1
title: {zh: 待办测试计划, en: Due test plan}
span: {start: 2023-07-01, end: 2023-12-31}
areas:
  - code: INV
    name: {zh: 招商引资, en: Investment}
    owner: {zh: 投资促进科, en: Investment Office}
    items:
      - {code: INV-EVENTS, name: {zh: 招商活动, en: Events}, kind: count, target: 6, source: 活动}
      - {code: INV-VISITS, name: {zh: 上门走访, en: Visits}, kind: count, every: quarter, target: 10, source: 走访}
      - {code: INV-SELECT, name: {zh: 项目遴选, en: Project selection}, kind: milestone, due: 2023-10-20,
         source: 遴选}
      - {code: INV-CONTEST, name: {zh: 创业大赛, en: Contest}, kind: milestone, due: 2023-09-15, source: 大赛}
  - code: TAL
    name: {zh: 人才, en: Talent}
    items:
      - {code: TAL-SERVICE, name: {zh: 人才服务, en: Talent service}, kind: count, source: 服务}
      - {code: TAL-CONF, name: {zh: 人才大会, en: Talent conference}, kind: milestone, due: 2023-12-31, source: 大会}
"""
VALUES = ("indicator,period,value\n"
          "INV-EVENTS,2023-07,1\nINV-EVENTS,2023-08,0\nINV-EVENTS,2023-09,0\n"
          "INV-VISITS,2023-Q3,12\n"
          "INV-CONTEST,2023-09,2023-09-10\n")
AS_OF = dt.date(2023, 10, 15)
INV = Editor("李四", via="test", areas=("INV",))
EXPECTED = [  # (deadline, kind, indicator, period, overdue, page, params)
    ("2023-10-10", "value", "TAL-SERVICE", "2023-Q3", True, "upload", {"template": "2023-Q3"}),
    ("2023-10-10", "explain", "INV-EVENTS", "2023-Q3", True, "indicator",
     {"indicator": "INV-EVENTS", "period": "2023-Q3", "explain": "1"}),
    ("2023-10-10", "evidence", "INV-CONTEST", "2023-Q3", True, "indicator",
     {"indicator": "INV-CONTEST", "period": "DUE-1", "evidence": "1"}),
    ("2023-10-10", "close", None, "2023-Q3", True, "due", {"close": "2023-Q3"}),
    ("2023-10-20", "milestone", "INV-SELECT", "2023-Q4", False, "upload", {"template": "2023-Q4"}),
]
TEXTS_EN = [
    "To report: Talent service (TAL-SERVICE), the value for Q3 2023, by 10 Oct 2023",
    "To explain (待说明): Events (INV-EVENTS), Q3 2023 is ▼ Off track with no explanation, by 10 Oct 2023",
    "Evidence missing (缺佐证): Contest (INV-CONTEST) is done with no evidence attached, by 10 Oct 2023",
    "To close: Q3 2023 (ended 30 Sep 2023), by 10 Oct 2023",
    "Milestone due: Project selection (INV-SELECT) is due on 20 Oct 2023, in 5 days",
]


@pytest.fixture
def due_store(db_path):
    store = Store.open(db_path)
    store.save_plan(parse_plan_text(PLAN, "due.yaml"), EDITOR)
    import_csv(store, VALUES)
    yield store
    store.close()


def _shape(lines):
    return [(d.deadline.isoformat(), d.kind, d.indicator, d.period, d.overdue, d.page, d.params) for d in lines]


def _lines(store, **kw):
    return due.due_lines(query.snapshot(store, "DUE-1"), AS_OF, **kw)


def test_the_due_list_is_exactly_the_expected_lines(due_store):
    lines = _lines(due_store, lang="en")
    assert _shape(lines) == EXPECTED
    assert [d.text for d in lines] == TEXTS_EN
    assert _lines(due_store, lang="zh")[0].text == \
        "待报送：人才服务（TAL-SERVICE）2023年第三季度 的实际值，截止 2023年10月10日"


def test_an_area_editor_sees_their_areas_and_no_closing(due_store):
    mine = _lines(due_store, areas=INV.areas, admin=INV.admin)
    assert [(d.kind, d.indicator) for d in mine] == [("explain", "INV-EVENTS"), ("evidence", "INV-CONTEST"),
                                                     ("milestone", "INV-SELECT")]
    assert [d.kind for d in _lines(due_store, within=3)] == ["value", "explain", "evidence", "close"]


def test_lines_go_away_once_resolved(due_store):
    writes.write_note(due_store, INV, "INV-EVENTS", "2023-Q3", "台风停办两场")
    import_csv(due_store, "indicator,period,value\nTAL-SERVICE,2023-09,4\nINV-SELECT,2023-10,2023-10-12\n")
    left = _lines(due_store)
    assert [(d.kind, d.indicator) for d in left] == [("evidence", "INV-CONTEST"), ("close", None),
                                                     ("evidence", "INV-SELECT")]
    writes.close_period(due_store, EDITOR, "2023-Q3")
    assert [(d.kind, d.indicator) for d in _lines(due_store)] == [("evidence", "INV-CONTEST"),
                                                                  ("evidence", "INV-SELECT")]
    # the link's period: the whole plan, named by its id (DUE-1 is no calendar period)
    writes.attach_evidence(due_store, INV, "INV-CONTEST", "DUE-1", "大赛.png", b"\x89PNG\r\n\x1a\n0000")
    writes.write_note(due_store, INV, "INV-CONTEST", "DUE-1", "决赛已办")
    assert [(d.kind, d.indicator) for d in _lines(due_store)] == [("evidence", "INV-SELECT")]
    assert query.snapshot(due_store, "DUE-1").status("DUE-1", AS_OF, only="INV-CONTEST")[0].evidence == 1


def test_the_command_line_gives_the_same_list_and_a_calendar(due_store, db_path, tmp_path):
    from icalendar import Calendar

    due_store.close()
    base = "https://kpi.example.gov.cn/dash"
    env = {"KPI_PUBLIC_URL": base}
    args = ("--db", str(db_path), "--plan", "DUE-1", "--as-of", "2023-10-15", "--lang", "en")
    table = run_cli("due", *args, env=env)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines() == [f"{d[0]}  {text}" for d, text in zip(EXPECTED, TEXTS_EN, strict=True)]
    listed = json.loads(run_cli("due", *args, "--format", "json", env=env).stdout)
    assert [(x["deadline"], x["kind"], x["indicator"]) for x in listed] == [e[:3] for e in EXPECTED]
    assert listed[0]["link"] == f"{base}/upload?template=2023-Q3"
    area = json.loads(run_cli("due", *args, "--area", "tal", "--format", "json", env=env).stdout)
    assert [(x["kind"], x["indicator"]) for x in area] == [("value", "TAL-SERVICE")]
    csv = run_cli("due", *args, "--format", "csv", env=env)
    assert csv.stdout.splitlines()[0] == "\ufeffDeadline,Kind,Area,Code,Period,What,Link"
    assert len(csv.stdout.splitlines()) == 1 + len(EXPECTED)
    ics = tmp_path / "due.ics"
    assert run_cli("due", *args, "--format", "ics", "-o", str(ics), env=env).returncode == 0
    events = [c for c in Calendar.from_ical(ics.read_bytes()).walk() if c.name == "VEVENT"]
    assert [e.decoded("dtstart").isoformat() for e in events] == [e[0] for e in EXPECTED]
    assert [str(e["summary"]) for e in events] == TEXTS_EN
    assert str(events[1]["url"]) == f"{base}/indicator?indicator=INV-EVENTS&period=2023-Q3&explain=1"
    assert all(e.decoded("dtend") - e.decoded("dtstart") == dt.timedelta(days=1) for e in events)
    assert len({str(e["uid"]) for e in events}) == len(events)
    bad = run_cli("due", *args, "--area", "FOO", env=env)
    assert bad.returncode == 2 and "no such areas: FOO" in bad.stderr


def test_due_help_names_the_options():
    result = run_cli("due", "--help")
    for option in ("--area", "--as-of", "--within", "--format"):
        assert option in result.stdout
    assert "table,json,csv,ics" in result.stdout


def test_the_due_page_lists_the_lines_of_the_editors_areas_with_their_links(due_store, db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from kpi import auth
    from kpi.settings import get_settings
    from tests.conftest import ROOT

    due_store.close()
    monkeypatch.setenv("KPI_DB", str(db_path))
    get_settings.cache_clear()
    auth.write_editor("李四", "correct horse 2023", areas=["INV"])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in {"lang": "en", "plan": "DUE-1", "as_of": "2023-10-15"}.items():
        at.query_params[k] = v
    at.switch_page("app_pages/due.py")
    at.run()
    assert any("for editors and admins" in i.value for i in at.info)
    at.text_input(key="sign_in_name").input("李四")
    at.text_input(key="sign_in_password").input("correct horse 2023")
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception, [e.value for e in at.exception]
    links = [link for link in at.get("page_link") if link.proto.label.startswith("2023-")]
    assert [link.proto.label for link in links] == [
        "2023-10-10 · " + TEXTS_EN[1], "2023-10-10 · " + TEXTS_EN[2], "2023-10-20 · " + TEXTS_EN[4]]
    assert links[0].proto.page.endswith("indicator") and "explain=1" in links[0].proto.query_string
    assert "Due" in [link.label for link in at.get("page_link")]
    assert not [s for s in at.subheader if s.value == "Closing periods"]  # closing is for admins


def test_open_meeting_decisions_are_due_for_their_office_until_closed(due_store):
    meeting = due_store.record_meeting("三季度调度会", dt.date(2023, 10, 9), "DUE-1", "2023-Q3", AS_OF,
                                       due_store.data_version(), EDITOR)
    due_store.record_decisions(meeting, [
        {"what": "补报人才服务数据", "area": "TAL", "due": dt.date(2023, 10, 12), "indicators": ["TAL-SERVICE"]},
        {"what": "约见两家目标企业", "area": "INV", "due": dt.date(2023, 10, 25), "indicators": []},
        {"what": "年底前完成评估", "area": "INV", "due": dt.date(2023, 12, 20), "indicators": []},  # not yet due
    ], EDITOR)
    lines = [d for d in _lines(due_store, lang="en") if d.kind == "decision"]
    assert [(d.deadline.isoformat(), d.area, d.overdue, d.page, d.params) for d in lines] == [
        ("2023-10-12", "TAL", True, "area", {"area": "TAL"}), ("2023-10-25", "INV", False, "area", {"area": "INV"})]
    assert [d.text for d in lines] == [
        "Meeting decision overdue: 补报人才服务数据 (三季度调度会, Talent) was due on 12 Oct 2023, 3 days ago",
        "Meeting decision: 约见两家目标企业 (三季度调度会, Investment), due on 25 Oct 2023"]
    mine = [d.area for d in _lines(due_store, areas=INV.areas, admin=False) if d.kind == "decision"]
    assert mine == ["INV"]  # an area editor sees their office's decisions only
    talent = int(due_store.decisions(area="TAL")["decision"].iloc[0])
    due_store.close_decision(talent, "已补报", dt.date(2023, 10, 14), EDITOR)
    assert [d.area for d in _lines(due_store) if d.kind == "decision"] == ["INV"]
