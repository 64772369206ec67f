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
from ui import context, nav, signin

st.set_page_config(page_title=f"{t('app.page_title', 'zh')} · {t('app.page_title', 'en')}",
                   page_icon=":material/monitoring:", layout="wide")

if not signin.gate(norm_lang(st.query_params.get("lang"))):
    st.stop()  # viewer accounts are configured and nobody is signed in: the sign-in form alone
menu = st.sidebar.container()
ctx = context.build()
lang = ctx.lang
editor = None if ctx.present else signin.sidebar(lang, ctx.plan)
pages = nav.pages(lang)
current = st.navigation(pages, position="hidden")
with menu:
    for page in pages:
        if (page.url_path in nav.EDITOR_PAGES and editor is None) or \
                (page.url_path in nav.ADMIN_PAGES and (editor is None or not editor.admin)):
            continue  # viewers see no write control, area editors no targets; the pages themselves refuse them too
        st.page_link(page, query_params=ctx.link_params(), disabled=page.url_path == current.url_path)
    st.divider()
context.run(current)
