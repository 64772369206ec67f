"""API tokens without a server: only a hash is stored, every check made now (revoked, editor removed, read-only), the
``token`` commands, and ``import --server`` refusing what it cannot send. The server itself: tests/test_api.py."""

from __future__ import annotations

import hashlib
import json

import duckdb
import pytest

from kpi import auth, tokens
from kpi.api import Refused
from kpi.store import Store
from tests.conftest import constraint_errors, database_bytes, run_cli

pytestmark = pytest.mark.engines  # on a DuckDB file and on PostgreSQL

EDITOR_NAME = "王科长"


@pytest.fixture
def editor(tmp_path):
    auth.write_editor(EDITOR_NAME, "correct horse 2023")  # the secrets file of this test (conftest)
    return EDITOR_NAME


def _refusal(store, token, write):
    with pytest.raises(Refused) as caught:
        tokens.editor_for(store, token, write=write)
    return caught.value.status, caught.value.key


def test_a_token_is_shown_once_and_only_its_sha256_is_kept(store, editor, db_path):
    token = tokens.add(store, "ci", editor)
    assert token.startswith("kpi_") and len(token) > 40
    assert store.token(hashlib.sha256(token.encode()).hexdigest())["editor"] == editor
    assert token not in store.tokens().to_string()
    assert "token_hash" not in store.tokens().columns  # the list never shows the hash either
    store.close()
    assert token.encode() not in database_bytes(db_path)  # not in the database (file) at all
    again = Store.open(db_path)
    try:
        who = tokens.editor_for(again, token, write=True)
        assert (who.name, who.via) == (editor, "api")
        assert again.tokens()["last_used_at"].notna().all()
    finally:
        again.close()


def test_every_token_is_different(store, editor):
    assert len({tokens.add(store, f"t{i}", editor) for i in range(20)}) == 20


def test_no_token_an_unknown_one_or_a_revoked_one_is_refused_with_401(store, editor):
    token = tokens.add(store, "ci", editor)
    assert _refusal(store, None, write=False) == (401, "api.no_token")
    assert _refusal(store, "", write=True) == (401, "api.no_token")
    assert _refusal(store, token + "x", write=False) == (401, "api.bad_token")
    assert _refusal(store, "kpi_" + "A" * 43, write=False) == (401, "api.bad_token")
    assert tokens.revoke(store, "ci") is True
    assert _refusal(store, token, write=False) == (401, "api.bad_token")
    assert tokens.revoke(store, "ci") is False  # already revoked
    assert store.tokens()["revoked_at"].notna().all()


def test_a_removed_editors_token_stops_working_and_comes_back_only_with_the_editor(store, editor):
    token = tokens.add(store, "ci", editor)
    auth.remove_editor(editor)
    assert _refusal(store, token, write=True) == (401, "api.editor_gone")
    assert _refusal(store, token, write=False) == (401, "api.editor_gone")
    auth.write_editor(editor, "another horse 2024")
    assert tokens.editor_for(store, token, write=True).name == editor


def test_a_read_only_token_reads_but_cannot_write(store, editor):
    token = tokens.add(store, "dashboard-wall", editor, read_only=True)
    assert tokens.editor_for(store, token, write=False).name == editor
    assert _refusal(store, token, write=True) == (403, "api.read_only")
    assert store.tokens()["scope"].tolist() == ["read"]


def test_a_token_needs_an_editor_and_a_free_name(store, editor):
    with pytest.raises(Refused) as caught:
        tokens.add(store, "ci", "nobody")
    assert caught.value.key == "cli.no_editor"
    tokens.add(store, "ci", editor)
    with pytest.raises(Refused) as caught:
        tokens.add(store, "ci", editor)
    assert caught.value.key == "cli.token_exists"
    for bad in ("", "   ", "x" * 101):
        with pytest.raises(Refused):
            tokens.add(store, bad, editor)
    tokens.revoke(store, "ci")
    tokens.add(store, "ci", editor)  # a revoked token's name can be used again; the old one stays listed
    assert store.tokens()["name"].tolist() == ["ci", "ci"]
    assert store.tokens()["revoked_at"].isna().sum() == 1


def test_tokens_write_no_batch(store, editor):
    version = store.data_version()
    token = tokens.add(store, "ci", editor)
    tokens.editor_for(store, token, write=True)
    tokens.revoke(store, "ci")
    assert store.data_version() == version


def test_the_token_table_allows_only_the_two_scopes(store):
    with pytest.raises(constraint_errors()):
        store.add_token("h", "x", "e", "admin")


@pytest.mark.parametrize(("header", "token"), [
    ("Bearer kpi_abc", "kpi_abc"), ("bearer  kpi_abc ", "kpi_abc"), ("Basic a2V5", None), ("Bearer", None),
    ("", None), (None, None), ("kpi_abc", None)])
def test_the_bearer_header(header, token):
    assert tokens.bearer(header) == token


