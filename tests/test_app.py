"""AppTest: every page runs in both languages, with the sample data and with an empty store,
and shows the numbers the status engine computes."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from kpi import fmt
from kpi.i18n import status_label, t
from kpi.report import query, tables
from kpi.settings import get_settings
from kpi.setup import load_plans, load_sample
from kpi.store import Editor, Store
from tests.conftest import EDITOR, ROOT, filled, status_of

pytestmark = pytest.mark.engines  # every page on a DuckDB file and on PostgreSQL
APP = str(ROOT / "app.py")
PAGES = {"overview": "app_pages/overview.py", "area": "app_pages/area.py", "indicator": "app_pages/indicator.py"}
AS_OF = "2023-11-15"  # inside the plan, so pace matters
# one indicator of each kind: count, stock, rate, milestone
KINDS = {"INV-VISITS": "INV", "HK-BASES": "HK", "ENT-APPEALS-RATE": "ENT", "SCI-EXPO": "SCI"}


def _run(page: str = "overview", **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    if page != "overview":
        at.switch_page(PAGES[page])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _db(location, monkeypatch, sample: bool):
    """A store at ``location`` (a DuckDB file or a PostgreSQL URL) with the plan, and the sample data if asked;
    the app's KPI_DB."""
    path = filled(location, sample=sample)
    monkeypatch.setenv("KPI_DB", str(path))
    get_settings.cache_clear()  # settings read before (by the ingest) must not keep the old database
    return path


@pytest.fixture
def sample_db(location, monkeypatch):
    return _db(location, monkeypatch, sample=True)


@pytest.fixture
def empty_db(location, monkeypatch):
    """The plan, and no observations at all."""
    return _db(location, monkeypatch, sample=False)


def _engine(db, code: str, period: str | None = None, as_of: str = AS_OF):
    store = Store.open(db)
    try:
        return status_of(store, code, period, dt.date.fromisoformat(as_of))
    finally:
        store.close()


def _texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "markdown", "caption", "subheader", "warning", "info") for e in
             getattr(at, kind)]
    parts += [e.label for e in at.get("page_link")] if hasattr(at, "get") else []
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_page_runs_with_sample_data(sample_db, page, lang):
    at = _run(page, lang=lang)
    sample_word = "示例数据" if lang == "zh" else "Sample data"
    assert any(sample_word in w.value for w in at.warning), "sample data must be marked on every page"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_page_runs_with_an_empty_store(empty_db, page, lang):
    at = _run(page, lang=lang)
    assert not at.warning  # no sample banner when no sample data is in force
    if page == "indicator":
        assert t("ind.provenance_none", lang) in [i.value for i in at.info]


def test_overview_cards_and_attention_match_the_engine(sample_db):
    at = _run("overview", lang="en", as_of=AS_OF)
    store = Store.open(sample_db)
    try:
        snap = query.snapshot(store, "2023-H2")
        plan, rows = snap.plan, snap.status(None, dt.date.fromisoformat(AS_OF))
    finally:
        store.close()
    cards = tables.area_cards(plan, rows, "en")
    metrics = [(m.label, m.value) for m in at.metric]
    for card in cards:
        if card.judged:
            assert (t("card.good", "en"), f"{card.good}/{card.judged}") in metrics
    links = [link.label for link in at.get("page_link")]
    for item in tables.needs_attention(plan, rows, "en"):
        assert item.text in links
    visits = _engine(sample_db, "INV-VISITS")
    assert visits.status == "at_risk"
    assert any(label.startswith(status_label("at_risk", "en") + " · Targeted door-to-door investment visits")
               for label in links)


@pytest.mark.parametrize("code", sorted(KINDS))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_area_page_shows_the_engine_status_of_each_kind(sample_db, code, lang):
    at = _run("area", lang=lang, area=KINDS[code], as_of=AS_OF)
    row = _engine(sample_db, code)
    store = Store.open(sample_db)
    item = store.plan("2023-H2").indicator(code)
    store.close()
    text = _texts(at)
    assert status_label(row.status, lang) in text
    assert tables.summary_line(item, row, lang) in text


@pytest.mark.parametrize("code", sorted(KINDS))
def test_indicator_page_table_matches_the_engine(sample_db, code):
    at = _run("indicator", lang="en", indicator=code, as_of=AS_OF)
    table = at.dataframe[0].value
    whole = table[table["Period"] == "H2 2023 (whole plan)"].iloc[0]
    row = _engine(sample_db, code)
    assert whole["Status"] == status_label(row.status, "en")
    if row.kind != "milestone":
        assert whole["Progress"] == fmt.percent(row.progress, "en")
    q3 = table[table["Period"] == "Q3 2023"].iloc[0]
    assert q3["Status"] == status_label(_engine(sample_db, code, "2023-Q3").status, "en")


