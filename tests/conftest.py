"""Shared fixtures: a real store (a DuckDB file in a temp folder, or a fresh PostgreSQL database), the real plan, real
CSV bytes.

A module marked ``pytestmark = pytest.mark.engines`` runs each test that uses a store (``store``, ``location``,
``new_location``, ``engine``) on both engines: ``[duckdb]`` and ``[postgresql]`` (also marked ``postgresql``). The
PostgreSQL server is the one ``KPI_TEST_PG`` names (``.ci/run`` starts one), else a throwaway cluster this run
starts and stops (``tests/pgcluster.py``); without PostgreSQL those tests skip with a message, except in CI
(``CI=true``), where that fails the run.
"""

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
    if "ui.state" in sys.modules:  # the pages' stores of this test: closed (a PostgreSQL pool, a DuckDB file)
        sys.modules["ui.state"]._store.clear()


@pytest.fixture
def plan():
    return load_plan(PLAN_FILE)


ENGINES = ("duckdb", "postgresql")


def pytest_generate_tests(metafunc):
    """Tests that use a store run on both engines in modules marked ``engines``, on DuckDB elsewhere."""
    if "engine" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("engines") is not None
        metafunc.parametrize("engine", [pytest.param("duckdb"),
                                        pytest.param("postgresql", marks=pytest.mark.postgresql)][:2 if both else 1],
                             scope="module")  # module-scoped fixtures may build a store per engine


# what in a test's source (or a fixture's it uses) starts a process of its own: the command line as a user runs it,
# a server, another process holding the file
STARTS_A_PROCESS = ("run_cli(", "subprocess.", "Server(", "sys.executable", "held_by_another_process(")


_STARTS: dict[object, bool] = {}


def _starts_a_process(function) -> bool:
    """Whether ``function``'s source, or a helper of the tests it calls (module-level, followed by name), starts a
    process. Remembered per function (parametrized tests share theirs)."""
    import inspect

    if function in _STARTS:
        return _STARTS[function]
    _STARTS[function] = False  # while it is looked at: a helper calling back adds nothing
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    found = any(word in source for word in STARTS_A_PROCESS)
    code = getattr(function, "__code__", None)  # a class of the tests: its methods were in its source
    if not found and code is not None:
        helpers = [function.__globals__.get(name) for name in code.co_names]
        found = any(_starts_a_process(h) for h in helpers
                    if (inspect.isfunction(h) or inspect.isclass(h)) and _ours(h))
    _STARTS[function] = found
    return found


def _ours(obj) -> bool:
    import inspect

    try:
        return str(inspect.getsourcefile(obj)).startswith(str(ROOT / "tests"))
    except TypeError:
        return False


def pytest_collection_modifyitems(config, items):
    """Mark ``process`` every test that starts a process of its own, found in its source, its fixtures' and the
    tests' helpers they call (the edit-test loop, ``make test-fast``, leaves them out; ``make test`` runs them)."""
    for item in items:
        functions = [getattr(item, "function", None)]
        info = getattr(item, "_fixtureinfo", None)
        for definitions in (info.name2fixturedefs.values() if info else ()):
            functions += [d.func for d in definitions if _ours(d.func)]
        if any(_starts_a_process(f) for f in functions if f is not None):
            item.add_marker(pytest.mark.process)


class PgServer:
    """A PostgreSQL server for the tests: a fresh database for each test that asks."""

    def __init__(self, url: str, cluster=None):
        self.url, self.cluster, self.made = url, cluster, 0

    def new_database(self) -> str:
        import psycopg

        self.made += 1
        name = f"kpi_test_{os.getpid()}_{self.made}"
        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name} TEMPLATE template0")  # a name made here, no user value
        return self.url.rsplit("/", 1)[0] + "/" + name

    def drop(self, url: str) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


