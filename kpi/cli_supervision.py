"""The command line's part for the supervision workflow: ``period close|reopen|list`` and ``due``.

The same code paths as the Due page: ``kpi.writes`` (closing, checked for an admin at the moment of writing) and
``kpi.report.due`` (the list, its CSV and its calendar). ``kpi.cli.build_parser`` adds these commands.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from kpi.cli_common import UsageError, _editor, _open
from kpi.i18n import t
from kpi.periods import parse_period
from kpi.report import query
from kpi.report.export import to_csv_bytes
from kpi.roles import Refused
from kpi.settings import get_settings


def cmd_period(args: argparse.Namespace) -> int:
    """Close a reported period (admins: its values, notes and overrides then change only by a correction with a
    reason, import --correct), reopen it, or list the closed periods. Closing and reopening are batches: recorded,
    revertible, pinned by data versions."""
    from kpi import writes

    store = _open(args)
    if args.action == "list":
        closed = store.closed_periods()
        if closed.empty:
            print(t("close.none", args.lang))
        for r in closed.to_dict("records"):
            print(t("close.listed", args.lang, period=r["period"], when=str(r["created_at"])[:16], by=r["editor"],
                    reason=r["reason"] or "—", batch=r["batch_id"]))
        return 0
    if not args.period:
        raise UsageError(t("close.needs_period", args.lang, action=args.action))
    try:
        if args.action == "close":
            batch = writes.close_period(store, _editor(args), args.period, args.reason)
        else:
            batch = writes.reopen_period(store, _editor(args), args.period, args.reason)
    except Refused as exc:
        raise UsageError(exc.message(args.lang)) from exc
    done = {"close": "close.done_close", "reopen": "close.done_reopen"}[args.action]
    print(t(done, args.lang, period=parse_period(args.period).label, batch=batch))
    return 0


def cmd_due(args: argparse.Namespace) -> int:
    """What is due (待办) as of a date: values missing for ended periods, milestones due within --within days or
    overdue, shortfalls without an explanation (待说明), done milestones without evidence (缺佐证) and, without
    --area, periods waiting to be closed. Each line has its deadline and the dashboard link that resolves it
    ($KPI_PUBLIC_URL); --format ics writes one calendar event per line (Outlook, WPS, phones import it)."""
    from kpi.report import due

    store = _open(args)
    ids = store.plan_ids()
    if not ids:
        raise UsageError(t("cli.no_plans", args.lang, db=store.path))
    if args.plan and args.plan not in ids:
        raise UsageError(t("cli.unknown_plan", args.lang, plan=args.plan, known=", ".join(ids)))
    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    except ValueError as exc:
        raise UsageError(t("cli.bad_date", args.lang, value=args.as_of)) from exc
    snap = query.snapshot(store, args.plan, args.data)
    areas = tuple(sorted({a.strip().upper() for a in args.area.split(",") if a.strip()})) if args.area else None
    known = {a.code for a in snap.plan.areas}
    if areas and not set(areas) <= known:
        raise UsageError(t("cli.unknown_areas", args.lang, areas=", ".join(sorted(set(areas) - known)),
                           known=", ".join(sorted(known))))
    lines = due.due_lines(snap, as_of, args.within, areas, admin=areas is None, lang=args.lang)
    base = get_settings().public_url
    if args.format == "ics":
        data = due.to_ics(lines, base, snap.plan.id, args.lang)
    elif args.format == "csv":
        data = to_csv_bytes(due.to_frame(lines, base, args.lang))
    elif args.format == "json":
        data = (due.to_json(lines, base) + "\n").encode()
    else:
        data = "".join(f"{d.deadline.isoformat()}  {d.text}\n" for d in lines).encode() or \
            (t("due.none", args.lang) + "\n").encode()
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def add_commands(sub, common: argparse.ArgumentParser, editor: argparse.ArgumentParser) -> None:
    """The parsers of period and due, on the command line's subparsers."""
    p = sub.add_parser("period", parents=[common, editor], help=cmd_period.__doc__.splitlines()[0],
                       description=cmd_period.__doc__)
    p.add_argument("action", choices=("close", "reopen", "list"))
    p.add_argument("period", nargs="?", metavar="PERIOD", help="2023-Q3, 2023-07, 2023-H2 …")
    p.add_argument("--reason", help="why (recorded with the batch)")
    p.set_defaults(func=cmd_period)
    p = sub.add_parser("due", parents=[common], help=cmd_due.__doc__.splitlines()[0], description=cmd_due.__doc__)
    p.add_argument("--plan", help="plan id (default: the default plan, else the only one)")
    p.add_argument("--area", metavar="A", help="only these work areas (INV or INV,HK); without it, every area and "
                                              "the periods waiting to be closed")
    p.add_argument("--as-of", metavar="DATE", help="the date the list is made for (YYYY-MM-DD; default: today)")
    p.add_argument("--within", type=int, metavar="DAYS", help="milestones due within this many days "
                   "(default: $KPI_DUE_WITHIN_DAYS, 14)")
    p.add_argument("--format", choices=("table", "json", "csv", "ics"), default="table")
    p.add_argument("--data", type=int, metavar="BATCH", help="the data as it was right after this batch")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: standard output)")
    p.set_defaults(func=cmd_due)
