"""Sign-in: equal timing for known and unknown names, parallel guesses held by the lockout, the global limit,
sessions that end when the editor is removed or the password changes, the secrets file 0600 from the start,
the CLI's shortest password — and, through AppTest, a removed editor's next write refused."""

from __future__ import annotations

import datetime as dt
import os
import stat
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from streamlit.testing.v1 import AppTest

from kpi import auth, sessions
from kpi.i18n import t
from kpi.settings import get_settings
from kpi.store import Editor, Store
from tests.conftest import ROOT, run_cli
from tests.test_app import _db

pytestmark = pytest.mark.engines  # on a DuckDB file and on PostgreSQL

RIGHT = "correct horse 2023"


def _settings(monkeypatch, **values) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"KPI_{name.upper()}", str(value))
    get_settings.cache_clear()


# --- timing, counting, lockout, global limit ------------------------------------------

def test_unknown_and_known_names_take_the_same_time(monkeypatch):
    """One scrypt hash either way: the median time of a wrong try is the same for a real name and a made-up one."""
    _settings(monkeypatch, signin_lockout_failures=1000, signin_global_per_minute=1000)
    auth.write_editor("zhang", RIGHT)
    no_wait = lambda _seconds: None  # noqa: E731 - the delay is not what is measured here
    auth.attempt("nobody", "warm-up", no_wait)  # the one-off hash an unknown name is checked against
    known, unknown = [], []
    for _ in range(9):  # interleaved, so a busy moment of the machine falls on both
        for name, times in (("zhang", known), ("nobody-at-all", unknown)):
            start = time.perf_counter()
            assert auth.attempt(name, "wrong password", no_wait).outcome == auth.WRONG
            times.append(time.perf_counter() - start)
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.75 < ratio < 1.33, (ratio, known, unknown)  # two hashes for an unknown name would make it about 2


def test_parallel_tries_are_counted_before_the_check(monkeypatch):
    """16 tries at once for one name: each sees the ones before it (growing delays), the lockout takes the rest."""
    _settings(monkeypatch, signin_first_delay_seconds=1, signin_max_delay_seconds=8, signin_lockout_failures=5,
              signin_global_per_minute=1000)
    auth.write_editor("zhang", RIGHT)
    delays: list[float] = []
    start = threading.Barrier(16)

    def guess(i: int) -> auth.Result:
        start.wait()
        return auth.attempt("zhang", f"guess {i}", sleep=delays.append)  # the delays are recorded, not slept

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(guess, range(16)))
    assert Counter(r.outcome for r in results) == {auth.WRONG: 5, auth.LOCKED: 11}
    assert sorted(delays) == [1.0, 2.0, 4.0, 8.0]  # the first try waits nothing, each later one longer


def test_sixteen_parallel_wrong_guesses_the_lockout_holds(monkeypatch):
    """Real waits (short, by settings): five guesses are checked, eleven refused unchecked, and the right password
    too is refused until the lockout ends — then it signs in."""
    _settings(monkeypatch, signin_first_delay_seconds=0.05, signin_max_delay_seconds=0.2, signin_lockout_failures=5,
              signin_lockout_minutes=0.03, signin_global_per_minute=1000)
    auth.write_editor("zhang", RIGHT)
    recorded: list[auth.Result] = []
    start = threading.Barrier(16)

    def guess(i: int) -> auth.Result:
        start.wait()
        return auth.attempt("zhang", f"guess {i}", record=recorded.append)

    began = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(guess, range(16)))
    elapsed = time.perf_counter() - began
    assert Counter(r.outcome for r in results) == {auth.WRONG: 5, auth.LOCKED: 11}
    assert len(recorded) == 16 and all(r.editor is None for r in results)
    assert 0.2 <= elapsed < 10  # the longest earned wait was slept; nothing waited for the others in turn
    held = auth.attempt("zhang", RIGHT)
    assert held.outcome == auth.LOCKED and held.editor is None
    assert time.time() < held.retry_at <= time.time() + 0.03 * 60 + 0.1
    time.sleep(held.retry_at - time.time() + 0.05)
    assert auth.attempt("zhang", RIGHT).editor == Editor("zhang", via="web")
    assert auth.failure_delay("zhang") == 0.0


