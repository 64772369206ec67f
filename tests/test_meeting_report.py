"""What changed since the last meeting, and where decisions stand: in the screen, the briefing, Word and 通报 text.

The expected changes are computed here, independently, from the two pinned statuses (``Snapshot.status`` at each
meeting's data version and date): a status in met/done now and not then is newly met, and so on.
"""

from __future__ import annotations

import datetime as dt
import html
import io

import pytest
from docx import Document

from kpi.i18n import t
from kpi.report import briefing, decisions, meeting, query, screen, word
from kpi.setup import load_sample
from kpi.status import StatusRow
from kpi.store import Editor
from tests.conftest import EDITOR, import_csv

D = dt.date
FIRST_AS_OF, SECOND_AS_OF = D(2023, 11, 15), D(2023, 12, 31)
# after the first meeting: more visits, a training in December with its explanation, an event in December
UPLOAD = ("indicator,period,value,note\nINV-VISITS,2023-Q4,9,\nINNO-HTE-TRAIN,2023-12,1,十二月补办一期\n"
          "SCI-LECTURES,2023-Q4,3,\n")
DONE, BEHIND = {"met", "done"}, {"overdue", "missed", "off_track", "at_risk"}


def _row(status: str, note: str | None = None, needs_note: bool = False, actual: float | None = None) -> StatusRow:
    return StatusRow("X-1", "X", "count", "at_least", "2023-H2", status=status, note=note, needs_note=needs_note,
                     actual=actual)


@pytest.mark.parametrize(("before", "now", "kinds"), [
    (_row("on_track"), _row("met"), ("met",)),
    (_row("pending"), _row("done"), ("met",)),
    (_row("off_track"), _row("met"), ("met",)),
    (_row("met"), _row("met"), ()),
    (_row("on_track"), _row("at_risk"), ("behind",)),
    (_row("pending"), _row("overdue"), ("behind",)),
    (_row("at_risk"), _row("missed"), ()),  # behind then and now
    (_row("at_risk"), _row("on_track"), ("recovered",)),
    (_row("off_track", needs_note=True), _row("off_track", note="台风"), ("explained",)),
    (_row("off_track", needs_note=True), _row("met", note="补报"), ("met", "explained")),
    (_row("off_track", needs_note=True), _row("missed", needs_note=True), ()),
    (None, _row("met"), ("met",)),  # not in the plan then
    (None, _row("no_target"), ()),
])
def test_change_kinds(before, now, kinds):
    assert meeting.change_kinds(before, now) == kinds


def test_delta_is_the_move_of_the_actual():
    change = meeting.Change("X-1", "X", _row("met", actual=7), _row("on_track", actual=4), ("met",))
    assert change.delta == 3
    assert meeting.delta_text(change, "场", "zh") == "▲3场"
    assert meeting.delta_text(change, "events", "en") == "▲3 events"
    assert meeting.Change("X-1", "X", _row("met", actual=7), _row("pending"), ()).delta is None
    assert meeting.delta_text(None, "场", "zh") == ""


@pytest.fixture
def two_meetings(store):
    """Meeting 1 on the sample data (as of 15 Nov), its decisions, an upload, one closed, meeting 2 (as of 31 Dec)."""
    load_sample(store, Editor("sample", via="test"))
    first_version = store.data_version()
    first = store.record_meeting("十月调度会", D(2023, 11, 16), "2023-H2", "2023-H2", FIRST_AS_OF, first_version,
                                 EDITOR)
    store.record_decisions(first, [
        {"what": "加快外出招商", "area": "INV", "due": D(2023, 11, 30), "indicators": ["INV-EVENTS"]},
        {"what": "补报科普数据", "area": "SCI", "due": D(2023, 12, 20), "indicators": []},
        {"what": "筹备国高培训", "area": "INNO", "due": D(2024, 2, 1), "indicators": ["INNO-HTE-TRAIN"]}], EDITOR)
    import_csv(store, UPLOAD)
    closing = int(store.decisions(first)["decision"].iloc[0])
    store.close_decision(closing, "已组织3场", D(2023, 11, 28), EDITOR)
    second_version = store.data_version()
    second = store.record_meeting("年终调度会", D(2024, 1, 10), "2023-H2", "2023-H2", SECOND_AS_OF, second_version,
                                  EDITOR)
    return {"first": first, "second": second, "first_version": first_version, "second_version": second_version}


