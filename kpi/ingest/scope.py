"""Who may write the rows of a checked upload: the editor's work areas, and the periods closed in the store.

``pipeline.prepare`` calls ``check`` once the file is read and checked (a preview names every refused row);
``pipeline.commit`` calls ``check`` again at the moment of writing, with the editor as configured then and the
periods closed then, and writes nothing when it finds a problem (``Refused``). A row is refused when

- its indicator belongs to an area outside an area editor's areas (``role.row_outside``);
- its period lies inside a closed period (``close.row_closed``), unless an admin corrects the closed period with a
  reason: then the batch is a correction (更正), recorded with the reason for each closed (indicator, period).
"""

from __future__ import annotations

import pandas as pd

from kpi.periods import PeriodError, parse_period
from kpi.problems import Problem
from kpi.roles import Refused, outside_rows, require_admin
from kpi.store import Editor, Store


def _frame(rows) -> pd.DataFrame:
    return rows if isinstance(rows, pd.DataFrame) else rows.to_pandas()


def _span(label: str):
    """(start, end) of a period label; None for another label (a plan's id: a whole-plan note, never inside a
    closed period)."""
    try:
        p = parse_period(label)
    except PeriodError:
        return None
    return p.start, p.end


def closed_cells(closed: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows whose period lies inside a closed period, with the close batch (close_batch) and its period."""
    if closed.empty or rows.empty:
        return rows.iloc[0:0].assign(close_batch=pd.Series(dtype="int64"), closed_period=pd.Series(dtype=str))
    spans = {p: span for p in rows["period"].unique() if (span := _span(p)) is not None}
    found = []
    for rec in closed.sort_values("batch_id").to_dict("records"):
        inside = [p for p, (start, end) in spans.items() if rec["period_start"] <= start and end <= rec["period_end"]]
        if inside:
            hit = rows[rows["period"].isin(inside)]
            found.append(hit.assign(close_batch=int(rec["batch_id"]), closed_period=rec["period"]))
    if not found:
        return rows.iloc[0:0].assign(close_batch=pd.Series(dtype="int64"), closed_period=pd.Series(dtype=str))
    hits = pd.concat(found)
    return hits[~hits.index.duplicated(keep="last")].sort_values("row_no", kind="stable")


def check(store: Store, rows, editor: Editor | None, correction: str | None = None) -> list[Problem]:
    """Every problem of role, scope and closed periods with these rows (OBS_COLUMNS); none: they may be written.

    ``editor`` None (a file checked before anyone writes it) skips the areas; closed periods always count.
    """
    if rows is None or len(rows) == 0:
        return []
    closed = store.closed_periods()
    if closed.empty and (editor is None or editor.admin):
        return []  # nothing to check: the rows stay as they are (Arrow from the fast path is not converted)
    frame = _frame(rows)
    problems = outside_rows(frame, editor)
    hits = closed_cells(closed, frame)
    if hits.empty:
        return problems
    if correction and correction.strip():
        try:
            if editor is not None:
                require_admin(editor, "role.what_correct")
        except Refused as exc:
            problems += exc.problems
        return problems
    info = closed.set_index("batch_id")
    for r in hits.itertuples(index=False):
        close = info.loc[r.close_batch]
        problems.append(Problem(int(r.row_no), None, str(r.indicator), "close.row_closed",
                                {"code": r.indicator, "period": r.period, "closed": r.closed_period,
                                 "when": str(close["created_at"])[:10], "by": close["editor"]}))
    return sorted(problems, key=lambda p: (p.row or 0, p.key))


def corrections(store: Store, rows, reason: str | None) -> list[tuple[str, str, int]]:
    """(indicator, period, close batch) of each row a correction changes in a closed period."""
    if not reason or rows is None or len(rows) == 0:
        return []
    closed = store.closed_periods()
    if closed.empty:
        return []
    hits = closed_cells(closed, _frame(rows))
    return [(r.indicator, r.period, int(r.close_batch)) for r in hits.drop_duplicates(["indicator", "period"])
            .itertuples(index=False)]


def require(store: Store, rows, editor: Editor, correction: str | None = None) -> None:
    """At the moment of writing: refuse (``Refused``, every problem) unless these rows may be written."""
    if not isinstance(editor, Editor) or not editor.name.strip():
        raise PermissionError("writing needs a signed-in editor")
    problems = check(store, rows, editor, correction)
    if problems:
        raise Refused(problems)
