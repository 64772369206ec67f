"""Cached store and cached results, keyed on the store's data version."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from kpi import views
from kpi.service import ensure_ready, pick_plan
from kpi.settings import get_settings
from kpi.store import Store


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    store = Store.open(Path(path))
    ensure_ready(store)
    return store


def get_store() -> Store:
    """One store per process and database file, shared by every session."""
    return _store(str(get_settings().db))


@st.cache_data(show_spinner=False, max_entries=256)
def overview(db: str, version: int, plan_id: str | None, period: str | None, as_of: dt.date,
             lang: str) -> tuple[pd.DataFrame, bool]:
    """(display table, has sample data) for one view; recomputed only when the data version changes."""
    store = _store(db)
    plan = pick_plan(store, plan_id, version)
    rows = views.plan_status(store, plan, period, as_of, version)
    return views.overview_table(plan, rows, lang), store.has_sample(version)
