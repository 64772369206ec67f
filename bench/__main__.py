"""`python -m bench` (make bench): measure, print a table, write bench/RESULTS.md.

`python -m bench generate --observations N --out DIR` writes a synthetic plan.yaml and a valid actuals.csv,
so a measurement can be repeated by hand with `python -m kpi init --plan` and `python -m kpi import`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.generate import generate
from bench.imports import run_imports
from bench.report import write_results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    gen = sub.add_parser("generate", help="write a synthetic plan and valid actuals")
    gen.add_argument("--observations", type=int, required=True)
    gen.add_argument("--out", type=Path, required=True)
    run = sub.add_parser("run", help="measure (the default)")
    run.add_argument("--sizes", default="10000,100000,400000", help="observation counts for the import benchmark")
    run.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    run.add_argument("--out", type=Path, default=Path(__file__).parent / "RESULTS.md")
    args = parser.parse_args(argv)
    if args.command == "generate":
        plan, csv = generate(args.observations, args.out)
        print(f"wrote {plan} and {csv}")
        return 0
    if args.command is None:
        args = run.parse_args([])
    sizes = [int(s) for s in args.sizes.split(",")]
    results = run_imports(sizes, args.repeat)
    write_results(results, args.out)
    print(f"wrote {args.out}")
    return 0


sys.exit(main())
