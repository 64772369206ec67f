"""The cost of the two store modes: what embedded mode's open-per-piece-of-work costs a page run, and a 100,000-row
import into DuckDB against the same into PostgreSQL (and PostgreSQL's own COPY of the same rows, its floor).

    python -m bench.store_modes [--rows N] [--repeat N] [--db postgresql://…]

Without ``--db`` (or ``KPI_TEST_PG``) it starts a throwaway PostgreSQL cluster (deploy/postgres.py) and stops it.
Prints Markdown tables and writes their section of bench/RESULTS.md (``--out``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.generate import generate
from kpi import ingest
from kpi.setup import load_plans
from kpi.store import Editor, Store
from kpi.store import duck as duck_module

EDITOR = Editor("bench", via="bench")


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def page_run_costs(db: Path, plan_id: str, repeat: int) -> dict[str, float]:
    """Milliseconds, median: the store's part of a page run in each case."""
    held = Store.open(db)  # as before: one connection for the life of the process
    out = {"version, file held (before)": _median_ms(held.data_version, repeat * 10)}
    plan = held.plan(plan_id)
    codes = [i.code for i in plan.indicators()]

    def snapshot(store):
        version = store.data_version()
        store.current(codes, plan.span.start, plan.span.end, version)
        store.current_notes(codes, version)
        store.current_overrides(codes, version)
        store.has_sample(version)

    out["snapshot read, file held (before)"] = _median_ms(lambda: snapshot(held), repeat)
    held.close()
    shared = Store.open(db, hold=False)
    shared.data_version()
    time.sleep(duck_module.TRUST_AFTER_SECONDS + 0.1)
    shared.peek_version()  # read once: the signature is trusted from now on
    out["version, nothing changed (stat only)"] = _median_ms(shared.peek_version, repeat * 10)

    def reread():
        shared._known = None  # as after a write: the version is read from the file
        shared.peek_version()
        shared._close_if_idle(shared._idle_round)  # and let go, as an idle dashboard does

    out["version read again: open, query, close"] = _median_ms(reread, repeat)

    def cold_snapshot():
        snapshot(shared)
        shared._close_if_idle(shared._idle_round)

    out["snapshot read, file opened for it and let go"] = _median_ms(cold_snapshot, repeat)
    shared.close()
    return out


