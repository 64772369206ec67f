"""AppTest for the New plan page: viewers are refused; an editor drafts the seed text, corrects the grids, saves a new
plan (revision 1) once every guess is settled or accepted; a plan id taken is refused; a workbook, a bad file and a
plan carried forward start a draft too. Grid edits are sent as the browser sends them (the editor's edit state)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from kpi import auth
from kpi.plan.models import load_plan
from kpi.plan.workbook import plan_to_xlsx
from kpi.store import Editor, Store
from tests.conftest import PLAN_FILE
from tests.test_app import _db
from tests.test_app_write import APP, NAME, PASSWORD, _labels, _sign_in
from tests.test_plan_grid import AREAS, SEED_TEXT

TEXT = {"en": {"draft": "Make the draft", "save": "Save as a new plan", "accept": "Accept the draft as it is",
               "taken": "The plan id 2023-H2 exists already", "saved": "Saved the new plan {plan} (revision 1).",
               "open": "51 row(s) still have guesses to check", "viewer": "This page is for editors",
               "kind": "Kind", "stock": "stock"},
        "zh": {"draft": "生成草稿", "save": "保存为新计划", "accept": "按草稿原样接受",
               "taken": "计划编号 2023-H2 已经存在", "saved": "已保存新计划 {plan}（第 1 版）。",
               "open": "还有 51 行的推测待核对", "viewer": "本页仅供编辑使用", "kind": "类型", "stock": "存量"}}


@pytest.fixture
def db(location, monkeypatch):
    return _db(location, monkeypatch, sample=True)


@pytest.fixture
def with_editor():
    auth.write_editor(NAME, PASSWORD)


def _page(lang: str, signed_in: bool = True) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()  # once first: the page is then known by its own url path (new-plan)
    at.switch_page("app_pages/new_plan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return _sign_in(at) if signed_in else at


def _editor_key(at: AppTest, which: str) -> str:
    return next(e.key for e in at.data_editor if e.key.startswith(f"newplan_{which}_"))


def _edit(at: AppTest, which: str, rows: dict[int, dict]) -> None:
    """Cell edits as the browser sends them: row position (from 0) -> column -> value."""
    at.session_state[_editor_key(at, which)] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}


def _save_button(at: AppTest, lang: str):
    return next(b for b in at.button if b.label == TEXT[lang]["save"])


def _draft_seed(at: AppTest, lang: str) -> AppTest:
    at.text_area(key="newplan_text").input(SEED_TEXT)
    next(b for b in at.button if b.label == TEXT[lang]["draft"]).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_viewer_never_sees_the_page_or_its_controls(db, with_editor, lang):
    at = _page(lang, signed_in=False)
    assert TEXT[lang]["viewer"] in at.info[0].value
    assert "New plan" not in _labels(at) and "新建计划" not in _labels(at)
    assert not at.text_area and not at.get("file_uploader") and not at.data_editor
    assert not [b for b in at.button if b.label in (TEXT[lang]["draft"], TEXT[lang]["save"])]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_editor_drafts_the_seed_corrects_it_and_saves_a_new_plan(db, with_editor, lang):
    at = _draft_seed(_page(lang), lang)
    assert ("New plan" if lang == "en" else "新建计划") in _labels(at)
    areas, items = (e.value for e in at.data_editor)
    assert areas["name"].tolist() == AREAS and len(items) == 45
    flags = items.set_index("code")["review"]
    assert flags["ZSYZ-DJYDJJ"] == ("Name, Kind, Unit" if lang == "en" else "名称、类型、单位")
    assert any(TEXT[lang]["open"] in w.value for w in at.warning)
    assert any(TEXT[lang]["taken"] in e.value for e in at.error)  # the draft's id is the span's: 2023-H2
    assert _save_button(at, lang).disabled

    new_id = f"luohu-draft-{lang}"
    at.text_input(key=next(t.key for t in at.text_input if t.key.startswith("newplan_id_"))).input(new_id)
    _edit(at, "areas", {0: {"code": "INV"}})  # a guessed code corrected: its items follow
    _edit(at, "items", {1: {"kind": "stock"}, 2: {"code": "INV-TARGET-LIST", "checked": True}})
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    shown = at.data_editor[1].value
    assert shown.loc[2, "review"] == ("Name, Unit" if lang == "en" else "名称、单位")  # the kind was decided
    assert shown.loc[3, "review"] == ""
    assert shown.loc[2, "area"] == "INV" and shown.loc[1, "code"] == "INV-WCZDCY"
    assert _save_button(at, lang).disabled  # guesses are still open
    at.checkbox(key=next(c.key for c in at.checkbox if c.key.startswith("newplan_accept_"))).check().run()
    _save_button(at, lang).click().run()
    assert not at.exception
    assert TEXT[lang]["saved"].format(plan=new_id) in [s.value for s in at.success]
    assert any(new_id in link.label for link in at.get("page_link"))
    store = Store.open(db)
    try:
        plan = store.plan(new_id)
        assert store.plan_revision(new_id) == 1 and [a.name.zh for a in plan.areas] == AREAS
        assert plan.areas[0].code == "INV" and plan.indicator("INV-DJYDJJ").kind == "stock"
        assert plan.indicator("INV-TARGET-LIST").review == []
        assert store.plan_revisions(new_id)["editor"].iloc[0].startswith("王科长")
    finally:
        store.close()


def test_a_problem_on_a_row_stops_the_save_and_is_listed(db, with_editor):
    at = _draft_seed(_page("en"), "en")
    at.text_input(key=next(t.key for t in at.text_input if t.key.startswith("newplan_id_"))).input("2023-H2-b")
    _edit(at, "items", {0: {"due": "2024-02-01"}, 4: {"target": "about six"}})
    at.run()
    at.checkbox(key=next(c.key for c in at.checkbox if c.key.startswith("newplan_accept_"))).check().run()
    assert "2 problem(s) stand in the way of saving" in at.error[0].value
    problems = at.data_editor[1].value["problem"]
    assert problems.loc[1] == "Due: 2024-02-01 is outside the plan span 2023-07-01 to 2023-12-31"
    assert problems.loc[5].startswith("Target: 'about six' is not a target")
    assert at.dataframe[-1].value.iloc[:, :3].values.tolist() == [["Items", "1", "Due"], ["Items", "5", "Target"]]
    assert _save_button(at, "en").disabled


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_plan_id_that_exists_is_refused_and_nothing_is_written(db, with_editor, lang):
    at = _page(lang)
    assert at.get("file_uploader")  # editors get the upload control
    at = _draft_seed(at, lang)
    at.checkbox(key=next(c.key for c in at.checkbox if c.key.startswith("newplan_accept_"))).check().run()
    assert any(TEXT[lang]["taken"] in e.value for e in at.error)  # said before any click
    assert _save_button(at, lang).disabled
    # the id taken between the look and the click (by another editor): the write itself refuses it
    at.text_input(key=next(t.key for t in at.text_input if t.key.startswith("newplan_id_"))).input("2023-H2-c").run()
    assert not _save_button(at, lang).disabled
    store = Store.open(db)
    try:
        store.save_plan(load_plan(PLAN_FILE).model_copy(update={"id": "2023-H2-c"}), Editor("another", via="test"),
                        new=True)
        version = store.data_version()
    finally:
        store.close()
    _save_button(at, lang).click().run()
    taken = "The plan id 2023-H2-c exists already" if lang == "en" else "计划编号 2023-H2-c 已经存在"
    assert any(taken in e.value for e in at.error)
    assert not at.success
    store = Store.open(db)
    try:
        assert store.data_version() == version and store.plan_revision("2023-H2-c") == 1
        assert store.plan("2023-H2-c").areas[0].code == "INV"  # the other editor's plan, not the draft
    finally:
        store.close()


def test_a_workbook_and_a_carried_plan_start_a_draft_and_a_bad_file_says_why(db, with_editor):
    at = _page("en")
    at.selectbox(key="newplan_carry_span").select("2024-H1")
    next(b for b in at.button if b.label == "Carry forward into a draft").click().run()
    assert not at.exception
    assert at.text_input(key=next(t.key for t in at.text_input if t.key.startswith("newplan_id_"))).value == "2024-H1"
    assert at.data_editor[0].value["code"].tolist() == ["INV", "HK", "INNO", "SCI", "TAL", "ENT"]
    assert any("What carrying forward changed" in e.label for e in at.expander)
    at.checkbox(key=next(c.key for c in at.checkbox if c.key.startswith("newplan_accept_"))).check().run()
    _save_button(at, "en").click().run()
    assert "Saved the new plan 2024-H1 (revision 1)." in [s.value for s in at.success]
    view = at.session_state["_context"].view  # the new plan is the one in view: its whole span, a date inside it
    assert (view.plan_id, view.period, str(view.as_of)) == ("2024-H1", "2024-H1", "2024-06-30")
    assert not at.warning

    # the file starts: AppTest has no file upload, so the page's start function is what is checked here
    from kpi.plan import start
    begun = start.from_file(plan_to_xlsx(load_plan(PLAN_FILE)), "2023-H2.xlsx")
    assert begun.data["id"] == "2023-H2" and begun.problems == []
    assert start.from_file(b"", "plan.txt").problems[0].text("en").startswith("there is no text to read")
