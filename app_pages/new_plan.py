"""New plan (admins only): a plan's text, a file or the current plan carried forward becomes a draft; the editor
checks and corrects it in two grids (areas, items) and saves it as a new plan (revision 1)."""

from __future__ import annotations

import streamlit as st

from kpi import writes
from kpi.i18n import t
from kpi.plan import grid, start
from kpi.plan.carry import next_spans
from kpi.plan.draft import Draft
from kpi.plan.workbook import plan_to_xlsx
from kpi.roles import Refused
from kpi.store import StoreConflict
from ui import context, grids, nav, signin, state
from ui.safe import plain

DRAFT = "_newplan"  # the draft being edited: its plan data, where it came from, notes, a token for its widgets
GRID_HEIGHT, ROW_HEIGHT = 600, 35  # the items grid shows about 16 rows before it scrolls
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ctx = context.current()
lang = ctx.lang
st.title(t("newplan.title", lang))  # a plan of its own: not the view's period, data or sample banners
who = signin.editor()
if who is None or not who.admin:
    st.info(t("auth.viewer_only", lang) if who is None else t("role.plan_admin", lang))
    context.footer(ctx, "new-plan")
    st.stop()
store = state.get_store()
st.caption(t("newplan.help", lang))


def _begin(begun: start.Start) -> None:
    """A new draft replaces the one being edited (fresh widgets); a start that failed says why, changing nothing."""
    if begun.data is None:
        st.error(t("newplan.not_drafted", lang))
        st.dataframe(start.problems_table(begun.problems, lang), hide_index=True, width="stretch")
        return
    token = st.session_state.get("_newplan_token", 0) + 1
    st.session_state["_newplan_token"] = token
    st.session_state[DRAFT] = {"data": begun.data, "origin": begun.origin, "notes": begun.notes, "token": token}


by_text, by_file, by_carry = st.tabs([t("newplan.tab_text", lang), t("newplan.tab_file", lang),
                                      t("newplan.tab_carry", lang)])
with by_text:
    text = st.text_area(t("newplan.paste", lang), height=180, key="newplan_text")
    span = st.text_input(t("newplan.span", lang), key="newplan_text_span", help=t("newplan.span_help", lang))
    if st.button(t("newplan.draft_text", lang), key="newplan_draft_text", type="primary"):
        _begin(start.from_text(text, span))
with by_file:
    upload = st.file_uploader(t("newplan.file", lang), type=[s.lstrip(".") for s in start.FILE_TYPES],
                              key="newplan_file", help=t("newplan.file_help", lang))
    file_span = st.text_input(t("newplan.span", lang), key="newplan_file_span", help=t("newplan.span_help", lang))
    if st.button(t("newplan.draft_file", lang), key="newplan_draft_file", disabled=upload is None):
        _begin(start.from_file(upload.getvalue(), upload.name, file_span))
with by_carry:
    current = store.plan(ctx.plan.id)  # its newest revision, whatever version the page shows
    st.caption(plain(t("newplan.carry_from", lang, plan=context.plan_name(current, lang))))
    carry_span = st.selectbox(t("newplan.carry_span", lang), next_spans(current), key="newplan_carry_span",
                              accept_new_options=True, help=t("newplan.span_help", lang))
    keep = st.checkbox(t("newplan.carry_keep", lang), value=True, key="newplan_carry_keep")
    if st.button(t("newplan.carry_button", lang), key="newplan_carry"):
        _begin(start.from_plan(current, carry_span or "", keep_targets=keep, store=store))

saved = st.session_state.pop("_newplan_saved", None)
if saved:
    st.success(plain(t("newplan.saved", lang, plan=saved)))
    nav.link("app_pages/overview.py", label=plain(t("newplan.open_plan", lang, plan=saved)),
             query_params={"lang": lang, "plan": saved}, icon=":material/dashboard:")
draft = st.session_state.get(DRAFT)
if draft is None:
    context.footer(ctx, "new-plan")
    st.stop()

token, data = draft["token"], draft["data"]
st.divider()
st.subheader(t("newplan.draft", lang))
fields = grid.plan_fields(data)
left, middle, right = st.columns([1, 2, 2])
fields["id"] = left.text_input(t("newplan.col_id", lang), fields["id"], key=f"newplan_id_{token}")
fields["title"] = middle.text_input(t("newplan.col_title", lang), fields["title"], key=f"newplan_title_{token}")
fields["title_en"] = right.text_input(t("newplan.col_title_en", lang), fields["title_en"],
                                      key=f"newplan_title_en_{token}")
span_of = data.get("span") or {}
st.caption(t("newplan.span_shown", lang, start=str(span_of.get("start", "")), end=str(span_of.get("end", ""))))
if data.get("review"):
    fields["checked"] = st.checkbox(plain(t("newplan.plan_checked", lang, flags=grid.flag_names(data["review"], lang))),
                                    key=f"newplan_plan_checked_{token}")
