"""The command line, ``python -m kpi``: the same code paths as the pages.

Exit codes: 0 done; 1 the input has problems (each listed, nothing written);
2 a usage error (unknown option, missing database, bad period).
"""

from __future__ import annotations

import argparse
import getpass
import inspect
import os
import sys
from pathlib import Path

from kpi import api, auth, ingest
from kpi.cli_common import UsageError, _db, _editor, _exists, _open
from kpi.i18n import norm_lang, status_label, t
from kpi.periods import PeriodError
from kpi.plan.models import PlanError, load_plan
from kpi.roles import Refused
from kpi.settings import get_settings
from kpi.store import Editor, StoreConflict, StoreError, is_server

# What only some commands need (plan workbooks and documents, exports, the HTTP client, tokens, setup) is imported
# in those commands, so that `kpi status` and the other reads start without it.


def cmd_init(args: argparse.Namespace) -> int:
    """Create or migrate the store, load the plan(s), optionally the sample actuals."""
    from kpi.setup import load_plans, load_sample
    store = _open(args, create=True)
    files = [Path(p) for p in args.plan] if args.plan else None
    try:
        for plan_id, revision, changed in load_plans(store, _editor(args), files):
            print(_revision(args, plan_id, revision, changed))
    except PlanError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    if args.sample:
        batches = load_sample(store, Editor("sample", via="init"))
        print(t("cli.sample", args.lang, batches=", ".join(map(str, batches))) if batches
              else t("cli.sample_loaded", args.lang))
    print(t("cli.database", args.lang, db=store.path, version=store.data_version()))
    return 0


def _revision(args: argparse.Namespace, plan_id: str, revision: int, changed: bool) -> str:
    return t("cli.plan_loaded" if changed else "cli.plan_unchanged", args.lang, plan=plan_id, revision=revision)


def cmd_import(args: argparse.Namespace) -> int:
    """Import a CSV or XLSX file of actual results (long or wide) as one batch."""
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(t("cli.no_file", args.lang, file=path))
    if args.server:
        return _import_remote(args, path)
    store = _open(args)
    editor = _editor(args)
    prepared = ingest.prepare(store, path.read_bytes(), path.name, editor=editor, correction=args.correct)
    if not prepared.ok:
        print(t("cli.rejected", args.lang, file=path.name, count=len(prepared.problems)), file=sys.stderr)
        for problem in prepared.problems:
            print(problem.message(args.lang), file=sys.stderr)
        return 1
    if prepared.count == 0:
        print(t("cli.nothing", args.lang))
        return 0
    earlier = store.find_by_sha(prepared.sha256)
    if earlier:
        print(t("cli.same_file", args.lang, batches=", ".join(map(str, earlier))))
    if args.dry_run:
        print(t("cli.dry_run", args.lang, rows=prepared.count))
        return 0
    print(t("cli.writing", args.lang, rows=prepared.count), file=sys.stderr, flush=True)
    try:
        batch = ingest.commit(store, prepared, editor, correction=args.correct)
    except Refused as exc:  # the areas or the closed periods changed since the check: nothing was written
        print(t("cli.rejected", args.lang, file=path.name, count=len(exc.problems)), file=sys.stderr)
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    except StoreConflict as exc:
        raise UsageError(t("cli.changed_meanwhile", args.lang)) from exc
    print(t("cli.imported", args.lang, batch=batch, rows=prepared.count, file=path.name))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Target, actual, progress, pace and status of every indicator for one period."""
    store = _open(args)
    try:
        snap, view = api.status_view(store, args.plan, args.period, args.as_of, args.data, args.lang)
    except api.Refused as exc:
        raise UsageError(exc.text(args.lang)) from exc
    rows, plan = snap.status(view.period, view.as_of), snap.plan
    if args.format == "json":
        print(api.status_json(rows))  # the same text as GET /api/v1/status
        return 0
    names = {i.code: i.name.get(args.lang) for i in plan.indicators()}
    if plan.example:
        print(t("example.banner", args.lang))
    if snap.sample:
        print(t("app.sample_mark", args.lang))
    head = {k: t(f"col.{k}", args.lang) for k in ("code", "period", "target", "actual", "progress", "status")}
    print(f"{head['code']:<20} {head['period']:<8} {head['target']:>8} {head['actual']:>8} {head['progress']:>8}  "
          f"{head['status']}  {t('col.indicator', args.lang)}")
    for r in rows:
        target = "" if r.target is None else f"{r.target:g}"
        actual = "" if r.actual is None else f"{r.actual:g}"
        progress = "" if r.progress is None else f"{r.progress:.0%}"
        print(f"{r.indicator:<20} {r.period:<8} {target:>8} {actual:>8} {progress:>8}  "
              f"{status_label(r.status, args.lang)}  {names[r.indicator]}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Every value in force as CSV (UTF-8 with BOM) or XLSX; `kpi import` reads either back."""
    from kpi.report.export import observations_export, to_csv_bytes, to_xlsx_bytes
    if args.format == "xlsx" and not args.output:
        raise UsageError(t("cli.xlsx_needs_output", args.lang))
    store = _open(args)
    frame = observations_export(store, args.data, args.lang)
    if args.format == "csv":
        data = to_csv_bytes(frame)
    else:
        notes = [t("app.sample_banner", args.lang)] if "sample" in frame.columns else None
        data = to_xlsx_bytes(frame, notes=notes)
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.write(data.decode("utf-8-sig"))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """Every batch, newest first: who, when, what file, how many rows, reverted or not."""
    store = _open(args)
    if args.format == "json":
        print(api.history_json(store))  # the same text as GET /api/v1/batches
    else:
        print(store.batches().drop(columns=["sha256"]).to_string(index=False))
    return 0


