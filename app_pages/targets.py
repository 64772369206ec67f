"""Targets (admins only): edit the plan's targets in a grid or from a file; every save is a new revision."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpi import fmt, writes
from kpi.i18n import t
from kpi.plan import edit as plan_edit
from kpi.plan import workbook as plan_workbook
from ui import context, signin, state
from ui.safe import plain

ctx = context.current()
lang = ctx.lang
context.header(ctx, t("targets.title", lang))
who = signin.editor()
if who is None or ctx.pinned or not who.admin:
    st.info(t("auth.viewer_only", lang) if who is None else
            t("targets.pinned", lang) if ctx.pinned else t("role.targets_admin", lang))
    context.footer(ctx, "targets")
    st.stop()

store = state.get_store()
plan = store.plan(ctx.plan.id)  # targets are edited on the newest revision
revision = store.plan_revision(plan.id)
st.caption(plain(t("targets.help", lang, plan=plan.title.get(lang), revision=revision)))
st.download_button(t("targets.download", lang), lambda: plan_workbook.plan_to_xlsx(plan),  # built when clicked
                   file_name=f"{plan.id}.xlsx", key="plan_workbook", help=t("targets.download_help", lang),
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:")


@state.writes
def _save(new_plan, source: str) -> None:
    writer = signin.writer()  # checked on the server at the moment of writing
    if writer is not None:
        new_revision, changed = writes.save_plan(state.get_store(), writer, new_plan, source=source)
        st.session_state["_targets_done"] = (new_revision, changed)


st.subheader(t("targets.grid", lang))
grid = plan_edit.targets_grid(plan, lang)
issues = st.session_state.get("_grid_issues", {}).get(revision, [])
if issues:
    by_code = {}
    for issue in issues:
        by_code.setdefault(issue.code, []).append(f"{issue.column}: {issue.text(lang)}")
    grid.insert(1, "problem", grid["code"].map(lambda c: "；".join(by_code.get(c, []))))
columns = {"code": t("col.code", lang), "name": t("col.indicator", lang), "kind": t("ind.kind", lang),
           "direction": t("targets.direction", lang), "problem": t("problem.message", lang),
           "target": st.column_config.NumberColumn(t("targets.whole", lang)),
           "every": st.column_config.SelectboxColumn(t("targets.every", lang), options=plan_edit.EVERY),
           "low": st.column_config.NumberColumn(t("targets.low", lang)),
           "high": st.column_config.NumberColumn(t("targets.high", lang)),
           "due": st.column_config.DateColumn(t("col.due", lang), format="YYYY-MM-DD")}
edited = st.data_editor(grid, key=f"grid_{plan.id}_{revision}", hide_index=True, width="stretch",
                        disabled=[*plan_edit.GRID_FIXED, "problem"], column_config=columns, num_rows="fixed")
if issues:
    st.error(t("targets.rejected", lang, count=len(issues)))
    st.dataframe(plan_edit.issues_table(issues, lang), hide_index=True, width="stretch")
if st.button(t("targets.save", lang), type="primary", key="save_grid"):
    new_plan, found = plan_edit.apply_grid(plan, edited.drop(columns=["problem"], errors="ignore"))
    if found:
        st.session_state["_grid_issues"] = {revision: found}
    else:
        st.session_state.pop("_grid_issues", None)
        _save(new_plan, "targets page")
    st.rerun()
done = st.session_state.pop("_targets_done", None)
if done:
    st.success(t("targets.saved", lang, revision=done[0]) if done[1] else t("targets.unchanged", lang))

st.subheader(t("targets.file", lang))
st.caption(t("targets.file_help", lang))
upload = st.file_uploader(t("upload.choose", lang), type=["csv", "txt", "xlsx"], key=f"targets_file_{revision}")
if upload is not None:
    new_plan, problems = plan_edit.apply_targets_file(plan, upload.getvalue(), upload.name)
    if problems:
        st.error(t("upload.rejected", lang, count=len(problems)))
        st.dataframe(plan_edit.issues_table(problems, lang, rows=True), hide_index=True, width="stretch")
    else:
        st.dataframe(plan_edit.plan_diff(plan, new_plan, lang), hide_index=True, width="stretch")
        if st.button(t("targets.confirm_file", lang), type="primary", key="save_file"):
            _save(new_plan, upload.name)
            st.rerun()

st.subheader(t("targets.revisions", lang))
revisions = store.plan_revisions(plan.id)
st.dataframe(pd.DataFrame({t("targets.revision", lang): revisions["revision"],
                           t("col.batch", lang): revisions["batch_id"], t("col.editor", lang): revisions["editor"],
                           t("col.time", lang): fmt.timestamps(revisions["created_at"]),
                           t("col.file", lang): revisions["source"].fillna("")}), hide_index=True, width="stretch")
if len(revisions) > 1:
    pick = st.selectbox(t("targets.pick", lang), revisions["revision"].tolist()[1:], key="restore_revision")
    st.dataframe(plan_edit.plan_diff(plan, store.plan_at_revision(plan.id, pick), lang), hide_index=True,
                 width="stretch")
    if st.button(t("targets.restore", lang, revision=pick), key="restore"):
        writer = signin.writer()
        if writer is not None:
            new_revision, _ = writes.restore_plan(state.get_store(), writer, plan.id, pick)
            st.session_state["_targets_done"] = (new_revision, True)
            st.rerun()
context.footer(ctx, "targets")