def import_times(csv: Path, duck_db: Path, pg_url: str, repeat: int) -> dict[str, float]:
    """Seconds, median: check (prepare, DuckDB in both modes) and write (commit) of the same file."""
    import psycopg

    data = csv.read_bytes()
    out: dict[str, list[float]] = {}
    for engine, location in (("DuckDB", duck_db), ("PostgreSQL", pg_url)):
        store = Store.open(location)
        try:
            for _ in range(repeat):
                start = time.perf_counter()
                prepared = ingest.prepare(store, data, csv.name)
                checked = time.perf_counter()
                ingest.commit(store, prepared, EDITOR)
                done = time.perf_counter()
                out.setdefault(f"{engine}: check", []).append(checked - start)
                out.setdefault(f"{engine}: write (one transaction)", []).append(done - checked)
                out.setdefault(f"{engine}: import (check + write)", []).append(done - start)
        finally:
            store.close()
    # PostgreSQL's own COPY of the same checked rows (the CSV the store sends) into an empty table of the same
    # columns, and of the raw file into an empty four-column table: the floors
    import io

    import pyarrow as pa
    import pyarrow.csv as pa_csv

    rows = prepared.values if isinstance(prepared.values, pa.Table) else pa.Table.from_pandas(prepared.values)
    rows = rows.add_column(0, "batch_id", pa.array([1] * rows.num_rows))
    checked_csv = io.BytesIO()
    pa_csv.write_csv(rows, checked_csv, pa_csv.WriteOptions(include_header=False))
    floors = {"PostgreSQL: COPY of the same checked rows into an empty table (floor)":
              ("CREATE TABLE copy_floor (LIKE observations)", "COPY copy_floor (" + ", ".join(rows.column_names)
               + ") FROM STDIN (FORMAT csv)", checked_csv.getvalue()),
              "PostgreSQL: COPY of the raw CSV file into an empty 4-column table":
              ("CREATE TABLE copy_floor (indicator VARCHAR, period VARCHAR, value DOUBLE PRECISION, note VARCHAR)",
               "COPY copy_floor FROM STDIN (FORMAT csv, HEADER)", data)}
    with psycopg.connect(pg_url, autocommit=True) as con:
        for label, (create, copy_sql, payload) in floors.items():
            for _ in range(repeat):
                con.execute("DROP TABLE IF EXISTS copy_floor")
                con.execute(create)
                start = time.perf_counter()
                with con.transaction(), con.cursor().copy(copy_sql) as copy:
                    copy.write(payload)
                out.setdefault(label, []).append(time.perf_counter() - start)
        con.execute("DROP TABLE copy_floor")
    return {k: statistics.median(v) for k, v in out.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.store_modes", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default=os.environ.get("KPI_TEST_PG"), help="a PostgreSQL URL to create databases on")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "RESULTS.md")
    args = parser.parse_args(argv)
    cluster = None
    if not args.db:
        from deploy import postgres

        cluster = postgres.start()
        args.db = cluster.url
    try:
        import psycopg

        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            plans, csv = generate(args.rows, folder)
            template = folder / "plans.duckdb"
            store = Store.open(template)
            load_plans(store, EDITOR, [plans])
            plan_id = store.plan_ids()[0]
            store.close()
            costs = page_run_costs(template, plan_id, args.repeat * 4)
            name = f"bench_{os.getpid()}"
            with psycopg.connect(args.db, autocommit=True) as con:
                con.execute(f"CREATE DATABASE {name}")  # a name made here
            pg_url = args.db.rsplit("/", 1)[0] + "/" + name
            try:
                store = Store.open(pg_url)
                load_plans(store, EDITOR, [plans])
                store.close()
                times = import_times(csv, template, pg_url, args.repeat)
            finally:
                with psycopg.connect(args.db, autocommit=True) as con:
                    con.execute(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        if cluster is not None:
            from deploy import postgres

            postgres.stop(cluster.folder)
    lines = section(costs, times, args.rows, args.repeat)
    print("\n".join(lines[2:]))
    from bench.report import replace_section

    replace_section(lines, args.out)
    print(f"updated {args.out}")
    return 0


FLOOR = "PostgreSQL: COPY of the same checked rows into an empty table (floor)"


def section(costs: dict[str, float], times: dict[str, float], rows: int, repeat: int) -> list[str]:
    """The section of bench/RESULTS.md: embedded mode's cost per page run, and the import in both modes against
    PostgreSQL's own COPY (goal: the import into PostgreSQL at most 2× it)."""
    import datetime as dt

    load = os.getloadavg()[0]
    lines = ["## The two store modes: embedded DuckDB's cost per page run, and an import into PostgreSQL against "
             "its own COPY", "",
             f"`python -m bench.store_modes`; measured {dt.datetime.now():%Y-%m-%d %H:%M}, load average {load:.1f} on "
             f"{os.cpu_count()} cores, PostgreSQL a throwaway cluster on loopback.", "",
             "| embedded mode, the store's part of a page run | ms (median) |", "|---|---|"]
    lines += [f"| {key} | {value:.2f} |" for key, value in costs.items()]
    lines += ["", f"| import of {rows:,} rows (fast path) | s (median of {repeat}) |", "|---|---|"]
    lines += [f"| {key} | {value:.3f} |" for key, value in times.items()]
    floor = times.get(FLOOR)
    if floor:
        whole = times["PostgreSQL: import (check + write)"] / floor
        write = times["PostgreSQL: write (one transaction)"] / floor
        lines += ["", f"Into PostgreSQL against its own COPY of the same rows (goal ≤ 2×): the whole import "
                      f"{whole:.1f}× (the check by DuckDB, the same in both modes, then the write), the write alone "
                      f"{write:.1f}×."]
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
