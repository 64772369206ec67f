"""Cached store and cached results, keyed on the store's data version.

The store is a cached resource (one per process and database). In embedded mode it holds the DuckDB file only
while it works (``Store.open(..., hold=False)``), so the command line runs beside the dashboard; in server mode it
is a pool of PostgreSQL connections. Every result is cached by (database, data version, view), so an upload shows
at once and nothing is recomputed otherwise — and while another process writes to the file, the pages keep showing
the numbers cached for the version read last (``Store.peek_version``), and ``retry_when_free`` reruns the page when
the file is free again.
"""

from __future__ import annotations

import functools
import logging

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st

from kpi import ingest
from kpi.i18n import norm_lang, t
from kpi.plan.models import Plan
from kpi.report import briefing, changes, charts, export, ledger, query, screen, tables
from kpi.report import decisions as decided
from kpi.report import meeting as meetings
from kpi.report.query import View
from kpi.settings import get_settings
from kpi.setup import ensure_ready, pick_plan
from kpi.status import StatusRow
from kpi.store import REVERTIBLE, Editor, Store, StoreError, StoreLocked

CACHE_ENTRIES = 512  # views × languages × data versions kept per process
RETRY_SECONDS = 3  # while another process holds the store, a page checks this often whether it is free again
_log = logging.getLogger("kpi.store")


@st.cache_resource(show_spinner=False, on_release=lambda store: store.close())
def _store(location: str) -> Store:
    store = Store.open(location, hold=False)  # embedded mode: the file is let go when idle
    ensure_ready(store)
    return store


def get_store() -> Store:
    """One store per process and database, shared by every session.

    While another process holds the file (a command-line import) for longer than KPI_LOCK_WAIT, the page says so,
    shows no trace and tries again by itself; nothing is cached, so the next run after that process ends opens the
    store. A server that cannot be reached is a message too.
    """
    lang = norm_lang(st.query_params.get("lang"))
    try:
        return _store(str(get_settings().db))
    except StoreLocked:
        busy(lang, opened=False)
    except StoreError:
        _log.exception("cannot open the store")
        st.error(t("app.store_error", lang))
        st.stop()


def writes(callback):
    """A widget callback that writes: while another process holds the store past KPI_LOCK_WAIT, nothing is written
    and the rerun says so (a callback's exception would otherwise end the run)."""

    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except StoreLocked:
            st.session_state["_write_busy"] = True

    return run


def write_was_busy() -> bool:
    """True once after a write that found the store busy."""
    return bool(st.session_state.pop("_write_busy", False))


def latest_version(store: Store) -> tuple[int, bool]:
    """(the newest data version, busy): while another process writes, the version read last and busy=True."""
    return store.peek_version()


def busy(lang: str, opened: bool = True) -> None:
    """The store is held by another process and this run needs it: say so, retry by itself, stop the run."""
    st.error(t("app.locked", lang))
    retry_when_free(str(get_settings().db), opened)
    st.stop()


@st.fragment(run_every=RETRY_SECONDS)
def retry_when_free(db: str, opened: bool = True) -> None:
    """Every few seconds: once the store is free again, rerun the whole page (it renders nothing itself).

    ``opened``: the store object exists and can be asked without waiting; else each check reruns the page, which
    opens it (the first, inline run only arms the check)."""
    if not opened:
        if st.session_state.pop("_retry_armed", False):
            st.rerun(scope="app")
        st.session_state["_retry_armed"] = True
        return
    if _store(db).available():
        st.rerun(scope="app")


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def plan_ids(db: str, version: int) -> list[str]:
    """The plans that existed at this data version."""
    return _store(db).plan_ids(version)


@st.cache_resource(show_spinner=False, max_entries=CACHE_ENTRIES)
def plan_at(db: str, version: int, plan_id: str | None) -> Plan:
    """The plan revision in force at this data version (an immutable model, shared)."""
    return pick_plan(_store(db), plan_id, version)


@st.cache_resource(show_spinner=False, max_entries=CACHE_ENTRIES)  # shared and never changed: no pickling
def snapshot(db: str, plan_id: str, version: int) -> query.Snapshot:
    """What the store held for one plan at one data version: values, explanations, overrides."""
    return query.snapshot(_store(db), plan_id, version)


def _snap(db: str, view: View) -> query.Snapshot:
    return snapshot(db, view.plan_id, view.version)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def status_rows(db: str, view: View) -> list[StatusRow]:
    """The status of the view: the one function every page, the pack and the exports read it from."""
    return _snap(db, view).status(view.period, view.as_of)


