"""Upload (editors only): the template, a file, every problem or a preview of what changes, then commit.

An area editor's template holds only their areas, and a file with rows of other areas is refused naming each row;
rows of closed periods are refused too, unless an admin gives a reason for a correction (更正). The same checks
run again at Confirm, with the editor and the closed periods as they are then.
"""

from __future__ import annotations

import streamlit as st

from kpi import fmt, ingest
from kpi.i18n import t
from kpi.report import changes
from kpi.roles import Refused, scope_text
from kpi.store import StoreConflict
from ui import context, signin, state
from ui.safe import plain

ctx = context.current()
lang, plan = ctx.lang, ctx.plan
context.header(ctx, t("upload.title", lang))
who = signin.editor()
if who is None:
    st.info(t("auth.viewer_only", lang))
    context.footer(ctx, "upload")
    st.stop()

st.caption(plain(scope_text(who, plan, lang)))
st.subheader(t("upload.template", lang))
periods = state.template_periods(ctx.db, ctx.version, plan.id)
asked = st.query_params.get("template")  # a line of the Due list links to the template of its period
if asked in periods and "template_period" not in st.session_state:
    st.session_state["template_period"] = asked
period = st.selectbox(t("upload.template_period", lang), periods, key="template_period")
areas = who.areas  # None: every area (an admin)
left, right = st.columns(2)
left.download_button(t("upload.download_csv", lang),
                     state.template_bytes(ctx.db, ctx.version, plan.id, period, "csv", areas),
                     file_name=f"template-{plan.id}-{period}.csv", mime="text/csv", key="template_csv")
right.download_button(t("upload.download_xlsx", lang),
                      state.template_bytes(ctx.db, ctx.version, plan.id, period, "xlsx", areas),
                      file_name=f"template-{plan.id}-{period}.xlsx", key="template_xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
st.caption(t("upload.template_help", lang))
if areas is not None:
    st.caption(plain(t("role.template_areas", lang, areas=", ".join(areas))))

st.subheader(t("upload.file", lang))
counter = st.session_state.setdefault("_upload_counter", 0)
upload = st.file_uploader(t("upload.choose", lang), type=["csv", "txt", "tsv", "xlsx"], key=f"upload_{counter}")
correction = None
if who.admin and not state.closed_periods(ctx.db, ctx.latest).empty:
    correction = st.text_input(t("correct.reason", lang), key=f"correction_{counter}", max_chars=300,
                               help=t("correct.reason_help", lang)).strip() or None
done = st.session_state.pop("_upload_done", None)
if done:
    st.success(t("upload.committed", lang, batch=done[0], rows=done[1]))
if upload is None:
    context.footer(ctx, "upload")
    st.stop()

data = upload.getvalue()
with st.status(plain(t("upload.checking", lang, file=upload.name, size=fmt.number(len(data) / 1024, lang))),
               expanded=False) as progress:  # a large file takes seconds: say what is happening
    prepared, preview, seen = state.prepare_upload(ctx.db, data, upload.name, who, correction)
    progress.update(label=plain(t("upload.checked", lang, file=upload.name, rows=fmt.number(prepared.count, lang),
                                  problems=len(prepared.problems))),
                    state="complete" if prepared.ok else "error")
if st.session_state.pop("_upload_stale", None):
    st.error(t("upload.stale", lang))
refused = st.session_state.pop("_upload_refused", None)
if refused:
    st.error(plain(t("role.refused", lang) + "\n\n" + refused.message(lang)))
if not prepared.ok:
    st.error(t("upload.rejected", lang, count=len(prepared.problems)))
    st.dataframe(state.problems_table(prepared.problems, lang), hide_index=True, width="stretch")
    context.footer(ctx, "upload")
    st.stop()

counts = preview.counts()
cols = st.columns(4)
for col, kind in zip(cols, ("new", "changed", "unchanged", "blank"), strict=True):
    col.metric(t(f"change.kind_{kind}", lang), counts[kind])
earlier = state.same_file_batches(ctx.db, ctx.latest, prepared.sha256)
if earlier:
    st.warning(t("upload.same_file", lang, batches=", ".join(map(str, earlier))))
if prepared.ignored_columns:
    st.caption(plain(t("upload.ignored_columns", lang, columns=", ".join(prepared.ignored_columns))))
st.dataframe(changes.display(preview, lang), hide_index=True, width="stretch")


@state.writes
def _confirm(previewed: ingest.Prepared, version: int, reason: str | None) -> None:
    """Commit what the editor previewed, against the data version of that preview; a later batch refuses it, and
    so do the editor's areas and the closed periods as they are now."""
    writer = signin.writer()  # checked again on the server at the moment of writing
    if writer is None:
        return
    try:
        with st.spinner(t("upload.writing", lang, rows=fmt.number(previewed.count, lang))):
            batch = ingest.commit(state.get_store(), previewed, writer, expected_version=version,
                                  correction=reason)
    except StoreConflict:
        st.session_state["_upload_stale"] = True  # the rerun shows a fresh preview under the message
        return
    except Refused as exc:
        st.session_state["_upload_refused"] = exc
        return
    st.session_state["_upload_done"] = (batch, previewed.count)
    st.session_state["_upload_counter"] = counter + 1


if counts["new"] + counts["changed"] == 0:
    st.info(t("upload.nothing_new", lang))
else:
    if correction:
        st.warning(plain(t("correct.upload_note", lang, reason=correction)), icon=":material/edit_note:")
    st.button(t("upload.confirm", lang, count=counts["new"] + counts["changed"]), type="primary", key="confirm",
              on_click=_confirm, args=(prepared, seen, correction))
context.footer(ctx, "upload")
