"""AppTest for meetings: an editor records a meeting, writes down decisions, closes and takes them back; a viewer
sees them and can do none of it; an area's open decisions are on its page; the meeting screen leads with changes."""

from __future__ import annotations

import datetime as dt

import pytest

from kpi.i18n import CATALOGUE
from kpi.store import Store
from tests.conftest import EDITOR, import_csv
from tests.test_app_write import _app, _sign_in, db, with_editor  # noqa: F401 - fixtures
from tests.test_problems import _literals

D = dt.date
WRITE_LABELS = ("Record the meeting", "Record the decision", "Close it", "Revert the batch")


def _store(path) -> Store:
    return Store.open(path, create=False)


@pytest.fixture
def met(db):  # noqa: F811 - the fixture of test_app_write
    """Two meetings on the sample data, an upload between them, three decisions of the first, one closed."""
    store = _store(db)
    try:
        first = store.record_meeting("十月调度会", D(2023, 11, 16), "2023-H2", "2023-H2", D(2023, 11, 15),
                                     store.data_version(), EDITOR)
        store.record_decisions(first, [
            {"what": "加快外出招商", "area": "INV", "due": D(2023, 11, 30), "indicators": ["INV-EVENTS"]},
            {"what": "补报科普数据", "area": "SCI", "due": D(2023, 12, 20), "indicators": []}], EDITOR)
        import_csv(store, "indicator,period,value\nINV-VISITS,2023-Q4,9\n")
        store.close_decision(int(store.decisions(first)["decision"].iloc[0]), "已组织3场", D(2023, 11, 28), EDITOR)
        second = store.record_meeting("年终调度会", D(2024, 1, 10), "2023-H2", "2023-H2", D(2023, 12, 31),
                                      store.data_version(), EDITOR)
        return {"first": first, "second": second, "version": store.data_version()}
    finally:
        store.close()


def test_every_key_the_meeting_code_names_is_in_the_catalogue():
    for path in ("ui/present.py", "ui/meetings.py", "app_pages/meeting.py", "kpi/report/meeting.py",
                 "kpi/report/decisions.py", "kpi/report/screen.py", "kpi/store/meetings.py"):
        keys = _literals(path)
        assert keys, path
        for key in keys:
            family = key.endswith((".", "_"))  # f"since.{kind}_count", f"screen.kind_{kind}": a family of keys
            assert any(k.startswith(key) for k in CATALOGUE) if family else key in CATALOGUE, (path, key)


def test_a_viewer_sees_the_meeting_its_changes_and_decisions_and_no_control(db, with_editor, met):  # noqa: F811
    at = _app("meeting", lang="zh", meeting=str(met["second"]))
    assert not at.error
    markdown = [m.value for m in at.markdown]
    assert any(m.startswith("自上次会议（十月调度会，2023年11月16日）以来，") for m in markdown)
    assert "上次会议决定事项：2项，已办结1项，逾期1项，办理中0项" in markdown
    changes = at.dataframe[0].value
    assert "INV-VISITS" in set(changes["编码"])
    earlier = at.dataframe[1].value
    assert list(earlier["决定事项"]) == ["加快外出招商", "补报科普数据"]
    assert list(earlier["办理情况"]) == ["已组织3场", ""]
    labels = [b.label for b in at.button]
    assert not [label for label in labels if label in WRITE_LABELS or label in ("记录会议", "记录", "办结")]
    assert not at.text_area and not at.main.get("expander") and not at.main.get("date_input")
    link = [c.value for c in at.code][0]
    assert f"meeting={met['second']}" in link and "present=1" in link and "data=" in link


def test_a_viewer_writes_nothing_even_with_a_crafted_link(db, with_editor, met):  # noqa: F811
    at = _app("meeting", lang="en", meeting=str(met["first"]), decide="x", close="1", what="hack", note="done")
    assert not at.error and not at.text_area
    store = _store(db)
    try:
        assert store.data_version() == met["version"]
    finally:
        store.close()


