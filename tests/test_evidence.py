"""Evidence (佐证材料): attached by an editor of the indicator's area, kept with its sha256, editor, time and batch,
downloaded byte for byte with a safe type, listed by name and hash in the briefing and the exports; reverting its
batch takes it out of force and the history keeps it; a done milestone without evidence is flagged 缺佐证."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pandas as pd
import pytest

from kpi import evidence, writes
from kpi.report import briefing, query
from kpi.report.export import observations_export, to_csv_bytes
from kpi.roles import Refused
from kpi.store import Editor, Store
from tests.conftest import EDITOR, import_csv

pytestmark = pytest.mark.engines  # on a DuckDB file and on PostgreSQL

INV = Editor("李四", via="test", areas=("INV",))
PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%\xe2\xe3\xcf\xd3 CONTENT-7f3a9c \x00\x01\x02\n"
       b"trailer << >>\n%%EOF\n")
DONE = "indicator,period,value\nINV-INVESTOR-MECH,2023-09,2023-09-20\nINV-EVENTS,2023-Q3,4\n"
AS_OF = dt.date(2023, 12, 31)


def _row(store: Store, code: str, period: str = "2023-H2"):
    return query.snapshot(store, "2023-H2").status(period, AS_OF, only=code)[0]


def _state(store: Store) -> tuple:
    return store.data_version(), store.evidence(in_force_only=False).to_json(date_format="iso")


def test_evidence_round_trip_attach_download_revert_history(store):
    import_csv(store, DONE)
    before = _row(store, "INV-INVESTOR-MECH")
    assert before.status == "done" and before.needs_evidence and before.evidence == 0
    batch = writes.attach_evidence(store, INV, "INV-INVESTOR-MECH", "2023-H2", "C:\\scans\\签约纪要.pdf", PDF)
    [kept] = store.evidence().to_dict("records")
    assert kept["file_name"] == "签约纪要.pdf" and kept["media_type"] == "application/pdf"
    assert kept["sha256"] == hashlib.sha256(PDF).hexdigest() and kept["size"] == len(PDF)
    assert kept["batch_id"] == batch and kept["editor"] == "李四 (test)" and kept["in_force"]
    assert store.batch(batch)["kind"] == "evidence"
    assert store.evidence_bytes(kept["sha256"]) == PDF  # byte for byte
    after = _row(store, "INV-INVESTOR-MECH")
    assert after.evidence == 1 and not after.needs_evidence
    writes.revert(store, INV, batch)
    assert store.evidence().empty  # out of force
    assert _row(store, "INV-INVESTOR-MECH").needs_evidence
    history = store.evidence(in_force_only=False)
    assert history[["batch_id", "in_force"]].values.tolist() == [[batch, False]]  # the history keeps it
    assert store.evidence(as_of_batch=batch)["batch_id"].tolist() == [batch]  # pinned: in force then
    assert store.evidence_bytes(kept["sha256"]) == PDF
    writes.reapply(store, INV, batch)
    assert not _row(store, "INV-INVESTOR-MECH").needs_evidence


def test_evidence_is_refused_outside_the_area_of_the_wrong_type_or_too_big(store, monkeypatch):
    from kpi.settings import get_settings

    before = _state(store)
    cases = [
        (INV, "TAL-CONF", "a.pdf", PDF, "outside the areas of 李四 (INV)"),
        (INV, "INV-EVENTS", "page.html", b"<html><script>alert(1)</script></html>", "not an accepted kind"),
        (INV, "INV-EVENTS", "report.pdf", b"<html><script>alert(1)</script></html>", "is not a PDF file"),
        (EDITOR, "INV-EVENTS", "empty.png", b"", "is empty"),
    ]
    for who, code, name, data, message in cases:
        with pytest.raises(Refused) as refused:
            writes.attach_evidence(store, who, code, "2023-Q3", name, data)
        assert message in refused.value.message("en")
    monkeypatch.setenv("KPI_EVIDENCE_MAX_BYTES", "20")
    get_settings.cache_clear()
    with pytest.raises(Refused, match="over the limit of 20"):
        writes.attach_evidence(store, INV, "INV-EVENTS", "2023-Q3", "a.pdf", PDF)
    assert _state(store) == before


def test_files_leave_with_a_safe_type_and_a_clean_name():
    assert evidence.media_type("x.pdf") == "application/pdf"
    assert evidence.media_type("x.html") == evidence.media_type("x.svg") == "application/octet-stream"
    assert evidence.clean_name("../../etc/passwd\x00.pdf") == "passwd.pdf"
    assert evidence.clean_name(".hidden.pdf") == "hidden.pdf"
    assert len(evidence.clean_name("长" * 300 + ".docx")) == evidence.NAME_MAX
    assert evidence.clean_name("长" * 300 + ".docx").endswith(".docx")


def test_the_briefing_and_the_exports_list_names_and_hashes_not_contents(store):
    import_csv(store, DONE)
    writes.attach_evidence(store, INV, "INV-INVESTOR-MECH", "2023-H2", "签约纪要.pdf", PDF)
    writes.attach_evidence(store, INV, "INV-EVENTS", "2023-Q3", "活动照片.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    sha = hashlib.sha256(PDF).hexdigest()
    snap = query.snapshot(store, "2023-H2")
    view = query.View.of(snap.plan, "2023-H2", AS_OF, store.data_version(), "zh")
    pack = briefing.build_pack(snap, view, "http://example/")
    html = briefing.briefing_html(pack).decode()
    section = html.split("<h2 id='evidence'>", 1)[1]
    assert "签约纪要.pdf" in section and sha in section and "活动照片.png" in section
    assert "CONTENT-7f3a9c" not in html
    csv = pd.read_csv(io.BytesIO(briefing.view_csv(pack)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    listed = csv.set_index("编码")["佐证材料"]
    assert listed["INV-INVESTOR-MECH"] == f"签约纪要.pdf（SHA-256 {sha}）"
    assert listed["INV-EVENTS"].startswith("活动照片.png（SHA-256 ")
    assert listed["TAL-CONF"] == ""
    exported = pd.read_csv(io.BytesIO(to_csv_bytes(observations_export(store, lang="en"))),
                           encoding="utf-8-sig", dtype=str, keep_default_na=False)
    marked = exported[exported["evidence"] != ""]
    assert marked[["indicator", "period"]].values.tolist() == [["INV-EVENTS", "2023-Q3"],
                                                               ["INV-INVESTOR-MECH", "2023-09"]]
    assert marked["evidence"].iloc[1] == f"签约纪要.pdf (SHA-256 {sha})"


def test_the_indicator_page_shows_and_offers_evidence(location, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from kpi import auth
    from tests.conftest import ROOT
    from tests.test_app import _db

    db = _db(location, monkeypatch, sample=True)
    store = Store.open(db)
    try:
        writes.attach_evidence(store, INV, "INV-INVESTOR-MECH", "2023-H2", "签约纪要.pdf", PDF)
    finally:
        store.close()
    auth.write_editor("李四", "correct horse 2023", areas=["INV"])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in {"lang": "en", "indicator": "INV-INVESTOR-MECH"}.items():
        at.query_params[k] = v
    at.switch_page("app_pages/indicator.py")
    at.run()
    assert not at.exception
    assert "Evidence (佐证材料)" in [s.value for s in at.subheader]
    table = next(d.value for d in at.dataframe if "SHA-256" in d.value.columns)
    assert table["File"].tolist() == ["签约纪要.pdf"] and table["SHA-256"].iloc[0] == hashlib.sha256(PDF).hexdigest()
    assert [b.proto.label for b in at.get("download_button") if b.proto.label.startswith("Download 签")] == [
        "Download 签约纪要.pdf"]
    assert not at.get("file_uploader")  # a viewer attaches nothing
    at.text_input(key="sign_in_name").input("李四")
    at.text_input(key="sign_in_password").input("correct horse 2023")
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception
    assert [u.proto.label for u in at.get("file_uploader")][0].startswith("Choose a file (pdf, png, jpg")
    heading = [m.value for m in at.markdown if m.value.startswith("### ")][0]
    assert "缺佐证" not in heading  # done, with evidence
