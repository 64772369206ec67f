"""The store on both engines (a DuckDB file, a PostgreSQL database): schema, editors, append-only versions, revert,
plan revisions, threads."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

import pytest

import kpi.store.schema
from kpi import ingest
from kpi.plan.models import Plan
from kpi.setup import load_plans
from kpi.store import Editor, Store, StoreError, StoreMissing, is_server
from kpi.store.schema import statements
from tests.conftest import EDITOR, PLAN_FILE, constraint_errors, import_csv, raw_execute

pytestmark = pytest.mark.engines

NO_EDITORS = [None, Editor(""), Editor("   ", via="web")]
TABLES = {"meta", "batches", "plan_revisions", "areas", "indicators", "targets", "observations", "signin_attempts",
          "sessions", "api_tokens"}


def csv(*rows: tuple[str, str, object]) -> str:
    return "indicator,period,value\n" + "".join(f"{i},{p},{v}\n" for i, p, v in rows)


def obs_rows(store: Store, indicator: str | None = None, period: str | None = None) -> list[tuple]:
    """Every stored version (batch_id, indicator, period, value), oldest first."""
    return [tuple(r) for r in store.query(
        "SELECT batch_id, indicator, period, value FROM observations"
        " WHERE (CAST($i AS VARCHAR) IS NULL OR indicator = $i) AND (CAST($p AS VARCHAR) IS NULL OR period = $p)"
        " ORDER BY batch_id, row_no",
        {"i": indicator, "p": period}).itertuples(index=False)]


def value_now(store: Store, indicator: str, period: str, as_of_batch: int | None = None) -> float | None:
    cur = store.current([indicator], as_of_batch=as_of_batch)
    hit = cur[cur["period"] == period]
    return None if hit.empty else float(hit["value"].iloc[0])


def tables(store: Store) -> set[str]:
    return set(store.table_names())


def renamed(plan: Plan, en: str) -> Plan:
    raw = plan.model_dump(mode="json")
    raw["areas"][0]["items"][4]["name"]["en"] = en
    return Plan.model_validate(raw)


# --- schema -----------------------------------------------------------------------

def test_new_file_records_the_schema_version(store):
    assert store.schema_version() == kpi.store.schema.SCHEMA_VERSION == 6
    assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(kpi.store.schema.SCHEMA_VERSION)
    assert TABLES <= tables(store)


def test_reopening_migrates_nothing_and_keeps_data(new_location):
    path = new_location("reopen")
    first = Store.open(path)
    load_plans(first, EDITOR, [PLAN_FILE])
    batch = import_csv(first, csv(("INV-EVENTS", "2023-Q3", 2)))
    before = (first.data_version(), first.batches().to_dict("records"), first.current().to_dict("records"))
    first.close()

    again = Store.open(path, create=False)
    try:
        assert again.schema_version() == kpi.store.schema.SCHEMA_VERSION
        assert again.scalar("SELECT count(*) FROM meta") == 1
        assert (again.data_version(), again.batches().to_dict("records"),
                again.current().to_dict("records")) == before
        assert again.data_version() == batch == 2
        assert value_now(again, "INV-EVENTS", "2023-Q3") == 2.0
        assert again.plan_revision("2023-H2") == 1
        assert load_plans(again, EDITOR, [PLAN_FILE]) == [("2023-H2", 1, False)]
    finally:
        again.close()


def test_newer_schema_is_refused(new_location):
    path = new_location("newer")
    Store.open(path).close()
    raw_execute(path, ("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                       [str(kpi.store.schema.SCHEMA_VERSION + 1)]))
    with pytest.raises(StoreError, match="newer than this program"):
        Store.open(path)


def test_open_missing_file_without_create(new_location):
    path = new_location("missing")
    with pytest.raises(StoreMissing, match="no database at"):
        Store.open(path, create=False)
    if is_server(path):  # the database is there, and still holds no table
        import psycopg

        with psycopg.connect(path) as con:
            assert con.execute("SELECT count(*) FROM information_schema.tables "
                               "WHERE table_schema = 'public'").fetchone()[0] == 0
    else:
        assert not path.exists()


def test_empty_store(new_location):
    s = Store.open(new_location("empty"))
    try:
        assert s.data_version() == 0
        assert s.plan_ids() == []
        assert s.current().empty
        assert s.batches().empty
        with pytest.raises(StoreError, match="no plan"):
            s.plan("2023-H2")
    finally:
        s.close()


# --- editors ----------------------------------------------------------------------

@pytest.mark.parametrize("editor", NO_EDITORS, ids=["none", "empty", "blank"])
def test_writes_refuse_without_an_editor(store, editor):
    first = import_csv(store, csv(("INV-EVENTS", "2023-Q3", 2)))
    reverted = import_csv(store, csv(("INV-EVENTS", "2023-Q4", 1)))
    store.revert(reverted, EDITOR)
    version, n_obs, n_batches = store.data_version(), len(obs_rows(store)), len(store.batches())
    rows = ingest.prepare(store, csv(("INV-VISITS", "2023-07", 3)).encode(), "x.csv").rows

    with pytest.raises(PermissionError):
        store.write_batch(rows, editor, "x.csv", "abc")
    with pytest.raises(PermissionError):
        store.save_plan(renamed(store.plan("2023-H2"), "Changed"), editor)
    with pytest.raises(PermissionError):
        store.revert(first, editor)
    with pytest.raises(PermissionError):
        store.reapply(reverted, editor)
    prepared = ingest.prepare(store, csv(("INV-VISITS", "2023-07", 3)).encode(), "x.csv")
    with pytest.raises(PermissionError):
        ingest.commit(store, prepared, editor)

    assert store.data_version() == version
    assert len(obs_rows(store)) == n_obs
    assert len(store.batches()) == n_batches
    assert store.plan_revision("2023-H2") == 1
    assert value_now(store, "INV-EVENTS", "2023-Q3") == 2.0
    assert value_now(store, "INV-EVENTS", "2023-Q4") is None


def test_editor_is_recorded(store):
    batch = import_csv(store, csv(("INV-EVENTS", "2023-Q3", 2)))
    info = store.batch(batch)
    assert info["editor"] == "tester (test)"
    assert info["kind"] == "import"
    assert info["source"] == "upload.csv"
    assert info["row_count"] == 1


# --- append-only versions ---------------------------------------------------------

def test_new_value_is_a_new_version(store):
    b1 = import_csv(store, csv(("INV-EVENTS", "2023-Q3", 2)))
    b2 = import_csv(store, csv(("INV-EVENTS", "2023-Q3", 5)))
    assert obs_rows(store, "INV-EVENTS", "2023-Q3") == [(b1, "INV-EVENTS", "2023-Q3", 2.0),
                                                        (b2, "INV-EVENTS", "2023-Q3", 5.0)]
    cur = store.current(["INV-EVENTS"])
    assert cur[["indicator", "period", "value", "batch_id"]].values.tolist() == [["INV-EVENTS", "2023-Q3", 5.0, b2]]


def test_current_filters_by_code_and_span(store):
    import_csv(store, csv(("INV-EVENTS", "2023-Q3", 2), ("INV-EVENTS", "2023-10", 1), ("INV-VISITS", "2023-07", 3)))
    assert store.current(["INV-VISITS"])["indicator"].tolist() == ["INV-VISITS"]
    assert len(store.current()) == 3
    assert store.current([]).empty  # an empty list asks for no codes; None asks for all
    q4 = store.current(["INV-EVENTS"], dt.date(2023, 10, 1), dt.date(2023, 12, 31))
    assert q4["period"].tolist() == ["2023-10"]


# --- revert and reapply -----------------------------------------------------------

def test_revert_and_reapply(store):
    b1 = import_csv(store, csv(("INV-EVENTS", "2023-Q3", 2)))
    b2 = import_csv(store, csv(("INV-EVENTS", "2023-Q3", 5), ("INV-VISITS", "2023-07", 3)))
    assert value_now(store, "INV-EVENTS", "2023-Q3") == 5.0

    r = store.revert(b2, EDITOR)
    assert r == b2 + 1
    assert value_now(store, "INV-EVENTS", "2023-Q3") == 2.0  # the older version is current again
    assert value_now(store, "INV-VISITS", "2023-07") is None
    batches = store.batches().set_index("batch_id")
    assert batches.loc[r, "kind"] == "revert"
    assert int(batches.loc[r, "target_batch"]) == b2
    assert int(batches.loc[r, "row_count"]) == 2
    assert bool(batches.loc[b2, "reverted"]) is True
    assert bool(batches.loc[b1, "reverted"]) is False
    assert bool(batches.loc[r, "reverted"]) is False
    assert len(obs_rows(store)) == 3  # nothing deleted

    a = store.reapply(b2, EDITOR)
    assert a == r + 1
    assert value_now(store, "INV-EVENTS", "2023-Q3") == 5.0
    assert value_now(store, "INV-VISITS", "2023-07") == 3.0
    batches = store.batches().set_index("batch_id")
    assert batches.loc[a, "kind"] == "reapply"
    assert int(batches.loc[a, "target_batch"]) == b2
    assert bool(batches.loc[b2, "reverted"]) is False
    assert store.batches()["batch_id"].tolist() == [a, r, b2, b1, 1]  # newest first

    store.revert(b2, EDITOR)  # and out again
    assert value_now(store, "INV-EVENTS", "2023-Q3") == 2.0


def test_revert_twice_is_refused(store):
    b = import_csv(store, csv(("INV-EVENTS", "2023-Q3", 2)))
    store.revert(b, EDITOR)
    version = store.data_version()
    with pytest.raises(StoreError, match="already reverted"):
        store.revert(b, EDITOR)
    assert store.data_version() == version


def test_reapply_in_force_is_refused(store):
    b = import_csv(store, csv(("INV-EVENTS", "2023-Q3", 2)))
    with pytest.raises(StoreError, match="already in force"):
        store.reapply(b, EDITOR)
    assert store.data_version() == b


@pytest.mark.parametrize("which", ["plan", "revert", "unknown"])
def test_only_data_batches_can_be_reverted(store, which):
    b = import_csv(store, csv(("INV-EVENTS", "2023-Q3", 2)))
    r = store.revert(b, EDITOR)
    target = {"plan": 1, "revert": r, "unknown": 999}[which]
    with pytest.raises(StoreError):
        store.revert(target, EDITOR)
    assert store.data_version() == r
    assert store.plan_revision("2023-H2") == 1


# --- reproducing earlier states ---------------------------------------------------

def test_current_as_of_batch(store):
    b1 = import_csv(store, csv(("INV-EVENTS", "2023-Q3", 2)))
    b2 = import_csv(store, csv(("INV-EVENTS", "2023-Q3", 5)))
    r = store.revert(b2, EDITOR)
    b3 = import_csv(store, csv(("INV-VISITS", "2023-07", 3)))
    r1 = store.revert(b1, EDITOR)

    assert store.current(as_of_batch=1).empty  # right after the plan
    assert value_now(store, "INV-EVENTS", "2023-Q3", as_of_batch=b1) == 2.0
    assert value_now(store, "INV-EVENTS", "2023-Q3", as_of_batch=b2) == 5.0  # before the later revert
    assert value_now(store, "INV-EVENTS", "2023-Q3", as_of_batch=r) == 2.0
    assert value_now(store, "INV-VISITS", "2023-07", as_of_batch=r) is None  # before the later import
    assert value_now(store, "INV-VISITS", "2023-07", as_of_batch=b3) == 3.0
    assert value_now(store, "INV-EVENTS", "2023-Q3", as_of_batch=b3) == 2.0
    assert value_now(store, "INV-EVENTS", "2023-Q3") is None  # b1 and b2 both reverted now
    assert value_now(store, "INV-EVENTS", "2023-Q3", as_of_batch=r1) is None
    assert value_now(store, "INV-EVENTS", "2023-Q3", as_of_batch=999) is None  # beyond the newest: the newest
    assert store.current(as_of_batch=b2)["batch_id"].tolist() == [b2]


def test_data_version_grows_with_every_write(store):
    seen = [store.data_version()]
    b = import_csv(store, csv(("INV-EVENTS", "2023-Q3", 2)))
    seen.append(store.data_version())
    store.revert(b, EDITOR)
    seen.append(store.data_version())
    store.reapply(b, EDITOR)
    seen.append(store.data_version())
    store.save_plan(renamed(store.plan("2023-H2"), "Events, renamed"), EDITOR)
    seen.append(store.data_version())
    rows = ingest.prepare(store, csv(("INV-VISITS", "2023-07", 3)).encode(), "x.csv").rows
    store.write_batch(rows, EDITOR, "x.csv", None, kind="sample")
    seen.append(store.data_version())
    assert seen == [1, 2, 3, 4, 5, 6]
    assert store.has_sample() is True
    assert store.has_sample(as_of_batch=5) is False


# --- plans ------------------------------------------------------------------------

def test_save_unchanged_plan_writes_nothing(store, plan):
    version = store.data_version()
    assert store.save_plan(plan, EDITOR) == (1, False)
    assert store.data_version() == version
    assert store.batches()["kind"].tolist() == ["plan"]


def test_changed_plan_is_a_new_revision(store, plan):
    b = import_csv(store, csv(("INV-EVENTS", "2023-Q3", 2)))
    changed = renamed(plan, "Investment promotion events outside Shenzhen")
    assert changed.sha256() != plan.sha256()
    assert store.save_plan(changed, EDITOR, source="edited.yaml") == (2, True)
    p2 = store.data_version()
    assert p2 == b + 1
    info = store.batch(p2)
    assert (info["kind"], info["plan_id"], info["comment"], info["sha256"]) == (
        "plan", "2023-H2", "revision 2", changed.sha256())
    assert store.save_plan(changed, EDITOR) == (2, False)
    assert store.data_version() == p2

    assert store.plan("2023-H2").indicator("INV-EVENTS").name.en == "Investment promotion events outside Shenzhen"
    assert store.plan("2023-H2", as_of_batch=b).indicator("INV-EVENTS").name.en == \
        "Out-of-city investment promotion events"
    assert store.plan("2023-H2", as_of_batch=1) == plan
    assert store.plan("2023-H2", as_of_batch=p2) == changed
    assert (store.plan_revision("2023-H2", 1), store.plan_revision("2023-H2", b),
            store.plan_revision("2023-H2")) == (1, 1, 2)
    assert store.plan_ids() == ["2023-H2"]
    # the rows of each revision are stored beside each other
    assert store.scalar("SELECT count(*) FROM indicators WHERE plan_id = '2023-H2' AND revision = 2") == 53
    assert store.scalar("SELECT name_en FROM indicators WHERE revision = 2 AND code = 'INV-EVENTS'") == \
        "Investment promotion events outside Shenzhen"
    known = store.known_indicators()
    assert len(known) == 53
    assert known.set_index("code").loc["INV-EVENTS", "name_en"] == "Investment promotion events outside Shenzhen"


def test_saving_back_the_old_plan_is_a_third_revision(store, plan):
    store.save_plan(renamed(plan, "Renamed"), EDITOR)
    assert store.save_plan(plan, EDITOR) == (3, True)
    assert store.plan("2023-H2") == plan


def test_plan_unknown_id(store):
    with pytest.raises(StoreError, match="no plan 'nope'"):
        store.plan("nope")
    assert store.plan_revision("nope") is None


# --- transactions -----------------------------------------------------------------

def test_failed_transaction_writes_nothing(store):
    import_csv(store, csv(("INV-EVENTS", "2023-Q3", 2)))
    version, before = store.data_version(), obs_rows(store)
    rows = ingest.prepare(store, csv(("INV-VISITS", "2023-07", 3), ("INV-EVENTS", "2023-Q4", 4)).encode(),
                          "bad.csv").rows.copy()
    rows["indicator"] = rows["indicator"].astype(object)
    rows.loc[1, "indicator"] = None  # violates NOT NULL on the second row
    with pytest.raises(constraint_errors()):
        store.write_batch(rows, EDITOR, "bad.csv", "deadbeef")
    assert store.data_version() == version
    assert obs_rows(store) == before
    assert store.find_by_sha("deadbeef") == []
    assert len(store.batches()) == 2
    # the store still works afterwards: the lock was released and the transaction closed
    b = import_csv(store, csv(("INV-VISITS", "2023-07", 3)))
    assert b == version + 1
    assert value_now(store, "INV-VISITS", "2023-07") == 3.0


def test_write_batch_refuses_other_kinds(store):
    rows = ingest.prepare(store, csv(("INV-VISITS", "2023-07", 3)).encode(), "x.csv").rows
    with pytest.raises(ValueError, match="kind must be one of"):
        store.write_batch(rows, EDITOR, "x.csv", None, kind="revert")
    assert store.data_version() == 1


# --- find_by_sha ------------------------------------------------------------------

def test_find_by_sha(store, plan):
    text = csv(("INV-EVENTS", "2023-Q3", 2))
    sha = hashlib.sha256(text.encode()).hexdigest()
    assert store.find_by_sha(sha) == []
    b1 = import_csv(store, text)
    assert store.find_by_sha(sha) == [b1]
    b2 = import_csv(store, text, name="again.csv")
    assert store.find_by_sha(sha) == [b1, b2]
    assert store.batch(b1)["sha256"] == sha
    assert store.find_by_sha(plan.sha256()) == []  # plan batches are not uploads
    assert store.find_by_sha("0" * 64) == []


# --- concurrency ------------------------------------------------------------------

@pytest.mark.slow  # seconds by itself: make test runs it, make test-fast leaves it out
def test_readers_while_a_writer_imports(store):
    writes, readers = 20, 8
    done = threading.Event()
    errors: list[BaseException] = []
    seen: list[list[tuple[int, float]]] = [[] for _ in range(readers)]

    def read(k: int) -> None:
        try:
            while True:
                finished = done.is_set()
                cur = store.current(["INV-EVENTS"])
                version = store.data_version()
                if not cur.empty:
                    assert cur["period"].tolist() == ["2023-Q3"]
                    seen[k].append((int(cur["batch_id"].iloc[0]), float(cur["value"].iloc[0])))
                    assert int(cur["batch_id"].iloc[0]) <= version
                if finished:
                    return
        except BaseException as exc:  # handed to the main thread
            errors.append(exc)

    def write() -> None:
        try:
            for i in range(1, writes + 1):
                import_csv(store, csv(("INV-EVENTS", "2023-Q3", i)), name=f"w{i}.csv")
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    threads = [threading.Thread(target=read, args=(k,)) for k in range(readers)]
    threads.append(threading.Thread(target=write))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert store.data_version() == 1 + writes == len(store.batches())
    assert value_now(store, "INV-EVENTS", "2023-Q3") == float(writes)
    assert len(obs_rows(store)) == writes
    for values in seen:
        assert values == sorted(values)  # each reader only ever sees newer versions
        assert all(v == b - 1 for b, v in values)  # batch i + 1 holds value i
        assert values[-1] == (1 + writes, float(writes))


def test_another_process_sees_a_batch_at_its_next_look(store, location):
    """The data version comes from the store: a second store on the same database (another app process, as the
    dashboard opens it) sees a batch committed through the first at once."""
    other = Store.open(location, hold=False)
    try:
        assert other.data_version() == store.data_version() == 1
        batch = import_csv(store, csv(("INV-EVENTS", "2023-Q3", 2)))
        assert other.data_version() == batch and other.peek_version() == (batch, False)
        assert value_now(other, "INV-EVENTS", "2023-Q3") == 2.0
        note = other.write_note("INV-EVENTS", "2023-Q3", "台风影响", EDITOR)  # and the other way round
        assert store.data_version() == note == batch + 1
        assert store.current_notes()["note"].tolist() == ["台风影响"]
    finally:
        other.close()


# --- SQL values are parameters ----------------------------------------------------

@pytest.mark.parametrize("code", ["x'); DROP TABLE batches; --", "' OR 1=1 --", "INV-EVENTS' OR '1'='1"])
def test_codes_are_parameters(store, code):
    import_csv(store, csv(("INV-EVENTS", "2023-Q3", 2)))
    cur = store.current([code])
    assert cur.empty
    assert "indicator" in cur.columns
    assert store.find_by_sha(code) == []
    with pytest.raises(StoreError):
        store.plan(code)
    assert TABLES <= tables(store)
    assert len(store.batches()) == 2
    assert value_now(store, "INV-EVENTS", "2023-Q3") == 2.0


OLD_BATCH = ("INSERT INTO batches VALUES (1, 'import', NULL, 'old', TIMESTAMP '2023-10-01 09:00:00', 'a.csv', 'x', 1, "
             "NULL, NULL)")
OLD_OBSERVATION = ("INSERT INTO observations VALUES (1, 2, 'INV-EVENTS', '2023-Q3', 'quarter', DATE '2023-07-01', "
                   "DATE '2023-09-30', 2, NULL, NULL)")


def _old_store(location, engine: str, version: int, *rows: str) -> None:
    """A store as an earlier program left it: the migrations up to ``version``, and these rows."""
    sql = ["CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)"]
    for v in range(1, version + 1):
        sql += statements(v, engine)
    raw_execute(location, *sql, ("INSERT INTO meta VALUES ('schema_version', ?)", [str(version)]), *rows)


def test_a_version_1_file_migrates_to_version_2_keeping_its_data(new_location, engine):
    """Schema 1 (no notes, no overrides) as an earlier program left it: opening it now migrates, data intact."""
    path = new_location("v1")
    _old_store(path, engine, 1, OLD_BATCH, OLD_OBSERVATION)
    store = Store.open(path)
    try:
        assert store.schema_version() == kpi.store.schema.SCHEMA_VERSION  # through 2 to the newest
        assert store.current()[["indicator", "period", "value"]].values.tolist() == [["INV-EVENTS", "2023-Q3", 2.0]]
        assert store.batches()["editor"].tolist() == ["old"]
        store.write_note("INV-EVENTS", "2023-Q3", "台风影响", EDITOR)  # the new tables and kinds work
        assert store.current_notes()["note"].tolist() == ["台风影响"]
    finally:
        store.close()


def test_a_version_2_file_migrates_to_version_3_keeping_its_data(new_location, engine):
    """Schema 2 (no sign-in tries, no sessions) as an earlier program left it: opening it adds them, data intact."""
    path = new_location("v2")
    _old_store(path, engine, 2, OLD_BATCH, OLD_OBSERVATION,
               "INSERT INTO batches VALUES (2, 'note', NULL, 'old', TIMESTAMP '2023-10-02 09:00:00', NULL, NULL, 1, "
               "NULL, NULL)", "INSERT INTO notes VALUES (2, 'INV-EVENTS', '2023-Q3', '台风影响')")
    store = Store.open(path)
    try:
        assert store.schema_version() == kpi.store.schema.SCHEMA_VERSION  # through 3 to the newest
        assert TABLES <= tables(store)
        assert store.current()[["indicator", "period", "value"]].values.tolist() == [["INV-EVENTS", "2023-Q3", 2.0]]
        assert store.current_notes()["note"].tolist() == ["台风影响"]
        assert store.data_version() == 2
        store.record_signin("王科长", "wrong")  # the new tables work, and write no batch
        now = dt.datetime(2023, 10, 3, 9, 0)
        store.start_session("h1", "王科长", "fp", now, now + dt.timedelta(hours=12))
        assert store.signin_attempts()[["name", "success", "outcome"]].values.tolist() == [["王科长", False, "wrong"]]
        assert store.active_sessions(now) == [("h1", "王科长", "fp")]
        assert store.end_sessions(["h1"], "signed out") == 1 and store.end_sessions(["h1"], "again") == 0
        assert store.active_sessions(now) == [] and store.session("h1")["end_reason"] == "signed out"
        assert store.data_version() == 2
        with pytest.raises(constraint_errors()):
            store.record_signin("x", "guessed")  # only the known outcomes
    finally:
        store.close()


def test_a_version_3_store_migrates_to_the_newest_and_its_batches_take_the_new_kinds(new_location, engine):
    """Schema 3 as pgstore left it, on either engine: migrations 4-6 widen the kinds of batch (DuckDB rebuilds the
    table, PostgreSQL swaps the CHECK), the batches and values stay, a meeting, a close and evidence are batches, and
    a kind nobody knows is still refused."""
    from kpi.periods import parse_period

    path = new_location("v3")
    _old_store(path, engine, 3, OLD_BATCH, OLD_OBSERVATION)
    store = Store.open(path)
    try:
        assert store.schema_version() == kpi.store.schema.SCHEMA_VERSION == 6
        assert store.batches()["editor"].tolist() == ["old"]
        assert store.current()["value"].tolist() == [2.0]
        meeting = store.record_meeting("会", dt.date(2023, 10, 15), "2023-H2", "2023-H2", dt.date(2023, 10, 15), 1,
                                       EDITOR)
        closed = store.set_period_closed(parse_period("2023-Q3"), True, EDITOR, "报送截止")
        evidence = store.attach_evidence("INV-EVENTS", "2023-Q3", "a.pdf", "application/pdf", b"%PDF-1.4", EDITOR)
        assert store.batches()["kind"].tolist() == ["evidence", "close", "meeting", "import"]
        assert [meeting, closed, evidence] == [2, 3, 4]
    finally:
        store.close()
    with pytest.raises(constraint_errors()):  # the kinds are still checked
        raw_execute(path, "INSERT INTO batches VALUES (9, 'guess', NULL, 'x', TIMESTAMP '2023-10-01 09:00:00', NULL, "
                          "NULL, 0, NULL, NULL)")


def test_migrations_as_each_engine_runs_them():
    """Plain SQL for both; PostgreSQL spells DOUBLE out and sorts text bytewise; an engine's own statement runs on it
    alone."""
    from kpi.store.schema import DUCKDB, MIGRATIONS, POSTGRESQL, Only, for_engine

    sql = "CREATE TABLE t (a VARCHAR NOT NULL, b DOUBLE, c DOUBLE PRECISION, d VARCHAR(20), e VARCHAR COLLATE \"C\")"
    assert for_engine(sql, DUCKDB) == sql
    assert for_engine(sql, POSTGRESQL) == ('CREATE TABLE t (a VARCHAR COLLATE "C" NOT NULL, b DOUBLE PRECISION, '
                                           'c DOUBLE PRECISION, d VARCHAR(20) COLLATE "C", e VARCHAR COLLATE "C")')
    for version in MIGRATIONS:
        mine = [s for s in MIGRATIONS[version] if isinstance(s, Only)]
        assert len(statements(version, DUCKDB)) + len(statements(version, POSTGRESQL)) == \
            2 * len(MIGRATIONS[version]) - len(mine)
    assert not any("MACRO" in s for v in MIGRATIONS for s in statements(v, POSTGRESQL))
