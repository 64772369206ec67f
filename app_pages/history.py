"""History: every batch with its details and its diff, and the meetings recorded; editors revert or re-apply with one
click."""

from __future__ import annotations

import streamlit as st

from kpi import fmt, writes
from kpi.i18n import t
from kpi.report import changes, ledger, meeting
from kpi.report.decisions import as_date
from kpi.roles import Refused
from kpi.store import StoreConflict
from ui import context, nav, signin, state
from ui.safe import plain

MEETINGS_LINKED = 12  # the latest meetings get a link to their page; the table lists them all

ctx = context.current()
lang = ctx.lang
context.header(ctx, t("history.title", lang))
who = signin.editor()
table = state.history_table(ctx.db, ctx.latest, lang)
st.dataframe(table, hide_index=True, width="stretch")

st.subheader(t("meeting.list", lang))
met = state.meeting_list(ctx.db, ctx.latest, ctx.plan.id)
if met.empty:
    st.caption(t("meeting.none", lang))
else:
    st.dataframe(meeting.meetings_table(met, lang), hide_index=True, width="stretch")
    for rec in met.head(MEETINGS_LINKED).to_dict("records"):
        nav.link("app_pages/meeting.py", icon=":material/groups:",
                 label=plain(t("meeting.open_page", lang, name=rec["name"],
                               date=fmt.date(as_date(rec["held_on"]), lang))),
                 query_params={**ctx.link_params(), "meeting": str(int(rec["meeting"]))})

batches = state.data_batches(ctx.db, ctx.latest)
if not batches:
    st.info(t("history.none", lang))
    context.footer(ctx, "history")
    st.stop()
batch = st.selectbox(t("history.pick", lang), [b["batch_id"] for b in batches], key="batch",
                     format_func=lambda b: state.batch_label(ctx.db, ctx.latest, b, lang))
info = next(b for b in batches if b["batch_id"] == batch)
diff = state.batch_diff(ctx.db, ctx.latest, batch)
st.dataframe(changes.display(diff, lang), hide_index=True, width="stretch")
nav.link("app_pages/overview.py", label=t("history.view_after", lang, batch=batch), icon=":material/push_pin:",
         query_params={**ctx.link_params(), "data": str(batch)})


@state.writes
def _toggle(batch_id: int, reverted: bool) -> None:
    writer = signin.writer()  # checked on the server at the moment of writing
    if writer is None:
        return
    store = state.get_store()
    try:
        new = writes.reapply(store, writer, batch_id) if reverted else writes.revert(store, writer, batch_id)
    except StoreConflict:  # another editor toggled it since this page was drawn
        st.session_state["_history_stale"] = batch_id
        return
    except Refused as exc:  # outside the editor's areas, a closed period, or an admin's batch
        st.session_state["_history_refused"] = exc
        return
    st.session_state["_history_done"] = (batch_id, new, reverted)


if who is not None:
    label = "history.reapply" if info["reverted"] else "history.revert"
    st.button(t(label, lang, batch=batch), type="primary", key=f"toggle_{batch}",
              on_click=_toggle, args=(batch, bool(info["reverted"])))
stale = st.session_state.pop("_history_stale", None)
if stale:
    st.error(t("history.stale", lang, batch=stale))
refused = st.session_state.pop("_history_refused", None)
if refused:
    st.error(plain(t("role.refused", lang) + "\n\n" + refused.message(lang)))
done = st.session_state.pop("_history_done", None)
if done:
    st.success(t("history.reapplied" if done[2] else "history.reverted", lang, batch=done[0], record=done[1]))
if who is not None:  # sign-in tries are for editors: the names typed, when, and what came of each
    attempts = state.get_store().signin_attempts()
    with st.expander(t("signins.title", lang, count=len(attempts))):
        st.dataframe(ledger.signin_table(attempts, lang), hide_index=True, width="stretch")
context.footer(ctx, "history")
