"""AppTest: every page runs in both languages, with the sample data and with an empty store."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from kpi.i18n import status_label
from kpi.service import load_plans, load_sample
from kpi.store import Editor, Store
from tests.conftest import EDITOR, PLAN_FILE, ROOT, status_of

APP = str(ROOT / "app.py")


def _run(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def sample_db(tmp_path, monkeypatch):
    path = tmp_path / "app.duckdb"
    store = Store.open(path)
    load_plans(store, EDITOR, [PLAN_FILE])
    load_sample(store, Editor("sample", via="test"))
    store.close()
    monkeypatch.setenv("KPI_DB", str(path))
    return path


@pytest.fixture
def empty_db(tmp_path, monkeypatch):
    """The plan, and no observations at all."""
    path = tmp_path / "empty.duckdb"
    store = Store.open(path)
    load_plans(store, EDITOR, [PLAN_FILE])
    store.close()
    monkeypatch.setenv("KPI_DB", str(path))
    return path


def _row(at: AppTest, code_col: str, code: str) -> dict:
    table = at.dataframe[0].value
    return table[table[code_col] == code].iloc[0].to_dict()


@pytest.mark.parametrize(("lang", "title", "code_col", "status_col", "sample_word"), [
    ("zh", "罗湖区科技创新局2023年下半年工作计划", "编码", "状态", "示例数据"),
    ("en", "Luohu District Science, Technology and Innovation Bureau", "Code", "Status", "Sample data"),
])
def test_overview_with_sample_data(sample_db, lang, title, code_col, status_col, sample_word):
    at = _run(lang)
    assert at.title[0].value.startswith(title)
    assert any(sample_word in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert len(table) == 50
    store = Store.open(sample_db)
    try:
        as_of = min(dt.date.today(), dt.date(2023, 12, 31))
        for code in ("INV-EVENTS", "HK-BASES", "SCI-EXPO", "ENT-APPEALS-RATE"):  # count, stock, milestone, rate
            expected = status_of(store, code, None, as_of)
            assert _row(at, code_col, code)[status_col] == status_label(expected.status, lang)
    finally:
        store.close()
    assert _row(at, code_col, "INV-EVENTS")["Actual" if lang == "en" else "实际"] == (
        "7 events" if lang == "en" else "7场")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_with_no_observations(empty_db, lang):
    at = _run(lang)
    assert not at.warning  # no sample banner when no sample data is in force
    table = at.dataframe[0].value
    statuses = set(table["状态" if lang == "zh" else "Status"])
    assert statuses == {status_label("no_data", lang), status_label("no_target", lang)}


def test_first_run_on_a_new_database_loads_plan_and_sample(tmp_path, monkeypatch):
    monkeypatch.setenv("KPI_DB", str(tmp_path / "fresh.duckdb"))
    at = _run()
    assert any("示例数据" in w.value for w in at.warning)
    assert len(at.dataframe[0].value) == 50
