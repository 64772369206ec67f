"""AppTest for the write pages: viewers see no write control, editors revert and re-apply, pinned links hold."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from kpi import auth, ingest
from kpi.store import Store
from tests.conftest import EDITOR, ROOT
from tests.test_app import _db

pytestmark = pytest.mark.engines  # on a DuckDB file and on PostgreSQL

APP = str(ROOT / "app.py")
NAME, PASSWORD = "王科长", "correct horse 2023"


@pytest.fixture
def db(location, monkeypatch):
    return _db(location, monkeypatch, sample=True)


@pytest.fixture
def with_editor():
    auth.write_editor(NAME, PASSWORD)


def _app(page: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    if page:
        at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sign_in(at: AppTest, password: str = PASSWORD) -> AppTest:
    at.text_input(key="sign_in_name").input(NAME)
    at.text_input(key="sign_in_password").input(password)
    next(b for b in at.button if b.label in ("Sign in", "登录")).click().run()
    assert not at.exception
    return at


def _labels(at: AppTest) -> list[str]:
    return [link.label for link in at.get("page_link")]


@pytest.mark.parametrize("page", ["upload", "history", "overview"])
def test_viewer_sees_no_write_control(db, with_editor, page):
    at = _app(page, lang="en")
    assert "Upload" not in _labels(at)
    assert not [b for b in at.button if b.label.startswith(("Revert", "Re-apply", "3. Confirm"))]
    assert not at.get("file_uploader")
    if page == "upload":
        assert "This page is for editors" in at.info[0].value


def test_editing_off_says_how_to_turn_it_on(db):
    at = _app("upload", lang="en")
    assert any("python -m kpi editor add" in i.value for i in at.info)


def test_wrong_password_grants_nothing(db, with_editor):
    at = _sign_in(_app("history", lang="en"), password="wrong")
    assert "Wrong name or password" in at.error[0].value
    assert not [b for b in at.button if b.label.startswith("Revert")]


def test_editor_reverts_and_reapplies_and_the_numbers_follow(db, with_editor):
    at = _sign_in(_app("history", lang="en"))
    assert f"Signed in as editor {NAME}" in [m.value for m in at.markdown]
    assert "Upload" in _labels(at)
    revert = next(b for b in at.button if b.label == "Revert batch 2")
    revert.click().run()
    assert "Batch 2 reverted (recorded as batch 3)." in [s.value for s in at.success]
    store = Store.open(db)
    try:
        assert store.current().empty
        assert store.batch(2)["reverted"]
    finally:
        store.close()
    overview = _app(lang="en")
    assert not overview.warning  # the sample data is out of force: no sample banner
    next(b for b in at.button if b.label == "Re-apply batch 2").click().run()
    assert "Batch 2 re-applied (recorded as batch 4)." in [s.value for s in at.success]
    assert any("Sample data" in w.value for w in _app(lang="en").warning)


def test_pinned_link_shows_the_numbers_as_they_were(db):
    store = Store.open(db)
    try:
        prepared = ingest.prepare(store, b"indicator,period,value\nINV-FIRMS,2023-12,40\n", "dec.csv")
        ingest.commit(store, prepared, EDITOR)
    finally:
        store.close()
    live = _app("indicator", lang="en", indicator="INV-FIRMS")
    pinned = _app("indicator", lang="en", indicator="INV-FIRMS", data="2")
    # distinct firms are a level: December's 40 replaces the 107 reached by then (the latest value counts)
    assert "Actual 40 firms · Target 100 firms · Progress 40%" in [c.value for c in live.markdown]
    assert "Actual 107 firms · Target 100 firms · Progress 107%" in [c.value for c in pinned.markdown]
    assert "data version 2" in pinned.info[0].value and "the newest is 3" in pinned.info[0].value
    link = pinned.sidebar.code[0].value
    assert "data=2" in link
    assert "data=3" in live.sidebar.code[1].value and "data=" not in live.sidebar.code[0].value


def test_history_lists_every_batch_with_its_diff(db):
    at = _app("history", lang="en")
    table = at.dataframe[0].value
    assert list(table["Kind"]) == ["sample data", "plan"]
    diff = at.dataframe[1].value
    assert len(diff) == 122 and set(diff["Change"]) == {"new"}


def test_editor_explains_and_overrides_and_viewers_see_both(db, with_editor):
    view = {"lang": "en", "indicator": "INNO-IP-VISITS", "period": "2023-Q4"}
    viewer = _app("indicator", **view)
    assert "needs explanation" not in viewer.markdown[1].value  # the sample explains Q4 already
    at = _sign_in(_app("indicator", **view))
    at.text_area(key="note_text").input("线上对接 3 次，已补报")
    next(b for b in at.button if b.label == "Save the explanation").click().run()
    assert not at.exception
    at.selectbox(key="override_status").set_value("met")
    next(b for b in at.button if b.label == "Save the status").click().run()
    assert [e.value for e in at.error] == ["An override needs a reason."]
    at.selectbox(key="override_status").set_value("met")
    at.text_input(key="override_reason").input("领导认定：线上对接视同走访")
    next(b for b in at.button if b.label == "Save the status").click().run()
    assert any("recorded as batch" in s.value for s in at.success)
    viewer = _app("indicator", **view)
    heading = [m.value for m in viewer.markdown if m.value.startswith("### ")][0]
    assert heading == "### ✔ Met (set by an editor; computed: ✘ Missed)"
    captions = [c.value for c in viewer.caption]
    assert any("线上对接 3 次，已补报" in c and NAME in c for c in captions)
    assert any("领导认定：线上对接视同走访" in c for c in captions)
    assert "annotate.title" not in str([e.label for e in viewer.get("expander")])
    assert not viewer.get("expander") or all("Edit:" not in e.label for e in viewer.get("expander"))


def test_unexplained_items_are_marked_in_meeting_mode(db, with_editor):
    """The meeting screen lists what needs attention with the 待说明 items marked, and counts them per area."""
    at = _app("overview", lang="en", present="1")
    assert "Needs attention" in [s.value for s in at.subheader]
    screen = "".join(h.proto.body for h in at.html)
    assert "1 need an explanation" in screen
    links = [link.label for link in at.get("page_link")]
    unexplained = [label for label in links if label.endswith("needs explanation (待说明)")]
    assert unexplained and all("Missed" in u or "Overdue" in u or "Off track" in u for u in unexplained)


def test_targets_page_is_for_editors_only(db, with_editor):
    viewer = _app("targets", lang="en")
    assert "This page is for editors" in viewer.info[0].value
    assert not viewer.dataframe and "Targets" not in _labels(viewer)
    assert not viewer.get("download_button")
    at = _sign_in(_app("targets", lang="en"))
    assert [s.value for s in at.subheader] == ["Edit the targets", "Targets from a file", "Revisions"]
    [download] = at.get("download_button")
    assert download.proto.label == "Download the plan workbook (Excel)"
    assert "Targets" in _labels(at)
    grid = at.dataframe[0].value
    assert grid[grid["code"] == "INV-EVENTS"]["target"].iloc[0] == 6
    assert list(grid.columns[:3]) == ["code", "target", "every"]
    pinned = _sign_in(_app("targets", lang="en", data="1"))
    assert any("pinned link is read-only" in i.value for i in pinned.info)


@pytest.mark.parametrize(("lang", "rejected", "problem"), [
    ("en", "2 problem(s): nothing was saved", ["target: must be greater than 0",
                                               "due: 2024-02-01 is outside the plan span 2023-07-01 to 2023-12-31"]),
    ("zh", "有 2 处不符合规则，未保存", ["target: 目标必须大于 0",
                                         "due: 2024-02-01 不在计划期 2023-07-01 至 2023-12-31 内"]),
])
def test_targets_page_shows_grid_problems_on_their_rows_in_the_users_language(db, with_editor, lang, rejected,
                                                                             problem):
    import datetime as dt

    from kpi.plan import edit as plan_edit

    store = Store.open(db)
    try:
        plan = store.plan("2023-H2")
    finally:
        store.close()
    grid = plan_edit.targets_grid(plan, lang)
    grid.loc[grid["code"] == "INV-EVENTS", "target"] = 0
    grid.loc[grid["code"] == "SCI-DAY", "due"] = dt.date(2024, 2, 1)
    _, problems = plan_edit.apply_grid(plan, grid)  # what the page's save button finds
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.switch_page("app_pages/targets.py")
    at.session_state["_grid_issues"] = {1: problems}
    at.run()
    _sign_in(at)
    assert not at.exception
    assert rejected in at.error[0].value
    shown = at.dataframe[0].value.set_index("code")["problem"]
    assert [shown["INV-EVENTS"], shown["SCI-DAY"]] == problem
    assert shown["INV-VISITS"] == ""
    table = at.dataframe[1].value
    assert table.iloc[:, 0].tolist() == ["INV-EVENTS", "SCI-DAY"]