def test_indicator_page_shows_where_values_came_from(sample_db):
    at = _run("indicator", lang="en", indicator="INV-VISITS")
    provenance = at.dataframe[1].value
    assert list(provenance.columns) == ["Period", "Value", "Note", "Batch", "File", "Editor", "Time", "In force"]
    assert set(provenance["File"]) == {"actuals-2023-H2.csv"}
    assert provenance[provenance["Period"] == "2023-07"].iloc[0]["Value"] == "3"


def test_period_control_changes_the_view(sample_db):
    at = _run("area", lang="en", area="INV", period="2023-Q3", as_of="2023-12-31")
    row = _engine(sample_db, "INV-EVENTS", "2023-Q3", "2023-12-31")
    assert row.status == "off_track" and row.target == 3
    assert "Actual 2 events · Target 3 events" in _texts(at)
    assert "Q3 2023 · data as of 2023-12-31" in _texts(at)


def test_meeting_mode_is_one_screen_of_areas_and_attention_with_the_way_out(sample_db, plan):
    """Meeting mode (issue 16): the plan, the period and 数据截至 in one heading, a strip per work area in plan order,
    what needs attention, the slide buttons (the clicker's keys on them) and the way out."""
    at = _run("overview", lang="en", present="1", period="2023-H2", as_of=AS_OF)
    assert not at.error
    screen = "".join(h.proto.body for h in at.html)
    assert "H2 2023 (whole plan) · data as of 2023-11-15</span>" in screen
    places = [screen.index(f'data-area="{a.code}"') for a in plan.areas]
    assert places == sorted(places)
    assert "Needs attention" in [s.value for s in at.subheader]
    assert [b.label for b in at.button] == ["◀ Back", "Next ▶", "Next ▶", "Leave meeting mode"]
    assert at.button[0].disabled and not at.button[1].disabled  # the first slide: nothing before it
    assert [b.proto.shortcut for b in at.button[:3]] == ["pageup", "pagedown", "right"]
    at.button(key="exit_present").click().run()
    assert at.session_state["present"] is False


def test_copy_link_carries_every_parameter(sample_db):
    at = _run("indicator", lang="en", indicator="HK-BASES", period="2023-Q4", as_of=AS_OF)
    link = at.sidebar.code[0].value
    for part in ("lang=en", "plan=2023-H2", "period=2023-Q4", f"as_of={AS_OF}", "indicator=HK-BASES"):
        assert part in link
    assert "/indicator?" in link


def test_first_run_on_a_new_database_loads_plan_and_sample(new_location, monkeypatch):
    monkeypatch.setenv("KPI_DB", str(new_location("fresh")))
    get_settings.cache_clear()
    at = _run()
    assert any("示例数据" in w.value for w in at.warning)
    assert len(at.metric) >= 10


def test_indicator_view_compares_the_same_period_across_plans(new_location, monkeypatch):
    path = new_location("both")
    store = Store.open(path)
    load_plans(store, EDITOR)  # both plans
    load_sample(store, Editor("sample", via="test"))
    store.close()
    monkeypatch.setenv("KPI_DB", str(path))
    get_settings.cache_clear()
    at = _run("indicator", lang="en", indicator="INV-VISITS", period="2023-Q3")
    assert "The same period in other years" in [s.value for s in at.subheader]
    yoy = next(d.value for d in at.dataframe if "Plan" in d.value.columns)
    assert yoy["Period"].tolist() == ["Q3 2023", "Q3 2024"]
    assert yoy["Actual"].tolist()[0] == "9 visits"
    assert len(at.get("plotly_chart")) == 3  # cumulative, bars, and the comparison


@pytest.mark.parametrize("lang, words", [("zh", "正被另一个程序占用"), ("en", "in use by another program")])
def test_a_database_held_by_another_process_shows_a_message_not_a_trace(tmp_path, monkeypatch, lang, words):
    """Embedded mode: the first run of a process finds the file held (past KPI_LOCK_WAIT): a message, no trace."""
    from tests.conftest import held_by_another_process

    sample_db = _db(tmp_path / "held.duckdb", monkeypatch, sample=True)
    monkeypatch.setenv("KPI_LOCK_WAIT", "0.5")
    get_settings.cache_clear()
    with held_by_another_process(sample_db):
        at = _run(lang=lang)
        assert [e.value for e in at.error] and words in at.error[0].value
    at = _run(lang=lang)  # once that process is gone, the next run opens the store
    assert not at.error and at.title
