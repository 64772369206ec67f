"""Embedded mode: the dashboard and the command line take turns at one DuckDB file.

The dashboard's store lets go of the file when idle; whoever finds it busy waits up to KPI_LOCK_WAIT; a busy
dashboard still lets a waiting command in; the data version is read again only when the file changes; and while
another process writes, a page shows the numbers cached for the version read last, or a message — never a trace.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpi.i18n import t
from kpi.settings import get_settings
from kpi.store import Store, StoreLocked
from kpi.store import duck as duck_module
from tests.conftest import ROOT, run_cli
from tests.test_app import APP, _db

HOLD = """
import sys, time, duckdb
for _ in range(400):  # as a command does, it waits for the file (the dashboard lets go when idle)
    try:
        con = duckdb.connect(sys.argv[1])
        break
    except duckdb.IOException:
        time.sleep(0.025)
if sys.argv[2] == "write":  # a batch another process writes (the data version grows by one)
    con.execute("INSERT INTO batches (batch_id, kind, editor, created_at, row_count) "
                "SELECT max(batch_id) + 1, 'import', 'other (cli)', now(), 0 FROM batches")
print("open", flush=True)
sys.stdin.read()
"""


@contextmanager
def holder(path: Path, write: bool = False):
    """Another process holds the file (after writing a batch, if asked) until the block ends."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), "write" if write else "read"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "open"
        yield proc
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def opens_elsewhere(path: Path) -> bool:
    """Whether another process can open the file right now (one try)."""
    code = "import sys, duckdb; duckdb.connect(sys.argv[1]).close()"
    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True).returncode == 0


@pytest.fixture
def lock_wait(monkeypatch):
    def set_to(seconds: float) -> None:
        monkeypatch.setenv("KPI_LOCK_WAIT", str(seconds))
        get_settings.cache_clear()

    return set_to


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "kpi.duckdb"
    assert run_cli("init", "--db", str(path), "--plan", "data/plans/2023-H2.yaml").returncode == 0
    return path


def test_the_dashboards_store_lets_go_of_the_file_when_idle_and_a_commands_holds_it(db):
    shared = Store.open(db, hold=False)
    try:
        assert shared.data_version() == 1 and len(shared.current()) == 0
        time.sleep(duck_module.IDLE_SECONDS + 0.3)
        assert opens_elsewhere(db)
        assert shared.plan_ids() == ["2023-H2"]  # and opens it again for the next piece of work
    finally:
        shared.close()
    held = Store.open(db)  # a command's store holds the file until it closes
    try:
        held.data_version()
        time.sleep(duck_module.IDLE_SECONDS + 0.3)
        assert not opens_elsewhere(db)
    finally:
        held.close()
    assert opens_elsewhere(db)


def test_whoever_finds_the_file_busy_waits_up_to_kpi_lock_wait(db, lock_wait):
    lock_wait(0.5)
    with holder(db):
        start = time.monotonic()
        with pytest.raises(StoreLocked):
            Store.open(db)
        assert 0.5 <= time.monotonic() - start < 5
    # a holder that lets go within the wait: the command waits, then runs
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db), "write"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open"
    threading.Timer(1.5, proc.stdin.close).start()
    start = time.monotonic()
    out = run_cli("history", "--db", str(db), "--format", "json", env={"KPI_LOCK_WAIT": "60"})
    proc.wait(timeout=30)
    assert out.returncode == 0, out.stderr
    assert '"editor":"other (cli)"' in out.stdout  # it ran after the other process wrote and let go
    assert time.monotonic() - start >= 1.0


def _command_beside_a_busy_dashboard(db: Path, wait: str) -> tuple[subprocess.CompletedProcess, bool]:
    """Three threads of the dashboard's store at work without a pause while another process opens the store
    (waiting up to ``wait`` seconds); (that process, whether the threads were still at work when it ended)."""
    shared = Store.open(db, hold=False)
    stop, errors = threading.Event(), []

    def work():
        try:
            while not stop.is_set():
                shared.current()
        except BaseException as exc:  # handed to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        code = ("import sys; from kpi.store import Store; s = Store.open(sys.argv[1]); print(s.data_version()); "
                "s.close()")
        out = subprocess.run([sys.executable, "-c", code, str(db)], cwd=ROOT, capture_output=True, text=True,
                             env={**os.environ, "KPI_LOCK_WAIT": wait}, timeout=120)
        busy = not stop.is_set() and all(thread.is_alive() for thread in threads)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        shared.close()
    assert errors == []
    return out, busy


