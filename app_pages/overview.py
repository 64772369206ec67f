"""Overview: a card per work area, the status matrix, and what needs attention; in meeting mode, the meeting screen
and its slides (ui/present.py)."""

from __future__ import annotations

import streamlit as st

from kpi import fmt
from kpi.i18n import t
from kpi.report import tables
from ui import context, nav, present, render, state
from ui.safe import plain

ctx = context.current()
lang, plan = ctx.lang, ctx.plan
if ctx.present:
    present.show(ctx)
    st.stop()
context.header(ctx, plan.title.get(lang))
rows = state.status_rows(ctx.db, ctx.view)


items = tables.needs_attention(plan, rows, lang)


def attention() -> None:
    st.subheader(t("overview.attention", lang))
    st.caption(t("overview.attention_help", lang))
    if not items:
        st.info(t("overview.attention_none", lang))
    for item in items:
        render.attention_line(ctx, item)


pinned_link = context.page_url(ctx, "", pin=True)
st.subheader(t("overview.areas", lang))
cards = tables.area_cards(plan, rows, lang)
for start in range(0, len(cards), 3):
    for col, card in zip(st.columns(3), cards[start:start + 3], strict=False):
        with col.container(border=True):
            st.markdown(f"#### {plain(card.name)}")
            st.caption(t("card.items", lang, count=card.count, judged=card.judged))
            if card.judged:
                with st.container(horizontal=True):  # one block, not a row of columns: a crowd pays per element
                    st.metric(t("card.good", lang), f"{card.good}/{card.judged}")
                    st.metric(t("card.progress", lang), fmt.percent(card.progress, lang))
            lines = [] if card.judged else [t("card.none_judged", lang)]
            lines.append(tables.status_counts_text(card, lang))
            if card.needs_note:
                lines.append(t("card.needs_note", lang, count=card.needs_note))
            if card.needs_evidence:
                lines.append(t("card.needs_evidence", lang, count=card.needs_evidence))
            st.markdown("\n\n".join(plain(line) for line in lines))
            nav.link("app_pages/area.py", label=plain(t("card.open", lang, area=card.name)),
                     icon=":material/arrow_forward:", query_params=ctx.link_params(area=card.code))

st.plotly_chart(state.area_chart(ctx.db, ctx.view),
                key="areas", config=render.PLOTLY_CONFIG, theme=None)

st.subheader(t("overview.matrix", lang))
st.caption(t("overview.matrix_help", lang))
st.dataframe(state.matrix(ctx.db, ctx.view), width="stretch",
             height=38 * (len(plan.indicators()) + 1))

attention()
render.meeting_pack(ctx, pinned_link)
context.footer(ctx)
