"""Due (待办, editors and admins): what their areas have to act on, each line linking to where it is resolved; the
same list as a CSV and a calendar file; admins close and reopen periods here."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kpi import writes
from kpi.i18n import t
from kpi.periods import PeriodError, parse_period
from kpi.report import due, tables
from kpi.report.export import to_csv_bytes
from kpi.roles import Refused, scope_text
from kpi.settings import get_settings
from ui import context, nav, signin, state
from ui.safe import plain


def parse_period_or_none(label: str):
    """The period of a label, None for the whole plan's label when it is not a period (a plan id)."""
    try:
        return parse_period(label)
    except PeriodError:
        return None


PAGES = {"upload": "app_pages/upload.py", "indicator": "app_pages/indicator.py", "due": "app_pages/due.py"}

ctx = context.current()
lang, plan = ctx.lang, ctx.plan
context.header(ctx, t("due.title", lang))
who = signin.editor()
if who is None:
    st.info(t("due.editors_only", lang))
    context.footer(ctx, "due")
    st.stop()

within = int(st.number_input(t("due.within", lang), min_value=0, max_value=366,
                             value=get_settings().due_within_days, step=1, key="due_within"))
st.caption(t("due.help", lang, as_of=ctx.as_of.isoformat(), within=within,
             close=t("due.help_close", lang) if who.admin else ""))
st.caption(plain(t("due.scope", lang, scope=scope_text(who, plan, lang))))
lines = state.due_lines(ctx.db, ctx.view, within, who.areas, who.admin)
if not lines:
    st.info(t("due.none", lang))
for line in lines:
    nav.link(PAGES[line.page], label=plain(f"{line.deadline.isoformat()} · {line.text}"),
             icon=":material/error:" if line.overdue else ":material/schedule:",
             query_params=ctx.link_params(**line.params))

base = context.page_url(ctx, "").split("?", 1)[0].rstrip("/")
left, right = st.columns(2)
left.download_button(t("due.csv", lang), lambda: to_csv_bytes(due.to_frame(lines, base, lang)),
                     file_name=f"due-{plan.id}-{ctx.as_of.isoformat()}.csv", mime="text/csv", key="due_csv")
right.download_button(t("due.ics", lang), lambda: due.to_ics(lines, base, plan.id, lang),
                      file_name=f"due-{plan.id}-{ctx.as_of.isoformat()}.ics", mime="text/calendar", key="due_ics")

if who.admin and not ctx.pinned:
    st.subheader(t("due.closing", lang))
    closed = state.closed_periods(ctx.db, ctx.latest)
    done = st.session_state.pop("_due_done", None)
    if done:
        st.success(t(done[0], lang, period=done[1], batch=done[2]))
    refused = st.session_state.pop("_due_refused", None)
    if refused:
        st.error(plain(t("role.refused", lang) + "\n\n" + refused.message(lang)))

    @state.writes  # a command holding the file: nothing written, the rerun says so
    def _act(action, period: str, reason_key: str, done_key: str) -> None:
        writer = signin.writer()  # checked on the server at the moment of writing
        if writer is None:
            return
        try:
            batch = action(state.get_store(), writer, period, st.session_state.get(reason_key) or None)
        except Refused as exc:
            st.session_state["_due_refused"] = exc
            return
        st.session_state["_due_done"] = (done_key, period, batch)

    shut = set(closed["period"])
    grains = {"quarter": 0, "month": 1, "half": 2, "year": 3}  # quarters first: what a bureau closes most
    ended = sorted((label for label in tables.period_options(plan)
                    if parse_period_or_none(label) and parse_period(label).end < dt.date.today() and label not in shut),
                   key=lambda label: (grains[parse_period(label).grain], parse_period(label).start))
    if not ended:
        st.info(t("due.nothing_to_close", lang))
    else:
        asked = st.query_params.get("close")  # a close line of the list links here with its period
        if asked in ended and "due_close_period" not in st.session_state:
            st.session_state["due_close_period"] = asked
        with st.form("close_form", border=True):
            period = st.selectbox(t("due.close_pick", lang), ended, key="due_close_period",
                                  format_func=lambda label: parse_period(label).display(lang))
            st.text_input(t("due.close_reason", lang), key="due_close_reason", max_chars=300)
            if st.form_submit_button(t("due.close_submit", lang), type="primary"):
                _act(writes.close_period, period, "due_close_reason", "due.closed_done")
                st.rerun()
    if not closed.empty:
        st.caption(t("due.closed_list", lang))
        for r in closed.to_dict("records"):
            label = r["period"]
            st.write(plain(t("close.listed", lang, period=parse_period(label).display(lang),
                             when=str(r["created_at"])[:16], by=r["editor"], reason=r["reason"] or "—",
                             batch=r["batch_id"])))
            st.button(t("due.reopen_button", lang, period=parse_period(label).display(lang)), key=f"reopen_{label}",
                      on_click=_act, args=(writes.reopen_period, label, f"reopen_reason_{label}",
                                           "due.reopened_done"))
context.footer(ctx, "due")
