"""Meetings and their decisions in the store (schema 6): recorded as batches, revertible, pinned by data version."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

import kpi.store.schema
from kpi.store import CLOSURE, DECISION, MEETING, Editor, MeetingError, Store, StoreConflict
from tests.conftest import EDITOR, import_csv

D = dt.date


def _meeting(store: Store, name: str = "第三季度调度会", held_on: D = D(2023, 10, 15)) -> int:
    return store.record_meeting(name, held_on, "2023-H2", "2023-H2", D(2023, 10, 15), store.data_version(), EDITOR)


def _decide(store: Store, meeting: int, *rows: tuple[str, str, D, list[str]]) -> int:
    return store.record_decisions(meeting, [{"what": w, "area": a, "due": d, "indicators": i} for w, a, d, i in rows],
                                  EDITOR)


def test_a_meeting_is_a_batch_with_the_view_on_its_screen(store):
    version = store.data_version()
    meeting = _meeting(store)
    assert store.data_version() == meeting == version + 1
    info = store.batch(meeting)
    assert info["kind"] == MEETING and info["editor"] == "tester (test)" and info["source"] == "第三季度调度会"
    [row] = store.meetings().to_dict("records")
    assert (row["meeting"], row["name"], row["held_on"].date() if hasattr(row["held_on"], "date") else row["held_on"],
            row["plan_id"], row["period"], row["data_version"]) == (meeting, "第三季度调度会", D(2023, 10, 15),
                                                                    "2023-H2", "2023-H2", version)
    assert store.meeting(meeting)["name"] == "第三季度调度会"
    assert store.meeting(meeting + 100) is None


def test_meetings_are_listed_latest_held_first_and_by_plan(store):
    first = _meeting(store, "十月会", D(2023, 10, 15))
    second = _meeting(store, "十一月会", D(2023, 11, 20))
    assert store.meetings()["meeting"].tolist() == [second, first]
    assert store.meetings("2023-H2")["meeting"].tolist() == [second, first]
    assert store.meetings("2024-H1").empty


def test_writing_needs_an_editor_and_complete_text(store):
    with pytest.raises(PermissionError):
        store.record_meeting("会", D(2023, 10, 15), "2023-H2", "2023-H2", D(2023, 10, 15), 1, None)
    with pytest.raises(PermissionError):
        store.record_meeting("会", D(2023, 10, 15), "2023-H2", "2023-H2", D(2023, 10, 15), 1, Editor(" "))
    before = store.data_version()
    with pytest.raises(MeetingError) as err:
        store.record_meeting("  ", D(2023, 10, 15), "2023-H2", "2023-H2", D(2023, 10, 15), 1, EDITOR)
    assert err.value.key == "meeting.name_empty"
    with pytest.raises(MeetingError) as err:
        store.record_meeting("会", D(2023, 10, 15), "2023-H2", "2023-H2", D(2023, 10, 15), before + 5, EDITOR)
    assert err.value.key == "meeting.unknown_version"
    meeting = _meeting(store)
    with pytest.raises(PermissionError):
        store.record_decisions(meeting, [{"what": "x", "area": "INV", "due": D(2023, 12, 1)}], None)
    for bad, key in (({"what": "", "area": "INV", "due": D(2023, 12, 1)}, "decision.what_empty"),
                     ({"what": "x", "area": "", "due": D(2023, 12, 1)}, "decision.area_missing"),
                     ({"what": "x", "area": "INV", "due": None}, "decision.due_missing"),
                     ({"what": "长" * 501, "area": "INV", "due": D(2023, 12, 1)}, "decision.what_long")):
        with pytest.raises(MeetingError) as err:
            store.record_decisions(meeting, [{"what": "好的一项", "area": "HK", "due": D(2023, 12, 1)}, bad], EDITOR)
        assert err.value.key == key
    with pytest.raises(MeetingError) as err:
        _decide(store, meeting + 50, ("x", "INV", D(2023, 12, 1), []))
    assert err.value.key == "meeting.unknown"
    assert store.data_version() == meeting  # nothing refused was written
    assert store.decisions().empty


def test_decisions_are_a_batch_closed_with_a_note_and_pinned(store):
    meeting = _meeting(store)
    batch = _decide(store, meeting, ("加快落实外出招商活动", "INV", D(2023, 11, 30), ["INV-EVENTS"]),
                    ("补报科普活动数据", "SCI", D(2023, 10, 31), []))
    assert store.batch(batch)["kind"] == DECISION and store.batch(batch)["row_count"] == 2
    found = store.decisions(meeting)
    assert found["what"].tolist() == ["加快落实外出招商活动", "补报科普活动数据"]
    assert found["indicators"].tolist() == [["INV-EVENTS"], []]
    assert found["closed"].tolist() == [False, False]
    assert store.decisions(area="SCI")["what"].tolist() == ["补报科普活动数据"]
    first = int(found["decision"].iloc[0])
    closure = store.close_decision(first, "已于11月组织3场", D(2023, 11, 28), EDITOR)
    assert store.batch(closure)["kind"] == CLOSURE
    now = store.decisions(meeting).set_index("decision")
    assert bool(now.loc[first, "closed"]) and now.loc[first, "close_note"] == "已于11月组织3场"
    before = store.decisions(meeting, as_of_batch=closure - 1).set_index("decision")
    assert not bool(before.loc[first, "closed"])  # pinned: as it was right before the closure
    assert store.decisions(meeting, as_of_batch=meeting).empty  # and before the decisions were written
    with pytest.raises(StoreConflict):
        store.close_decision(first, "again", D(2023, 11, 29), EDITOR)
    with pytest.raises(MeetingError) as err:
        store.close_decision(first + 99, "note", D(2023, 11, 29), EDITOR)
    assert err.value.key == "decision.unknown"
    with pytest.raises(MeetingError) as err:
        store.close_decision(first + 1, " ", D(2023, 11, 29), EDITOR)
    assert err.value.key == "decision.note_empty"


def test_reverting_a_closure_opens_the_decision_and_reverting_decisions_takes_them_out(store):
    meeting = _meeting(store)
    batch = _decide(store, meeting, ("加快落实外出招商活动", "INV", D(2023, 11, 30), ["INV-EVENTS"]))
    decision = int(store.decisions()["decision"].iloc[0])
    closure = store.close_decision(decision, "已办", D(2023, 11, 28), EDITOR)
    revert = store.revert(closure, EDITOR)
    assert store.batch(closure)["reverted"]
    assert store.decisions()["closed"].tolist() == [False]
    assert store.decisions(as_of_batch=revert - 1)["closed"].tolist() == [True]
    store.close_decision(decision, "重新办结", D(2023, 12, 2), EDITOR)  # open again: it can be closed again
    assert store.decisions()["close_note"].tolist() == ["重新办结"]
    store.revert(batch, EDITOR)
    assert store.batch(batch)["reverted"] and store.decisions().empty
    store.reapply(batch, EDITOR)
    assert store.decisions()["what"].tolist() == ["加快落实外出招商活动"]
    store.revert(meeting, EDITOR)  # a meeting taken back leaves the list, with its decisions
    assert store.meetings().empty and store.decisions().empty
    with pytest.raises(StoreConflict):
        store.revert(meeting, EDITOR)


def test_values_and_their_reverts_are_unchanged_by_the_new_kinds(store):
    data = import_csv(store, "indicator,period,value\nINV-EVENTS,2023-Q3,2\n")
    meeting = _meeting(store)
    _decide(store, meeting, ("x", "INV", D(2023, 11, 30), []))
    store.revert(data, EDITOR)
    frame = store.batches().set_index("batch_id")
    assert bool(frame.loc[data, "reverted"]) and not bool(frame.loc[meeting, "reverted"])
    assert store.current().empty


def test_a_version_3_file_migrates_to_the_newest_keeping_its_batches(tmp_path):
    from kpi.store.schema import MIGRATIONS

    path = tmp_path / "v3.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    for version in (1, 2, 3):
        for sql in MIGRATIONS[version]:
            con.execute(sql)
    con.execute("INSERT INTO meta VALUES ('schema_version', '3')")
    con.execute("INSERT INTO batches VALUES (1, 'import', NULL, 'old', TIMESTAMP '2023-10-01 09:00:00', 'a.csv', "
                "'x', 1, NULL, NULL)")
    con.execute("INSERT INTO observations VALUES (1, 2, 'INV-EVENTS', '2023-Q3', 'quarter', DATE '2023-07-01', "
                "DATE '2023-09-30', 2, NULL, NULL)")
    con.close()
    store = Store.open(path)
    try:
        assert store.schema_version() == kpi.store.schema.SCHEMA_VERSION == 6  # through 4, 5 and 6
        assert store.batches()["editor"].tolist() == ["old"]
        assert store.current()["value"].tolist() == [2.0]
        meeting = store.record_meeting("会", D(2023, 10, 15), "2023-H2", "2023-H2", D(2023, 10, 15), 1, EDITOR)
        assert store.meetings()["meeting"].tolist() == [meeting]
        with pytest.raises(duckdb.ConstraintException):  # the kinds are still checked
            store.query("INSERT INTO batches VALUES (9, 'guess', NULL, 'x', TIMESTAMP '2023-10-01 09:00:00', NULL, "
                        "NULL, 0, NULL, NULL)")
    finally:
        store.close()