if draft["notes"]:
    with st.expander(t("newplan.notes", lang, count=len(draft["notes"]))):
        st.text("\n".join(note(lang) for note in draft["notes"]))

# what the grids hold now (the browser's edits so far), so each row shows its own problems and open flags
area_key, item_key = f"newplan_areas_{token}", f"newplan_items_{token}"
areas = grid.area_frame(data, lang)
areas_now = grids.pending_edits(areas, area_key)
items = grid.item_frame(data, lang, list(areas_now["code"]))
result = grid.read_grids(data, fields, areas_now, grids.pending_edits(items, item_key))
st.caption(plain(t("newplan.from", lang, origin=draft["origin"] or t("draft.pasted", lang),
                   areas=len(result.raw["areas"]), items=sum(len(a["items"]) for a in result.raw["areas"]),
                   targets=Draft(result.raw, result.plan).targets())))

st.markdown(f"**{t('newplan.areas', lang)}**")
st.caption(t("newplan.areas_help", lang))
areas_edited = st.data_editor(grid.shown(areas, result, "areas", lang), key=area_key, width="stretch",
                              num_rows="fixed", column_config=grids.area_columns(lang, bool(result.cells)),
                              placeholder="")

st.markdown(f"**{t('newplan.items', lang)}**")
st.caption(t("newplan.items_help", lang))
codes = [c for c in dict.fromkeys(areas_edited["code"].dropna().astype(str)) if c.strip()]
items_edited = st.data_editor(grid.shown(items, result, "items", lang), key=item_key, width="stretch",
                              num_rows="fixed", column_config=grids.item_columns(lang, bool(result.cells), codes),
                              placeholder="", height=min(GRID_HEIGHT, ROW_HEIGHT * (len(items) + 1) + 3))

# the plan exactly as the grids returned it: what is checked, listed, downloaded and saved
result = grid.read_grids(data, fields, areas_edited, items_edited)
plan = result.plan
drafted = Draft(result.raw, plan)
if result.cells:
    st.error(t("newplan.problems", lang, count=len(result.cells)))
    st.dataframe(grid.cells_table(result.cells, lang), hide_index=True, width="stretch")
taken = store.plan_ids()
if result.raw.get("id") in taken:
    st.error(plain(t("newplan.id_taken", lang, plan=result.raw["id"], plans=", ".join(taken))))
accept = False
if result.open:
    st.warning(t("newplan.reviews_open", lang, count=result.open))
    accept = st.checkbox(t("newplan.accept", lang), key=f"newplan_accept_{token}")
elif plan is not None:
    st.success(t("newplan.ready", lang))


@state.writes  # a command holding the file: nothing written, the rerun says so
def _save(new_plan, origin: str) -> None:
    writer = signin.writer()  # checked on the server at the moment of writing
    if writer is None:
        return
    try:
        writes.save_plan(state.get_store(), writer, new_plan, source=f"new plan page: {origin or 'pasted text'}",
                         new=True)
    except Refused as exc:  # an area editor (the page is for admins; checked again at the moment of writing)
        st.error(plain(exc.message(lang)))
        return
    except StoreConflict:
        st.session_state["_newplan_clash"] = new_plan.id
        return
    st.session_state.pop(DRAFT, None)
    st.session_state["_newplan_saved"] = new_plan.id
    st.session_state["plan"] = new_plan.id  # the new plan is the one in view from now on (sidebar, menu links)


ready = plan is not None and plan.id not in taken and (accept or not result.open)
save, yaml_button, xlsx_button, discard = st.columns(4)
save.button(t("newplan.save", lang), type="primary", key=f"newplan_save_{token}", disabled=not ready,
            on_click=_save, args=(plan, draft["origin"]), icon=":material/save:")
yaml_button.download_button(t("newplan.download_yaml", lang), lambda: drafted.to_yaml(lang, draft["origin"] or None),
                            file_name=f"{result.raw.get('id') or 'plan'}.yaml", mime="text/yaml",
                            key=f"newplan_yaml_{token}", icon=":material/download:")
xlsx_button.download_button(t("newplan.download_xlsx", lang), lambda: plan_to_xlsx(plan), disabled=plan is None,
                            file_name=f"{result.raw.get('id') or 'plan'}.xlsx", mime=XLSX_MIME,
                            help=t("newplan.xlsx_help", lang), key=f"newplan_xlsx_{token}",
                            icon=":material/download:")
if discard.button(t("newplan.discard", lang), key=f"newplan_discard_{token}"):
    st.session_state.pop(DRAFT, None)
    st.rerun()
clash = st.session_state.pop("_newplan_clash", None)
if clash:
    st.error(plain(t("newplan.id_taken", lang, plan=clash, plans=", ".join(store.plan_ids()))))
context.footer(ctx, "new-plan")