@st.cache_resource(show_spinner=False, max_entries=CACHE_ENTRIES)  # shared and never changed: no pickling
def matrix(db: str, view: View) -> pa.Table:
    """The status matrix as the Arrow table ``st.dataframe`` sends (its index, the indicators, kept as pandas
    metadata): made once per view and data version, not converted again on every run."""
    return pa.Table.from_pandas(tables.status_matrix(_snap(db, view), view.as_of, view.lang))


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def breakdown_rows(db: str, view: View) -> dict[str, list[StatusRow]]:
    """Per indicator, its status in each part of the chosen period (quarters of the plan, months of a quarter)."""
    snap = _snap(db, view)
    out: dict[str, list[StatusRow]] = {}
    for r in snap.status_grid(tables.breakdown(snap.plan, view.period), view.as_of):
        out.setdefault(r.indicator, []).append(r)
    return out


@st.cache_resource(show_spinner=False, max_entries=CACHE_ENTRIES)  # figures are shared, never changed: no pickling
def figures(db: str, view: View, code: str) -> tuple[go.Figure, go.Figure]:
    """(bars for the parts of the chosen period, cumulative against pace with the period shaded)."""
    snap = _snap(db, view)
    item = snap.plan.indicator(code)
    bars = charts.period_bars(item, breakdown_rows(db, view)[code], view.lang)
    cumulative = charts.cumulative(snap.plan, item, snap.observations, view.as_of, view.lang,
                                   highlight=tables.breakdown_window(snap.plan, view.period))
    return bars, cumulative


@st.cache_resource(show_spinner=False, max_entries=CACHE_ENTRIES)
def milestone_figure(db: str, view: View, area: str) -> go.Figure | None:
    plan = _snap(db, view).plan
    items = [i for i in plan.area(area).items if i.kind == "milestone"]
    if not items:
        return None
    rows = {r.indicator: r for r in status_rows(db, view)}
    return charts.milestone_timeline(plan, items, rows, view.as_of, view.lang)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def indicator_table(db: str, view: View, code: str) -> pd.DataFrame:
    snap = _snap(db, view)
    return tables.indicator_periods(snap, snap.plan.indicator(code), view.as_of, view.lang)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def provenance(db: str, view: View, code: str) -> pd.DataFrame:
    return tables.provenance(_store(db), code, view.lang, view.version)


# --- uploads and history -------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def template_periods(db: str, version: int, plan_id: str) -> list[str]:
    """Months and quarters of the plan, the latest that has begun first."""
    return ledger.template_periods(plan_at(db, version, plan_id))


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def template_bytes(db: str, version: int, plan_id: str, period: str, kind: str,
                   areas: tuple[str, ...] | None = None) -> bytes:
    """The upload template of a period; for an area editor, only the indicators of their areas."""
    frame = export.template_frame(plan_at(db, version, plan_id), period, areas)
    if kind == "csv":
        return export.to_csv_bytes(frame)
    return export.to_xlsx_bytes(frame, sheet=export.TEMPLATE_SHEET, notes=export.TEMPLATE_NOTES)


@st.cache_data(show_spinner=False, max_entries=32)
def _prepare(db: str, version: int, data: bytes, name: str, editor: Editor | None,
             correction: str | None) -> tuple[ingest.Prepared, changes.Changes]:
    store = _store(db)
    prepared = ingest.prepare(store, data, name, editor=editor, correction=correction)
    preview = changes.preview(store, prepared.rows, prepared.blanks) if prepared.ok else changes.Changes(
        pd.DataFrame(), prepared.blanks)
    return prepared, preview


def prepare_upload(db: str, data: bytes, name: str, editor: Editor | None = None,
                   correction: str | None = None) -> tuple[ingest.Prepared, changes.Changes, int]:
    """Read, check and preview an upload against the newest data (never a pinned version), for this editor's areas
    and the periods closed now (an admin's ``correction`` reason lets closed periods be changed).

    Returns the data version the preview was made against: Confirm commits only if it is still the newest.
    """
    version = _store(db).data_version()
    return *_prepare(db, version, data, name, editor, correction or None), version


def problems_table(problems: list, lang: str) -> pd.DataFrame:
    """Every problem of a rejected file or grid: row, column, value and what to do."""
    return ledger.problems_table(problems, lang)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def due_lines(db: str, view: View, within: int, areas: tuple[str, ...] | None, admin: bool) -> list:
    """The Due list (待办) of a view's data version as of its date, for an editor's areas (all for an admin)."""
    from kpi.report import due

    return due.due_lines(_snap(db, view), view.as_of, within, areas, admin, view.lang)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def evidence_files(db: str, view: View, code: str) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """The evidence of one indicator in the view (names and hashes) and (file name, sha256) of each file."""
    from kpi.report.supervision import evidence_table

    snap = _snap(db, view)
    table = evidence_table(snap.evidence, snap.plan, view.period, view.lang, [code])
    files = list(zip(table.iloc[:, 2], table.iloc[:, 4], strict=True)) if not table.empty else []
    return table, files