def test_an_editor_records_a_meeting_then_decides_closes_and_takes_back(db, with_editor, met):  # noqa: F811
    at = _sign_in(_app("meeting", lang="en", period="2023-H2", as_of="2023-12-31"))
    at.text_input(key="record_name").input("January review")
    at.date_input(key="record_held").set_value(D(2024, 1, 25))
    next(b for b in at.button if b.label == "Record the meeting").click().run()
    assert not at.exception and not at.error
    assert any("Meeting “January review” recorded" in s.value for s in at.success)
    store = _store(db)
    try:
        new = int(store.meetings()["meeting"].iloc[0])
        info = store.meeting(new)
        assert (info["name"], info["data_version"], info["period"]) == ("January review", met["version"], "2023-H2")
    finally:
        store.close()
    assert at.query_params["meeting"] == str(new)  # the page shows the meeting just recorded
    assert any(m.startswith("Since the last meeting (年终调度会") for m in (x.value for x in at.markdown))

    at.text_area(key="decide_what").input("Hold two more visits")
    at.selectbox(key="decide_area").set_value("INV")
    at.date_input(key="decide_due").set_value(D.today() + dt.timedelta(days=60))  # open today (not overdue)
    at.multiselect(key="decide_indicators").set_value(["INV-VISITS"])
    next(b for b in at.button if b.label == "Record the decision").click().run()
    assert not at.error, [e.value for e in at.error]
    store = _store(db)
    try:
        [decision] = store.decisions(new).to_dict("records")
        assert (decision["what"], decision["area"], decision["indicators"]) == ("Hold two more visits", "INV",
                                                                                ["INV-VISITS"])
    finally:
        store.close()
    own = [d.value for d in at.dataframe if "Decision" in d.value.columns][0]  # this meeting's, first
    assert list(own["Decision"]) == ["Hold two more visits"] and list(own["State"]) == ["◔ Open"]

    at.text_area(key="close_note").input("Two visits held on 20 Feb")
    next(b for b in at.button if b.label == "Close it").click().run()
    assert not at.error
    store = _store(db)
    try:
        row = store.decisions(new).iloc[0]
        assert bool(row["closed"]) and row["close_note"] == "Two visits held on 20 Feb"
        closure = int(row["close_batch"])
    finally:
        store.close()

    at.selectbox(key="take_back_batch").set_value(closure)
    next(b for b in at.button if b.label == "Revert the batch").click().run()
    assert any(f"Batch {closure} reverted" in s.value for s in at.success)
    store = _store(db)
    try:
        assert not bool(store.decisions(new).iloc[0]["closed"])  # open again
        batch = int(store.decisions(new).iloc[0]["batch_id"])
    finally:
        store.close()
    at.selectbox(key="take_back_batch").set_value(batch)
    next(b for b in at.button if b.label == "Revert the batch").click().run()
    store = _store(db)
    try:
        assert store.decisions(new).empty and store.batch(batch)["reverted"]
    finally:
        store.close()


def test_a_decision_without_a_date_is_refused_and_nothing_written(db, with_editor, met):  # noqa: F811
    at = _sign_in(_app("meeting", lang="zh", meeting=str(met["second"])))
    at.text_area(key="decide_what").input("补充材料")
    next(b for b in at.button if b.label == "记录").click().run()
    assert "请填写办结时限。" in [e.value for e in at.error]
    store = _store(db)
    try:
        assert store.data_version() == met["version"]
    finally:
        store.close()


def test_the_area_page_lists_its_open_decisions(db, with_editor, met):  # noqa: F811
    at = _app("area", lang="zh", area="SCI")
    assert "会议决定事项（未办结）" in [s.value for s in at.subheader]
    assert any("补报科普数据" in m.value for m in at.markdown)
    inv = _app("area", lang="zh", area="INV")  # its decision is closed
    assert "会议决定事项（未办结）" not in [s.value for s in inv.subheader]


def test_the_history_page_lists_the_meetings(db, with_editor, met):  # noqa: F811
    at = _app("history", lang="zh")
    assert "会议记录" in [s.value for s in at.subheader]
    labels = [link.label for link in at.get("page_link")]
    assert any("年终调度会" in label for label in labels) and any("十月调度会" in label for label in labels)


def test_the_meeting_screen_leads_with_the_changes_and_the_last_decisions(db, with_editor, met):  # noqa: F811
    at = _app(None, lang="zh", present="1", meeting=str(met["second"]), data=str(met["second"] - 1),
              period="2023-H2", as_of="2023-12-31")
    assert not at.error
    head = at.html[0].proto.body if "kpi-line" in at.html[0].proto.body else \
        next(h.proto.body for h in at.html if "kpi-line" in h.proto.body)
    assert "年终调度会（2024年1月10日）：自上次会议（十月调度会，2023年11月16日）以来：" in head
    assert "上次会议决定事项：2项，已办结1项，逾期1项，办理中0项" in head
    pack = _app(None, lang="zh", present="1", meeting=str(met["second"]), data=str(met["second"] - 1),
                period="2023-H2", as_of="2023-12-31", slide="pack")
    text = pack.code[0].value
    assert "自上次会议（十月调度会，2023年11月16日）以来，" in text and "1. 加快外出招商" in text


def test_an_area_editor_cannot_take_back_a_meetings_batch(db, met):  # noqa: F811
    from kpi import auth
    from tests.test_app_write import NAME, PASSWORD

    auth.write_editor(NAME, PASSWORD, areas=["INV"])  # an area editor: meetings' batches are an admin's to revert
    at = _sign_in(_app("meeting", lang="en", meeting=str(met["first"])))
    store = _store(db)
    try:
        before = store.batches()[["batch_id", "reverted"]].to_dict("records")
    finally:
        store.close()
    chosen = at.selectbox(key="take_back_batch").options[0]
    at.selectbox(key="take_back_batch").set_value(chosen)
    next(b for b in at.button if b.label == "Revert the batch").click().run()
    assert any(e.value.startswith("Nothing was changed") for e in at.error), [e.value for e in at.error]
    assert not at.success
    store = _store(db)
    try:
        assert store.batches()[["batch_id", "reverted"]].to_dict("records") == before
    finally:
        store.close()
