"""History: every batch with its details and its diff; editors revert or re-apply with one click."""

from __future__ import annotations

import streamlit as st

from kpi.i18n import t
from kpi.report import changes, ledger
from ui import frame as shared
from ui import signin, state

frame = shared.current()
lang = frame.lang
shared.header(frame, t("history.title", lang))
who = signin.editor()
table = state.history_table(frame.db, frame.latest, lang)
st.dataframe(table, hide_index=True, width="stretch")

batches = state.data_batches(frame.db, frame.latest)
if not batches:
    st.info(t("history.none", lang))
    shared.footer(frame, "history")
    st.stop()
batch = st.selectbox(t("history.pick", lang), [b["batch_id"] for b in batches], key="batch",
                     format_func=lambda b: state.batch_label(frame.db, frame.latest, b, lang))
info = next(b for b in batches if b["batch_id"] == batch)
diff = state.batch_diff(frame.db, frame.latest, batch)
st.dataframe(changes.display(diff, lang), hide_index=True, width="stretch")
st.page_link("app_pages/overview.py", label=t("history.view_after", lang, batch=batch), icon=":material/push_pin:",
             query_params={**frame.nav_params(), "data": str(batch)})


def _toggle(batch_id: int, reverted: bool) -> None:
    writer = signin.writer()  # checked on the server at the moment of writing
    if writer is None:
        return
    store = state.get_store()
    new = store.reapply(batch_id, writer) if reverted else store.revert(batch_id, writer)
    st.session_state["_history_done"] = (batch_id, new, reverted)


if who is not None:
    label = "history.reapply" if info["reverted"] else "history.revert"
    st.button(t(label, lang, batch=batch), type="primary", key=f"toggle_{batch}",
              on_click=_toggle, args=(batch, bool(info["reverted"])))
done = st.session_state.pop("_history_done", None)
if done:
    st.success(t("history.reapplied" if done[2] else "history.reverted", lang, batch=done[0], record=done[1]))
if who is not None:  # sign-in tries are for editors: the names typed, when, and what came of each
    attempts = state.get_store().signin_attempts()
    with st.expander(t("signins.title", lang, count=len(attempts))):
        st.dataframe(ledger.signin_table(attempts, lang), hide_index=True, width="stretch")
shared.footer(frame, "history")