def cmd_revert(args: argparse.Namespace) -> int:
    """Take a batch's values out of force (recorded as a batch of its own)."""
    from kpi import writes

    store = _open(args)
    try:
        action = writes.reapply if args.reapply else writes.revert  # an area editor: their areas' batches only
        batch = action(store, _editor(args), args.batch)
    except Refused as exc:
        raise UsageError(exc.message(args.lang)) from exc
    except StoreError as exc:
        raise UsageError(str(exc)) from exc
    print(t("cli.reapplied" if args.reapply else "cli.reverted", args.lang, batch=args.batch, record=batch))
    return 0


TARGET_FILES = (".csv", ".txt", ".tsv", ".xlsx")


def _base_plan(args: argparse.Namespace):
    """The plan a targets file applies to: from the store when it has it, else data/plans/<id>.yaml."""
    plan_id = args.plan or get_settings().default_plan
    if _exists(args):
        store = _open(args)
        if plan_id in store.plan_ids():
            return store.plan(plan_id), store
    file = get_settings().plans_dir / f"{plan_id}.yaml"
    if not file.exists():
        raise UsageError(t("cli.no_plan_file", args.lang, plan=plan_id))
    return load_plan(file), None


def _targets(args: argparse.Namespace, name: str):
    """(new plan, store or None) from a targets file, or None after printing every problem."""
    from kpi.plan import edit as plan_edit
    plan, store = _base_plan(args)
    new, problems = plan_edit.apply_targets_file(plan, Path(name).read_bytes(), Path(name).name)
    if problems:
        print(t("cli.rejected", args.lang, file=Path(name).name, count=len(problems)), file=sys.stderr)
        for problem in problems:
            print(problem.message(args.lang), file=sys.stderr)
        return None
    return new, store


def cmd_plan_check(args: argparse.Namespace) -> int:
    """Validate plan files (YAML, or a plan workbook) or targets files (CSV/XLSX: indicator, period, target);
    every problem named."""
    from kpi.plan import cells
    failed = 0
    for name in args.files:
        if _targets_file(name):
            found = _targets(args, name)
            failed += found is None
            if found:
                print(t("cli.targets_ok", args.lang, file=name, plan=found[0].id))
            continue
        try:
            plan = cells.read_plan_file(name)
        except PlanError as exc:
            failed += 1
            print(exc.message(args.lang), file=sys.stderr)
            continue
        print(t("cli.plan_ok", args.lang, file=name, plan=plan.id, areas=len(plan.areas),
                items=len(plan.indicators())))
        reviews = _reviews(name, plan)
        if reviews:  # a draft's guesses: the file is valid, and plan load wants them confirmed first
            print(t("cli.plan_reviews", args.lang, file=name, count=len(reviews)))
            for problem in reviews:
                print("  " + problem.message(args.lang))
    return 1 if failed else 0


