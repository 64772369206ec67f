"""Sample data and example plans are labelled wherever a number or a plan leaves: CLI table, 通报 text, pages,
the plan selector, the briefing and the Word report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from streamlit.testing.v1 import AppTest

from kpi.i18n import t
from kpi.report import briefing, query, word
from kpi.settings import get_settings
from kpi.setup import load_plans, load_sample
from kpi.store import Editor, Store
from tests.conftest import EDITOR, PLAN_FILE, ROOT, run_cli

EXAMPLE_FILE = ROOT / "data" / "plans" / "2024.yaml"


@pytest.fixture
def both_plans(tmp_path, monkeypatch):
    path = tmp_path / "both.duckdb"
    store = Store.open(path)
    load_plans(store, EDITOR, [PLAN_FILE, EXAMPLE_FILE])
    store.close()
    monkeypatch.setenv("KPI_DB", str(path))
    get_settings.cache_clear()
    return path


def _sample(path) -> None:
    store = Store.open(path)
    load_sample(store, Editor("sample", via="test"))
    store.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_table_marks_sample_data_only_when_it_is_there(both_plans, lang):
    args = ("status", "--db", str(both_plans), "--plan", "2023-H2", "--lang", lang)
    before = run_cli(*args)
    assert before.returncode == 0 and t("app.sample_mark", lang) not in before.stdout
    _sample(both_plans)
    after = run_cli(*args)
    assert after.returncode == 0 and after.stdout.splitlines()[0] == t("app.sample_mark", lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_table_marks_an_example_plan(both_plans, lang):
    out = run_cli("status", "--db", str(both_plans), "--plan", "2024", "--lang", lang)
    assert out.returncode == 0 and t("example.banner", lang) in out.stdout
    real = run_cli("status", "--db", str(both_plans), "--plan", "2023-H2", "--lang", lang)
    assert t("example.banner", lang) not in real.stdout


def _pack(path, plan_id: str, lang: str) -> briefing.Pack:
    store = Store.open(path)
    try:
        snap = query.snapshot(store, plan_id)
        return briefing.build_pack(snap, query.View.of(snap.plan, None, None, snap.version, lang), "http://x/")
    finally:
        store.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_text_leads_with_the_sample_mark(both_plans, lang):
    assert not _pack(both_plans, "2023-H2", lang).report_text().startswith(t("app.sample_mark", lang))
    _sample(both_plans)
    text = _pack(both_plans, "2023-H2", lang).report_text()
    assert text.splitlines()[0] == t("app.sample_mark", lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_briefing_and_word_report_say_the_plan_is_an_example(both_plans, lang):
    example, real = _pack(both_plans, "2024", lang), _pack(both_plans, "2023-H2", lang)
    assert t("example.banner", lang) in briefing.briefing_html(example).decode()
    assert t("example.banner", lang) not in briefing.briefing_html(real).decode()
    paragraphs = [p.text for p in Document(io.BytesIO(word.report_docx(example))).paragraphs]
    assert t("example.banner", lang) in paragraphs


@pytest.mark.parametrize("page", ["app_pages/overview.py", "app_pages/area.py", "app_pages/indicator.py",
                                  "app_pages/history.py"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_and_the_selector_mark_an_example_plan(both_plans, page, lang):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"plan": "2024", "lang": lang, "as_of": dt.date(2024, 6, 30).isoformat()})
    if not page.endswith("overview.py"):
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert t("example.banner", lang) in [w.value for w in at.warning]
    captions = [c.value for c in at.sidebar.caption]
    assert at.sidebar.selectbox[0].value == "2024"  # the link's plan, by its id
    assert any(c.startswith("2024 · ") and c.endswith(t("example.tag", lang)) for c in captions), captions


def test_the_selector_names_a_real_plan_without_the_example_tag(both_plans):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["plan"] = "2023-H2"
    at.run()
    assert at.sidebar.selectbox[0].value == "2023-H2"
    captions = [c.value for c in at.sidebar.caption]
    assert any(c.startswith("2023-H2 · ") for c in captions)
    assert not any(c.endswith(t("example.tag", "zh")) for c in captions)
