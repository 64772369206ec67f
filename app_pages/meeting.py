"""Meetings: each meeting recorded with its pinned link, what changed since the meeting before, its decisions
(会议决定事项) followed until closed; editors record meetings, write down and close decisions, take them back."""

from __future__ import annotations

import streamlit as st

from kpi import fmt
from kpi.i18n import t
from kpi.report import decisions, meeting, tables
from kpi.report.query import View
from ui import context, meetings, nav, state
from ui.safe import plain

ctx = context.current()
lang = ctx.lang
context.header(ctx, t("meeting.title", lang))
meetings.notice(ctx)
meetings.record_form(ctx)
found = state.meeting_list(ctx.db, ctx.latest, ctx.plan.id)
if found.empty:
    st.info(t("meeting.none", lang))
    context.footer(ctx, "meeting")
    st.stop()

ids = [int(m) for m in found["meeting"]]
rows = {int(r["meeting"]): r for r in found.to_dict("records")}
asked = st.query_params.get("meeting")


def _label(m: int) -> str:
    return f"{rows[m]['name']} · {fmt.date(decisions.as_date(rows[m]['held_on']), lang)}"


def _to_url(key: str, widget: str) -> None:
    st.query_params[key] = str(st.session_state[widget])
    if key == "meeting":
        st.query_params.pop("since", None)  # another meeting: compared with the one before it


def _pick(key: str, widget: str, options: list[int]) -> int:
    """The option the URL names (a link, or a meeting just recorded), else the widget's, else the first."""
    raw = st.query_params.get(key)
    if raw and raw.isdigit() and int(raw) in options:
        st.session_state[widget] = int(raw)
    elif st.session_state.get(widget) not in options:
        st.session_state[widget] = options[0]
    return st.session_state[widget]


_pick("meeting", "meeting_pick", ids)
chosen = st.selectbox(t("meeting.pick", lang), ids, format_func=_label, key="meeting_pick",
                      on_change=_to_url, args=("meeting", "meeting_pick"))
context.misread(ctx, "meeting", asked, str(chosen))
m = rows[chosen]
version = int(m["data_version"])
plan = state.plan_at(ctx.db, version, m["plan_id"])
view = View(plan.id, m["period"], decisions.as_date(m["as_of"]), version, lang)
st.subheader(plain(t("screen.meeting", lang, name=m["name"], date=fmt.date(decisions.as_date(m["held_on"]), lang))))
st.caption(plain(t("meeting.info", lang, period=tables.period_name(plan, m["period"], lang),
                   as_of=view.as_of.isoformat(), version=version, editor=m["editor"],
                   time=fmt.timestamp(m["recorded_at"]))))

earlier = meeting.earlier_meetings(found, view, m)
since = latest_before = None
if not earlier.empty:
    options = [int(e) for e in earlier["meeting"]]
    latest_before = options[0]  # compared with by default: the link names another one only when chosen
    widget = f"since_pick_{chosen}"  # each meeting its own choice: by default the meeting held before it
    _pick("since", widget, options)
    since = st.selectbox(t("meeting.compare", lang), options, format_func=_label, key=widget,
                         on_change=_to_url, args=("since", widget))
nav.link("app_pages/overview.py", label=t("meeting.open", lang), icon=":material/co_present:",
         query_params=meetings.params(ctx, m, since if since != latest_before else None))
st.caption(t("meeting.link", lang))
st.code(meetings.url(ctx, m), language=None, wrap_lines=True)

facts = state.meeting_facts(ctx.db, view, ctx.latest, chosen, since)
if facts.since is None:
    st.info(t("meeting.first", lang))
else:
    st.subheader(t("meeting.changes", lang))
    st.write(plain(facts.since.sentence(plan, lang)))
    table = meeting.changes_table(plan, facts.since, lang)
    if table.empty:
        st.caption(t("meeting.no_changes", lang))
    else:
        st.dataframe(table, hide_index=True, width="stretch")

st.subheader(t("decisions.own_title", lang))
st.write(decisions.tally_sentence(facts.own, facts.own_today, lang, key="decisions.own"))
if facts.own:
    st.dataframe(decisions.decisions_table(plan, facts.own, facts.own_today, lang), hide_index=True, width="stretch")
meetings.decision_forms(ctx, m, [d for d in facts.own if not d.closed])
meetings.revert_control(ctx, facts.own)
if facts.since is not None:
    st.subheader(plain(t("decisions.earlier_title", lang, name=facts.since.meeting["name"])))
    st.write(decisions.tally_sentence(facts.earlier, facts.today, lang))
    if facts.earlier:
        st.dataframe(decisions.decisions_table(plan, facts.earlier, facts.today, lang), hide_index=True,
                     width="stretch")
context.footer(ctx, "meeting", meeting=str(chosen))
