"""Roles and scopes: an area editor writes only for their areas — uploads, explanations, overrides, reverts — and is
refused (every row named, the store unchanged) for any other, even when the page's write is called with a forged
indicator; admins keep every right; viewer accounts put the dashboard behind a sign-in."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from kpi import auth, ingest, writes
from kpi.report.export import template_frame
from kpi.roles import Refused, may_write, scope_text
from kpi.store import Editor, Store
from tests.conftest import EDITOR, ROOT, run_cli
from tests.test_app import _db
from tests.test_app_write import _app

pytestmark = pytest.mark.engines  # on a DuckDB file and on PostgreSQL

INV = Editor("李四", via="test", areas=("INV",))
PASSWORD = "correct horse 2023"
MIXED = ("indicator,period,value\n"
         "INV-EVENTS,2023-07,1\n"
         "TAL-SERVICE,2023-07,5\n"
         "INV-VISITS,2023-07,2\n"
         "TAL-POLICY,2023-08,3\n")


def _cli(*args: str, env: dict, input_text: str):
    """``python -m kpi`` with standard input (a password for --password-stdin)."""
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "kpi", *args], cwd=ROOT, capture_output=True, text=True,
                          input=input_text, env={**os.environ, **env}, timeout=120)


def _snapshot(store: Store) -> tuple:
    """Everything a write could change: the data version and every value, note and override in force."""
    return (store.data_version(), store.current().to_json(date_format="iso"),
            store.current_notes().to_json(date_format="iso"), store.current_overrides().to_json(date_format="iso"))


# --- the secrets file and the command line --------------------------------------------------------------------

def test_editor_add_help_names_the_role_options():
    result = run_cli("editor", "add", "--help")
    assert result.returncode == 0
    for option in ("--areas", "--admin", "--password-stdin", "--viewer"):
        assert option in result.stdout


def test_editor_roles_in_the_secrets_file(tmp_path):
    env = {"KPI_SECRETS_FILE": str(tmp_path / "s.toml"), "KPI_DB": str(tmp_path / "none.duckdb")}
    added = _cli("editor", "add", "李四", "--areas", "inv,HK", "--password-stdin", "--lang", "en", env=env,
                 input_text=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "李四: area editor of Shenzhen–Hong Kong innovation cooperation (HK); Investment promotion (INV)" \
        in added.stdout
    assert _cli("editor", "add", "王", "--password-stdin", env=env, input_text=PASSWORD + "\n").returncode == 0
    unknown = _cli("editor", "add", "赵", "--areas", "INV,FOO", "--password-stdin", "--lang", "en", env=env,
                   input_text=PASSWORD + "\n")
    assert unknown.returncode == 2 and "no such areas: FOO" in unknown.stderr
    listed = run_cli("editor", "list", "--lang", "en", env=env)
    assert listed.stdout.splitlines() == [
        "李四: area editor of Shenzhen–Hong Kong innovation cooperation (HK); Investment promotion (INV)",
        "王: admin (every area; closes periods and corrects them)"]
    path = tmp_path / "s.toml"
    assert auth.editor_named("李四", "cli") is None  # the test's own secrets file is another one
    auth.write_editor("李四", PASSWORD, path=path)  # a new password keeps the role
    text = path.read_text(encoding="utf-8")
    assert '"李四" = ["HK", "INV"]' in text
    auth.write_editor("李四", PASSWORD, path=path, areas=None)  # --admin
    assert "[areas]" in path.read_text(encoding="utf-8") and '"李四" = [' not in path.read_text(encoding="utf-8")


def test_a_secrets_entry_without_areas_is_an_admin_and_the_environment_scopes(monkeypatch):
    auth.write_editor("王", PASSWORD)
    auth.write_editor("李四", PASSWORD, areas=["INV"])
    assert auth.editor_named("王", "web") == Editor("王", "web", None)
    assert auth.editor_named("李四", "web") == Editor("李四", "web", ("INV",))
    assert auth.editor_named("nobody", "web") is None
    monkeypatch.setenv("KPI_EDITORS", f"赵={auth.hash_password(PASSWORD)}")
    monkeypatch.setenv("KPI_EDITOR_AREAS", "赵=tal, HK")
    assert auth.editor_named("赵", "web").areas == ("HK", "TAL")
    assert auth.attempt("李四", PASSWORD, lambda _s: None).editor.areas == ("INV",)


def test_scope_text_names_the_areas_with_their_office(plan):
    from kpi.plan.models import Text

    areas = [a.model_copy(update={"owner": Text(zh="投资促进科", en="Investment Office")}) if a.code == "INV" else a
             for a in plan.areas]
    owned = plan.model_copy(update={"areas": areas})
    assert scope_text(INV, owned, "zh") == "领域编辑：招商引资（INV · 负责科室：投资促进科）"
    assert scope_text(INV, owned, "en") == "area editor of Investment promotion (INV · office: Investment Office)"
    assert scope_text(EDITOR, plan, "en").startswith("admin")
    assert may_write(INV, "INV-EVENTS") and not may_write(INV, "TAL-SERVICE") and may_write(EDITOR, "TAL-SERVICE")


# --- uploads --------------------------------------------------------------------------------------------------

def test_an_upload_with_rows_of_other_areas_is_refused_whole_naming_each_row(store):
    before = _snapshot(store)
    prepared = ingest.prepare(store, MIXED.encode(), "mixed.csv", editor=INV)
    assert not prepared.ok and prepared.count == 0
    assert [p.message("en") for p in prepared.problems] == [
        "row 3: indicator TAL-SERVICE (2023-07) belongs to area TAL, outside the areas of 李四 (INV): delete this "
        "row, or ask an editor of that area to upload it",
        "row 5: indicator TAL-POLICY (2023-08) belongs to area TAL, outside the areas of 李四 (INV): delete this "
        "row, or ask an editor of that area to upload it"]
    assert prepared.problems[0].message("zh").startswith("第3行：指标 TAL-SERVICE（2023-07）属于领域 TAL")
    assert _snapshot(store) == before
    own = ingest.prepare(store, b"indicator,period,value\nINV-EVENTS,2023-07,1\n", "own.csv", editor=INV)
    assert own.ok
    ingest.commit(store, own, INV)
    assert store.current()["indicator"].tolist() == ["INV-EVENTS"]


def test_a_prepared_file_committed_by_an_area_editor_is_checked_again(store):
    """The page's Confirm with a forged preview (checked for an admin) writes nothing for an INV editor."""
    prepared = ingest.prepare(store, MIXED.encode(), "mixed.csv")  # no editor: the areas are not checked yet
    assert prepared.ok
    before = _snapshot(store)
    with pytest.raises(Refused) as refused:
        ingest.commit(store, prepared, INV)
    assert [p.row for p in refused.value.problems] == [3, 5]
    assert _snapshot(store) == before


