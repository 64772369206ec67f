"""Meeting mode (会议模式): one screen for the projector, then a slide per work area, then the meeting pack.

The overview page calls ``show(ctx)`` when ``present=1``. ``slide`` in the URL picks the slide (a work area's code,
or ``pack``); the buttons move through them and so do a presenter's clicker and the keyboard (PageDown / PageUp, and
the arrow keys): Streamlit's button shortcuts, no script of our own. ``meeting`` names the recorded meeting the view
is, ``since`` the earlier meeting to compare with (by default the last one recorded before).
"""

from __future__ import annotations

import streamlit as st

from kpi import fmt
from kpi.i18n import t
from kpi.plan.windows import resolve_window
from kpi.report import decisions, screen, tables
from kpi.report.meeting import Facts
from ui import context, meetings, render, state
from ui.context import Context
from ui.nav import link as page_link
from ui.safe import plain

PACK = "pack"  # the last slide: the 通报 text, the decisions, the downloads
ATTENTION_SHOWN = 5  # items on the one screen: the furthest behind first; the rest on the area slides
# (button key, label key, shortcut, step): the clicker's keys on the visible buttons, the arrows on hidden twins
NAV = (("slide_prev", "screen.prev", "PageUp", -1), ("slide_next", "screen.next", "PageDown", 1))
ARROWS = (("slide_left", "Left", -1), ("slide_right", "Right", 1))
NAV_CSS = """
<style>
.st-key-slide_left, .st-key-slide_right { display: none !important; }
</style>
"""


def _int(name: str) -> int | None:
    raw = st.query_params.get(name)
    return int(raw) if raw is not None and raw.isdigit() else None


def slides(ctx: Context) -> list[str]:
    """The slides in order: the one screen (""), each work area, the pack."""
    return ["", *(a.code for a in ctx.plan.areas), PACK]


def _go(slide: str) -> None:
    if slide:
        st.query_params["slide"] = slide
    else:
        st.query_params.pop("slide", None)


def nav(ctx: Context, order: list[str], here: int, downloads: bool = False) -> None:
    """Back and forward (PageUp / PageDown, ← / →), the briefing and Word downloads, and the way out."""
    st.html(NAV_CSS)
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        for key, label, shortcut, step in NAV:
            to = here + step
            st.button(t(label, ctx.lang), key=key, shortcut=shortcut, disabled=not 0 <= to < len(order),
                      on_click=_go, args=(order[to] if 0 <= to < len(order) else "",))
        for key, shortcut, step in ARROWS:
            to = here + step
            if 0 <= to < len(order):
                st.button(t("screen.next" if step > 0 else "screen.prev", ctx.lang), key=key, shortcut=shortcut,
                          on_click=_go, args=(order[to],))
        if downloads:
            for ext in ("html", "docx"):
                render.download(ctx, _pinned_link(ctx), ext, _int("meeting"), _int("since"))
        st.button(t("ctl.exit_present", ctx.lang), on_click=context.exit_present, key="exit_present")


def _pinned_link(ctx: Context) -> str:
    """This view pinned to its data version, in meeting mode, with the meeting it is and the one it compares with."""
    extra = {name: str(value) for name in ("meeting", "since") if (value := _int(name)) is not None}
    return context.page_url(ctx, "", pin=True, **extra)


def facts(ctx: Context) -> Facts:
    return state.meeting_facts(ctx.db, ctx.view, ctx.latest, _int("meeting"), _int("since"))


def _tags(ctx: Context) -> list[str]:
    tags = []
    if ctx.sample:
        tags.append(t("screen.sample", ctx.lang))
    if ctx.plan.example:
        tags.append(t("screen.example", ctx.lang))
    return tags


def _view_line(ctx: Context, found: Facts) -> str:
    line = t("head.view", ctx.lang, period=tables.period_name(ctx.plan, ctx.period, ctx.lang),
             as_of=ctx.as_of.isoformat())
    if ctx.pinned:
        line += t("screen.version", ctx.lang, version=ctx.version)
    return line


def _head_lines(ctx: Context, found: Facts, short: bool = True) -> list[tuple[str, str]]:
    """The meeting (if recorded) and what changed since the earlier one (counts on the one screen, names on the
    pack slide), then where the earlier meeting's decisions stand."""
    lines = []
    changes = ""
    if found.since is not None:
        changes = found.since.counts(ctx.lang) if short else found.since.sentence(ctx.plan, ctx.lang)
    if found.meeting is not None:
        name = t("screen.meeting", ctx.lang, name=found.meeting["name"],
                 date=fmt.date(decisions.as_date(found.meeting["held_on"]), ctx.lang))
        changes = f"{name}{t('screen.colon', ctx.lang)}{changes}" if changes else name
    if changes:
        lines.append((changes, "changes"))
    if found.since is not None:
        lines.append((decisions.tally_sentence(found.earlier, found.today, ctx.lang), "decisions"))
    return lines


