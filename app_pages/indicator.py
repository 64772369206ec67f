"""One indicator: every period's target, actual, progress and status; the charts at full size; provenance."""

from __future__ import annotations

import streamlit as st

from kpi import fmt
from kpi.i18n import t
from kpi.report import tables
from kpi.roles import may_write
from ui import context, nav, render, signin, state
from ui.safe import plain

ctx = context.current()
lang, plan = ctx.lang, ctx.plan
codes = [i.code for i in plan.indicators()]
asked = st.query_params.get("indicator")
code = st.selectbox(t("ctl.indicator", lang), codes, key="indicator", bind="query-params")
item = plan.indicator(code)
area = plan.area(item.area)
context.header(ctx, item.name.get(lang))
context.misread(ctx, "indicator", asked, code)
row = next(r for r in state.status_rows(ctx.db, ctx.view)
           if r.indicator == code)
st.markdown(f"### {tables.flagged_status(row, lang)}")
st.write(plain(tables.summary_line(item, row, lang)))
render.explanation(ctx, row)
st.caption(f"{plain(area.name.get(lang))} · `{code}` · {t('ind.kind', lang)}: {t('kind.' + item.kind, lang)}")
if item.baseline:
    st.caption(t("ind.baseline", lang, value=fmt.number(item.baseline.value, lang),
                 date=fmt.date(item.baseline.date, lang)))

if item.kind == "milestone":
    fig = state.milestone_figure(ctx.db, ctx.view, area.code)
    st.plotly_chart(fig, key="milestone", config=render.PLOTLY_CONFIG, theme=None)
else:
    bars, cumulative = state.figures(ctx.db, ctx.view, code)
    st.plotly_chart(cumulative, key="cumulative", config=render.PLOTLY_CONFIG, theme=None)
    st.plotly_chart(bars, key="bars", config=render.PLOTLY_CONFIG, theme=None)

st.subheader(t("ind.periods", lang))
st.dataframe(state.indicator_table(ctx.db, ctx.view, code), hide_index=True,
             width="stretch")
yoy, yoy_figure = state.year_over_year(ctx.db, ctx.view, code)
if not yoy.empty:
    heading, help_text, _ = tables.comparison_titles(plan, ctx.period, lang)
    st.subheader(heading)
    st.caption(help_text)
    st.dataframe(yoy, hide_index=True, width="stretch")
    if yoy_figure is not None:
        st.plotly_chart(yoy_figure, key="yoy", config=render.PLOTLY_CONFIG, theme=None)
st.subheader(t("ind.source", lang))
st.text(item.source)
if item.note:
    st.caption(plain(item.note.get(lang)))
st.subheader(t("ind.provenance", lang))
prov = state.provenance(ctx.db, ctx.view, code)
if prov.empty:
    st.info(t("ind.provenance_none", lang))
else:
    st.dataframe(prov, hide_index=True, width="stretch")
who = None if ctx.present or ctx.pinned else signin.editor()
render.evidence_section(ctx, code, may_attach=who is not None and may_write(who, code))
if who is not None and may_write(who, code):  # an editor of another area sees no write control (and is refused)
    render.annotate_forms(ctx, code)
nav.link("app_pages/area.py", label=plain(t("ind.back", lang, area=area.name.get(lang))),
         icon=":material/arrow_back:", query_params=ctx.link_params(area=area.code))
context.footer(ctx, "indicator", indicator=code)
