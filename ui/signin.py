"""Editor sign-in in the sidebar. Viewers never see a write control; every write checks the editor here."""

from __future__ import annotations

import streamlit as st

from kpi import auth
from kpi.i18n import t
from kpi.store import Editor
from ui.safe import plain

SESSION_KEY = "_editor"


def editor() -> Editor | None:
    """The signed-in editor of this session, or None for a viewer."""
    value = st.session_state.get(SESSION_KEY)
    return value if isinstance(value, Editor) else None


def _sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)


def sidebar(lang: str) -> Editor | None:
    """The sign-in form (or who is signed in, and sign-out)."""
    who = editor()
    box = st.sidebar.expander(t("auth.title", lang), expanded=False)
    if who:
        box.write(plain(t("auth.signed_in", lang, name=who.name)))
        box.button(t("auth.sign_out", lang), on_click=_sign_out, key="sign_out")
        return who
    if not auth.editing_enabled():
        box.info(t("auth.off", lang))
        return None
    with box.form("sign_in", clear_on_submit=True, border=False):
        name = st.text_input(t("auth.name", lang), key="sign_in_name")
        password = st.text_input(t("auth.password", lang), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("auth.sign_in", lang))
    if submitted:
        who = auth.sign_in(name, password)
        if who:
            st.session_state[SESSION_KEY] = who
            st.rerun()
        box.error(t("auth.failed", lang))
    return None