def cmd_plan_load(args: argparse.Namespace) -> int:
    """Validate and load plan files or targets files into the store (a changed plan becomes a new revision)."""
    from kpi.setup import load_plans
    store = _open(args, create=True)
    try:
        for name in args.files:
            if _targets_file(name):
                found = _targets(args, name)
                if found is None:
                    return 1
                revision, changed = store.save_plan(found[0], _editor(args), source=Path(name).name)
                print(_revision(args, found[0].id, revision, changed))
                continue
            for plan_id, revision, changed in load_plans(store, _editor(args), [Path(name)],
                                                         accept_draft=args.accept_draft):
                print(_revision(args, plan_id, revision, changed))
    except PlanError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    return 0


# --- plan draft: a plan's own text -> a drafted plan file (kpi/plan/draft.py) -------------------------------

def cmd_plan_draft(args: argparse.Namespace) -> int:
    """Draft a plan file from the plan's own text (.txt, .docx, .pdf with text; - reads standard input).

    Sections become areas, committing sentences items, quantities targets; every guess is flagged for review
    (plan check lists the flags, plan load refuses them until confirmed). The span comes from --span, else the
    title (2024年, 2023年下半年).
    """
    from kpi.plan.documents import read_document
    from kpi.plan.draft import draft_plan
    name = None if args.file == "-" else args.file
    if name is None:
        text, problems = sys.stdin.read(), []
    else:
        path = Path(name)
        if not path.is_file():
            raise UsageError(t("cli.no_file", args.lang, file=path))
        text, problems = read_document(path.read_bytes(), path.name)
    draft = None if problems else draft_plan(text, span=args.span, plan_id=args.id, source=name)
    if draft is not None:
        problems = draft.problems
        if problems and problems[0].key in ("draft.no_span", "draft.bad_span"):
            raise UsageError(t("cli.draft_needs_span", args.lang, reason=problems[0].text(args.lang)))
    if problems or draft is None or draft.plan is None:
        print(t("cli.rejected", args.lang, file=name or "-", count=len(problems)), file=sys.stderr)
        for problem in problems:
            print(problem.message(args.lang), file=sys.stderr)
        return 1
    content = draft.to_yaml(args.lang, source=name)
    plan = draft.plan
    summary = t("cli.draft_written", args.lang, file=args.output or "-", plan=plan.id, areas=len(plan.areas),
                items=len(plan.indicators()), targets=draft.targets(), reviews=len(plan.open_reviews()))
    if args.output:
        Path(args.output).write_text(content, encoding="utf-8")
        print(summary)
    else:
        sys.stdout.write(content)
        print(summary, file=sys.stderr)
    return 0


# --- plan export, plan next: the plan as a workbook; carrying a plan forward ---------------------------

def _targets_file(name: str) -> bool:
    """A targets file (indicator, period, target): a CSV, or a workbook without a plan workbook's sheets."""
    from kpi.plan import cells, workbook
    if not name.lower().endswith(TARGET_FILES):
        return False
    if not name.lower().endswith(workbook.XLSX):
        return True
    try:
        return not cells.is_plan_workbook(Path(name).read_bytes())
    except OSError:
        return True  # the targets path names the unreadable file


def _reviews(name: str, plan) -> list:
    """A draft's open review flags; in a workbook, at the sheet, row and review column of each."""
    from kpi.plan import workbook
    from kpi.setup import review_problems
    reviews = review_problems(plan)
    if reviews and name.lower().endswith(workbook.XLSX):
        from kpi.plan.cells import read_workbook

        found = read_workbook(Path(name).read_bytes())
        reviews = [found.locate(p, default="review") for p in reviews]
    return reviews