def test_a_version_3_file_gets_the_token_table_and_keeps_its_data(tmp_path):
    from kpi.store.schema import DUCKDB, SCHEMA_VERSION, statements

    path = tmp_path / "v3.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    for version in (1, 2, 3):
        for sql in statements(version, DUCKDB):
            con.execute(sql)
    con.execute("INSERT INTO meta VALUES ('schema_version', '3')")
    con.execute("INSERT INTO batches VALUES (1, 'import', NULL, 'old', TIMESTAMP '2023-10-01 09:00:00', 'a.csv', "
                "'x', 1, NULL, NULL)")
    con.close()
    store = Store.open(path)
    try:
        assert store.schema_version() == SCHEMA_VERSION  # through 4 (the tokens) to the newest
        assert store.batches()["editor"].tolist() == ["old"]
        store.add_token("h", "ci", "old", "write")
        assert store.token("h")["name"] == "ci" and store.data_version() == 1
    finally:
        store.close()


# --- the commands ---------------------------------------------------------------------------------------------

@pytest.fixture
def cli_db(tmp_path, editor):
    path = tmp_path / "cli.duckdb"
    assert run_cli("init", "--db", str(path), "--plan", "data/plans/2023-H2.yaml").returncode == 0
    return path


def test_token_add_prints_the_token_alone_on_stdout_and_list_never_shows_it(cli_db):
    added = run_cli("token", "add", "ci", "--editor", EDITOR_NAME, "--db", str(cli_db))
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    assert added.stdout == token + "\n" and token.startswith("kpi_")
    assert "ci" in added.stderr and EDITOR_NAME in added.stderr and token not in added.stderr
    reader = run_cli("token", "add", "wall", "--editor", EDITOR_NAME, "--read-only", "--db", str(cli_db))
    listed = run_cli("token", "list", "--db", str(cli_db), "--format", "json")
    assert listed.returncode == 0
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert {n: (r["editor"], r["scope"], r["revoked_at"]) for n, r in rows.items()} == {
        "ci": (EDITOR_NAME, "write", None), "wall": (EDITOR_NAME, "read", None)}
    table = run_cli("token", "list", "--db", str(cli_db))
    for text in (listed.stdout, table.stdout):
        assert token not in text and reader.stdout.strip() not in text
        assert hashlib.sha256(token.encode()).hexdigest() not in text
    revoked = run_cli("token", "revoke", "ci", "--db", str(cli_db))
    assert revoked.returncode == 0 and "ci" in revoked.stdout
    rows = {r["name"]: r for r in json.loads(run_cli("token", "list", "--db", str(cli_db), "--format",
                                                     "json").stdout)}
    assert rows["ci"]["revoked_at"] is not None and rows["wall"]["revoked_at"] is None


def test_token_commands_refuse_with_exit_2_and_change_nothing(cli_db):
    assert run_cli("token", "add", "ci", "--editor", EDITOR_NAME, "--db", str(cli_db)).returncode == 0
    again = run_cli("token", "add", "ci", "--editor", EDITOR_NAME, "--db", str(cli_db), "--lang", "zh")
    assert again.returncode == 2 and "已有名为 ci 的有效令牌" in again.stderr and again.stdout == ""
    nobody = run_cli("token", "add", "x", "--editor", "nobody", "--db", str(cli_db))
    assert nobody.returncode == 2 and "no editor named nobody" in nobody.stderr and nobody.stdout == ""
    unknown = run_cli("token", "revoke", "nope", "--db", str(cli_db))
    assert unknown.returncode == 2 and "no token named nope" in unknown.stderr
    no_editor = run_cli("token", "add", "y", "--db", str(cli_db))
    assert no_editor.returncode == 2 and "--editor" in no_editor.stderr
    rows = json.loads(run_cli("token", "list", "--db", str(cli_db), "--format", "json").stdout)
    assert [r["name"] for r in rows] == ["ci"]


def test_the_contract_names_are_in_the_help():
    assert "--server" in run_cli("import", "--help").stdout
    add = run_cli("token", "add", "--help")
    assert add.returncode == 0 and "--editor" in add.stdout and "--read-only" in add.stdout


def test_import_server_refuses_before_sending_what_it_cannot_send(tmp_path):
    data = tmp_path / "a.csv"
    data.write_text("indicator,period,value\nINV-EVENTS,2023-Q3,2\n", encoding="utf-8")
    no_token = run_cli("import", "--server", "http://127.0.0.1:9", str(data), env={"KPI_TOKEN": ""})
    assert no_token.returncode == 2 and "KPI_TOKEN" in no_token.stderr
    editor = run_cli("import", "--server", "http://127.0.0.1:9", "--token", "kpi_x", "--editor", "me", str(data))
    assert editor.returncode == 2 and "--editor" in editor.stderr
    bad_url = run_cli("import", "--server", "file:///etc/passwd", "--token", "kpi_x", str(data))
    assert bad_url.returncode == 2 and "not a server address" in bad_url.stderr
    closed = run_cli("import", str(data), "--token", "kpi_x", env={"KPI_SERVER": "http://127.0.0.1:9"})
    assert closed.returncode == 2 and "cannot reach the dashboard at http://127.0.0.1:9" in closed.stderr
