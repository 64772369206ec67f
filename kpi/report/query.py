"""The status of a View: the one place where observations, explanations, overrides, corrections after close (更正)
and evidence (缺佐证) meet the status engine.

A ``View`` is what a link shows — a plan, a period, an as-of date, a data version
and a language. A ``Snapshot`` is what the store held for one plan at one data
version. Pages, the command line, the briefing, the 通报 text and every export
get their status rows from ``Snapshot.status`` (``view_status`` for a whole View),
so one view gives the same numbers everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from kpi.periods import Period
from kpi.plan.models import Plan
from kpi.plan.windows import resolve_window
from kpi.report import marks
from kpi.setup import pick_plan
from kpi.status import StatusRow, evaluate, evaluate_matrix
from kpi.store import Store


@dataclass(frozen=True)
class View:
    """What a link shows. ``version`` is a data version (a batch number): the numbers as they were right after it."""

    plan_id: str
    period: str  # canonical: the plan window's label for the whole plan, else 2023-Q3, 2023-07 …
    as_of: dt.date
    version: int
    lang: str = "zh"

    @classmethod
    def of(cls, plan: Plan, period: object, as_of: dt.date | None, version: int, lang: str = "zh") -> View:
        """A view with its period in canonical form and its as-of date defaulted (today, kept inside the plan)."""
        return cls(plan.id, resolve_window(plan, period).label, as_of or default_as_of(plan), version, lang)


def default_as_of(plan: Plan, today: dt.date | None = None) -> dt.date:
    """Today, kept inside the plan span."""
    today = today or dt.date.today()
    return min(max(today, plan.span.start), plan.span.end)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """What the store held for one plan at one data version: values, explanations, overrides, closed periods,
    corrections, evidence and meetings' decisions. Never changed."""

    plan: Plan
    version: int
    observations: pd.DataFrame
    notes: pd.DataFrame
    overrides: pd.DataFrame
    sample: bool
    # periods closed at this version (period, dates, batch_id, editor, created_at …); corrections in force
    # (indicator, period, batch_id, editor, created_at, reason …); evidence in force (indicator, period, file_name …)
    closed: pd.DataFrame = field(default_factory=pd.DataFrame)
    corrections: pd.DataFrame = field(default_factory=pd.DataFrame)
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)
    # meetings' decisions in force at this version, with their state then (Store.decisions)
    decisions: pd.DataFrame = field(default_factory=pd.DataFrame)

    def status(self, period: object, as_of: dt.date, only: str | None = None) -> list[StatusRow]:
        """The status rows of one period (every indicator, or ``only`` one), with explanations, overrides,
        corrections and evidence."""
        rows = evaluate(self.plan, self.observations, period, as_of, only=only, notes=self.notes,
                        overrides=self.overrides)
        return marks.mark(rows, resolve_window(self.plan, period), self.corrections, self.evidence, self.plan)

    def status_grid(self, periods: list[Period], as_of: dt.date) -> list[StatusRow]:
        """The status rows of every indicator × each of ``periods`` (indicator-major), annotated the same way."""
        rows = evaluate_matrix(self.plan, self.observations, "", as_of, periods=periods, notes=self.notes,
                               overrides=self.overrides)
        per = len(periods)
        for i, window in enumerate(periods):
            marks.mark(rows[i::per], window, self.corrections, self.evidence, self.plan)
        return rows


def snapshot(store: Store, plan_id: str | None, version: int | None = None) -> Snapshot:
    """Read one plan's values and annotations at a data version (the newest when None), bounded by its span."""
    version = store.data_version() if version is None else version
    plan = pick_plan(store, plan_id, version)
    codes = [i.code for i in plan.indicators()]
    return Snapshot(plan, version, store.current(codes, plan.span.start, plan.span.end, version),
                    store.current_notes(codes, version), store.current_overrides(codes, version),
                    store.has_sample(version), store.closed_periods(version),
                    store.current_corrections(codes, version), store.evidence(codes, version),
                    store.decisions(as_of_batch=version))


def view_status(store: Store, view: View) -> list[StatusRow]:
    """The status of a View, read from the store."""
    return snapshot(store, view.plan_id, view.version).status(view.period, view.as_of)