def _expected(store, found) -> dict[str, list[str]]:
    """The changes, computed from the two pinned statuses without the code under test."""
    before = {r.indicator: r for r in query.snapshot(store, "2023-H2", found["first_version"])
              .status("2023-H2", FIRST_AS_OF)}
    now = query.snapshot(store, "2023-H2", found["second_version"]).status("2023-H2", SECOND_AS_OF)
    out = {"met": [], "behind": [], "recovered": [], "explained": []}
    for r in now:
        was = before[r.indicator]
        if r.status in DONE and was.status not in DONE:
            out["met"].append(r.indicator)
        if r.status in BEHIND and was.status not in BEHIND:
            out["behind"].append(r.indicator)
        if was.status in BEHIND and r.status not in BEHIND | DONE:
            out["recovered"].append(r.indicator)
        if was.needs_note and r.note and not r.needs_note:
            out["explained"].append(r.indicator)
    return out


def _second_view(found, lang: str = "zh") -> query.View:
    return query.View("2023-H2", "2023-H2", SECOND_AS_OF, found["second_version"], lang)


def _facts(store, found, lang: str = "zh") -> meeting.Facts:
    view = _second_view(found, lang)
    rows = query.snapshot(store, "2023-H2", view.version).status(view.period, view.as_of)
    return meeting.facts(store, view, rows, found["second"])


def _sentence(store, expected: dict[str, list[str]], lang: str) -> str:
    plan = store.plan("2023-H2")
    sep = "、" if lang == "zh" else ", "
    parts = [t(f"since.{kind}", lang, count=len(codes), names=sep.join(plan.indicator(c).name.get(lang)
                                                                           for c in codes))
             for kind, codes in expected.items() if codes]
    when = t("since.when", lang, name="十月调度会", date="2023年11月16日" if lang == "zh" else "16 Nov 2023")
    return t("since.sentence", lang, when=when, parts=("；" if lang == "zh" else "; ").join(parts))


def test_the_second_meeting_compares_with_the_first_by_default(store, two_meetings):
    found = _facts(store, two_meetings)
    assert found.meeting["meeting"] == two_meetings["second"]
    assert found.since.meeting["meeting"] == two_meetings["first"]
    expected = _expected(store, two_meetings)
    assert {k: [c.indicator for c in found.since.of(k)] for k in expected} == expected
    assert sum(map(len, expected.values())) >= 4 and all(expected[k] for k in ("met", "behind", "explained"))
    assert "INNO-HTE-TRAIN" in expected["explained"]  # the upload's note explains the 待说明 item
    assert found.today == D(2024, 1, 10)  # decisions judged on the meeting's date


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_changes_in_words_in_the_text_the_briefing_and_word(store, two_meetings, lang):
    found = _facts(store, two_meetings, lang)
    sentence = _sentence(store, _expected(store, two_meetings), lang)
    assert found.since.sentence(store.plan("2023-H2"), lang) == sentence
    view = _second_view(two_meetings, lang)
    pack = briefing.build_pack(query.snapshot(store, "2023-H2", view.version), view, "http://x/", found)
    text = pack.report_text()
    assert sentence in text
    earlier = t("decisions.earlier", lang, total=3, closed=1, overdue=1, open=1)  # 11-30 closed, 12-20 overdue
    assert earlier in text
    page = briefing.briefing_html(pack).decode()
    assert html.escape(sentence) in page and html.escape(earlier) in page
    assert "已组织3场" in page  # the closing note of the decision closed
    doc = Document(io.BytesIO(word.report_docx(pack)))
    paragraphs = [p.text for p in doc.paragraphs]
    assert sentence in paragraphs and earlier in paragraphs
    assert any("加快外出招商" in p and "已组织3场" in p for p in paragraphs)


