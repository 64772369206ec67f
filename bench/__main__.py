"""`python -m bench` (make bench): measure, print a table, write bench/RESULTS.md.

`python -m bench hostile` measures only the files made to hurt and updates their section of RESULTS.md;
`python -m bench imports --sizes N,...` only the import against its floors, `python -m bench cli --sizes N,...` only
the command line as a whole process, `python -m bench viewers` only many viewers over WebSockets: each updates its
own section.

`python -m bench generate --observations N --out DIR` writes synthetic plans (DIR/plans/*.yaml) and a valid
DIR/actuals.csv, so a measurement can be repeated by hand:
`python -m kpi init --db x.duckdb --plan DIR/plans` then `python -m kpi import DIR/actuals.csv --db x.duckdb`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from bench import viewers
from bench.cli import CliReport, measure_cli, stamp
from bench.fixtures import build
from bench.generate import generate
from bench.hostile import measure_hostile, section
from bench.imports import measure_import
from bench.pages import measure_engine, measure_pages
from bench.report import cli_section, import_section, replace_section, write_results
from bench.server import measure_server

DEFAULT_SIZES = "10000,100000,400000,1000000"
SERVER_SIZES = (400_000, 1_000_000)  # the browser and memory measurements (a real server each)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("KPI_UPLOAD_MAX_BYTES", str(512 * 1024 * 1024))  # a million rows is ~22 MB: over the web cap
    os.environ.setdefault("KPI_UPLOAD_MEMORY_MB", "4096")  # and its full checks take over the web budget
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    gen = sub.add_parser("generate", help="write synthetic plans and valid actuals")
    gen.add_argument("--observations", type=int, required=True)
    gen.add_argument("--out", type=Path, required=True)
    run = sub.add_parser("run", help="measure (the default)")
    run.add_argument("--sizes", default=DEFAULT_SIZES, help="observation counts")
    run.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    run.add_argument("--out", type=Path, default=Path(__file__).parent / "RESULTS.md")
    hostile = sub.add_parser("hostile", help="measure only the files made to hurt; update their section")
    hostile.add_argument("--repeat", type=int, default=3)
    hostile.add_argument("--out", type=Path, default=Path(__file__).parent / "RESULTS.md")
    for name, help_text, sizes in (("imports", "measure only the import against its floors", "10000,100000"),
                                   ("cli", "measure only the command line as a whole process", "10000")):
        part = sub.add_parser(name, help=help_text + "; update its section")
        part.add_argument("--sizes", default=sizes, help="observation counts")
        part.add_argument("--repeat", type=int, default=3 if name == "imports" else 7)
        part.add_argument("--out", type=Path, default=Path(__file__).parent / "RESULTS.md")
    many = sub.add_parser("viewers", help="measure only many viewers over WebSockets; update its section")
    many.add_argument("--viewers", default=",".join(map(str, viewers.CROWDS)), help="viewers at once")
    many.add_argument("--repeat", type=int, default=3)
    many.add_argument("--out", type=Path, default=Path(__file__).parent / "RESULTS.md")
    args = parser.parse_args(argv)
    if args.command == "viewers":
        report = viewers.measure_viewers(tuple(int(v) for v in args.viewers.split(",")), args.repeat)
        _print_viewers(report)
        replace_section(viewers.section(report), args.out)
        print(f"updated {args.out}")
        return 0
    if args.command in ("imports", "cli"):
        imports, cli = [], CliReport()
        with tempfile.TemporaryDirectory() as tmp:
            for n in (int(s) for s in args.sizes.split(",")):
                built = build(n, Path(tmp) / str(n))
                print(f"{n:>9,} observations: {built.plans} plans built in {built.build_s:.1f} s", flush=True)
                r = measure_import(built, args.repeat if args.command == "imports" else 1)
                if args.command == "imports":
                    imports.append(r)
                    _print_import(r)
                else:
                    cli.rows.append(measure_cli(built.db, n, args.repeat))
                    _print_cli(cli.rows[-1])
        cli.measured = stamp()
        replace_section(import_section(imports, stamp()) if args.command == "imports" else cli_section(cli), args.out)
        print(f"updated {args.out}")
        return 0
    if args.command == "hostile":
        report = measure_hostile(args.repeat)
        _print_hostile(report)
        replace_section(section(report), args.out)
        print(f"updated {args.out}")
        return 0
    if args.command == "generate":
        plans, csv = generate(args.observations, args.out)
        print(f"wrote {plans} and {csv}")
        return 0
    if args.command is None:
        args = run.parse_args([])
    imports, pages, engines, servers, cli = [], [], [], [], CliReport()
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            built = build(n, Path(tmp) / str(n))
            print(f"{n:>9,} observations: {built.plans} plans built in {built.build_s:.1f} s", flush=True)
            r = measure_import(built, args.repeat)
            imports.append(r)
            _print_import(r)
            cli.rows.append(measure_cli(built.db, n))
            _print_cli(cli.rows[-1])
            e = measure_engine(built, args.repeat)
            engines.append(e)
            print(f"  status engine for one plan: read {e.current_s * 1000:.0f} ms, evaluate "
                  f"{e.status_s * 1000:.0f} ms", flush=True)
            for p in measure_pages(built, args.repeat):
                pages.append(p)
                print(f"  {p.page}: cold {p.cold_s:.2f} s ({p.cold_ratio:.1f}x), warm {p.warm_s:.3f} s "
                      f"({p.warm_ratio:.1f}x the bare page)", flush=True)
            if n in SERVER_SIZES:
                s = measure_server(built.db, built.plan_id, n, args.repeat)
                if s is not None:
                    servers.append(s)
                    print(f"  server: peak {s.peak_mb:.0f} MB; first chart {s.first_chart_s:.2f} s vs bare "
                          f"{s.floor_first_chart_s:.2f} s ({s.ratio:.1f}x)", flush=True)
    cli.measured = stamp()
    many = viewers.measure_viewers(viewers.CROWDS, args.repeat)
    _print_viewers(many)
    hurt = measure_hostile(args.repeat)
    _print_hostile(hurt)
    write_results(imports, pages, engines, servers, args.out, hurt, cli, many)
    print(f"wrote {args.out}")
    return 0


def _print_import(r) -> None:
    print(f"  import {r.total_s:.2f} s vs read_csv {r.floor_s:.3f} s: {r.ratio:.1f}x "
          f"(full pipeline {r.full_ratio:.1f}x); vs read_csv into a DuckDB file {r.file_floor_s:.3f} s: "
          f"{r.file_ratio:.1f}x (full pipeline {r.file_full_ratio:.1f}x)", flush=True)


def _print_cli(r) -> None:
    print(f"  kpi status as a process {r.status_s:.2f} s vs bare DuckDB process {r.bare_s:.2f} s: {r.ratio:.1f}x "
          f"(python alone {r.python_s:.2f} s)", flush=True)


def _print_viewers(report) -> None:
    for c in report.crowds:
        print(f"  {c.setup.label}, {c.page}, {c.viewers} viewers at once: {c.per_second:.1f} sessions/s, "
              f"p50 {c.p50_s:.2f} s, p95 {c.p95_s:.2f} s, failed {c.failed} (first viewer {c.first_s:.2f} s)",
              flush=True)


def _print_hostile(report) -> None:
    for f in report.files:
        print(f"  {f.name}: refused in {f.seconds:.2f} s, memory +{f.growth_mb:.1f} MB", flush=True)
    print(f"  small upload: {report.small_worker_ms:.0f} ms through the worker, {report.small_local_ms:.0f} ms "
          f"in-process; worker start {report.start_s:.1f} s", flush=True)


sys.exit(main())