def _plan_arg(args: argparse.Namespace, store_too: bool = False):
    """(plan, store or None) for PLAN: a plan file (YAML or workbook), else a plan id in the store, else the
    plan file data/plans/<id>.yaml. ``store_too``: the store beside a plan file as well (for its actuals)."""
    from kpi.plan import cells
    if Path(args.plan).is_file():
        store = _open(args) if store_too and _exists(args) else None
        return cells.read_plan_file(args.plan), store
    if _exists(args):
        store = _open(args)
        if args.plan in store.plan_ids():
            return store.plan(args.plan), store
    else:
        store = None
    file = get_settings().plans_dir / f"{args.plan}.yaml"
    if file.is_file():
        return load_plan(file), store
    raise UsageError(t("cli.no_plan_source", args.lang, plan=args.plan, db=_db(args)))


def _write_plan(args: argparse.Namespace, plan, fmt: str, header: str | None = None) -> None:
    from kpi.plan import workbook
    from kpi.plan.dump import plan_yaml

    if fmt == "xlsx" and not args.output:
        raise UsageError(t("cli.xlsx_needs_output", args.lang))
    if fmt == "xlsx":
        Path(args.output).write_bytes(workbook.plan_to_xlsx(plan))
    elif args.output:
        Path(args.output).write_text(plan_yaml(plan, header), encoding="utf-8")
    else:
        sys.stdout.write(plan_yaml(plan, header))
    if args.output:
        print(t("cli.plan_written", args.lang, file=args.output, plan=plan.id))


def _format(args: argparse.Namespace) -> str:
    from kpi.plan import workbook
    return args.format or ("xlsx" if (args.output or "").lower().endswith(workbook.XLSX) else "yaml")


def cmd_plan_export(args: argparse.Namespace) -> int:
    """Write a plan as an Excel workbook (计划, 领域, 指标, 分期目标) or as YAML; plan check/load read either back."""
    try:
        plan, _ = _plan_arg(args)
    except PlanError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    _write_plan(args, plan, _format(args))
    return 0


def cmd_plan_next(args: argparse.Namespace) -> int:
    """Carry a plan forward to the next span: a draft with the same codes, its guesses flagged for review."""
    from kpi.plan.carry import CarryError, carry_forward

    try:
        plan, store = _plan_arg(args, store_too=True)
        new, notes = carry_forward(plan, args.span, args.id, keep_targets=not args.clear_targets, store=store)
    except PlanError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    except PeriodError as exc:
        raise UsageError(t("plan.bad_period", args.lang, value=args.span)) from exc
    except CarryError as exc:
        raise UsageError(t(exc.key, args.lang, **exc.params)) from exc
    for note in notes:
        print(note(args.lang), file=sys.stderr)
    _write_plan(args, new, _format(args), header=t("carry.header", args.lang, old=plan.id))
    return 0


def _plan_commands(plan_sub, common: argparse.ArgumentParser) -> None:
    """The parsers of plan export and plan next."""
    p = plan_sub.add_parser("export", parents=[common], help=cmd_plan_export.__doc__.splitlines()[0],
                            description=cmd_plan_export.__doc__)
    p.add_argument("plan", metavar="PLAN", help="a plan id in the store, or a plan file (YAML or workbook)")
    p.add_argument("--format", choices=("xlsx", "yaml"), help="default: xlsx when -o ends in .xlsx, else yaml")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: standard output, YAML only)")
    p.set_defaults(func=cmd_plan_export)
    p = plan_sub.add_parser("next", parents=[common], help=cmd_plan_next.__doc__.splitlines()[0],
                            description=cmd_plan_next.__doc__)
    p.add_argument("plan", metavar="PLAN", help="the plan to carry: a plan id in the store, or a plan file")
    p.add_argument("--span", required=True, help="the new plan's span, a period: 2024-H1, 2024, 2024-Q1 ...")
    p.add_argument("--id", help="the new plan's id (default: the span, e.g. 2024-H1)")
    targets = p.add_mutually_exclusive_group()
    targets.add_argument("--keep-targets", action="store_true", help="keep the targets, flagged for review "
                                                                     "(the default)")
    targets.add_argument("--clear-targets", action="store_true", help="clear the targets, flagged to fill in")
    p.add_argument("--format", choices=("xlsx", "yaml"), help="default: xlsx when -o ends in .xlsx, else yaml")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: standard output, YAML only)")
    p.set_defaults(func=cmd_plan_next)


