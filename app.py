"""The Streamlit entry: page config, the shared frame (language), navigation."""

from __future__ import annotations

import streamlit as st

from kpi.i18n import t

st.set_page_config(page_title="工作计划指标看板 · KPI dashboard", page_icon="📊", layout="wide")

# The option strings are what the URL carries (?lang=en), so they stay codes; the captions name them.
lang = st.sidebar.radio("语言 / Language", ["zh", "en"], key="lang", bind="query-params", horizontal=True,
                        captions=["中文", "English"])

pages = [st.Page("pages/overview.py", title=t("app.title", lang), icon="📊", default=True)]
st.navigation(pages).run()