@pytest.fixture(scope="session")
def pg_server():
    """The PostgreSQL server of this run: KPI_TEST_PG, else a throwaway cluster on loopback (stopped at the end)."""
    url = os.environ.get("KPI_TEST_PG")
    if url:
        yield PgServer(url)
        return
    from tests import pgcluster

    try:
        cluster = pgcluster.start()
    except (RuntimeError, OSError, KeyError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI=true but no PostgreSQL for the server-mode tests: {exc}", pytrace=False)
        pytest.skip(f"no PostgreSQL server (install Debian's postgresql, or set KPI_TEST_PG): {exc}")
    try:
        yield PgServer(cluster.url, cluster)
    finally:
        pgcluster.stop(cluster.folder)


@pytest.fixture
def engine() -> str:
    return "duckdb"  # parametrized by pytest_generate_tests


@pytest.fixture
def new_location(engine, tmp_path, request):
    """Makes where a new, empty store goes on this test's engine: ``new_location("name")`` is a DuckDB file in the
    temp folder, or the URL of a fresh PostgreSQL database (dropped after the test)."""
    made: list[str] = []
    server = request.getfixturevalue("pg_server") if engine == "postgresql" else None

    def make(name: str = "kpi"):
        if server is None:
            return tmp_path / f"{name}.duckdb"
        made.append(server.new_database())
        return made[-1]

    yield make
    if made and "ui.state" in sys.modules:  # the pages' stores let go of their connections first
        sys.modules["ui.state"]._store.clear()
    for url in made:
        server.drop(url)


@pytest.fixture
def location(new_location):
    """Where this test's store is: a DuckDB file, or a PostgreSQL URL."""
    return new_location("kpi")


@pytest.fixture
def db_path(location):
    return location


_TEMPLATES: dict[tuple, Path] = {}


def filled(location, plans: tuple[Path, ...] = (PLAN_FILE,), sample: bool = False):
    """Make the store at ``location`` hold ``plans`` (and the sample data): on PostgreSQL loaded there; on DuckDB a
    copy of a file made once per run with the same loads (the migrations and loads run once, not for every test;
    the copy is the same bytes). Returns ``location``."""
    from kpi.setup import load_sample
    from kpi.store import is_server

    def load(where) -> None:
        s = Store.open(where)
        try:
            load_plans(s, EDITOR, list(plans))
            if sample:
                load_sample(s, Editor("sample", via="test"))
        finally:
            s.close()

    if is_server(location):
        load(location)
        return location
    import shutil
    import tempfile

    key = (tuple(map(str, plans)), sample)
    if key not in _TEMPLATES:
        import atexit

        folder = tempfile.mkdtemp(prefix="kpi-template-")
        atexit.register(shutil.rmtree, folder, True)
        template = Path(folder) / "store.duckdb"
        load(template)
        _TEMPLATES[key] = template
    shutil.copyfile(_TEMPLATES[key], location)
    return location


@pytest.fixture
def store(location):
    """A real store with the 2023-H2 plan loaded and no observations."""
    s = Store.open(filled(location))
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


def raw_execute(location, *statements: str | tuple[str, list]) -> None:
    """Run SQL on a store's database directly (no Store): a DuckDB file, or a PostgreSQL URL. A statement is its text,
    or (text, parameters) with DuckDB's ``?``."""
    from kpi.store import is_server

    pairs = [(s, None) if isinstance(s, str) else s for s in statements]
    if is_server(location):
        import psycopg

        from kpi.store.pg import translate

        with psycopg.connect(str(location), autocommit=True) as con:
            for sql, params in pairs:
                con.execute(translate(sql) if params else sql, params)
        return
    import duckdb

    con = duckdb.connect(str(location))
    try:
        for sql, params in pairs:
            con.execute(sql, params or [])
    finally:
        con.close()


def database_bytes(location) -> bytes:
    """Everything a store's database holds, as bytes: the DuckDB file, or a PostgreSQL database as pg_dump writes it
    (schema and every row), for tests that a secret is kept nowhere in it."""
    from kpi.store import is_server

    if not is_server(location):
        return Path(location).read_bytes()
    import subprocess

    from tests import pgcluster

    tools = pgcluster.bindir()
    pg_dump = str(tools / "pg_dump") if tools else "pg_dump"
    return subprocess.run([pg_dump, "--dbname", str(location)], capture_output=True, check=True, timeout=60).stdout


def constraint_errors() -> tuple[type[Exception], ...]:
    """What either engine raises when a row breaks a constraint (NOT NULL, CHECK, PRIMARY KEY)."""
    import duckdb
    import psycopg

    return duckdb.ConstraintException, psycopg.errors.IntegrityError
