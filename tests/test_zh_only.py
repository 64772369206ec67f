"""Chinese alone is enough: a plan without any English renders on every page in both languages (the Chinese shown,
marked, never an empty label), and the briefing, the Word report and the exports build for it. And a drafted plan's
guesses (review flags): `plan check` lists them, `plan load` refuses them until confirmed or `--accept-draft`."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import yaml
from docx import Document
from streamlit.testing.v1 import AppTest

from kpi.i18n import t
from kpi.plan.models import Text, load_plan, validate_plan
from kpi.report import briefing, query, word
from kpi.report.export import observations_export, template_frame, to_csv_bytes, to_xlsx_bytes
from kpi.settings import get_settings
from kpi.setup import load_plans
from kpi.store import Store
from tests.conftest import EDITOR, ROOT, import_csv, run_cli

ZH_ONLY = ROOT / "tests" / "data" / "plans" / "zh-only.yaml"
ACTUALS = ("indicator,period,value,note\nZS-HD,2025-01,1,\nZS-HD,2025-03,1,春节后首场\nZS-QY,2025-03,18,\n"
           "ZL-PX,2025-Q1,1,讲师临时调整\nZL-SQ,2025-Q1,12,\nFW-MY,2025-03,93.5,\n")
PAGES = ["overview", "area", "indicator", "history", "upload", "targets"]


def test_a_text_may_be_chinese_alone_or_a_plain_string():
    assert Text(zh="招商引资").get("en") == "招商引资" and not Text(zh="招商引资").has("en")
    assert Text.model_validate("招商引资") == Text(zh="招商引资")
    assert Text(zh="招商", en="Investment").get("en") == "Investment"
    plan, problems = validate_plan(yaml.safe_load(ZH_ONLY.read_text(encoding="utf-8")))
    assert problems == [] and plan.untranslated()
    assert not load_plan(ROOT / "data" / "plans" / "2023-H2.yaml").untranslated()


def test_an_empty_english_is_refused_not_shown_empty():
    raw = yaml.safe_load(ZH_ONLY.read_text(encoding="utf-8"))
    raw["areas"][0]["name"] = {"zh": "招商引资", "en": ""}
    plan, problems = validate_plan(raw)
    assert plan is None and [p.path for p in problems] == ["areas[0].name.en"]


@pytest.fixture
def zh_db(tmp_path, monkeypatch):
    path = tmp_path / "zh.duckdb"
    store = Store.open(path)
    load_plans(store, EDITOR, [ZH_ONLY])
    import_csv(store, ACTUALS)
    store.close()
    monkeypatch.setenv("KPI_DB", str(path))
    monkeypatch.setenv("KPI_DEFAULT_PLAN", "ZH-2025")
    get_settings.cache_clear()
    return path


def _labels(at: AppTest) -> list[str]:
    """Every label, title and text a reader sees on the page (widgets, headings, links, metrics, messages)."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        out += [e.value for e in getattr(at, kind)]
    for kind in ("selectbox", "radio", "text_input", "date_input", "toggle", "button", "metric"):
        out += [e.label for e in getattr(at, kind)] + [e.label for e in getattr(at.sidebar, kind)]
    out += [link.label for link in at.get("page_link")]
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_a_chinese_only_plan_without_an_empty_label(zh_db, page, lang):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"lang": lang, "as_of": "2025-04-15"})
    for key, value in {"lang": lang, "as_of": "2025-04-15"}.items():
        at.query_params[key] = value
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    labels = _labels(at)
    assert labels and all(str(label).strip() for label in labels), labels
    assert at.title[0].value.startswith(("某区科技局", "招商引资", "市外招商活动")) or page in ("history", "upload",
                                                                                   "targets")
    captions = [c.value for c in at.caption]
    if lang == "en":
        assert t("untranslated.note", "en") in captions  # the Chinese on an English page is marked as such
    else:
        assert t("untranslated.note", "zh") not in captions


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_pack_and_the_exports_build_for_a_chinese_only_plan(zh_db, lang):
    store = Store.open(zh_db)
    try:
        snap = query.snapshot(store, "ZH-2025")
        pack = briefing.build_pack(snap, query.View.of(snap.plan, None, dt.date(2025, 4, 15), snap.version, lang),
                                   "http://x/")
        html = briefing.briefing_html(pack).decode("utf-8")
        text = re.sub(r"<script.*?</script>", "", html, flags=re.S)  # plotly.js itself says None
        assert "市外招商活动" in text and "None" not in text
        assert (t("untranslated.note", lang) in text) == (lang == "en")
        doc = Document(io.BytesIO(word.report_docx(pack)))
        assert any("招商引资" in p.text for p in doc.paragraphs)
        assert "ZS-HD" in briefing.view_csv(pack).decode("utf-8-sig")
        assert briefing.view_xlsx(pack)[:2] == b"PK"
        assert "春节后首场" in to_csv_bytes(observations_export(store)).decode("utf-8-sig")
        template = template_frame(snap.plan, "2025-Q1")
        assert "None" not in to_csv_bytes(template).decode("utf-8-sig") and to_xlsx_bytes(template)[:2] == b"PK"
        assert pack.report_text().strip()
    finally:
        store.close()


def _drafted(tmp_path) -> str:
    raw = yaml.safe_load(ZH_ONLY.read_text(encoding="utf-8"))
    raw["areas"][0]["review"] = ["name"]
    raw["areas"][1]["items"][0]["review"] = ["kind", "target"]
    path = tmp_path / "draft.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_plan_check_accepts_a_draft_and_lists_its_guesses(tmp_path, lang):
    out = run_cli("plan", "check", _drafted(tmp_path), "--lang", lang)
    assert out.returncode == 0, out.stderr
    assert t("cli.plan_reviews", lang, file=_drafted(tmp_path), count=2) in out.stdout
    assert "areas[1].items[0]" in out.stdout and "kind, target" in out.stdout


def test_plan_load_refuses_open_guesses_unless_told_to_accept_the_draft(tmp_path):
    db = tmp_path / "d.duckdb"
    draft = _drafted(tmp_path)
    refused = run_cli("plan", "load", draft, "--db", str(db))
    assert refused.returncode == 1 and "areas[0]" in refused.stderr and "areas[1].items[0]" in refused.stderr
    store = Store.open(db)
    try:
        assert store.plan_ids() == []  # nothing was loaded
    finally:
        store.close()
    accepted = run_cli("plan", "load", draft, "--db", str(db), "--accept-draft")
    assert accepted.returncode == 0, accepted.stderr
    store = Store.open(db)
    try:
        assert store.plan_ids() == ["ZH-2025"] and store.plan("ZH-2025").open_reviews()
    finally:
        store.close()
