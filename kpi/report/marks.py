"""The supervision marks on status rows: corrections after close (更正) and evidence (佐证材料, 缺佐证).

Called only from ``Snapshot.status`` and ``Snapshot.status_grid`` (kpi.report.query), after explanations and
overrides, so every page, the CLI, the briefing and the exports see the same marks at a data version.

- A row is **corrected** when a correction in force changed a cell (indicator, period) inside the row's period:
  the latest one gives when, by whom and why.
- A row's **evidence** counts the files in force attached to a period inside the row's period; a milestone's, the
  files attached to the milestone for any period. A milestone whose status is done and that has no evidence needs
  evidence (缺佐证), like an unexplained shortfall needs an explanation (待说明).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kpi.periods import PeriodError, parse_period
from kpi.plan.models import Plan
from kpi.status import StatusRow


def label_span(label: str, plan: Plan | None = None) -> tuple[dt.date, dt.date] | None:
    """(start, end) of a period label, or of the plan whose id it is (the whole-plan period of the pages); None for
    anything else."""
    try:
        p = parse_period(label)
    except PeriodError:
        return (plan.span.start, plan.span.end) if plan is not None and label == plan.id else None
    return p.start, p.end


def _by_indicator(frame: pd.DataFrame | None, plan: Plan | None) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    if frame is None or frame.empty:
        return out
    for rec in frame.to_dict("records"):
        span = label_span(rec["period"], plan)
        if span is not None:
            out.setdefault(rec["indicator"], []).append({**rec, "_start": span[0], "_end": span[1]})
    return out


def mark(rows: list[StatusRow], window, corrections: pd.DataFrame | None,
         evidence: pd.DataFrame | None, plan: Plan | None = None) -> list[StatusRow]:
    """Set the correction and evidence fields of rows computed for ``window`` (of ``plan``)."""
    fixed, files = _by_indicator(corrections, plan), _by_indicator(evidence, plan)
    for row in rows:
        inside = [c for c in fixed.get(row.indicator, []) if window.start <= c["_start"] and c["_end"] <= window.end]
        if inside:
            last = max(inside, key=lambda c: c["batch_id"])
            row.corrected_at = str(last["created_at"])[:16]
            row.corrected_by, row.correction_reason = last["editor"], last["reason"]
            row.correction_batch = int(last["batch_id"])
        mine = files.get(row.indicator, [])
        if row.kind != "milestone":
            mine = [f for f in mine if window.start <= f["_start"] and f["_end"] <= window.end]
        row.evidence = len(mine)
        row.needs_evidence = row.kind == "milestone" and row.status == "done" and not mine
    return rows
