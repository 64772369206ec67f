"""`kpi copy`: a store moved from embedded to server mode (and back) keeps every batch, revision and annotation —
status and history are identical before and after, pinned versions included — and both engines give the same
frames for every query of the store."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from kpi.plan.models import Plan
from kpi.store import Editor, Store
from kpi.store.copy import row_counts
from tests.conftest import EDITOR, import_csv, run_cli


def _json(*args: str):
    out = run_cli(*args)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


VIEWS = (("2023-H2", "2023-H2", "2023-11-15", None), ("2024", "2024", "2024-06-30", None),
         ("2023-H2", "2023-Q3", "2023-11-15", 5), ("2023-H2", "2023-H2", "2023-12-31", 8))  # (plan, period, as-of, pin)


def _views(db) -> dict:
    """What a reader sees: history, the export, and the status of both plans now and pinned at earlier versions."""
    seen = {"history": _json("history", "--db", str(db), "--format", "json"),
            "export": run_cli("export", "--db", str(db)).stdout}
    for plan, period, as_of, version in VIEWS:
        pin = [] if version is None else ["--data", str(version)]
        seen[(plan, period, version)] = _json("status", "--db", str(db), "--plan", plan, "--period", period,
                                              "--as-of", as_of, "--format", "json", *pin)
    return seen


def _renamed(plan: Plan) -> Plan:
    raw = plan.model_dump(mode="json")
    raw["areas"][0]["items"][0]["name"]["en"] = "Renamed for the copy"
    return Plan.model_validate(raw)


@pytest.fixture
def embedded(tmp_path):
    """A DuckDB store with a bit of everything: both plans, the sample, imports, a revert, a plan revision, notes,
    an override, sign-in tries and a session."""
    db = tmp_path / "kpi.duckdb"
    assert run_cli("init", "--db", str(db), "--sample").returncode == 0
    store = Store.open(db)
    try:
        first = import_csv(store, "indicator,period,value,note\nINV-EVENTS,2023-Q3,2,台风\nINV-VISITS,2023-07,3,\n")
        import_csv(store, "指标编码,期间,实际值\nINV-EVENTS,2023-Q3,5\nSCI-EXPO,2023-09,2023-09-20\n", "二.csv")
        store.revert(first, EDITOR)
        store.write_note("INV-VISITS", "2023-07", "数据来自区统计局", EDITOR)
        store.write_override("INV-FIRMS", "2023-Q3", "on_track", "统计口径调整", EDITOR)
        store.save_plan(_renamed(store.plan("2023-H2")), Editor("王科长", via="web"), source="targets grid")
        store.record_signin("王科长", "ok", dt.datetime(2023, 11, 1, 9, 0, 5))
        store.record_signin("李四", "wrong", dt.datetime(2023, 11, 1, 9, 1))
        now = dt.datetime(2023, 11, 1, 9, 0, 6)
        store.start_session("hash-1", "王科长", "fp", now, now + dt.timedelta(hours=12))
        store.end_sessions(["hash-1"], "signed out", now + dt.timedelta(hours=1))
    finally:
        store.close()
    return db


def _frames(store: Store) -> dict[str, pd.DataFrame]:
    """Every reading method of the store, as frames."""
    return {
        "current": store.current(), "current_pinned": store.current(as_of_batch=5),
        "versions": store.versions("INV-EVENTS"), "batches": store.batches(), "batch_rows": store.batch_rows(5),
        "notes": store.current_notes(), "overrides": store.current_overrides(),
        "known": store.known_indicators(), "revisions": store.plan_revisions("2023-H2"),
        "signins": store.signin_attempts(), "sessions": store.sessions(),
        "spans": store.indicator_spans().to_pandas(),
    }


@pytest.mark.postgresql
def test_copy_to_postgresql_and_back_keeps_status_and_history(embedded, pg_server, tmp_path):
    before = _views(embedded)
    server = pg_server.new_database()
    try:
        out = run_cli("copy", "--from", str(embedded), "--to", server)
        assert out.returncode == 0, out.stderr
        assert "***" in out.stdout and server.split(":")[2].split("@")[0] not in out.stdout  # no password shown
        assert _views(server) == before

        duck, pg = Store.open(embedded), Store.open(server)
        try:
            assert row_counts(pg) == row_counts(duck) and row_counts(pg)["observations"] > 300
            assert pg.data_version() == duck.data_version() == 10
            for name, frame in _frames(duck).items():  # the same frames, dtypes included, from either engine
                pd.testing.assert_frame_equal(_frames(pg)[name], frame, obj=name)
            assert pg.session("hash-1") == duck.session("hash-1")
        finally:
            duck.close()
            pg.close()

        back = tmp_path / "back.duckdb"
        assert run_cli("copy", "--from", server, "--to", str(back)).returncode == 0
        assert _views(back) == before
    finally:
        pg_server.drop(server)


@pytest.mark.postgresql
def test_copy_refuses_a_store_that_holds_data_and_changes_nothing(embedded, pg_server, tmp_path):
    server = pg_server.new_database()
    try:
        assert run_cli("init", "--db", server, "--plan", "data/plans/2023-H2.yaml").returncode == 0
        history = _json("history", "--db", server, "--format", "json")
        for lang, words in (("en", "already holds data"), ("zh", "中已有数据")):
            out = run_cli("copy", "--from", str(embedded), "--to", server, "--lang", lang)
            assert out.returncode == 2 and words in out.stderr and "Traceback" not in out.stderr
        assert _json("history", "--db", server, "--format", "json") == history
        same = run_cli("copy", "--from", str(embedded), "--to", str(embedded))
        assert same.returncode == 2 and "same store" in same.stderr
        missing = run_cli("copy", "--from", str(tmp_path / "nothing.duckdb"), "--to", str(tmp_path / "x.duckdb"))
        assert missing.returncode == 2 and "no database at" in missing.stderr
        assert not (tmp_path / "x.duckdb").exists()
    finally:
        pg_server.drop(server)


def test_copy_help_names_from_and_to():
    out = run_cli("copy", "--help")
    assert out.returncode == 0 and "--from" in out.stdout and "--to" in out.stdout