def evidence_bytes(db: str, sha256: str) -> bytes:
    """The bytes of an evidence file, read when its download is clicked (never cached: files can be large)."""
    return _store(db).evidence_bytes(sha256) or b""


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def evidence_history(db: str, version: int, code: str, lang: str) -> pd.DataFrame:
    """Every file ever attached to the indicator, reverted ones too, with whether it is in force."""
    from kpi.report.supervision import evidence_history as history

    return history(_store(db).evidence([code], version, in_force_only=False), lang)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def closed_periods(db: str, version: int) -> pd.DataFrame:
    """The periods closed at a data version, with who closed them, when and why."""
    return _store(db).closed_periods(version)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def same_file_batches(db: str, version: int, sha256: str) -> list[int]:
    return _store(db).find_by_sha(sha256)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def history_table(db: str, version: int, lang: str) -> pd.DataFrame:
    store = _store(db)
    return ledger.history_table(store.batches(), lang, store.correction_reasons())


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def data_batches(db: str, version: int) -> list[dict]:
    frame = _store(db).batches()
    return frame[frame["kind"].isin(REVERTIBLE)].to_dict("records")


def batch_label(db: str, version: int, batch_id: int, lang: str) -> str:
    info = next(b for b in data_batches(db, version) if b["batch_id"] == batch_id)
    return ledger.batch_label(info, lang)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def batch_diff(db: str, version: int, batch_id: int) -> changes.Changes:
    return changes.batch_diff(_store(db), batch_id)


@st.cache_resource(show_spinner=False, max_entries=CACHE_ENTRIES)
def year_over_year(db: str, view: View, code: str) -> tuple[pd.DataFrame, go.Figure | None]:
    """The same period in every plan that has the code: a table and a chart (None with a single plan)."""
    snap = _snap(db, view)
    table, rows = tables.year_over_year(_store(db), snap, code, view.period, view.as_of, view.lang)
    item = snap.plan.indicator(code)
    if not rows or item.kind == "milestone":
        return table, None
    return table, charts.period_bars(item, rows, view.lang,
                                     title=tables.comparison_titles(snap.plan, view.period, view.lang)[2])


@st.cache_data(show_spinner=False, max_entries=64)
def pack(db: str, view: View, link: str, latest: int = 0, meeting: int | None = None,
         since: int | None = None, present: bool = False) -> briefing.Pack:
    """Everything the meeting pack needs, for one view at its data version; in meeting mode with what changed
    since the last meeting and the decisions (as they stand at ``latest``)."""
    facts = meeting_facts(db, view, latest, meeting, since) if present else None
    return briefing.build_pack(_snap(db, view), view, link, facts)


@st.cache_data(show_spinner=False, max_entries=64)
def report_text(db: str, view: View, link: str, latest: int = 0, meeting: int | None = None,
                since: int | None = None, present: bool = False) -> str:
    return pack(db, view, link, latest, meeting, since, present).report_text()


# --- meetings -----------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def meeting_facts(db: str, view: View, latest: int, meeting: int | None, since: int | None) -> meetings.Facts:
    """The meeting a view is, what changed since the earlier meeting, the decisions (``latest``: the newest data
    version, which the meeting's own decisions are read at)."""
    return meetings.facts(_store(db), view, status_rows(db, view), meeting, since)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def meeting_list(db: str, latest: int, plan_id: str | None = None) -> pd.DataFrame:
    """The meetings recorded (of a plan), the latest held first."""
    return _store(db).meetings(plan_id)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def decisions(db: str, version: int, meeting: int | None = None,
              area: str | None = None) -> tuple[decided.Decision, ...]:
    """The decisions (of a meeting, of an office) as they stood at a data version."""
    return decided.decisions_of(_store(db).decisions(meeting, area, version))


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def open_decisions(db: str, version: int, area: str) -> list[decided.Decision]:
    """The decisions of an office not closed at this data version, the earliest due first."""
    return decided.open_decisions(_store(db), area, version)


@st.cache_resource(show_spinner=False, max_entries=CACHE_ENTRIES)
def projected_figure(db: str, view: View, code: str) -> go.Figure:
    """An indicator's cumulative chart against pace, with text sized for a projector."""
    return screen.projected(figures(db, view, code)[1])


@st.cache_resource(show_spinner=False, max_entries=CACHE_ENTRIES)
def area_chart(db: str, view: View) -> go.Figure:
    return charts.area_status_bars(_snap(db, view).plan, status_rows(db, view), view.lang)