def cmd_editor(args: argparse.Namespace) -> int:
    """Editors and viewers of the dashboard: add one (only a salted hash is stored), remove one, list them, or create
    the first one.

    --areas INV,HK makes an area editor of those work areas (upload, explain, override, attach evidence for their
    indicators only); --admin an admin (plans, targets, editors, closing periods, corrections); --viewer a read-only
    account (with any viewer account, the dashboard opens only after sign-in). Without a role, a known editor keeps
    theirs and a new one is an admin. A password needs at least KPI_EDITOR_MIN_PASSWORD characters (exit 2
    otherwise, nothing saved). Adding an editor again changes the password; removing an editor or changing a
    password ends their signed-in sessions.
    """
    if args.action == "init":
        if auth.editing_enabled():
            print(t("cli.editors_exist", args.lang))
            return 0
        password = auth.new_password()
        path = auth.write_editor("editor", password)
        print(t("cli.editor_first", args.lang, name="editor", password=password, path=path))
        return 0
    if args.action == "list":
        return _list_accounts(args)
    if not args.name:
        raise UsageError(t("cli.editor_name", args.lang, action=args.action))
    if args.action == "remove":
        if not auth.remove_editor(args.name):
            raise UsageError(t("cli.no_editor", args.lang, name=args.name))
        print(t("cli.editor_removed", args.lang, name=args.name))
        return 0
    areas = _areas_arg(args)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(t("cli.password_prompt", args.lang, name=args.name))
    shortest = get_settings().editor_min_password
    if len(password) < shortest:
        raise UsageError(t("cli.password_short", args.lang, min=shortest))
    if args.viewer:
        print(t("cli.viewer_saved", args.lang, name=args.name, path=auth.write_viewer(args.name, password)))
        return 0
    path = auth.write_editor(args.name, password, areas=None if args.admin else areas)
    print(t("cli.editor_saved", args.lang, name=args.name, path=path))
    print(_role_line(args, args.name))
    return 0


def cmd_copy(args: argparse.Namespace) -> int:
    """Copy a whole store into a new, empty one: every batch (with its number), plan revision, value, note, override,
    sign-in record, API token, meeting, decision, closed period and evidence file, in one transaction. Moves a
    store from embedded to server mode:
    python -m kpi copy --from data/kpi.duckdb --to postgresql://user:password@host:port/db
    """
    from kpi.store.copy import StoreNotEmpty, copy_store

    source, to = (text if is_server(text) else Path(text) for text in (args.source, args.to))
    if source == to or not is_server(source) and not is_server(to) and source.resolve() == to.resolve():
        raise UsageError(t("cli.copy_same", args.lang))
    source = _open(args, location=source)
    dest = _open(args, create=True, location=to)
    try:
        counts = copy_store(source, dest)
    except StoreNotEmpty as exc:
        raise UsageError(t("cli.copy_not_empty", args.lang, db=exc.where)) from exc
    except StoreError as exc:
        raise UsageError(str(exc)) from exc
    print(t("cli.copied", args.lang, source=source.path, dest=dest.path, batches=counts.get("batches", 0),
            rows=sum(counts.values()), version=dest.data_version()))
    return 0


def _known_areas(args: argparse.Namespace):
    """The plans to name areas from: those in the store when it exists, else the plan files."""
    from kpi.setup import plan_files

    if _exists(args):
        try:
            store = _open(args)
        except UsageError:  # the dashboard holds the file: the plan files name the areas as well
            store = None
        if store is not None:
            plans = [store.plan(p) for p in store.plan_ids()]
            store.close()
            if plans:
                return plans
    plans = []
    for file in plan_files():
        try:
            plans.append(load_plan(file))
        except PlanError:
            continue
    return plans