def one_screen(ctx: Context, order: list[str]) -> None:
    lang, plan = ctx.lang, ctx.plan
    rows = state.status_rows(ctx.db, ctx.view)
    found = facts(ctx)
    link = _pinned_link(ctx)
    st.html(screen.top_html(plan.title.get(lang), _view_line(ctx, found), _tags(ctx), _head_lines(ctx, found)))
    left, right = st.columns([3, 2], gap="medium")
    elapsed = resolve_window(plan, ctx.period).elapsed_share(ctx.as_of)
    left.html(screen.strips_html(screen.strips(plan, rows, lang, found.since), elapsed, lang))
    items = tables.needs_attention(plan, rows, lang)
    with right:
        st.html(screen.qr_html(link, t("brief.qr_caption", lang, version=ctx.version)))
        st.subheader(t("overview.attention", lang))
        if not items:
            st.write(t("overview.attention_none", lang))
        for item in items[:ATTENTION_SHOWN]:
            change = found.since.get(item.code) if found.since is not None else None
            label = item.text + screen.change_tag(change, plan, lang)
            page_link("app_pages/indicator.py", label=plain(label),
                      query_params=ctx.link_params(indicator=item.code))
        if len(items) > ATTENTION_SHOWN:
            st.write(t("screen.more", lang, count=len(items) - ATTENTION_SHOWN))
    nav(ctx, order, 0, downloads=True)


def area_slide(ctx: Context, order: list[str], here: int) -> None:
    lang, plan = ctx.lang, ctx.plan
    code = order[here]
    area = plan.area(code)
    rows = {r.indicator: r for r in state.status_rows(ctx.db, ctx.view)}
    found = facts(ctx)
    st.html(screen.top_html(area.name.get(lang), _view_line(ctx, found), _tags(ctx),
                            [(t("screen.slide", lang, number=here, count=len(order) - 2), "meeting")]))
    nav(ctx, order, here)
    elapsed = resolve_window(plan, ctx.period).elapsed_share(ctx.as_of)
    strip = [s for s in screen.strips(plan, list(rows.values()), lang, found.since) if s.code == code]
    st.html(screen.strips_html(strip, elapsed, lang))
    for decision in state.open_decisions(ctx.db, ctx.version, code):
        st.write(plain(t("decisions.open_line", lang, what=decision.what, due=fmt.date(decision.due, lang),
                         meeting=decision.meeting_name)))
    charted = [i for i in area.items if i.kind != "milestone" and rows[i.code].actual is not None]
    charted.sort(key=lambda i: i.monitored)  # the items with a target first, then those only monitored
    for start in range(0, len(charted), 2):
        for col, item in zip(st.columns(2), charted[start:start + 2], strict=False):
            r = rows[item.code]
            change = found.since.get(item.code) if found.since is not None else None
            with col:
                st.markdown(f"**{plain(item.name.get(lang))}** · {plain(tables.flagged_status(r, lang))}"
                            + plain(screen.change_tag(change, plan, lang)))
                st.write(plain(tables.summary_line(item, r, lang)))
                st.plotly_chart(state.projected_figure(ctx.db, ctx.view, item.code), key=f"slide-{item.code}",
                                config=render.PLOTLY_CONFIG, theme=None)
    milestones = state.milestone_figure(ctx.db, ctx.view, code)
    if milestones is not None:
        st.plotly_chart(screen.projected(milestones), key=f"slide-milestones-{code}", config=render.PLOTLY_CONFIG,
                        theme=None)
    missing = [i for i in area.items if i.kind != "milestone" and rows[i.code].actual is None]
    if missing:
        st.write(plain(t("screen.no_data", lang, names="、".join(i.name.get(lang) for i in missing)
                         if lang == "zh" else ", ".join(i.name.get(lang) for i in missing))))


def pack_slide(ctx: Context, order: list[str], here: int) -> None:
    lang = ctx.lang
    found = facts(ctx)
    st.html(screen.top_html(t("brief.pack", lang), _view_line(ctx, found), _tags(ctx),
                            _head_lines(ctx, found, short=False)))
    nav(ctx, order, here)
    if found.meeting is not None:
        st.subheader(t("decisions.own_title", lang))
        render.decision_lines(ctx, found.own, found.own_today)
    if found.since is not None:
        st.subheader(t("decisions.earlier_title", lang, name=found.since.meeting["name"]))
        render.decision_lines(ctx, found.earlier, found.today)
    render.meeting_pack(ctx, _pinned_link(ctx), meeting=_int("meeting"), since=_int("since"))
    meetings.notice(ctx)
    if found.meeting is None:  # a live meeting screen: an editor records it here, at the end of the meeting
        meetings.record_form(ctx, key="record_present")


def show(ctx: Context) -> None:
    """The slide the URL names (the one screen by default)."""
    order = slides(ctx)
    asked = st.query_params.get("slide")
    here = order.index(asked) if asked in order else 0
    if asked is not None and asked not in order:
        context.misread(ctx, "slide", asked, "")
    if here == 0:
        one_screen(ctx, order)
    elif order[here] == PACK:
        pack_slide(ctx, order, here)
    else:
        area_slide(ctx, order, here)
