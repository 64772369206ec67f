"""What a viewer sees under a link that cannot be honoured as written, and what an editor sees when the data moved
under a preview or a revert: a message in the user's language, never a trace, never numbers the link did not ask for.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from kpi import auth
from kpi.i18n import t
from kpi.plan.models import load_plan
from kpi.settings import get_settings
from kpi.store import Store
from tests.conftest import EDITOR, PLAN_FILE, ROOT, filled, import_csv
from ui.safe import plain

pytestmark = pytest.mark.engines  # on a DuckDB file and on PostgreSQL

APP = str(ROOT / "app.py")
EXAMPLE_FILE = ROOT / "data" / "plans" / "2024.yaml"
NAME, PASSWORD = "王科长", "correct horse 2023"


@pytest.fixture
def db(location, monkeypatch):
    """Both plans (batches 1 and 2) and the sample data."""
    path = filled(location, (PLAN_FILE, EXAMPLE_FILE), sample=True)
    monkeypatch.setenv("KPI_DB", str(path))
    get_settings.cache_clear()
    return path


def _app(page: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    if page:
        at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_pinned_version_offers_only_the_plans_that_existed_then(db, lang):
    """`/?plan=2024&data=1` showed a trace with server paths: 2024 was loaded in batch 2."""
    at = _app(plan="2024", data="1", lang=lang)
    assert not [s for s in at.sidebar.selectbox if s.key == "plan"]  # one plan existed then: nothing to choose
    assert at.session_state["_context"].plan.id == "2023-H2"
    used = t("url.used_plan", lang, plan="2023-H2")
    assert plain(t("url.not_understood", lang, param="plan", value="2024", used=used)) in _warnings(at)
    assert t("pin.banner", lang, version=1, latest=_latest(db)) in [i.value for i in at.info]


@pytest.mark.parametrize("data", ["abc", "999", "0", "-1"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_pinned_version_that_does_not_exist_shows_no_numbers(db, data, lang):
    at = _app(data=data, lang=lang)
    assert [e.value for e in at.error] == [plain(t("pin.unknown", lang, asked=data, latest=_latest(db)))]
    assert not at.metric and not at.dataframe and not at.title  # no numbers, not even the live ones


def _latest(path) -> int:
    store = Store.open(path, create=False)
    try:
        return store.data_version()
    finally:
        store.close()


@pytest.mark.parametrize(("param", "value", "used_key", "used"), [
    ("period", "2023-Q9", "url.used_period", {"period": "2023-H2"}),
    ("as_of", "garbage", "url.used_as_of", None),
    ("present", "yes", "url.used_present", {}),
])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_parameter_not_understood_is_said_on_the_page(db, lang, param, value, used_key, used):
    at = _app(lang=lang, **{param: value})
    ctx = at.session_state["_context"]
    used = used if used is not None else {"date": ctx.as_of.isoformat()}
    expected = t("url.not_understood", lang, param=param, value=value, used=t(used_key, lang, **used))
    assert plain(expected) in _warnings(at), _warnings(at)
    assert at.metric  # the page still shows the view it could make


@pytest.mark.parametrize(("page", "param", "value"), [("area", "area", "NOPE"), ("indicator", "indicator", "NOPE-1")])
def test_a_page_parameter_not_understood_is_said_on_the_page(db, page, param, value):
    plan = load_plan(PLAN_FILE)  # the page falls back to the first area, the first indicator
    used = plan.areas[0].code if param == "area" else plan.indicators()[0].code
    at = _app(page, lang="en", **{param: value})
    expected = t("url.not_understood", "en", param=param, value=value,
                 used=t(f"url.used_{param}", "en", **{param: used}))
    assert plain(expected) in _warnings(at), _warnings(at)


def test_understood_links_say_nothing_about_them(db):
    at = _app("area", lang="en", period="2023-Q3", as_of="2023-09-30", plan="2023-H2", present="0", area="HK")
    assert not [w for w in _warnings(at) if "not understood" in w]


def _signed_in_upload(data: bytes, name: str = "up.csv") -> AppTest:
    at = _app("upload", lang="en")
    at.text_input(key="sign_in_name").input(NAME)
    at.text_input(key="sign_in_password").input(PASSWORD)
    next(b for b in at.button if b.label == "Sign in").click().run()
    at.file_uploader[0].upload(name, data, "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_confirm_after_another_editor_committed_is_refused_with_a_fresh_preview(db):
    auth.write_editor(NAME, PASSWORD)
    at = _signed_in_upload(b"indicator,period,value\nINV-EVENTS,2023-Q4,5\n")
    labels = [s.label for s in at.status]
    assert t("upload.checked", "en", file="up.csv", rows="1", problems=0) in labels  # the check says what it did
    confirm = next(b for b in at.button if b.key == "confirm")
    other = Store.open(db)  # meanwhile another editor commits
    try:
        import_csv(other, "indicator,period,value\nINV-VISITS,2023-10,4\n", name="other.csv")
        before = other.data_version()
    finally:
        other.close()
    confirm.click().run()
    assert [e.value for e in at.error] == [t("upload.stale", "en")]
    store = Store.open(db)
    try:
        assert store.data_version() == before  # nothing was written
    finally:
        store.close()
    next(b for b in at.button if b.key == "confirm").click().run()  # the fresh preview commits
    assert any("Committed as batch" in s.value for s in at.success)
    store = Store.open(db)
    try:
        assert store.data_version() == before + 1
    finally:
        store.close()


def test_a_second_editors_stale_revert_is_a_message_not_a_trace(db):
    auth.write_editor(NAME, PASSWORD)
    at = _app("history", lang="en")
    at.text_input(key="sign_in_name").input(NAME)
    at.text_input(key="sign_in_password").input(PASSWORD)
    next(b for b in at.button if b.label == "Sign in").click().run()
    revert = next(b for b in at.button if b.label.startswith("Revert batch"))
    batch = int(revert.label.rsplit(" ", 1)[1])
    other = Store.open(db)
    try:
        other.revert(batch, EDITOR)  # the other editor was quicker
        before = other.data_version()
    finally:
        other.close()
    revert.click().run()
    assert not at.exception
    assert t("history.stale", "en", batch=batch) in [e.value for e in at.error]
    store = Store.open(db)
    try:
        assert store.data_version() == before
    finally:
        store.close()


def test_an_error_inside_a_page_is_a_message_in_the_users_language(db):
    """The guard around every page: a store error becomes a sentence, the trace stays in the server's log."""
    def page():
        import streamlit as st

        from kpi.store import StoreError
        from ui import context

        class Broken:
            url_path = "broken"

            def run(self):
                raise StoreError("/srv/secret/path/kpi.duckdb is broken")

        st.session_state["lang"] = "en"
        context.run(Broken())

    at = AppTest.from_function(page)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("app.store_error", "en")]
