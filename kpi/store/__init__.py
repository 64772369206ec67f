"""The store: plans and their revisions, append-only observations, batches, notes, overrides, sign-in records — on a
DuckDB file (embedded mode, the default) or on PostgreSQL (server mode).

- ``store``: ``Store`` (``Store.open(path or postgresql:// URL)``), editors, every query of the store as shared SQL;
  ``DuckStore`` and ``PgStore``, the store on each engine;
- ``engine``: what a store needs of its database (cursors, transactions, the schema and its migrations, the data
  version), the errors, and which locations are servers;
- ``duck``: embedded mode — the DuckDB file opened per piece of work and let go when idle;
- ``pg``: server mode — PostgreSQL through psycopg 3 and psycopg-pool;
- ``schema``: the schema as numbered migrations for both engines, and the columns of a batch of observations;
- ``errors``: who writes (``Editor``, with the areas of an area editor) and what the store says when it cannot
  (``StoreError`` and kin);
- ``sessions``: sign-in tries and signed-in sessions (methods of ``Store``);
- ``tokens``: API tokens, kept by their hash (methods of ``Store``);
- ``meetings``: meetings recorded, their decisions and the closing of each (methods of ``Store``);
- ``supervision``: closed periods, corrections after close, evidence files (methods of ``Store``);
- ``copy``: a whole store copied into another (``python -m kpi copy --from --to``).

Design notes.

*One interface, two engines.* Pages, the command line, ingest and the reports call ``Store`` methods only; no SQL
lives outside this package. The store's SQL is one text for both engines — plain SQL that PostgreSQL-compatible
servers (openGauss, KingbaseES, HighGo) also run, no extension: ``row_number()`` in a subquery for "the newest
version" (no QUALIFY), ``x = ANY(?)`` for a list of values, a CTE ``live`` for the batches in force at a data
version (DuckDB's macro ``live_batches`` stays in the files that have it, unused), and for the other revertible
batches (meetings, decisions, closures, closes, evidence) ``meetings.in_force``, a correlated subquery. Parameters
are DuckDB's ``?`` and ``$name``; the PostgreSQL cursor translates them. The engines differ only in connecting,
locking and bulk inserts.

*Batches.* Every change is a batch: a number (the newest + 1), an editor, a time, written in one transaction with
its rows; nothing is updated or deleted. DuckDB allows one writing process per file, and a lock in the process
orders its writers; on PostgreSQL every batch transaction first takes ``LOCK TABLE batches IN EXCLUSIVE MODE``, so
writers in several processes queue and readers never wait. Bulk rows go in inside that transaction: DuckDB scans
the frame, PostgreSQL takes ``COPY … FROM STDIN (FORMAT csv)``. DuckDB still reads and checks every upload in both
modes (``kpi.ingest``).

*The data version* is the newest batch number, from the store itself, so several app processes show one truth:
caches keyed on it (``ui/state.py``) change when any process writes. On PostgreSQL it is one index lookup per page
run. On DuckDB it is kept with a signature of the file and its write-ahead log and read again only when that
changes (``duck``), which costs two ``stat`` calls instead of opening the file.

*Embedded mode shares the file.* The dashboard's store (``hold=False``) opens the file for a piece of work, shares
the connection among overlapping pieces, and lets go ``IDLE_SECONDS`` after the last; a connection held without a
pause for ``MAX_HOLD_SECONDS`` is let go at its next idle moment so a waiting command gets its turn. A command holds
the file for its run. Whoever finds it busy retries for up to ``KPI_LOCK_WAIT`` seconds and then raises
``StoreLocked``; a page meanwhile shows the numbers cached for the version it read last (``peek_version``), or says
the store is busy and retries by itself.

*Migrations* (``schema``) are numbered; a store runs the ones it has not, one transaction each, under a lock on
``meta`` (PostgreSQL: concurrent processes starting at once migrate once). New migrations are plain SQL both engines
accept; ``DOUBLE`` and ``VARCHAR`` get small PostgreSQL substitutions (``DOUBLE PRECISION``, ``COLLATE "C"`` so text
sorts as DuckDB sorts it). A statement one engine alone runs is ``Only(engine, sql)``: DuckDB rebuilds ``batches``
to widen its CHECK of kinds (it cannot alter a CHECK), PostgreSQL drops and adds the constraint.

May import ``kpi.plan``, ``kpi.settings`` and ``kpi.notes`` — never ingest, the status engine or the reports
(they call the store).
"""

from kpi.store.engine import is_server, shown
from kpi.store.meetings import CLOSURE, DECISION, MEETING, MeetingError
from kpi.store.store import (
    CLOSE,
    EVIDENCE,
    IMPORT,
    NOTE,
    OVERRIDE,
    PLAN,
    REAPPLY,
    REOPEN,
    REVERT,
    REVERTIBLE,
    SAMPLE,
    WRITE_KINDS,
    Editor,
    Store,
    StoreConflict,
    StoreError,
    StoreLocked,
    StoreMissing,
    StoreUnreachable,
)

__all__ = ["CLOSE", "CLOSURE", "DECISION", "EVIDENCE", "IMPORT", "MEETING", "NOTE", "OVERRIDE", "PLAN", "REAPPLY",
           "REOPEN", "REVERT", "REVERTIBLE", "SAMPLE", "WRITE_KINDS", "Editor", "MeetingError", "Store",
           "StoreConflict", "StoreError", "StoreLocked", "StoreMissing", "StoreUnreachable", "is_server", "shown"]