def test_the_global_limit_bounds_tries_across_names(monkeypatch):
    _settings(monkeypatch, signin_global_per_minute=3, signin_lockout_failures=1)
    auth.write_editor("zhang", RIGHT)
    before = time.time()
    assert auth.attempt("a", "wrong").outcome == auth.WRONG  # and "a" is locked now
    assert [auth.attempt("a", "again").outcome for _ in range(3)] == [auth.LOCKED] * 3  # refused, budget kept
    assert [auth.attempt(n, "wrong").outcome for n in ("b", "c")] == [auth.WRONG] * 2  # three checked tries
    busy = auth.attempt("zhang", RIGHT)
    assert busy.outcome == auth.BUSY and busy.editor is None
    assert before + 59 < busy.retry_at <= time.time() + 60
    assert auth.failure_delay("zhang") == 0.0  # a refused try is not a failure of that name


def test_refusals_say_when_to_try_again_in_both_languages():
    from ui.signin import _refusal

    at = time.time() + 5 * 60
    clock = dt.datetime.fromtimestamp(at).strftime("%H:%M")
    assert _refusal(auth.LOCKED, at, "en") == t("auth.locked", "en", time=clock, minutes=5)
    assert f"请于 {clock}（约 5 分钟后）再试" in _refusal(auth.LOCKED, at, "zh")
    assert f"try again after {clock}" in _refusal(auth.BUSY, at, "en")
    assert _refusal(auth.WRONG, None, "zh") == t("auth.failed", "zh")


# --- the secrets file and the CLI --------------------------------------------------------

def test_secrets_file_is_created_owner_only_never_widened_after(monkeypatch):
    def no_chmod(*_args, **_kwargs):
        raise AssertionError("the file must be created 0600, not narrowed after it was written")

    old = os.umask(0)  # a umask that would leave a plainly created file world-readable
    try:
        monkeypatch.setattr(os, "chmod", no_chmod)
        path = auth.write_editor("zhang", RIGHT)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        auth.write_editor("li", RIGHT)
        assert auth.remove_editor("zhang") and not auth.remove_editor("zhang")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old)
    assert set(auth.load_editors()) == {"li"}
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(("lang", "message"), [("en", "a password needs at least 12 characters; nothing was saved"),
                                               ("zh", "密码至少需要 12 个字符，未保存。")])
def test_cli_refuses_a_short_password_in_the_users_language(tmp_path, lang, message):
    env = {**os.environ, "KPI_SECRETS_FILE": str(tmp_path / "cli.toml")}

    def add(password: str, **more_env: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "kpi", "editor", "add", "王科长", "--password-stdin", "--lang",
                               lang], cwd=ROOT, input=password + "\n", capture_output=True, text=True,
                              env={**env, **more_env}, timeout=60)

    refused = add("eleven char")
    assert refused.returncode == 2 and message in refused.stderr  # exit 2: a usage error, as the CLI documents
    assert not (tmp_path / "cli.toml").exists()
    assert add("twelve chars").returncode == 0
    assert add("fourteen chars", KPI_EDITOR_MIN_PASSWORD="16").returncode == 2


def test_cli_removes_an_editor(tmp_path):
    env = {"KPI_SECRETS_FILE": str(tmp_path / "cli.toml")}
    (tmp_path / "cli.toml").write_text(f'[editors]\n"王科长" = "{auth.hash_password(RIGHT)}"\n', encoding="utf-8")
    done = run_cli("editor", "remove", "王科长", "--lang", "zh", env=env)
    assert done.returncode == 0 and "已删除编辑 王科长" in done.stdout
    again = run_cli("editor", "remove", "王科长", env=env)
    assert again.returncode == 2 and "no editor named 王科长" in again.stderr


# --- sessions ----------------------------------------------------------------------------

@pytest.fixture
def session_store(location):
    store = Store.open(location)
    yield store
    store.close()


def test_cookie_is_signed_and_expires(session_store):
    auth.write_editor("zhang", RIGHT)
    sid, expires = sessions.start(session_store, Editor("zhang", via="web"))
    cookie = sessions.cookie_value(sid, expires)
    assert sessions.session_id(cookie) == sid
    payload, signature = cookie.rsplit(".", 1)
    other_sid = "A" + sid[1:] if sid[0] != "A" else "B" + sid[1:]
    later = int(expires.timestamp()) + 3600
    for forged in (f"{payload}.{'0' * len(signature)}", f"{other_sid}.{cookie.split('.', 1)[1]}",
                   f"{sid}.{later}.{signature}", "", "garbage", f"{sid}..{signature}"):
        assert sessions.session_id(forged) is None, forged
    assert sessions.session_id(cookie, now=expires + dt.timedelta(seconds=1)) is None
    assert sid not in str(session_store.sessions().to_dict("records"))  # the store keeps only a hash of the id