def _areas_arg(args: argparse.Namespace):
    """--areas as area codes known to a plan; auth.KEEP without it (a usage error names unknown codes)."""
    if args.areas is None:
        return auth.KEEP
    codes = sorted({c.strip().upper() for c in args.areas.split(",") if c.strip()})
    known = {a.code for plan in _known_areas(args) for a in plan.areas}
    unknown = [c for c in codes if c not in known]
    if unknown or not codes:
        raise UsageError(t("cli.unknown_areas", args.lang, areas=", ".join(unknown) or "—",
                           known=", ".join(sorted(known)) or "—"))
    return codes


def _role_line(args: argparse.Namespace, name: str) -> str:
    from kpi.roles import scope_text

    plans = _known_areas(args)
    editor = auth.editor_named(name, "cli")
    plan = plans[0] if plans else None
    if editor is not None and not editor.admin:
        plan = next((p for p in plans if {a.code for a in p.areas} >= set(editor.areas)), plan)
    if plan is None:
        return t("cli.editor_role", args.lang, name=name, scope=", ".join(editor.areas or ()) if editor else "")
    return t("cli.editor_role", args.lang, name=name, scope=scope_text(editor, plan, args.lang))


def _list_accounts(args: argparse.Namespace) -> int:
    editors, viewers = auth.load_editors(), auth.load_viewers()
    if not editors and not viewers:
        print(t("cli.no_accounts", args.lang))
    for name in editors:
        print(_role_line(args, name))
    for name in viewers:
        if name not in editors:
            print(t("cli.editor_role", args.lang, name=name, scope=t("role.viewer", args.lang)))
    return 0


# --- import --server and token: the dashboard's HTTP API (kpi/api.py, kpi/client.py, kpi/tokens.py, ui/api.py) ---

def _import_remote(args: argparse.Namespace, path: Path) -> int:
    """Send the file to the running dashboard (POST /api/v1/batches), which checks and writes it; print what a local
    import prints, with the same exit codes."""
    from kpi import client
    token = args.token or os.environ.get("KPI_TOKEN")
    if not token:
        raise UsageError(t("cli.no_token", args.lang))
    if args.editor:
        raise UsageError(t("cli.server_editor", args.lang))
    try:
        client.endpoint(args.server, "/batches")  # a server address, before anything is sent
        print(t("cli.sending", args.lang, file=path.name, url=args.server), file=sys.stderr, flush=True)
        status, body = client.post_file(args.server, token, path.read_bytes(), path.name, args.lang, args.dry_run,
                                        args.correct)
    except client.ClientError as exc:
        raise UsageError(exc.text(args.lang)) from exc
    if status in (413, 422) or (status == 403 and "problems" in body):  # checked: every problem, exit 1
        print(t("cli.rejected", args.lang, file=path.name, count=len(body["problems"])), file=sys.stderr)
        for problem in body["problems"]:
            print(problem["message"], file=sys.stderr)
        return 1
    if status not in (200, 201):
        raise UsageError(body["error"]["message"])
    if body["rows"] == 0:
        print(t("cli.nothing", args.lang))
        return 0
    if body["same_file"]:
        print(t("cli.same_file", args.lang, batches=", ".join(map(str, body["same_file"]))))
    if body["dry_run"]:
        print(t("cli.dry_run", args.lang, rows=body["rows"]))
        return 0
    print(t("cli.imported", args.lang, batch=body["batch"]["batch_id"], rows=body["rows"], file=path.name))
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    """API tokens for the dashboard's HTTP API: add one for an editor, list them, revoke one.

    A token carries its editor's rights (--read-only: it reads but cannot write) while it is not revoked and the
    editor is configured. It is printed once, on standard output; the store keeps only its sha256.
    """
    from kpi import tokens
    store = _open(args)
    try:
        if args.action == "add":
            token = tokens.add(store, args.name, args.token_editor, read_only=args.read_only)
            scope = tokens.READ if args.read_only else tokens.WRITE
            print(t("cli.token_added", args.lang, name=args.name.strip(), editor=args.token_editor.strip(),
                    scope=scope), file=sys.stderr)
            print(token)
        elif args.action == "revoke":
            if not tokens.revoke(store, args.name):
                raise UsageError(t("cli.no_token_named", args.lang, name=args.name))
            print(t("cli.token_revoked", args.lang, name=args.name))
        else:
            frame = _times_as_text(store.tokens())
            if args.format == "json":
                print(frame.to_json(orient="records", force_ascii=False))
            elif frame.empty:
                print(t("cli.no_tokens", args.lang))
            else:
                print(frame.fillna("").to_string(index=False))
    except api.Refused as exc:
        raise UsageError(exc.text(args.lang)) from exc
    return 0


