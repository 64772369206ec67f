"""Upload (editors only): the template, a file, every problem or a preview of what changes, then commit."""

from __future__ import annotations

import streamlit as st

from kpi import ingest
from kpi.i18n import t
from kpi.report import changes
from ui import frame as shared
from ui import signin, state

frame = shared.current()
lang, plan = frame.lang, frame.plan
shared.header(frame, t("upload.title", lang))
who = signin.editor()
if who is None:
    st.info(t("auth.viewer_only", lang))
    shared.footer(frame, "upload")
    st.stop()

st.subheader(t("upload.template", lang))
periods = state.template_periods(frame.db, frame.version, plan.id)
period = st.selectbox(t("upload.template_period", lang), periods, key="template_period")
left, right = st.columns(2)
left.download_button(t("upload.download_csv", lang),
                     state.template_bytes(frame.db, frame.version, plan.id, period, "csv"),
                     file_name=f"template-{plan.id}-{period}.csv", mime="text/csv", key="template_csv")
right.download_button(t("upload.download_xlsx", lang),
                      state.template_bytes(frame.db, frame.version, plan.id, period, "xlsx"),
                      file_name=f"template-{plan.id}-{period}.xlsx", key="template_xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
st.caption(t("upload.template_help", lang))

st.subheader(t("upload.file", lang))
counter = st.session_state.setdefault("_upload_counter", 0)
upload = st.file_uploader(t("upload.choose", lang), type=["csv", "txt", "tsv", "xlsx"], key=f"upload_{counter}")
done = st.session_state.pop("_upload_done", None)
if done:
    st.success(t("upload.committed", lang, batch=done[0], rows=done[1]))
if upload is None:
    shared.footer(frame, "upload")
    st.stop()

prepared, preview = state.prepare_upload(frame.db, upload.getvalue(), upload.name)
if not prepared.ok:
    st.error(t("upload.rejected", lang, count=len(prepared.problems)))
    st.dataframe(state.problems_table(prepared, lang), hide_index=True, width="stretch")
    shared.footer(frame, "upload")
    st.stop()

counts = preview.counts()
cols = st.columns(4)
for col, kind in zip(cols, ("new", "changed", "unchanged", "blank"), strict=True):
    col.metric(t(f"change.kind_{kind}", lang), counts[kind])
earlier = state.same_file_batches(frame.db, frame.latest, prepared.sha256)
if earlier:
    st.warning(t("upload.same_file", lang, batches=", ".join(map(str, earlier))))
if prepared.ignored_columns:
    st.caption(t("upload.ignored_columns", lang, columns=", ".join(prepared.ignored_columns)))
st.dataframe(changes.display(preview, lang), hide_index=True, width="stretch")

if counts["new"] + counts["changed"] == 0:
    st.info(t("upload.nothing_new", lang))
elif st.button(t("upload.confirm", lang, count=counts["new"] + counts["changed"]), type="primary", key="confirm"):
    writer = signin.writer()  # checked again on the server at the moment of writing
    if writer is not None:
        batch = ingest.commit(state.get_store(), prepared, writer)
        st.session_state["_upload_done"] = (batch, prepared.count)
        st.session_state["_upload_counter"] = counter + 1
        st.rerun()
shared.footer(frame, "upload")