def test_a_session_ends_with_sign_out_removal_or_a_new_password(session_store, monkeypatch):
    auth.write_editor("zhang", RIGHT)
    auth.write_editor("li", RIGHT)
    monkeypatch.setenv("KPI_EDITORS", f"wang={auth.hash_password(RIGHT)}")
    ids = {name: sessions.start(session_store, Editor(name, via="web"))[0] for name in ("zhang", "li", "wang")}
    assert {n: sessions.editor_for(session_store, s) for n, s in ids.items()} == {
        n: Editor(n, via="web") for n in ids}
    assert auth.remove_editor("zhang")
    auth.write_editor("li", "a new password 2024")
    assert sessions.end(session_store, ids["wang"])
    assert [sessions.editor_for(session_store, s) for s in ids.values()] == [None, None, None]
    reasons = dict(zip(session_store.sessions()["editor"], session_store.sessions()["end_reason"], strict=True))
    assert reasons == {"zhang": "editor removed", "li": "password changed", "wang": "signed out"}
    auth.write_editor("zhang", RIGHT)  # added back: the old session stays ended
    assert sessions.editor_for(session_store, ids["zhang"]) is None
    fresh, expires = sessions.start(session_store, Editor("zhang", via="web"))
    assert sessions.editor_for(session_store, fresh) == Editor("zhang", via="web")
    assert sessions.editor_for(session_store, fresh, now=expires) is None  # expired
    with pytest.raises(PermissionError):
        sessions.start(session_store, Editor("nobody", via="web"))


# --- pages (AppTest: the sign-in of one browser session) ---------------------------------

@pytest.fixture
def db(location, monkeypatch):
    path = _db(location, monkeypatch, sample=True)
    auth.write_editor("王科长", RIGHT)
    return path


def _app(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sign_in(at: AppTest, password: str = RIGHT) -> AppTest:
    at.text_input(key="sign_in_name").input("王科长")
    at.text_input(key="sign_in_password").input(password)
    next(b for b in at.button if b.label in ("Sign in", "登录")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("change", ["remove", "new password"])
def test_a_removed_editor_or_changed_password_refuses_the_next_write(db, change):
    at = _sign_in(_app("history", lang="en"))
    assert any(b.label == "Revert batch 2" for b in at.button)
    if change == "remove":
        auth.remove_editor("王科长")
    else:
        auth.write_editor("王科长", "changed password 2024")
    next(b for b in at.button if b.label == "Revert batch 2").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [t("auth.ended", "en")]
    assert not [b for b in at.button if b.label.startswith(("Revert", "Re-apply"))]
    store = Store.open(db)
    try:
        assert not store.batch(2)["reverted"] and store.data_version() == 2  # nothing was written
        ended = store.sessions()
        assert ended["end_reason"].tolist() == ["editor removed" if change == "remove" else "password changed"]
    finally:
        store.close()


def test_editors_see_the_sign_in_tries_on_the_history_page(db):
    at = _sign_in(_sign_in(_app("history", lang="en"), password="wrong password"))
    attempts = next(e for e in at.get("expander") if e.label.startswith("Sign-in attempts"))
    table = attempts.dataframe[0].value
    assert table["Result"].tolist() == ["signed in", "wrong name or password"]
    assert table["Name typed"].tolist() == ["王科长", "王科长"]
    viewer = _app("history", lang="en")
    assert not [e for e in viewer.get("expander") if e.label.startswith("Sign-in attempts")]


def test_a_locked_name_is_told_when_to_try_again(db, monkeypatch):
    _settings(monkeypatch, signin_lockout_failures=2, signin_lockout_minutes=10)
    at = _sign_in(_sign_in(_app("upload", lang="zh"), password="wrong 1"), password="wrong 2")
    assert "用户名或密码不正确" in at.error[0].value
    at = _sign_in(at)  # the right password, but the name is locked
    assert "已暂时锁定" in at.error[0].value and "约 10 分钟后" in at.error[0].value
    assert not at.get("file_uploader")
