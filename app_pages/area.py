"""A work area: every indicator against its target and pace, monitored trends, milestones on a timeline."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kpi.i18n import t
from kpi.report import tables
from ui import context, nav, render, state
from ui.safe import plain

ctx = context.current()
lang, plan = ctx.lang, ctx.plan
codes = [a.code for a in plan.areas]
names = {a.code: a.name.get(lang) for a in plan.areas}
asked = st.query_params.get("area")
code = st.radio(t("ctl.area", lang), codes, key="area", bind="query-params", horizontal=True,
                captions=[plain(names[c]) for c in codes])
area = plan.area(code)
context.header(ctx, area.name.get(lang))
context.misread(ctx, "area", asked, code)
if area.heading:
    st.caption(plain(area.heading.get(lang)))
open_decisions = state.open_decisions(ctx.db, ctx.version, code)
if open_decisions:  # what meetings asked of this office and is not closed (at this data version)
    st.subheader(t("decisions.open_title", lang))
    render.decision_lines(ctx, open_decisions, dt.date.today())
if area.owner:  # the office (科室) answerable for the area
    st.caption(plain(t("role.owner", lang, owner=area.owner.get(lang))))

rows = {r.indicator: r for r in state.status_rows(ctx.db, ctx.view)}
judged = [i for i in area.items if i.kind != "milestone" and not i.monitored]
monitored = [i for i in area.items if i.monitored]
milestones = [i for i in area.items if i.kind == "milestone"]


def indicator_block(item) -> None:
    r = rows[item.code]
    with st.container(border=True):
        st.markdown(f"**{plain(item.name.get(lang))}** · `{item.code}` · {plain(tables.flagged_status(r, lang))}")
        st.caption(plain(tables.summary_line(item, r, lang)))
        render.explanation(ctx, r)
        if r.actual is None:
            st.info(t("area.no_data", lang))
            return
        bars, cumulative = state.figures(ctx.db, ctx.view, item.code)
        left, right = st.columns(2)
        left.plotly_chart(bars, key=f"bars-{item.code}", config=render.PLOTLY_CONFIG, theme=None)
        right.plotly_chart(cumulative, key=f"cum-{item.code}", config=render.PLOTLY_CONFIG, theme=None)
        nav.link("app_pages/indicator.py", label=t("nav.indicator", lang), icon=":material/insights:",
                 query_params=ctx.link_params(indicator=item.code))


if judged:
    st.subheader(t("area.indicators", lang))
    for item in judged:
        indicator_block(item)
if milestones:
    st.subheader(t("area.milestones", lang))
    st.plotly_chart(state.milestone_figure(ctx.db, ctx.view, code),
                    key=f"milestones-{code}", config=render.PLOTLY_CONFIG, theme=None)
    for item in milestones:
        render.milestone_line(ctx, item, rows[item.code])
if monitored:
    st.subheader(t("area.monitored", lang))
    for item in monitored:
        indicator_block(item)
context.footer(ctx, "area", area=code)