def test_import_with_editor_applies_the_scope(store, db_path, tmp_path):
    auth.write_editor("李四", PASSWORD, areas=["INV"])
    store.close()
    file = tmp_path / "mixed.csv"
    file.write_text(MIXED, encoding="utf-8")
    refused = run_cli("import", str(file), "--db", str(db_path), "--editor", "李四", "--lang", "en")
    assert refused.returncode == 1
    assert "row 3: indicator TAL-SERVICE (2023-07) belongs to area TAL" in refused.stderr
    assert "row 5: indicator TAL-POLICY (2023-08)" in refused.stderr
    again = Store.open(db_path)
    try:
        assert again.current().empty
    finally:
        again.close()
    admin = run_cli("import", str(file), "--db", str(db_path), "--editor", "王", "--lang", "en")
    assert admin.returncode == 0, admin.stderr  # a name that is not a configured editor: the CLI's admin


def test_the_template_holds_only_the_editors_areas(plan):
    frame = template_frame(plan, "2023-Q3", ("INV", "HK"))
    assert set(frame["指标编码"].str.split("-").str[0]) == {"INV", "HK"}
    assert len(frame) == sum(len(a.items) for a in plan.areas if a.code in ("INV", "HK"))
    assert len(template_frame(plan, "2023-Q3")) == len(plan.indicators())


# --- explanations, overrides, reverts, plans ----------------------------------------------------------------------

def test_an_area_editor_cannot_explain_override_or_revert_for_another_area(store):
    tal = ingest.prepare(store, b"indicator,period,value\nTAL-SERVICE,2023-07,5\n", "tal.csv")
    batch = ingest.commit(store, tal, EDITOR)
    before = _snapshot(store)
    for call in (lambda: writes.write_note(store, INV, "TAL-SERVICE", "2023-Q3", "forged"),
                 lambda: writes.write_override(store, INV, "TAL-CONF", "2023-H2", "done", "forged"),
                 lambda: writes.revert(store, INV, batch)):
        with pytest.raises(Refused) as refused:
            call()
        assert "outside the areas of 李四 (INV)" in refused.value.message("en")
        assert _snapshot(store) == before
    with pytest.raises(Refused, match="needs an admin"):
        writes.save_plan(store, INV, store.plan("2023-H2"))
    note = writes.write_note(store, INV, "INV-EVENTS", "2023-Q3", "台风影响")
    assert store.current_notes()["batch_id"].tolist() == [note]
    assert writes.revert(store, INV, note) > note  # their own area's batch
    assert writes.write_note(store, EDITOR, "TAL-SERVICE", "2023-Q3", "admin") > 0  # an admin: every area


