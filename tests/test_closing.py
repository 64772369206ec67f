"""Closed periods: an admin closes a reported period; an ordinary upload, explanation or override for it is refused
naming the rows; an admin's correction with a reason is a batch of its own, shown as 更正 on the indicator page, in
the history, the briefing and the CSV exports; closing and reopening are batches (recorded, revertible, pinned)."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kpi import ingest, writes
from kpi.report import briefing, query
from kpi.report.export import observations_export, to_csv_bytes
from kpi.roles import Refused
from kpi.store import Editor, Store
from tests.conftest import EDITOR, ROOT, import_csv, run_cli

pytestmark = pytest.mark.engines  # on a DuckDB file and on PostgreSQL

ADMIN = EDITOR  # an editor without areas
INV = Editor("李四", via="test", areas=("INV",))
Q3 = "indicator,period,value\nINV-EVENTS,2023-07,1\nINV-EVENTS,2023-08,2\nINV-VISITS,2023-Q3,4\n"
LATER = ("indicator,period,value,note\n"
         "INV-EVENTS,2023-10,3,\n"
         "INV-EVENTS,2023-08,5,补报漏报的一场活动\n"
         "INV-VISITS,2023-Q3,6,\n")


def _state(store: Store) -> tuple:
    return (store.data_version(), store.current().to_json(date_format="iso"),
            store.current_notes().to_json(date_format="iso"), store.current_overrides().to_json(date_format="iso"))


@pytest.fixture
def closed(store):
    """Q3 values in, then Q3 closed by an admin."""
    import_csv(store, Q3)
    batch = writes.close_period(store, ADMIN, "2023-Q3", "已向区里报送")
    return store, batch


def test_only_an_admin_closes_an_ended_open_period(store):
    with pytest.raises(Refused, match="needs an admin"):
        writes.close_period(store, INV, "2023-Q3")
    with pytest.raises(Refused, match="has not ended yet"):
        writes.close_period(store, ADMIN, "2023-Q3", today=dt.date(2023, 9, 30))
    batch = writes.close_period(store, ADMIN, "2023年第三季度", today=dt.date(2023, 10, 8))
    assert store.closed_periods()[["period", "batch_id"]].values.tolist() == [["2023-Q3", batch]]
    assert store.batch(batch)["kind"] == "close"
    with pytest.raises(Refused, match="closed already"):
        writes.close_period(store, ADMIN, "2023-Q3")
    with pytest.raises(Refused, match="is not closed"):
        writes.reopen_period(store, ADMIN, "2023-Q4")


def test_an_ordinary_upload_for_a_closed_period_is_refused_naming_the_rows(closed):
    store, _ = closed
    before = _state(store)
    prepared = ingest.prepare(store, LATER.encode(), "later.csv", editor=ADMIN)
    assert not prepared.ok
    assert [(p.row, p.value) for p in prepared.problems] == [(3, "INV-EVENTS"), (4, "INV-VISITS")]
    assert "is in the closed period 2023-Q3 (closed on" in prepared.problems[0].message("en")
    assert prepared.problems[1].message("zh").startswith("第4行：INV-VISITS 的 2023-Q3 属于已关账期间 2023-Q3")
    assert _state(store) == before
    ok = ingest.prepare(store, b"indicator,period,value\nINV-EVENTS,2023-10,3\n", "q4.csv", editor=INV)
    assert ok.ok  # another period, in the editor's area


def test_a_preview_made_before_the_close_is_refused_at_confirm(store):
    import_csv(store, Q3)
    prepared = ingest.prepare(store, LATER.encode(), "later.csv", editor=INV)
    assert prepared.ok  # nothing closed yet
    writes.close_period(store, ADMIN, "2023-Q3")
    before = _state(store)
    with pytest.raises(Refused) as refused:
        ingest.commit(store, prepared, INV)
    assert [p.row for p in refused.value.problems] == [3, 4]
    assert _state(store) == before


def test_explanations_and_overrides_of_a_closed_period_need_an_admins_correction(closed):
    store, close = closed
    before = _state(store)
    with pytest.raises(Refused, match="can no longer change"):
        writes.write_note(store, INV, "INV-EVENTS", "2023-08", "改说明")
    with pytest.raises(Refused, match="can no longer change"):
        writes.write_override(store, ADMIN, "INV-EVENTS", "2023-Q3", "met", "认定")
    with pytest.raises(Refused, match="needs an admin"):
        writes.write_note(store, INV, "INV-EVENTS", "2023-Q3", "改说明", correction="补充")
    assert _state(store) == before
    batch = writes.write_note(store, ADMIN, "INV-EVENTS", "2023-Q3", "台风影响两场活动", correction="漏报说明")
    fixed = store.current_corrections()
    assert fixed[["indicator", "period", "batch_id", "reason", "close_batch"]].values.tolist() == [
        ["INV-EVENTS", "2023-Q3", batch, "漏报说明", close]]
    writes.write_note(store, INV, "INV-EVENTS", "2023-Q4", "Q4 open")  # the next period is open


def test_an_admins_correction_is_a_batch_of_its_own_and_shows_as_corrected_everywhere(closed, db_path, tmp_path):
    store, _ = closed
    snap_before = query.snapshot(store, "2023-H2")
    store.close()
    file = tmp_path / "later.csv"
    file.write_text(LATER, encoding="utf-8")
    refused = run_cli("import", str(file), "--db", str(db_path), "--lang", "en")
    assert refused.returncode == 1 and "row 3: INV-EVENTS 2023-08 is in the closed period 2023-Q3" in refused.stderr
    by_area_editor = run_cli("import", str(file), "--db", str(db_path), "--lang", "en", "--correct", "补报",
                             env={"KPI_EDITORS": "李四=x", "KPI_EDITOR_AREAS": "李四=INV", "KPI_EDITOR": "李四"})
    assert by_area_editor.returncode == 1 and "needs an admin" in by_area_editor.stderr
    done = run_cli("import", str(file), "--db", str(db_path), "--lang", "en", "--editor", "王",
                   "--correct", "区里退回：8月活动漏报一场")
    assert done.returncode == 0, done.stderr
    store = Store.open(db_path)
    try:
        batch = store.data_version()
        fixed = store.current_corrections()
        assert fixed[["indicator", "period", "batch_id"]].values.tolist() == [
            ["INV-EVENTS", "2023-08", batch], ["INV-VISITS", "2023-Q3", batch]]  # not the open 2023-10
        snap = query.snapshot(store, "2023-H2")
        [row] = snap.status("2023-Q3", dt.date(2023, 12, 31), only="INV-EVENTS")
        assert row.corrected_by == "王 (cli)" and row.correction_reason == "区里退回：8月活动漏报一场"
        assert row.correction_batch == batch and row.actual == 6.0
        [october] = snap.status("2023-10", dt.date(2023, 12, 31), only="INV-EVENTS")
        assert october.corrected_at is None  # an open month of the same upload is not a correction
        assert not snap_before.status("2023-Q3", dt.date(2023, 12, 31), only="INV-EVENTS")[0].corrected_at
        # the history
        from kpi.report.ledger import history_table

        history = history_table(store.batches(), "en", store.correction_reasons())
        line = history[history["Batch"] == batch].iloc[0]
        assert line["Kind"] == "upload (correction)" and line["Correction (更正)"] == "区里退回：8月活动漏报一场"
        # the briefing and the CSV of the view
        view = query.View.of(snap.plan, "2023-Q3", dt.date(2023, 12, 31), batch, "zh")
        pack = briefing.build_pack(snap, view, f"http://example/?data={batch}")
        html = briefing.briefing_html(pack).decode()
        assert "更正：" in html and "由 王 (cli) 在关账后更正（理由：区里退回：8月活动漏报一场）" in html
        assert "<dd id='closed'>已关账：2023年第三季度（" in html
        csv = pd.read_csv(io.BytesIO(briefing.view_csv(pack)), encoding="utf-8-sig")
        fixed_rows = csv[csv["更正"].notna()]
        assert fixed_rows["编码"].tolist() == ["INV-EVENTS", "INV-VISITS"]
        assert "区里退回" in fixed_rows["更正"].iloc[0]
        first = pack.report_text().splitlines()[0]
        assert first.startswith("2023年第三季度 · 数据截至 2023-12-31；已关账：2023年第三季度（")
        from docx import Document

        from kpi.report.word import report_docx

        paragraphs = [x.text for x in Document(io.BytesIO(report_docx(pack))).paragraphs]
        assert any(x.startswith("已关账：2023年第三季度（") for x in paragraphs[:4])
        exported = pd.read_csv(io.BytesIO(to_csv_bytes(observations_export(store, lang="en"))), encoding="utf-8-sig")
        marked = exported[exported["correction"].notna()]
        assert marked[["indicator", "period"]].values.tolist() == [["INV-EVENTS", "2023-08"], ["INV-VISITS", "2023-Q3"]]
    finally:
        store.close()


def test_the_indicator_page_shows_the_correction(closed, db_path, monkeypatch):
    store, _ = closed
    prepared = ingest.prepare(store, LATER.encode(), "later.csv", editor=ADMIN, correction="补报")
    assert prepared.ok
    ingest.commit(store, prepared, ADMIN, correction="补报")
    store.close()
    from kpi.settings import get_settings

    monkeypatch.setenv("KPI_DB", str(db_path))
    get_settings.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in {"lang": "en", "indicator": "INV-EVENTS", "period": "2023-Q3", "as_of": "2023-12-31"}.items():
        at.query_params[k] = v
    at.switch_page("app_pages/indicator.py")
    at.run()
    assert not at.exception
    assert any(c.value.startswith("Corrected after close (更正) on ") and "(reason: 补报)" in c.value
               for c in at.caption)
    table = at.dataframe[0].value
    assert table.loc[table["Period"] == "Q3 2023", "Correction (更正)"].iloc[0].endswith("(reason: 补报)")


def test_closing_and_reopening_are_batches_revertible_and_pinned(closed):
    store, close = closed
    reopen = writes.reopen_period(store, ADMIN, "2023-Q3", "区里要求重报")
    assert store.closed_periods().empty and store.batch(reopen)["kind"] == "reopen"
    import_csv(store, "indicator,period,value\nINV-EVENTS,2023-08,7\n")  # open again: an ordinary upload
    assert store.closed_periods(as_of_batch=close)["period"].tolist() == ["2023-Q3"]  # pinned: closed then
    assert store.closed_periods(as_of_batch=close - 1).empty
    writes.revert(store, ADMIN, reopen)  # the reopen taken back: closed again
    assert store.closed_periods()["batch_id"].tolist() == [close]
    assert store.batch(reopen)["reverted"]
    with pytest.raises(Refused):
        writes.revert(store, INV, close)  # an area editor cannot take a close back
    writes.revert(store, ADMIN, close)
    assert store.closed_periods().empty
    writes.reapply(store, ADMIN, close)
    assert store.closed_periods()["batch_id"].tolist() == [close]


def test_period_close_reopen_and_list_on_the_command_line(store, db_path):
    store.close()
    db = ("--db", str(db_path), "--lang", "en")
    closed = run_cli("period", "close", "2023年第三季度", "--reason", "已向区里报送", "--editor", "王", *db)
    assert closed.returncode == 0, closed.stderr
    assert closed.stdout.startswith("2023-Q3 closed (batch 2)")
    listed = run_cli("period", "list", *db)
    assert listed.stdout.startswith("2023-Q3: closed on ") and "by 王 (cli) (batch 2; 已向区里报送)" in listed.stdout
    again = run_cli("period", "close", "2023-Q3", *db)
    assert again.returncode == 2 and "2023-Q3 is closed already" in again.stderr
    area = {"KPI_EDITORS": "李四=x", "KPI_EDITOR_AREAS": "李四=INV"}
    refused = run_cli("period", "reopen", "2023-Q3", "--editor", "李四", *db, env=area)
    assert refused.returncode == 2 and "needs an admin" in refused.stderr
    assert run_cli("revert", "2", "--editor", "李四", *db, env=area).returncode == 2
    reopened = run_cli("period", "reopen", "2023-Q3", "--reason", "区里要求重报", *db)
    assert reopened.returncode == 0 and reopened.stdout.startswith("2023-Q3 reopened (batch 3)")
    assert run_cli("period", "list", *db).stdout.strip() == "no period is closed"
