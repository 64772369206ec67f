"""Meetings on the pages: a meeting's pinned link, the form that records one, and the decisions' forms.

Editors only see the forms (``signin.editor()``), and every write asks ``signin.writer()`` at the moment of writing,
so a session that ended writes nothing; the store refuses a write without an editor as well.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kpi import writes
from kpi.i18n import t
from kpi.report import tables
from kpi.report.decisions import as_date
from kpi.roles import Refused
from kpi.store import MeetingError, StoreConflict
from kpi.store.meetings import MAX_NAME, MAX_TEXT
from ui import context, nav, signin, state
from ui.context import Context
from ui.safe import plain


def params(ctx: Context, m: dict, since: int | None = None) -> dict[str, str]:
    """The parameters of a meeting's view: its plan, period, as-of date and data version, in meeting mode."""
    out = {"lang": ctx.lang, "plan": m["plan_id"], "period": m["period"], "as_of": as_date(m["as_of"]).isoformat(),
           "data": str(int(m["data_version"])), "present": "1", "meeting": str(int(m["meeting"]))}
    if since is not None:
        out["since"] = str(int(since))
    return out


def url(ctx: Context, m: dict, since: int | None = None) -> str:
    """A meeting's pinned link: the meeting screen with its numbers, even after later uploads."""
    return context.url_for("", params(ctx, m, since))


DONE_KEY = "_meeting_done"  # what the last write did, said once after the rerun that shows it


def error(err: MeetingError, lang: str) -> None:
    st.error(t(err.key, lang, **err.params))


def _done(message: str, meeting: int | None = None) -> None:
    """Say what was written after a rerun, so every table on the page already shows it."""
    st.session_state[DONE_KEY] = (message, meeting)
    st.rerun()


def notice(ctx: Context) -> None:
    """The outcome of the last write on this page (once), with a link to a meeting just recorded."""
    done = st.session_state.pop(DONE_KEY, None)
    if done is None:
        return
    message, meeting = done
    st.success(plain(message))
    if meeting is not None:
        nav.link("app_pages/meeting.py", label=t("meeting.open_page_new", ctx.lang), icon=":material/groups:",
                 query_params={**ctx.link_params(), "meeting": str(meeting)})


def record_form(ctx: Context, key: str = "record") -> None:
    """Editors: record the view on screen (plan, period, as-of date, data version) as a meeting."""
    lang = ctx.lang
    if signin.editor() is None:
        return
    shown = st.session_state.get(f"{key}_version", ctx.version)  # the version the form showed when it was sent
    with st.expander(t("meeting.record", lang), expanded=False), st.form(key, clear_on_submit=True):
        st.caption(t("meeting.record_help", lang, period=tables.period_name(ctx.plan, ctx.period, lang),
                     as_of=ctx.as_of.isoformat(), version=ctx.version))
        name = st.text_input(t("meeting.name", lang), max_chars=MAX_NAME, key=f"{key}_name")
        held = st.date_input(t("meeting.held_on", lang), value=dt.date.today(), key=f"{key}_held",
                             format="YYYY-MM-DD")
        sent = st.form_submit_button(t("meeting.save", lang))
    st.session_state[f"{key}_version"] = ctx.version
    if not sent or (writer := signin.writer()) is None:
        return
    try:
        batch = state.get_store().record_meeting(name, held, ctx.plan.id, ctx.period, ctx.as_of, shown, writer)
    except MeetingError as err:
        error(err, lang)
        return
    if not ctx.present:
        st.query_params["meeting"] = str(batch)  # the meeting page shows the meeting just recorded
        st.query_params.pop("since", None)
    _done(t("meeting.saved", lang, name=" ".join(name.split()), batch=batch), batch)


def decision_forms(ctx: Context, m: dict, open_ones: list) -> None:
    """Editors: write down a decision of meeting ``m``; close an open one with a note; take a batch back."""
    lang, plan = ctx.lang, ctx.plan
    if signin.editor() is None:
        return
    areas = [a.code for a in plan.areas]
    names = {a.code: a.name.get(lang) for a in plan.areas}
    codes = [i.code for i in plan.indicators()]
    with st.form("decide", clear_on_submit=True):
        st.markdown(f"**{t('decisions.add', lang)}**")
        what = st.text_area(t("decisions.col_what", lang), max_chars=MAX_TEXT, key="decide_what")
        left, middle = st.columns(2)
        area = left.selectbox(t("decisions.col_area", lang), areas, format_func=lambda c: f"{c} {names[c]}",
                              key="decide_area")
        due = middle.date_input(t("decisions.col_due", lang), value=None, key="decide_due", format="YYYY-MM-DD")
        linked = st.multiselect(t("decisions.col_indicators", lang), codes, key="decide_indicators",
                                format_func=lambda c: f"{c} {plan.indicator(c).name.get(lang)}")
        sent = st.form_submit_button(t("decisions.save", lang))
    if sent and (writer := signin.writer()) is not None:
        try:
            batch = state.get_store().record_decisions(
                int(m["meeting"]), [{"what": what, "area": area, "due": due, "indicators": linked}], writer)
        except MeetingError as err:
            error(err, lang)
        else:
            _done(t("decisions.saved", lang, batch=batch))
    if not open_ones:
        return
    labels = {d.decision: f"{d.decision}. {d.what}" for d in open_ones}
    with st.form("close", clear_on_submit=True):
        st.markdown(f"**{t('decisions.close', lang)}**")
        chosen = st.selectbox(t("decisions.col_what", lang), list(labels), format_func=lambda d: labels[d],
                              key="close_which")
        note = st.text_area(t("decisions.col_note", lang), max_chars=MAX_TEXT, key="close_note")
        closed_on = st.date_input(t("decisions.closed_on", lang), value=dt.date.today(), key="close_on",
                                  format="YYYY-MM-DD")
        sent = st.form_submit_button(t("decisions.close_save", lang))
    if sent and (writer := signin.writer()) is not None:
        try:
            batch = state.get_store().close_decision(chosen, note, closed_on, writer)
        except MeetingError as err:
            error(err, lang)
        except StoreConflict:
            st.error(t("decisions.stale", lang))
        else:
            _done(t("decisions.closed", lang, batch=batch))


def revert_control(ctx: Context, decided: tuple) -> None:
    """Editors: take back a batch of decisions or a closing (a revert, recorded like any other)."""
    lang = ctx.lang
    if signin.editor() is None or not decided:
        return
    batches = sorted({d.batch_id for d in decided} | {d.close_batch for d in decided if d.close_batch}, reverse=True)
    kinds = {d.batch_id: "decisions.revert_decision" for d in decided} | \
        {d.close_batch: "decisions.revert_closure" for d in decided if d.close_batch}
    with st.form("take_back"):
        st.markdown(f"**{t('decisions.revert', lang)}**")
        chosen = st.selectbox(t("col.batch", lang), batches, key="take_back_batch",
                              format_func=lambda b: t(kinds[b], lang, batch=b))
        sent = st.form_submit_button(t("decisions.revert_save", lang))
    if sent and (writer := signin.writer()) is not None:
        try:  # through kpi.writes: taking back a meeting's batch is an admin's (an area editor is refused)
            record = writes.revert(state.get_store(), writer, chosen)
        except Refused as exc:
            st.error(plain(t("role.refused", lang) + "\n\n" + exc.message(lang)))
        except StoreConflict:
            st.error(t("decisions.stale", lang))
        else:
            _done(t("history.reverted", lang, batch=chosen, record=record))