def test_a_busy_dashboard_still_lets_a_waiting_command_in(db, lock_wait, monkeypatch):
    """Pieces of work that overlap without end keep the file open; past MAX_HOLD_SECONDS it is let go at the next
    idle moment, and the command waiting for it gets in while the dashboard is still busy."""
    lock_wait(60)
    monkeypatch.setattr(duck_module, "MAX_HOLD_SECONDS", 1e9)  # never let go: the command waits in vain
    out, busy = _command_beside_a_busy_dashboard(db, "3")
    assert busy and out.returncode != 0 and "StoreLocked" in out.stderr
    monkeypatch.setattr(duck_module, "MAX_HOLD_SECONDS", 2.0)  # as shipped
    out, busy = _command_beside_a_busy_dashboard(db, "30")
    assert busy and out.returncode == 0 and out.stdout.strip() == "1", out.stderr


def test_the_data_version_is_read_again_only_when_the_file_changes(db, lock_wait, monkeypatch):
    monkeypatch.setattr(duck_module, "TRUST_AFTER_SECONDS", 0.05)
    lock_wait(0.3)
    shared = Store.open(db, hold=False)
    try:
        time.sleep(0.1)
        assert shared.peek_version() == (1, False)
        assert shared.peek_version() == (1, False)
        with holder(db):  # another process holds the file without writing: the version stands, nothing waits
            start = time.monotonic()
            assert shared.peek_version() == (1, False) and shared.data_version() == 1
            assert time.monotonic() - start < 0.3
        with holder(db, write=True):  # it wrote: the version read last, busy — at once
            start = time.monotonic()
            assert shared.peek_version() == (1, True)
            assert time.monotonic() - start < 0.3
            with pytest.raises(StoreLocked):
                shared.data_version()  # the exact version waits for the file (KPI_LOCK_WAIT), then says so
        assert shared.peek_version() == (2, False)  # let go: the new version
        assert shared.batches()["editor"].iloc[0] == "other (cli)"
    finally:
        shared.close()


# --- pages while a command holds the file ------------------------------------------------

def _run(page: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    if page:
        at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _pinned_version(at: AppTest) -> str:
    return next(c.value for c in at.sidebar.code if "data=" in c.value).split("data=")[1].split("&")[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_show_the_cached_numbers_while_a_command_writes_then_the_new_version(tmp_path, monkeypatch,
                                                                                   lock_wait, lang):
    monkeypatch.setattr(duck_module, "TRUST_AFTER_SECONDS", 0.05)
    path = _db(tmp_path / "kpi.duckdb", monkeypatch, sample=True)
    lock_wait(0.5)
    before = _run(lang=lang)
    metrics = [(m.label, m.value) for m in before.metric]
    assert _pinned_version(before) == "2" and not before.error
    time.sleep(0.1)
    with holder(path, write=True):
        during = _run(lang=lang)  # the overview: every number cached for version 2
        assert not during.error
        assert [(m.label, m.value) for m in during.metric] == metrics
        assert t("app.busy_stale", lang, version=2) in [i.value for i in during.info]
        fresh = _run("indicator", lang=lang, indicator="SCI-EXPO", period="2023-Q3")  # nothing cached for it
        assert [e.value for e in fresh.error] == [t("app.locked", lang)]
        assert not fresh.metric and not fresh.exception
    after = _run(lang=lang)
    assert _pinned_version(after) == "3" and not after.error
    assert t("app.busy_stale", lang, version=2) not in [i.value for i in after.info]


def test_a_signed_in_editors_page_while_a_command_writes_says_busy_and_writes_nothing(tmp_path, monkeypatch,
                                                                                      lock_wait):
    """An editor's session is checked against the store on every run: while a command holds the file, the page says
    the store is busy (no trace), and a write in that moment is refused with a message, nothing written."""
    from kpi import auth

    path = _db(tmp_path / "kpi.duckdb", monkeypatch, sample=True)
    auth.write_editor("王科长", "correct horse 2023")
    lock_wait(0.5)
    at = _run("history", lang="en")
    at.text_input(key="sign_in_name").input("王科长")
    at.text_input(key="sign_in_password").input("correct horse 2023")
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception and any(b.key and b.key.startswith("toggle_") for b in at.button)
    with holder(path):
        at.run()
        assert not at.exception
        assert [e.value for e in at.error] == [t("app.locked", "en")]
    at.run()
    assert not at.exception and not at.error
    toggle = next(b for b in at.button if b.key and b.key.startswith("toggle_"))
    with holder(path):
        toggle.click().run()  # the revert finds the file held: refused, nothing written
        assert not at.exception and [e.value for e in at.error] == [t("app.locked", "en")]
    store = Store.open(path)
    try:
        assert store.data_version() == 2
    finally:
        store.close()
    at.run()  # the next run says what happened to the write, once
    assert t("app.write_busy", "en") in [e.value for e in at.error]
    at.run()
    assert not at.exception and not at.error