# --- the pages ------------------------------------------------------------------------------------------------


@pytest.fixture
def db(location, monkeypatch):
    return _db(location, monkeypatch, sample=True)


def _sign_in(at: AppTest, name: str) -> AppTest:
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(PASSWORD)
    next(b for b in at.button if b.label in ("Sign in", "登录")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _labels(at: AppTest) -> list[str]:
    return [link.label for link in at.get("page_link")]


def test_an_area_editor_sees_write_controls_only_for_their_area(db):
    auth.write_editor("李四", PASSWORD, areas=["INV"])
    at = _sign_in(_app("indicator", lang="en", indicator="INV-EVENTS"), "李四")
    assert any("area editor of Investment promotion (INV)" in c.value for c in at.sidebar.caption)
    assert "Upload" in _labels(at) and "Targets" not in _labels(at)
    assert at.text_area(key="note_text") is not None
    other = _sign_in(_app("indicator", lang="en", indicator="TAL-SERVICE"), "李四")
    assert not [t for t in other.text_area if t.key == "note_text"]
    targets = _sign_in(_app("targets", lang="en"), "李四")
    assert any("Targets are for admins" in i.value for i in targets.info)
    assert not targets.get("download_button")


def test_with_viewer_accounts_the_dashboard_opens_only_after_sign_in(db):
    auth.write_viewer("访客", PASSWORD)
    gated = _app("indicator", lang="en", indicator="INV-EVENTS", data="2")
    assert [t.value for t in gated.title] == ["Sign in"]
    assert not gated.get("metric") and not gated.dataframe and not gated.get("plotly_chart")
    assert not _labels(gated)
    opened = _sign_in(gated, "访客")
    assert "data version 2" in opened.info[0].value  # the pinned link, now open
    assert any(m.value == "Signed in to view: 访客" for m in opened.sidebar.markdown)
    assert "Upload" not in _labels(opened)


def test_without_viewer_accounts_everyone_with_the_link_is_a_viewer(db):
    at = _app(lang="en")
    assert "Sign in" not in [t.value for t in at.title]
    assert at.get("metric")


@pytest.mark.parametrize("path", ["kpi/roles.py", "kpi/writes.py", "kpi/ingest/scope.py", "kpi/report/due.py",
                                  "kpi/evidence.py", "kpi/report/supervision.py", "app_pages/due.py"])
def test_every_key_of_the_supervision_modules_is_in_the_catalogue(path):
    from kpi.i18n import CATALOGUE
    from tests.test_problems import _literals

    keys = _literals(path)
    assert keys, path
    for key in keys:
        family = key.endswith((".", "_"))  # the fixed head of f"due.kind_{kind}" names a family of keys
        assert any(k.startswith(key) for k in CATALOGUE) if family else key in CATALOGUE, (path, key)


# --- the HTTP API: a token speaks for its editor, with their areas ---------------------------------------------

def test_an_area_editors_api_token_writes_only_their_areas(store, monkeypatch):
    from kpi import api, tokens

    monkeypatch.setenv("KPI_EDITORS", f"李四={auth.hash_password(PASSWORD)}")
    monkeypatch.setenv("KPI_EDITOR_AREAS", "李四=INV")
    token = tokens.add(store, "ci", "李四")
    editor = tokens.editor_for(store, token, write=True)
    assert editor.name == "李四" and editor.areas == ("INV",) and not editor.admin
    before = _snapshot(store)
    status, body = api.import_file(store, MIXED.encode(), "mixed.csv", "en", lambda: editor)
    assert status == 403, body
    assert [p["row"] for p in body["problems"]] == [3, 5]  # the TAL rows, each named
    assert _snapshot(store) == before  # nothing written
    ours = "indicator,period,value\nINV-EVENTS,2023-07,1\n"
    status, body = api.import_file(store, ours.encode(), "inv.csv", "en", lambda: editor)
    assert status == 201 and body["batch"]["editor"] == "李四 (api)"
