"""Crash safety: SIGKILL during a large import leaves the store without the batch or with all of it — on a DuckDB file
and on PostgreSQL (the server rolls back the transaction of a client that died)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from bench.generate import generate
from kpi.store import Store
from tests.conftest import ROOT, run_cli

ROWS = 400_000

pytestmark = [pytest.mark.slow, pytest.mark.engines]


@pytest.fixture(scope="module")
def big(tmp_path_factory, engine, request):
    """The plans and a 400,000-row file, and a store with the plans loaded (copied for each test): a DuckDB file, or
    a PostgreSQL database that fresh ones are made from (CREATE DATABASE … TEMPLATE)."""
    folder = tmp_path_factory.mktemp("crash")
    plans, csv = generate(ROWS, folder)
    if engine == "postgresql":
        server = request.getfixturevalue("pg_server")
        template = server.new_database()
        made = [template]
        request.addfinalizer(lambda: [server.drop(url) for url in made])
    else:
        template, made = folder / "template.duckdb", None
    assert run_cli("init", "--db", str(template), "--plan", str(plans)).returncode == 0
    return template, csv, made


@pytest.fixture(scope="module")
def full_seconds(big, tmp_path_factory):
    """How long a whole import of the big file takes here, killed nowhere."""
    plan, csv, _ = big
    db = _fresh_db(tmp_path_factory.mktemp("reference"), big)
    start = time.perf_counter()
    assert _import(db, csv).wait(timeout=300) == 0
    elapsed = time.perf_counter() - start
    assert _check(db) == ROWS
    return elapsed


def _fresh_db(tmp_path, big):
    """A copy of the template store for one test."""
    template, _, made = big
    if made is None:
        db = tmp_path / "crash.duckdb"
        shutil.copyfile(template, db)
        return db
    import psycopg

    base, name = template.rsplit("/", 1)
    copy = f"{name}_{len(made)}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        con.execute(f"CREATE DATABASE {copy} TEMPLATE {name}")  # names made by the tests
    made.append(f"{base}/{copy}")
    return made[-1]


def _check(db) -> int:
    """The store opens cleanly and holds either no batch or the whole one; returns the rows it holds."""
    store = Store.open(db)
    try:
        batches = store.batches()
        data = batches[batches["kind"] == "import"]
        rows = int(store.scalar("SELECT count(*) FROM observations"))
        if data.empty:
            assert rows == 0 and set(batches["kind"]) == {"plan"}
        else:
            assert len(data) == 1 and rows == ROWS == int(data.iloc[0]["row_count"])
            assert len(store.current()) == ROWS
        return rows
    finally:
        store.close()


def _import(db, csv) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kpi", "import", str(csv), "--db", str(db)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_kill_while_writing(tmp_path, big):
    """Killed right after it starts the write transaction."""
    _, csv, _ = big
    db = _fresh_db(tmp_path, big)
    proc = _import(db, csv)
    line = proc.stderr.readline()  # "checked; writing N rows in one transaction…"
    assert "writing" in line, line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    _check(db)


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.9])
def test_kill_at_any_moment(tmp_path, big, full_seconds, fraction):
    """Killed at a share of the time a whole import takes: reading, checking or writing."""
    _, csv, _ = big
    db = _fresh_db(tmp_path, big)
    proc = _import(db, csv)
    time.sleep(full_seconds * fraction)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    if _check(db) == 0:  # the batch did not land: the store takes the same file afterwards
        assert run_cli("import", str(csv), "--db", str(db)).returncode == 0
        assert _check(db) == ROWS