def test_a_pack_outside_meeting_mode_says_nothing_of_meetings(store, two_meetings):
    view = _second_view(two_meetings)
    pack = briefing.build_pack(query.snapshot(store, "2023-H2", view.version), view, "http://x/")
    assert "自上次会议" not in pack.report_text() and "上次会议决定事项" not in pack.report_text()
    assert "id='meeting'" not in briefing.briefing_html(pack).decode()


def test_the_earlier_meetings_decisions_as_they_stood_at_the_meeting(store, two_meetings):
    found = _facts(store, two_meetings)
    states = {d.what: d.state(found.today) for d in found.earlier}
    assert states == {"加快外出招商": "closed", "补报科普数据": "overdue", "筹备国高培训": "open"}
    later = int(store.decisions(two_meetings["first"])["decision"].iloc[1])
    store.close_decision(later, "一月补报", D(2024, 1, 12), EDITOR)  # after the second meeting
    again = _facts(store, two_meetings)
    assert {d.what: d.state(again.today) for d in again.earlier}["补报科普数据"] == "overdue"  # pinned
    live = meeting.facts(store, query.View("2023-H2", "2023-H2", SECOND_AS_OF, store.data_version()),
                         [], since_id=two_meetings["first"], today=D(2024, 1, 15))  # the newest data version
    assert {d.what: d.state(live.today) for d in live.earlier}["补报科普数据"] == "closed"


def test_a_view_can_compare_with_another_earlier_meeting(store, two_meetings):
    third = store.record_meeting("一月会", D(2024, 1, 20), "2023-H2", "2023-H2", SECOND_AS_OF, store.data_version(),
                                 EDITOR)
    view = query.View("2023-H2", "2023-H2", SECOND_AS_OF, store.data_version())
    rows = query.snapshot(store, "2023-H2", view.version).status(view.period, view.as_of)
    assert meeting.facts(store, view, rows, third).since.meeting["meeting"] == two_meetings["second"]
    chosen = meeting.facts(store, view, rows, third, since_id=two_meetings["first"])
    assert chosen.since.meeting["meeting"] == two_meetings["first"]
    assert meeting.facts(store, view, rows, two_meetings["first"]).since is None  # nothing before the first
    live = meeting.facts(store, view, rows)  # not a meeting: the last one recorded at or before its data version
    assert live.meeting is None and live.since.meeting["meeting"] == third


def test_decision_tally_and_open_decisions_for_an_office(store, two_meetings):
    found = _facts(store, two_meetings)
    assert decisions.tally(found.earlier, found.today) == {"total": 3, "closed": 1, "overdue": 1, "open": 1}
    assert decisions.tally_sentence(found.earlier, found.today, "zh") == \
        "上次会议决定事项：3项，已办结1项，逾期1项，办理中1项"
    assert decisions.tally_sentence((), found.today, "zh") == t("decisions.earlier_none", "zh")
    assert [d.what for d in decisions.open_decisions(store)] == ["补报科普数据", "筹备国高培训"]
    assert [d.what for d in decisions.open_decisions(store, "SCI")] == ["补报科普数据"]
    line = decisions.decision_line(store.plan("2023-H2"), found.earlier[0], found.today, "zh")
    assert line == "加快外出招商（责任科室：招商引资；时限：2023年11月30日）✔ 已办结（2023年11月28日）" \
                   "；涉及指标：市外招商活动；办理情况：已组织3场"


def test_the_screen_strips_carry_the_changes_and_escape_the_names(store, two_meetings):
    found = _facts(store, two_meetings, "en")
    view = _second_view(two_meetings, "en")
    rows = query.snapshot(store, "2023-H2", view.version).status(view.period, view.as_of)
    strips = screen.strips(store.plan("2023-H2"), rows, "en", found.since)
    inv = next(s for s in strips if s.code == "INV")
    before = [c.before for c in found.since.changes if c.area == "INV" and c.before.status not in ("no_target",)]
    assert inv.change.done_before == sum(r.status in DONE for r in before)
    html = screen.strips_html(strips, 1.0, "en")
    assert html.count('class="kpi-name"') == 6 and "<script" not in html
    top = screen.top_html("<b>计划</b>", "H2 2023", ["Sample data"], [("a & b", "changes")])
    assert "&lt;b&gt;计划&lt;/b&gt;" in top and "a &amp; b" in top
