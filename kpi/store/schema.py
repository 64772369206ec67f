"""The schema, as numbered migrations for both engines. A store records the version it is at and runs the rest in order.

Migrations are plain SQL that DuckDB and PostgreSQL both accept (BIGINT, INTEGER, VARCHAR, TIMESTAMP, BOOLEAN, DOUBLE,
DATE; CHECK, PRIMARY KEY). ``statements(version, engine)`` gives them as each engine runs them, with two small
substitutions for PostgreSQL: ``DOUBLE`` is spelt ``DOUBLE PRECISION``, and text columns sort bytewise
(``VARCHAR COLLATE "C"``), as DuckDB sorts them, whatever the server's default collation (a Chinese one sorts by
pinyin). A statement only one engine runs is wrapped in ``only(engine, sql)``: the DuckDB macro ``live_batches`` of
the first two migrations (kept for the files that have it; the store now builds the same query for both engines,
``kpi.store.store.LIVE``), and the widening of ``batches.kind``'s CHECK in migrations 5 and 6 (``_widen_kinds``:
DuckDB rebuilds the table, PostgreSQL drops and adds the constraint).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DUCKDB, POSTGRESQL = "duckdb", "postgresql"


@dataclass(frozen=True)
class Only:
    """A statement that one engine alone runs."""

    engine: str
    sql: str


def only(engine: str, sql: str) -> Only:
    return Only(engine, sql)


SCHEMA_VERSION = 6
# the columns of a batch of observations handed to the store, one row per value to write
OBS_COLUMNS = ["row_no", "indicator", "period", "grain", "period_start", "period_end", "value", "done_on", "note"]

# the kinds of batch each schema allows (batches.kind's CHECK); migration 2 made the third list
KINDS_5 = ("import", "sample", "revert", "reapply", "plan", "note", "override", "meeting", "decision", "closure")
KINDS_6 = (*KINDS_5, "close", "reopen", "evidence")


def _widen_kinds(version: int, kinds: tuple[str, ...], was: str) -> list[Only]:
    """Let ``batches.kind`` take ``kinds``. DuckDB cannot alter a CHECK: it copies ``batches`` into a new table with
    the wider CHECK and renames it (as migration 2 did on both engines). PostgreSQL drops the constraint ``was``
    (migration 2's table was created as ``batches_v2``, whose name its CHECK kept) and adds ``batches_kind_check``,
    in place: no copy of the batches, and the table keeps its primary key."""
    check = "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"
    table = f"batches_v{version}"
    return [
        only(DUCKDB, f"""CREATE TABLE {table} (
            batch_id BIGINT PRIMARY KEY,
            kind VARCHAR NOT NULL CHECK ({check}),
            target_batch BIGINT,
            editor VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            source VARCHAR,
            sha256 VARCHAR,
            row_count INTEGER NOT NULL DEFAULT 0,
            plan_id VARCHAR,
            comment VARCHAR)"""),
        only(DUCKDB, f"INSERT INTO {table} SELECT * FROM batches"),  # noqa: S608 - a name made here
        only(DUCKDB, "DROP TABLE batches"),
        only(DUCKDB, f"ALTER TABLE {table} RENAME TO batches"),
        only(POSTGRESQL, f"ALTER TABLE batches DROP CONSTRAINT {was}"),
        only(POSTGRESQL, f"ALTER TABLE batches ADD CONSTRAINT batches_kind_check CHECK ({check})"),
    ]


MIGRATIONS: dict[int, list[str | Only]] = {
    1: [
        """CREATE TABLE batches (
            batch_id BIGINT PRIMARY KEY,
            kind VARCHAR NOT NULL CHECK (kind IN ('import', 'sample', 'revert', 'reapply', 'plan')),
            target_batch BIGINT,
            editor VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            source VARCHAR,
            sha256 VARCHAR,
            row_count INTEGER NOT NULL DEFAULT 0,
            plan_id VARCHAR,
            comment VARCHAR)""",
        """CREATE TABLE plan_revisions (
            plan_id VARCHAR NOT NULL, revision INTEGER NOT NULL, batch_id BIGINT NOT NULL,
            sha256 VARCHAR NOT NULL, body VARCHAR NOT NULL, span_start DATE NOT NULL, span_end DATE NOT NULL,
            PRIMARY KEY (plan_id, revision))""",
        """CREATE TABLE areas (
            plan_id VARCHAR NOT NULL, revision INTEGER NOT NULL, code VARCHAR NOT NULL, position INTEGER,
            name_zh VARCHAR, name_en VARCHAR, PRIMARY KEY (plan_id, revision, code))""",
        """CREATE TABLE indicators (
            plan_id VARCHAR NOT NULL, revision INTEGER NOT NULL, code VARCHAR NOT NULL, area VARCHAR NOT NULL,
            position INTEGER, name_zh VARCHAR, name_en VARCHAR, unit_zh VARCHAR, unit_en VARCHAR,
            kind VARCHAR NOT NULL, direction VARCHAR NOT NULL, every VARCHAR, due DATE,
            baseline DOUBLE, baseline_date DATE, monitored BOOLEAN, source_quote VARCHAR,
            PRIMARY KEY (plan_id, revision, code))""",
        """CREATE TABLE targets (
            plan_id VARCHAR NOT NULL, revision INTEGER NOT NULL, indicator VARCHAR NOT NULL,
            period VARCHAR NOT NULL, period_start DATE NOT NULL, period_end DATE NOT NULL,
            value DOUBLE, low DOUBLE, high DOUBLE, recurring BOOLEAN NOT NULL)""",
        """CREATE TABLE observations (
            batch_id BIGINT NOT NULL, row_no INTEGER NOT NULL, indicator VARCHAR NOT NULL,
            period VARCHAR NOT NULL, grain VARCHAR NOT NULL, period_start DATE NOT NULL, period_end DATE NOT NULL,
            value DOUBLE, done_on DATE, note VARCHAR)""",
        # The data batches in force right after batch `as_of`: not reverted, or reapplied since.
        only(DUCKDB, """CREATE MACRO live_batches(as_of) AS TABLE
            WITH acts AS (
                SELECT target_batch, arg_max(kind, batch_id) AS last_kind FROM batches
                WHERE kind IN ('revert', 'reapply') AND batch_id <= as_of GROUP BY target_batch)
            SELECT b.batch_id, b.kind FROM batches b LEFT JOIN acts a ON a.target_batch = b.batch_id
            WHERE b.kind IN ('import', 'sample') AND b.batch_id <= as_of
              AND coalesce(a.last_kind, 'reapply') <> 'revert'"""),
    ],
    2: [
        # explanations and status overrides are batches too: recorded, revertible, pinned by data version
        """CREATE TABLE batches_v2 (
            batch_id BIGINT PRIMARY KEY,
            kind VARCHAR NOT NULL CHECK (kind IN ('import', 'sample', 'revert', 'reapply', 'plan', 'note',
                                                  'override')),
            target_batch BIGINT,
            editor VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            source VARCHAR,
            sha256 VARCHAR,
            row_count INTEGER NOT NULL DEFAULT 0,
            plan_id VARCHAR,
            comment VARCHAR)""",
        "INSERT INTO batches_v2 SELECT * FROM batches",
        "DROP TABLE batches",
        "ALTER TABLE batches_v2 RENAME TO batches",
        """CREATE TABLE notes (
            batch_id BIGINT NOT NULL, indicator VARCHAR NOT NULL, period VARCHAR NOT NULL, note VARCHAR NOT NULL)""",
        """CREATE TABLE overrides (
            batch_id BIGINT NOT NULL, indicator VARCHAR NOT NULL, period VARCHAR NOT NULL, status VARCHAR NOT NULL,
            reason VARCHAR NOT NULL)""",
        only(DUCKDB, """CREATE OR REPLACE MACRO live_batches(as_of) AS TABLE
            WITH acts AS (
                SELECT target_batch, arg_max(kind, batch_id) AS last_kind FROM batches
                WHERE kind IN ('revert', 'reapply') AND batch_id <= as_of GROUP BY target_batch)
            SELECT b.batch_id, b.kind FROM batches b LEFT JOIN acts a ON a.target_batch = b.batch_id
            WHERE b.kind IN ('import', 'sample', 'note', 'override') AND b.batch_id <= as_of
              AND coalesce(a.last_kind, 'reapply') <> 'revert'"""),
    ],
    3: [
        # every sign-in try (kpi.auth outcomes), for the history page
        """CREATE TABLE signin_attempts (
            name VARCHAR NOT NULL, tried_at TIMESTAMP NOT NULL, success BOOLEAN NOT NULL,
            outcome VARCHAR NOT NULL CHECK (outcome IN ('ok', 'wrong', 'locked', 'busy')))""",
        # signed-in sessions: only a hash of the cookie's id; the fingerprint of the editor's password hash ends a
        # session when the password changes
        """CREATE TABLE sessions (
            id_hash VARCHAR PRIMARY KEY, editor VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL, expires_at TIMESTAMP NOT NULL, ended_at TIMESTAMP, end_reason VARCHAR)""",
    ],
    4: [
        # API tokens (python -m kpi token add NAME --editor E): only the sha256 of the token; a token is always an
        # editor's and counts while that editor is configured; scope 'read' tokens cannot write; a revoked token
        # stays listed
        """CREATE TABLE api_tokens (
            token_hash VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, editor VARCHAR NOT NULL,
            scope VARCHAR NOT NULL CHECK (scope IN ('write', 'read')), created_at TIMESTAMP NOT NULL,
            last_used_at TIMESTAMP, revoked_at TIMESTAMP)""",
    ],
    5: [
        # meetings and their decisions are batches too: who recorded them and when; decisions and their closures
        # are revertible and pinned by data version (kinds 'meeting', 'decision', 'closure')
        *_widen_kinds(5, KINDS_5, was="batches_v2_kind_check"),
        # a meeting: its name and date, and the view on its screen (plan, period, as-of date, data version);
        # its id is the batch that recorded it
        """CREATE TABLE meetings (
            batch_id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, held_on DATE NOT NULL, plan_id VARCHAR NOT NULL,
            period VARCHAR NOT NULL, as_of DATE NOT NULL, data_version BIGINT NOT NULL)""",
        # a meeting's decisions (会议决定事项): what, which office (a work area of the plan), by when
        """CREATE TABLE decisions (
            decision_id BIGINT PRIMARY KEY, batch_id BIGINT NOT NULL, meeting BIGINT NOT NULL,
            row_no INTEGER NOT NULL, what VARCHAR NOT NULL, area VARCHAR NOT NULL, due DATE NOT NULL)""",
        # the indicators a decision concerns (none, one or several)
        "CREATE TABLE decision_indicators (decision_id BIGINT NOT NULL, indicator VARCHAR NOT NULL)",
        # a decision closed (办结) with a note; reverting the closure's batch opens the decision again
        """CREATE TABLE decision_closures (
            batch_id BIGINT NOT NULL, decision_id BIGINT NOT NULL, closed_on DATE NOT NULL, note VARCHAR NOT NULL)""",
    ],
    6: [
        # closing and reopening a period, and attaching evidence, are batches too (recorded, revertible, pinned)
        *_widen_kinds(6, KINDS_6, was="batches_kind_check"),
        # one row per close or reopen batch: the period and its dates; closed = FALSE for a reopen
        """CREATE TABLE period_closes (
            batch_id BIGINT NOT NULL, period VARCHAR NOT NULL, period_start DATE NOT NULL, period_end DATE NOT NULL,
            closed BOOLEAN NOT NULL, reason VARCHAR)""",
        # an admin's correction after close: each (indicator, period) of a closed period the batch changed, the close
        # it overrides and why (the batch itself is an import, note or override batch)
        """CREATE TABLE corrections (
            batch_id BIGINT NOT NULL, indicator VARCHAR NOT NULL, period VARCHAR NOT NULL, close_batch BIGINT NOT NULL,
            reason VARCHAR NOT NULL)""",
        # evidence (佐证材料) attached to an indicator's period by an evidence batch; the file kept once per sha256,
        # as base64 text (a type every engine has)
        """CREATE TABLE evidence (
            batch_id BIGINT NOT NULL, indicator VARCHAR NOT NULL, period VARCHAR NOT NULL, file_name VARCHAR NOT NULL,
            media_type VARCHAR NOT NULL, size BIGINT NOT NULL, sha256 VARCHAR NOT NULL)""",
        """CREATE TABLE evidence_files (sha256 VARCHAR PRIMARY KEY, size BIGINT NOT NULL, content VARCHAR NOT NULL)""",
    ],
}

_DOUBLE = re.compile(r"\bDOUBLE\b(?!\s+PRECISION)", re.IGNORECASE)
_VARCHAR = re.compile(r"\bVARCHAR\b(\s*\(\s*\d+\s*\))?(?!\s+COLLATE)", re.IGNORECASE)


def for_engine(sql: str, engine: str) -> str:
    """One statement as ``engine`` runs it (the PostgreSQL substitutions of the module docstring)."""
    if engine != POSTGRESQL:
        return sql
    return _VARCHAR.sub(lambda m: m.group(0) + ' COLLATE "C"', _DOUBLE.sub("DOUBLE PRECISION", sql))


def statements(version: int, engine: str) -> list[str]:
    """The statements of one migration as ``engine`` runs them."""
    out = []
    for item in MIGRATIONS[version]:
        if isinstance(item, Only):
            if item.engine == engine:
                out.append(item.sql)
        else:
            out.append(for_engine(item, engine))
    return out
