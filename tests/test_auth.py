"""Editor sign-in: salted hashes, constant-time checks, delays after failures, editors from env and secrets."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kpi import auth, ingest
from kpi.store import Editor
from tests.conftest import ROOT


def test_hash_is_salted_and_verifies():
    a, b = auth.hash_password("correct horse"), auth.hash_password("correct horse")
    assert a != b and a.startswith("scrypt$16384$8$1$")
    assert auth.verify_password("correct horse", a) and auth.verify_password("correct horse", b)
    assert not auth.verify_password("correct hors", a)
    assert not auth.verify_password("correct horse", "plain-text-password")
    assert not auth.verify_password("x", "md5$abc")


def test_editors_from_secrets_file_and_environment(tmp_path, monkeypatch):
    assert auth.load_editors() == {} and not auth.editing_enabled()
    auth.write_editor("王科长", "first password")
    text = auth.secrets_file().read_text(encoding="utf-8")
    assert "first password" not in text and '"王科长" = "scrypt$' in text
    monkeypatch.setenv("KPI_EDITORS", f"li={auth.hash_password('second pw')}; bad-entry ;")
    editors = auth.load_editors()
    assert set(editors) == {"王科长", "li"}
    assert auth.editing_enabled()


def test_sign_in_right_and_wrong_with_growing_delay(monkeypatch):
    auth.write_editor("zhang", "right password")
    waits: list[float] = []
    assert auth.sign_in("zhang", "right password", sleep=waits.append) == Editor("zhang", via="web")
    for _ in range(5):
        assert auth.sign_in("zhang", "wrong", sleep=waits.append) is None
    assert waits == [1.0, 2.0, 4.0, 8.0]  # no wait before the first failure; then doubling, capped
    assert auth.sign_in("zhang", "right password", sleep=waits.append) == Editor("zhang", via="web")
    assert waits[-1] == auth.MAX_DELAY_SECONDS
    assert auth.failure_delay("zhang") == 0.0  # a success resets the count
    assert auth.sign_in("nobody", "right password", sleep=waits.append) is None


def test_write_editor_keeps_other_secrets(tmp_path):
    path = auth.secrets_file()
    path.write_text('[other]\ntoken = "keep me"\n\n[editors]\nold = "scrypt$x"\n', encoding="utf-8")
    auth.write_editor("new", "a password")
    text = path.read_text(encoding="utf-8")
    assert 'token = "keep me"' in text and "old" in text and '"new" = "scrypt$' in text


def test_write_functions_refuse_without_an_editor(store):
    prepared = ingest.prepare(store, b"indicator,period,value\nINV-EVENTS,2023-Q3,2\n", "a.csv")
    version = store.data_version()
    for nobody in (None, Editor(""), "admin"):
        with pytest.raises(PermissionError):
            ingest.commit(store, prepared, nobody)
    assert store.data_version() == version


def _kpi(*args: str, env: dict, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kpi", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=60)


def test_cli_editor_init_and_add(tmp_path):
    secrets = tmp_path / "cli-secrets.toml"
    env = {"KPI_SECRETS_FILE": str(secrets)}
    first = _kpi("editor", "init", env=env)
    assert first.returncode == 0 and "sign in as 'editor' with password" in first.stdout
    password = first.stdout.split("password ", 1)[1].split()[0]
    assert password not in secrets.read_text()
    assert "nothing to do" in _kpi("editor", "init", env=env).stdout
    assert _kpi("editor", "add", "王科长", "--password-stdin", env=env, stdin="long enough pw\n").returncode == 0
    assert _kpi("editor", "add", "x", "--password-stdin", env=env, stdin="short\n").returncode == 2
    listed = subprocess.run([sys.executable, "-c", "from kpi import auth; print(sorted(auth.load_editors()))"],
                            cwd=ROOT, capture_output=True, text=True, env={**os.environ, **env})
    assert listed.stdout.strip() == "['editor', '王科长']"