def _times_as_text(frame):
    """The token list with its times as text (None where there is none)."""
    for column in ("created_at", "last_used_at", "revoked_at"):
        frame[column] = frame[column].astype(str).where(frame[column].notna(), None)
    return frame


def _token_commands(sub, common: argparse.ArgumentParser) -> None:
    """The parsers of token add, token list and token revoke."""
    token = sub.add_parser("token", help=cmd_token.__doc__.splitlines()[0], description=cmd_token.__doc__)
    token_sub = token.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = token_sub.add_parser("add", parents=[common], help="make a token for an editor (printed once)")
    p.add_argument("name", metavar="NAME", help="what the token is for (unique among the tokens not revoked)")
    p.add_argument("--editor", dest="token_editor", required=True, metavar="E",
                   help="the editor the token speaks for (python -m kpi editor add); their writes are recorded as "
                        "'E (api)'")
    p.add_argument("--read-only", action="store_true", help="the token reads (status, history) but cannot write")
    p = token_sub.add_parser("list", parents=[common], help="every token: name, editor, scope, created, last used, "
                                                           "revoked (never the token)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p = token_sub.add_parser("revoke", parents=[common], help="revoke a token: it stops working at once")
    p.add_argument("name", metavar="NAME")
    token.set_defaults(func=cmd_token)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kpi", description=__doc__.splitlines()[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="the store: a DuckDB file, or a postgresql://user:password@host:port/db URL "
                        "(server mode) (default: $KPI_DB, else data/kpi.duckdb)")
    common.add_argument("--lang", choices=("zh", "en"), default=norm_lang(os.environ.get("KPI_LANG", "en")),
                        help="language of messages (default: $KPI_LANG, else en)")
    editor = argparse.ArgumentParser(add_help=False)
    editor.add_argument("--editor", help="the name recorded with the change (default: $KPI_EDITOR, else your login)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, func, *parents, **kw):
        p = sub.add_parser(name, parents=[common, *parents], help=func.__doc__.splitlines()[0],
                           description=func.__doc__, **kw)
        p.set_defaults(func=func)
        return p

    p = add("init", cmd_init, editor)
    p.add_argument("--plan", action="append", metavar="FILE",
                   help="a plan file or a folder of them (default: every file in data/plans)")
    p.add_argument("--sample", action="store_true", help="also load the sample actuals (marked as sample data)")
    p = add("import", cmd_import, editor)
    p.add_argument("file", metavar="FILE", help="CSV (UTF-8 or GBK) or XLSX; long or wide layout")
    p.add_argument("--dry-run", action="store_true", help="check the file and write nothing")
    p.add_argument("--server", metavar="URL", default=os.environ.get("KPI_SERVER") or None,
                   help="send the file to the running dashboard at URL (its HTTP API), which checks and writes it "
                        "(default: $KPI_SERVER; none: write the database here)")
    p.add_argument("--token", help="the API token for --server (default: $KPI_TOKEN, which keeps it out of the "
                                   "process list)")
    p.add_argument("--correct", metavar="REASON", help="an admin's correction of closed periods, with its reason "
                   "(shown as 更正); without it, rows of closed periods are refused")
    p = add("status", cmd_status)
    p.add_argument("--plan", help="plan id (default: the default plan, else the only one)")
    p.add_argument("--period", help="2023-Q3, 2023-07, 2023-H2 ... (default: the whole plan span)")
    p.add_argument("--as-of", help="the date pace is measured at (YYYY-MM-DD; default: today, capped at the plan end)")
    p.add_argument("--data", type=int, metavar="BATCH", help="the data as it was right after this batch")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p = add("export", cmd_export)
    p.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: standard output, CSV only)")
    p.add_argument("--data", type=int, metavar="BATCH", help="the data as it was right after this batch")
    p = add("history", cmd_history)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p = add("revert", cmd_revert, editor)
    p.add_argument("batch", type=int, metavar="BATCH")
    p.add_argument("--reapply", action="store_true", help="undo an earlier revert of this batch")
    p = sub.add_parser("copy", help=cmd_copy.__doc__.splitlines()[0], description=inspect.cleandoc(cmd_copy.__doc__),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--from", dest="source", required=True, metavar="STORE",
                   help="the store to copy: a DuckDB file or a postgresql:// URL")
    p.add_argument("--to", required=True, metavar="STORE",
                   help="the new, empty store: a DuckDB file or a postgresql:// URL (created and migrated)")
    p.add_argument("--lang", choices=("zh", "en"), default=norm_lang(os.environ.get("KPI_LANG", "en")),
                   help="language of messages (default: $KPI_LANG, else en)")
    p.set_defaults(func=cmd_copy)
    p = add("editor", cmd_editor)
    p.add_argument("action", choices=("add", "remove", "init", "list"),
                   help="add NAME (or change its password), remove NAME, list every editor and viewer with their "
                        "role, or init: create a first editor if none exists")
    p.add_argument("name", nargs="?", metavar="NAME")
    role = p.add_mutually_exclusive_group()
    role.add_argument("--areas", metavar="INV,HK", help="an area editor of these work areas (codes of the plan)")
    role.add_argument("--admin", action="store_true", help="an admin: every area, plans, targets, closing periods")
    role.add_argument("--viewer", action="store_true", help="a read-only account; with any, the dashboard needs a "
                                                            "sign-in")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    plan = sub.add_parser("plan", help="check or load plan files", description="Check or load plan files.")
    plan_sub = plan.add_subparsers(dest="plan_command", required=True, metavar="ACTION")
    p = plan_sub.add_parser("check", parents=[common], help=cmd_plan_check.__doc__, description=cmd_plan_check.__doc__)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--plan", help="the plan a targets file applies to (default: the default plan)")
    p.set_defaults(func=cmd_plan_check)
    p = plan_sub.add_parser("load", parents=[common, editor], help=cmd_plan_load.__doc__,
                            description=cmd_plan_load.__doc__)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--plan", help="the plan a targets file applies to (default: the default plan)")
    p.add_argument("--accept-draft", action="store_true",
                   help="load a drafted plan even though some of its guesses (review flags) are not confirmed")
    p.set_defaults(func=cmd_plan_load)
    # plan draft (its own block)
    p = plan_sub.add_parser("draft", parents=[common], help=cmd_plan_draft.__doc__.splitlines()[0],
                            description=cmd_plan_draft.__doc__)
    p.add_argument("file", metavar="FILE", help="the plan's text: .txt (UTF-8 or GBK), .docx or .pdf; - for stdin")
    p.add_argument("-o", "--output", metavar="FILE", help="write the drafted plan (YAML) here (default: stdout)")
    p.add_argument("--id", help="the plan's id (default: its span, e.g. 2024 or 2023-H2)")
    p.add_argument("--span", help="the plan's period: 2024, 2024-H1 … (default: from the title)")
    p.set_defaults(func=cmd_plan_draft)
    _plan_commands(plan_sub, common)
    _token_commands(sub, common)
    from kpi.cli_supervision import add_commands  # period, due: the supervision workflow

    add_commands(sub, common, editor)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, PermissionError) as exc:
        print(t("cli.error", getattr(args, "lang", "en"), message=exc), file=sys.stderr)
        return 2
