"""The Streamlit entry: the page context (the View and meeting mode), sign-in, navigation.

Every request runs this file first, so every page, a deep link included, gets
the same context, URL state and sign-in (with viewer accounts configured, a
sign-in before anything else). The menu is our own list of links that
carry the shared parameters explicitly: a page switch then keeps them even in
a session whose widget bindings have not reached the browser yet.
"""

from __future__ import annotations

import streamlit as st

from kpi.i18n import norm_lang, t
from ui import context, signin

st.set_page_config(page_title=f"{t('app.page_title', 'zh')} · {t('app.page_title', 'en')}",
                   page_icon=":material/monitoring:", layout="wide")

if not signin.gate(norm_lang(st.query_params.get("lang"))):
    st.stop()  # viewer accounts are configured and nobody is signed in: the sign-in form alone
menu = st.sidebar.container()
ctx = context.build()
lang = ctx.lang
editor = None if ctx.present else signin.sidebar(lang, ctx.plan)
pages = [
    st.Page("app_pages/overview.py", title=t("nav.overview", lang), icon=":material/dashboard:", default=True),
    st.Page("app_pages/area.py", title=t("nav.area", lang), icon=":material/category:", url_path="area"),
    st.Page("app_pages/indicator.py", title=t("nav.indicator", lang), icon=":material/insights:", url_path="indicator"),
    st.Page("app_pages/history.py", title=t("nav.history", lang), icon=":material/history:", url_path="history"),
    st.Page("app_pages/meeting.py", title=t("nav.meeting", lang), icon=":material/groups:", url_path="meeting"),
    st.Page("app_pages/upload.py", title=t("nav.upload", lang), icon=":material/upload:", url_path="upload"),
    st.Page("app_pages/due.py", title=t("nav.due", lang), icon=":material/checklist:", url_path="due"),
    st.Page("app_pages/targets.py", title=t("nav.targets", lang), icon=":material/flag:", url_path="targets"),
    st.Page("app_pages/new_plan.py", title=t("nav.new_plan", lang), icon=":material/note_add:", url_path="new-plan"),
]
EDITOR_PAGES, ADMIN_PAGES = ("upload", "due"), ("targets", "new-plan")
current = st.navigation(pages, position="hidden")
with menu:
    for page in pages:
        if (page.url_path in EDITOR_PAGES and editor is None) or \
                (page.url_path in ADMIN_PAGES and (editor is None or not editor.admin)):
            continue  # viewers see no write control, area editors no targets; the pages themselves refuse them too
        st.page_link(page, query_params=ctx.link_params(), disabled=page.url_path == current.url_path)
    st.divider()
context.run(current)
