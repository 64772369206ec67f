"""Cached store and cached results, keyed on the store's data version.

The connection is a cached resource (one per process and file); every result
is cached by (database, data version, view), so an upload shows at once and
nothing is recomputed otherwise.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kpi import ingest
from kpi.i18n import norm_lang, t
from kpi.report import changes, charts, export, ledger, tables
from kpi.settings import get_settings
from kpi.setup import ensure_ready, pick_plan
from kpi.status import StatusRow, evaluate, evaluate_matrix
from kpi.store import REVERTIBLE, Store, StoreLocked

CACHE_ENTRIES = 512  # views × languages × data versions kept per process


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    store = Store.open(Path(path))
    ensure_ready(store)
    return store


def get_store() -> Store:
    """One store per process and database file, shared by every session.

    While another process holds the file (a command-line import), the page says so and stops; nothing is cached,
    so the next rerun after that process ends opens the store.
    """
    try:
        return _store(str(get_settings().db))
    except StoreLocked:
        st.error(t("app.locked", norm_lang(st.query_params.get("lang"))))
        st.stop()


@st.cache_resource(show_spinner=False, max_entries=CACHE_ENTRIES)
def _plan(db: str, version: int, plan_id: str | None):
    """The plan revision in force at this data version (an immutable model, shared)."""
    return pick_plan(_store(db), plan_id, version)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def observations(db: str, version: int, plan_id: str) -> pd.DataFrame:
    return tables.observations(_store(db), _plan(db, version, plan_id), version)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def annotations(db: str, version: int, plan_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(explanations, overrides) in force at this data version."""
    return tables.annotations(_store(db), _plan(db, version, plan_id), version)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def status_rows(db: str, version: int, plan_id: str, period: str, as_of: dt.date) -> list[StatusRow]:
    plan = _plan(db, version, plan_id)
    notes, overrides = annotations(db, version, plan_id)
    return evaluate(plan, observations(db, version, plan_id), period, as_of, notes=notes, overrides=overrides)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def matrix(db: str, version: int, plan_id: str, as_of: dt.date, lang: str):
    plan = _plan(db, version, plan_id)
    notes, overrides = annotations(db, version, plan_id)
    return tables.status_matrix(plan, observations(db, version, plan_id), as_of, lang, notes=notes,
                               overrides=overrides)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def breakdown_rows(db: str, version: int, plan_id: str, period: str, as_of: dt.date) -> dict[str, list[StatusRow]]:
    """Per indicator, its status in each part of the chosen period (quarters of the plan, months of a quarter)."""
    plan = _plan(db, version, plan_id)
    parts = tables.breakdown(plan, period)
    out: dict[str, list[StatusRow]] = {}
    notes, overrides = annotations(db, version, plan_id)
    for r in evaluate_matrix(plan, observations(db, version, plan_id), "", as_of, periods=parts, notes=notes,
                             overrides=overrides):
        out.setdefault(r.indicator, []).append(r)
    return out


@st.cache_resource(show_spinner=False, max_entries=CACHE_ENTRIES)  # figures are shared, never changed: no pickling
def figures(db: str, version: int, plan_id: str, code: str, period: str, as_of: dt.date,
            lang: str) -> tuple[go.Figure, go.Figure]:
    """(bars for the parts of the chosen period, cumulative against pace with the period shaded)."""
    plan = _plan(db, version, plan_id)
    item = plan.indicator(code)
    bars = charts.period_bars(plan, item, breakdown_rows(db, version, plan_id, period, as_of)[code], lang)
    cumulative = charts.cumulative(plan, item, observations(db, version, plan_id), as_of, lang,
                                   highlight=tables.breakdown_window(plan, period))
    return bars, cumulative


