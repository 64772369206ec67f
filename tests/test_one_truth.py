"""One truth: the same view gives the same numbers in the CLI's JSON, on the pages and in the briefing.

Several views of one store — with an explanation, a status override, and a link pinned (``data=``) to a version
from before them — each read three ways: ``python -m kpi status --format json`` in a subprocess, the overview page
(AppTest: the status matrix cell of the view's period), and the briefing's area tables (the HTML bytes).
"""

from __future__ import annotations

import html
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from kpi.report import briefing, query, tables
from kpi.settings import get_settings
from kpi.setup import load_plans, load_sample
from kpi.status import StatusRow
from kpi.store import Editor, Store
from tests.conftest import EDITOR, PLAN_FILE, ROOT, import_csv, run_cli

PLAN = "2023-H2"
LINK = "http://dashboard.example/"


@pytest.fixture
def annotated(tmp_path, monkeypatch):
    """Sample data, then a Q4 shortfall for INNO-IP-VISITS explained by a note, and an override of INV-EVENTS."""
    path = tmp_path / "truth.duckdb"
    store = Store.open(path)
    load_plans(store, EDITOR, [PLAN_FILE])
    load_sample(store, Editor("sample", via="test"))
    before = store.data_version()
    import_csv(store, "indicator,period,value\nINNO-IP-VISITS,2023-Q3,1\nINNO-IP-VISITS,2023-Q4,0\n")
    store.write_note("INNO-IP-VISITS", "2023-Q4", "台风影响，走访推迟", EDITOR)
    store.write_override("INV-EVENTS", "2023-H2", "met", "领导认定已完成", EDITOR)
    store.write_override("INV-VISITS", "2023-Q3", "on_track", "口径调整", EDITOR)
    store.close()
    monkeypatch.setenv("KPI_DB", str(path))
    get_settings.cache_clear()
    return path, before


VIEWS = [  # (period, as_of, pinned to the version before the annotations?)
    ("2023-H2", "2023-12-31", False),
    ("2023-Q3", "2023-11-15", False),
    ("2023-Q4", "2023-12-31", False),
    ("2023-H2", "2023-12-31", True),
]


def _cli(path, period: str, as_of: str, data: int | None) -> dict[str, dict]:
    args = ["status", "--db", str(path), "--plan", PLAN, "--period", period, "--as-of", as_of, "--format", "json"]
    out = run_cli(*args, *(["--data", str(data)] if data else []))
    assert out.returncode == 0, out.stderr
    return {r["indicator"]: r for r in json.loads(out.stdout)}


def _page_cells(period: str, as_of: str, data: int | None, lang: str = "en") -> dict[str, str]:
    """The overview matrix's column for the view's period: indicator code → the status in words."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in {"lang": lang, "plan": PLAN, "period": period, "as_of": as_of,
                       **({"data": str(data)} if data else {})}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    matrix = at.dataframe[0].value
    store = Store.open(get_settings().db, create=False)
    try:
        plan = store.plan(PLAN, data)
    finally:
        store.close()
    column = tables.period_name(plan, period, lang) if period == PLAN else \
        next(c for c in matrix.columns if c == tables.parse_period(period).display(lang))
    return {label.split(" ", 1)[0]: cell for label, cell in matrix[column].items()}


def _briefing_cells(path, period: str, as_of: str, data: int | None, lang: str = "en") -> dict[str, str]:
    """The briefing's area tables: indicator code → the status cell, as a reader sees it."""
    import datetime as dt

    store = Store.open(path, create=False)
    try:
        snap = query.snapshot(store, PLAN, data)
        pack = briefing.build_pack(snap, query.View.of(snap.plan, period, dt.date.fromisoformat(as_of), snap.version,
                                                       lang), LINK)
    finally:
        store.close()
    page = briefing.briefing_html(pack).decode("utf-8")
    rows = re.findall(r"<tr><td>([^<]*)</td>.*?<td class=\"status\"[^>]*>([^<]*)</td>", page)
    return {html.unescape(code): html.unescape(status) for code, status in rows}


@pytest.mark.parametrize(("period", "as_of", "pinned"), VIEWS)
def test_cli_pages_and_briefing_tell_the_same_status(annotated, period, as_of, pinned):
    path, before = annotated
    data = before if pinned else None
    cli = _cli(path, period, as_of, data)
    page = _page_cells(period, as_of, data)
    brief = _briefing_cells(path, period, as_of, data)
    assert set(cli) == set(page) == set(brief)
    for code, rec in cli.items():
        row = StatusRow(**rec)
        assert page[code] == tables.flagged_status(row, "en"), code
        assert brief[code] == tables.status_text(row, "en"), code
    if pinned:  # the link from before the annotations shows none of them, in every face
        assert all(r["computed_status"] is None and not r["note_by"] for r in cli.values())
    elif period == "2023-H2":
        assert cli["INV-EVENTS"]["status"] == "met" and cli["INV-EVENTS"]["computed_status"] is not None
        assert cli["INV-EVENTS"]["override_reason"] == "领导认定已完成"
    elif period == "2023-Q4":
        assert cli["INNO-IP-VISITS"]["note"] == "台风影响，走访推迟" and not cli["INNO-IP-VISITS"]["needs_note"]
    elif period == "2023-Q3":
        assert cli["INV-VISITS"]["status"] == "on_track" and cli["INV-VISITS"]["computed_status"] is not None
        assert cli["INV-VISITS"]["override_by"].startswith(EDITOR.name)


def test_the_cli_json_carries_explanations_and_overrides(annotated):
    """Today's main ignored them in `kpi status`: an override showed on the dashboard and not in the JSON."""
    path, _ = annotated
    rows = _cli(path, "2023-H2", "2023-12-31", None)
    assert rows["INV-EVENTS"]["override_by"].startswith(EDITOR.name)
    assert rows["INNO-IP-VISITS"]["note"] == "台风影响，走访推迟"
