"""Overview: every work area's indicators with target, actual, progress and status."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kpi.i18n import t
from kpi.service import pick_plan
from ui.state import get_store, overview

lang = st.session_state.get("lang", "zh")
store = get_store()
plan = pick_plan(store)
as_of = min(dt.date.today(), plan.span.end)

st.title(plan.title.get(lang))
table, sample = overview(str(store.path), store.data_version(), plan.id, None, as_of, lang)
if sample:
    st.warning(t("app.sample_banner", lang), icon=":material/science:")
st.caption(f"{t('app.period', lang)}: {plan.id} · {t('app.as_of', lang)}: {as_of.isoformat()}")
st.dataframe(table, hide_index=True, width="stretch", height=min(38 * (len(table) + 1), 1800))