@st.cache_resource(show_spinner=False, max_entries=CACHE_ENTRIES)
def milestone_figure(db: str, version: int, plan_id: str, area: str, period: str, as_of: dt.date,
                     lang: str) -> go.Figure | None:
    plan = _plan(db, version, plan_id)
    items = [i for i in plan.area(area).items if i.kind == "milestone"]
    if not items:
        return None
    rows = {r.indicator: r for r in status_rows(db, version, plan_id, period, as_of)}
    return charts.milestone_timeline(plan, items, rows, as_of, lang)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def indicator_table(db: str, version: int, plan_id: str, code: str, as_of: dt.date, lang: str) -> pd.DataFrame:
    plan = _plan(db, version, plan_id)
    notes, overrides = annotations(db, version, plan_id)
    return tables.indicator_periods(plan, plan.indicator(code), observations(db, version, plan_id), as_of, lang,
                                   notes=notes, overrides=overrides)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def provenance(db: str, version: int, code: str, lang: str) -> pd.DataFrame:
    return tables.provenance(_store(db), code, lang, version)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def has_sample(db: str, version: int) -> bool:
    return _store(db).has_sample(version)


# --- uploads and history -------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def template_periods(db: str, version: int, plan_id: str) -> list[str]:
    """Months and quarters of the plan, the latest that has begun first."""
    return ledger.template_periods(_plan(db, version, plan_id))


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def template_bytes(db: str, version: int, plan_id: str, period: str, kind: str) -> bytes:
    frame = export.template_frame(_plan(db, version, plan_id), period)
    if kind == "csv":
        return export.to_csv_bytes(frame)
    return export.to_xlsx_bytes(frame, sheet=export.TEMPLATE_SHEET, notes=export.TEMPLATE_NOTES)


@st.cache_data(show_spinner=False, max_entries=32)
def _prepare(db: str, version: int, data: bytes, name: str) -> tuple[ingest.Prepared, changes.Changes]:
    store = _store(db)
    prepared = ingest.prepare(store, data, name)
    preview = changes.preview(store, prepared.rows, prepared.blanks) if prepared.ok else changes.Changes(
        pd.DataFrame(), prepared.blanks)
    return prepared, preview


def prepare_upload(db: str, data: bytes, name: str) -> tuple[ingest.Prepared, changes.Changes]:
    """Read, check and preview an upload against the newest data (never a pinned version)."""
    return _prepare(db, _store(db).data_version(), data, name)


def problems_table(prepared: ingest.Prepared, lang: str) -> pd.DataFrame:
    return ledger.problems_table(prepared.problems, lang)


def problems_table_of(problems: list, lang: str) -> pd.DataFrame:
    return ledger.problems_table(problems, lang)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def same_file_batches(db: str, version: int, sha256: str) -> list[int]:
    return _store(db).find_by_sha(sha256)


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def history_table(db: str, version: int, lang: str) -> pd.DataFrame:
    return ledger.history_table(_store(db).batches(), lang)


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
def year_over_year(db: str, version: int, plan_id: str, code: str, period: str, as_of: dt.date,
                   lang: str) -> tuple[pd.DataFrame, go.Figure | None]:
    """The same period in every plan that has the code: a table and a chart (None with a single plan)."""
    plan = _plan(db, version, plan_id)
    table, rows = tables.year_over_year(_store(db), plan, code, period, as_of, version, lang)
    if not rows or plan.indicator(code).kind == "milestone":
        return table, None
    figure = charts.period_bars(plan, plan.indicator(code), rows, lang, title=t("yoy.chart", lang))
    return table, figure


@st.cache_data(show_spinner=False, max_entries=64)
def pack(db: str, version: int, plan_id: str, period: str, as_of: dt.date, lang: str, link: str):
    """Everything the meeting pack needs, for one view at one data version."""
    from kpi.report import briefing

    return briefing.Pack(_plan(db, version, plan_id), period, as_of, version,
                         status_rows(db, version, plan_id, period, as_of), observations(db, version, plan_id), link,
                         lang, has_sample(db, version))


@st.cache_data(show_spinner=False, max_entries=64)
def report_text(db: str, version: int, plan_id: str, period: str, as_of: dt.date, lang: str, link: str) -> str:
    from kpi.report import summary

    p = pack(db, version, plan_id, period, as_of, lang, link)
    return summary.report_text(*p.summary(), lang)


@st.cache_resource(show_spinner=False, max_entries=CACHE_ENTRIES)
def area_chart(db: str, version: int, plan_id: str, period: str, as_of: dt.date, lang: str) -> go.Figure:
    return charts.area_status_bars(_plan(db, version, plan_id), status_rows(db, version, plan_id, period, as_of), lang)
