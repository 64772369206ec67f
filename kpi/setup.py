"""Tasks the command line and the pages share: load plans, load the sample, pick a plan."""

from __future__ import annotations

from pathlib import Path

from kpi import ingest
from kpi.plan.cells import read_plan_file
from kpi.plan.models import Plan, PlanError
from kpi.problems import Problem
from kpi.settings import get_settings
from kpi.store import SAMPLE, Editor, Store, StoreError


def plan_files() -> list[Path]:
    return sorted(get_settings().plans_dir.glob("*.yaml"))


def load_plans(store: Store, editor: Editor, files: list[Path] | None = None,
               accept_draft: bool = False) -> list[tuple[str, int, bool]]:
    """Validate every file first (a folder: every *.yaml in it; a .xlsx file is a plan workbook), then store each
    plan; (id, revision, changed).

    A drafted plan whose guesses are not all confirmed (review flags) is refused, naming each, unless
    ``accept_draft``: nothing is stored then.
    """
    expanded = [p for f in (files or plan_files()) for p in (sorted(Path(f).glob("*.yaml")) if Path(f).is_dir()
                                                             else [Path(f)])]
    plans = [(read_plan_file(f), f) for f in expanded]  # YAML, or a plan workbook (.xlsx)
    if not accept_draft:
        for plan, f in plans:
            refuse_open_reviews(plan, str(f))
    return [(plan.id, *store.save_plan(plan, editor, source=str(f))) for plan, f in plans]


def review_problems(plan: Plan) -> list[Problem]:
    """Each guess of a draft still to confirm, at its path."""
    return [Problem.at(path, "draft.review_open", flags=", ".join(flags)) for path, flags in plan.open_reviews()]


def refuse_open_reviews(plan: Plan, source: str = "plan") -> None:
    """A plan with guesses still to confirm is not loaded (``PlanError`` names each)."""
    problems = review_problems(plan)
    if problems:
        raise PlanError(problems, source)


def load_sample(store: Store, editor: Editor) -> list[int]:
    """Load each sample file (for the plans in the store) as a batch marked sample; files loaded before are skipped."""
    batches = []
    for path in sorted(get_settings().sample_dir.glob("*.csv")):
        data = path.read_bytes()
        prepared = ingest.prepare(store, data, path.name)
        if not prepared.ok:
            if all(p.key in ("ingest.outside_plan", "ingest.unknown_indicator") for p in prepared.problems):
                continue  # the sample of a plan that is not loaded
            raise StoreError(f"the sample file {path.name} does not validate: "
                             + "; ".join(p.message("en") for p in prepared.problems[:5]))
        if not store.find_by_sha(prepared.sha256):
            batches.append(ingest.commit(store, prepared, editor, kind=SAMPLE))
    return batches


def pick_plan(store: Store, plan_id: str | None = None, as_of_batch: int | None = None) -> Plan:
    """The plan asked for; else the default plan; else the first one loaded."""
    ids = store.plan_ids()
    if not ids:
        raise StoreError(f"no plan in {store.path}; load one with: python -m kpi init")
    if plan_id is None:
        plan_id = get_settings().default_plan if get_settings().default_plan in ids else ids[0]
    return store.plan(plan_id, as_of_batch)


def ensure_ready(store: Store) -> None:
    """First run: load the plans and the sample data into an empty store."""
    if not store.plan_ids():
        load_plans(store, Editor("setup", via="first run"))
        load_sample(store, Editor("sample", via="first run"))
