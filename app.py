"""The Streamlit entry: the shared frame (language, plan, period, as-of, meeting mode), then navigation.

Every request runs this file first, so every page, a deep link included, gets
the same frame and URL state. The menu is our own list of links that carry
the shared parameters explicitly: a page switch then keeps them even in a
session whose widget bindings have not reached the browser yet.
"""

from __future__ import annotations

import streamlit as st

from kpi.i18n import t
from ui import frame as shared

st.set_page_config(page_title=f"{t('app.page_title', 'zh')} · {t('app.page_title', 'en')}",
                   page_icon=":material/monitoring:", layout="wide")

menu = st.sidebar.container()
frame = shared.build()
lang = frame.lang
pages = [
    st.Page("app_pages/overview.py", title=t("nav.overview", lang), icon=":material/dashboard:", default=True),
    st.Page("app_pages/area.py", title=t("nav.area", lang), icon=":material/category:", url_path="area"),
    st.Page("app_pages/indicator.py", title=t("nav.indicator", lang), icon=":material/insights:", url_path="indicator"),
]
current = st.navigation(pages, position="hidden")
with menu:
    for page in pages:
        st.page_link(page, query_params=frame.nav_params(), disabled=page.url_path == current.url_path)
    st.divider()
current.run()
