"""Editor sign-in in the sidebar, and who is signed in. Viewers never see a write control.

One check (``kpi.auth.attempt``: counted before the password is checked, the
delay, the lockout, every try recorded in the store) and one kind of session
(``kpi.sessions``: recorded in the store, ended by sign-out, by removing the
editor or by changing the password), reached two ways:

- served by serve.py (``make run``): the sidebar form is a plain HTML form
  that posts to the server's own sign-in route (ui/routes.py), which sets an
  HttpOnly, signed, expiring cookie; a reload, a new tab or a link opened later
  stay signed in, and sign-out posts to the sign-out route;
- where those routes are not mounted (``streamlit run app.py``, AppTest), a
  Streamlit form signs in for this browser session only.

``editor()`` checks the session against the store and the editor list on every
call (with the editor's role and work areas as configured now); a write asks
``writer()`` at the moment of writing. Viewer accounts sign in the same way;
with any configured (``KPI_VIEWERS``), ``gate()`` shows only the sign-in form
until someone signs in, whatever page or pinned link was opened.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import time

import streamlit as st

from kpi import auth, sessions
from kpi.i18n import t
from kpi.store import Editor, StoreLocked
from ui import routes, state
from ui.safe import plain

SESSION_KEY = "_signin_session"  # the session id, when signed in without the routes (this browser session only)
LANG_KEY = "_signin_lang"  # the language of the sidebar, for a message from a write refused in a callback
FORM_CSS = """
<style>
form.kpi-auth { display: flex; flex-direction: column; gap: 0.3rem; }
form.kpi-auth label { font-size: 0.875rem; }
form.kpi-auth input { font: inherit; padding: 0.4rem 0.6rem; border: 1px solid rgba(49, 51, 63, 0.3);
                      border-radius: 0.5rem; }
form.kpi-auth button { font: inherit; margin-top: 0.4rem; padding: 0.3rem 0.8rem; align-self: flex-start;
                       border: 1px solid rgba(49, 51, 63, 0.3); border-radius: 0.5rem; background: white;
                       cursor: pointer; }
