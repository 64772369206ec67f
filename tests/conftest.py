"""Shared fixtures: a real DuckDB file in a temp folder, the real plan, real CSV bytes."""

from __future__ import annotations

import datetime as dt
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kpi import ingest  # noqa: E402
from kpi.plan.models import load_plan  # noqa: E402
from kpi.setup import load_plans  # noqa: E402
from kpi.status import Bands, evaluate  # noqa: E402
from kpi.store import Editor, Store  # noqa: E402

pytest_plugins = ["tests.browser_kit"]  # the browser fixtures: server, editor_server, browser, page
PLAN_FILE = ROOT / "data" / "plans" / "2023-H2.yaml"
EDITOR = Editor("tester", via="test")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """Tests never touch data/kpi.duckdb: KPI_DB points into the temp folder."""
    monkeypatch.setenv("KPI_DB", str(tmp_path / "default.duckdb"))
    monkeypatch.setenv("KPI_SECRETS_FILE", str(tmp_path / "secrets.toml"))
    monkeypatch.delenv("KPI_EDITORS", raising=False)
    from kpi.auth import forget_failures
    from kpi.settings import get_settings
    get_settings.cache_clear()
    forget_failures()  # sign-in failure counts and lockouts are per process: each test starts afresh
    yield
    get_settings.cache_clear()


@pytest.fixture
def plan():
    return load_plan(PLAN_FILE)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "kpi.duckdb"


@pytest.fixture
def store(db_path):
    """A real DuckDB file with the 2023-H2 plan loaded and no observations."""
    s = Store.open(db_path)
    load_plans(s, EDITOR, [PLAN_FILE])
    yield s
    s.close()


def import_csv(store: Store, text: str, name: str = "upload.csv", encoding: str = "utf-8") -> int:
    """Import CSV text through the one ingest pipeline; fails the test on any problem."""
    prepared = ingest.prepare(store, text.encode(encoding), name)
    assert prepared.ok, [p.message("en") for p in prepared.problems]
    return ingest.commit(store, prepared, EDITOR)


def status_of(store: Store, code: str, period: str | None, as_of: dt.date, bands: Bands | None = None):
    """The StatusRow of one indicator, computed from what the store holds."""
    plan = store.plan("2023-H2")
    obs = store.current([i.code for i in plan.indicators()], plan.span.start, plan.span.end)
    rows = evaluate(plan, obs, period, as_of, bands or Bands())
    return next(r for r in rows if r.indicator == code)


def run_cli(*args: str, env: dict | None = None):
    """Run `python -m kpi` in a subprocess, as a user would."""
    import subprocess

    return subprocess.run([sys.executable, "-m", "kpi", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


@contextmanager
def held_by_another_process(path: Path):
    """Another process opens the DuckDB file (as a running server or import would) until the block ends."""
    import subprocess

    code = ("import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('open', flush=True); "
            "sys.stdin.read()")
    proc = subprocess.Popen([sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "open"
        yield
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