</style>
"""


def _session_id() -> str | None:
    if routes.MOUNTED:
        return sessions.session_id(st.context.cookies.get(sessions.COOKIE_NAME))
    return st.session_state.get(SESSION_KEY)


def editor() -> Editor | None:
    """The signed-in editor of this session, checked now against the store and the editor list; None for a viewer."""
    session_id = _session_id()
    return sessions.editor_for(state.get_store(), session_id) if session_id else None


def account() -> str | None:
    """The name signed in with this session (an editor or a viewer account), checked now; None when nobody is."""
    session_id = _session_id()
    return sessions.account_for(state.get_store(), session_id) if session_id else None


def gate(lang: str) -> bool:
    """Whether the dashboard may be shown: always without viewer accounts; with them, once someone has signed in.

    Otherwise the main area holds only the sign-in form (posting back to the page asked for, so a pinned link
    opens after sign-in) and nothing of the data.
    """
    if not auth.viewing_restricted():
        return True
    try:
        if account() is not None:
            return True
    except StoreLocked:  # a command holds the file past KPI_LOCK_WAIT: say so, retry by itself
        state.busy(lang)
    st.session_state[LANG_KEY] = lang
    st.title(t("role.sign_in_title", lang))
    st.info(t("role.gate", lang), icon=":material/lock:")
    notice = _notice(lang)
    if notice:
        st.error(notice)
    box = st.container(border=True)
    _sign_in_form(box, lang)
    return False


def writer() -> Editor | None:
    """The editor to record with a write, checked at this moment; None, saying so on the page, if it has ended."""
    who = editor()
    if who is None:
        st.error(t("auth.ended", st.session_state.get(LANG_KEY, "zh")), icon=":material/lock:")
    return who


def _sign_out() -> None:
    sessions.end(state.get_store(), st.session_state.pop(SESSION_KEY, None))


def _refusal(outcome: str, retry_at: float | None, lang: str) -> str:
    """The message for a refused try, saying when to try again for a lockout or the global limit."""
    if outcome in (auth.LOCKED, auth.BUSY) and retry_at:
        minutes = max(1, math.ceil((retry_at - time.time()) / 60))
        when = dt.datetime.fromtimestamp(retry_at).strftime("%H:%M")
        return t(f"auth.{outcome}", lang, time=when, minutes=minutes)
    return t("auth.failed", lang)


def _notice(lang: str) -> str | None:
    """The outcome of a sign-in the route refused (from the query), shown once."""
    outcome = st.query_params.get("signin")
    if outcome is None:
        return None
    retry = st.query_params.get("retry", "")
    for param in routes.NOTICE_PARAMS:
        st.query_params.pop(param, None)
    if outcome not in (auth.WRONG, auth.LOCKED, auth.BUSY):
        return None
    return _refusal(outcome, float(retry) if retry.isdigit() else None, lang)


def _form(action: str, button: str, fields: tuple[tuple[str, str, str, str], ...] = ()) -> str:
    """A plain HTML form posting to one of our routes; only fixed names and catalogue text, escaped."""
    inputs = "".join(
        f'<label for="kpi-{name}">{html.escape(label)}</label>'
        f'<input id="kpi-{name}" name="{name}" type="{kind}" autocomplete="{complete}" required>'
        for label, name, kind, complete in fields)
    return (f'{FORM_CSS}<form class="kpi-auth" method="post" action="{html.escape(routes.base_path() + action)}">'
            f'{inputs}<button type="submit">{html.escape(button)}</button></form>')


def _session_form(box, lang: str) -> None:
    """The Streamlit form: signs in for this browser session (no routes mounted)."""
    with box.form("sign_in", clear_on_submit=True, border=False):
        name = st.text_input(t("auth.name", lang), key="sign_in_name")
        password = st.text_input(t("auth.password", lang), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("auth.sign_in", lang))
    if not submitted:
        return
    store = state.get_store()
    result = auth.attempt(name, password, record=lambda r: store.record_signin(r.name, r.outcome))
    if result.ok:
        st.session_state[SESSION_KEY], _ = sessions.start(store, result.name)
        st.rerun()
    box.error(_refusal(result.outcome, result.retry_at, lang))


def sidebar(lang: str, plan=None) -> Editor | None:
    """The sign-in form (or who is signed in, with their role and areas, and sign-out)."""
    from kpi.roles import scope_text

    st.session_state[LANG_KEY] = lang
    notice = _notice(lang)
    try:
        who = editor()
        name = who.name if who else account()
    except StoreLocked:  # a command holds the file past KPI_LOCK_WAIT: say so, retry by itself
        state.busy(lang)
    box = st.sidebar.expander(t("auth.title", lang), expanded=bool(notice) or name is not None)
    if notice:
        box.error(notice)
    if name:
        box.write(plain(t("auth.signed_in", lang, name=name) if who else t("role.signed_in_viewer", lang, name=name)))
        if who is not None and plan is not None:
            box.caption(plain(scope_text(who, plan, lang)))
        if routes.MOUNTED:
            box.html(_form(routes.SIGNOUT_PATH, t("auth.sign_out", lang)))
        else:
            box.button(t("auth.sign_out", lang), on_click=_sign_out, key="sign_out")
        return who
    if not auth.editing_enabled():
        box.info(t("auth.off", lang))
        return None
    _sign_in_form(box, lang)
    return None


def _sign_in_form(box, lang: str) -> None:
    """The sign-in form: posted to the server's own route when it is mounted (a session cookie), else a
    session-only form (``streamlit run app.py``)."""
    if routes.MOUNTED:
        box.html(_form(routes.SIGNIN_PATH, t("auth.sign_in", lang),
                       ((t("auth.name", lang), "kpi_name", "text", "username"),
                        (t("auth.password", lang), "kpi_password", "password", "current-password"))))
    else:
        _session_form(box, lang)
