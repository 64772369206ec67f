"""Small rendering helpers shared by pages. Uploaded text is always shown as plain text."""

from __future__ import annotations

import streamlit as st

from kpi.i18n import status_label, t
from kpi.plan.models import Indicator
from kpi.report import tables
from kpi.status import StatusRow
from ui.context import Context
from ui.safe import plain


def attention_line(ctx: Context, item: tables.Attention) -> None:
    st.page_link("app_pages/indicator.py", label=plain(item.text), query_params=ctx.link_params(indicator=item.code))
    if item.note:
        st.caption(plain(t("attention.note", ctx.lang, note=item.note)))


def explanation(ctx: Context, row: StatusRow) -> None:
    """The note and the override of a status, as plain text."""
    if row.note:
        st.caption(plain(t("attention.note", ctx.lang, note=tables.note_text(row))))
    line = tables.override_line(row, ctx.lang)
    if line:
        st.caption(plain(line))


PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"]}


def milestone_line(ctx: Context, item: Indicator, row: StatusRow) -> None:
    summary = tables.summary_line(item, row, ctx.lang)
    text = f"{tables.status_text(row, ctx.lang)} · {item.name.get(ctx.lang)} · {summary}"
    if row.needs_note:
        text += t("needs_note.tag", ctx.lang)
    st.page_link("app_pages/indicator.py", label=plain(text), query_params=ctx.link_params(indicator=item.code))
    explanation(ctx, row)


def annotate_forms(ctx: Context, code: str) -> None:
    """Editors: attach an explanation to a period, or override its status with a reason."""
    from kpi.notes import NoteTooLong
    from kpi.settings import get_settings
    from kpi.status import STATUSES
    from ui import signin, state

    lang, longest = ctx.lang, get_settings().note_max_chars  # the store refuses longer ones too
    periods = tables.period_options(ctx.plan)
    with st.expander(t("annotate.title", lang), expanded=False):
        with st.form("note_form", clear_on_submit=True):
            period = st.selectbox(t("ctl.period", lang), periods, index=periods.index(ctx.period), key="note_period")
            note = st.text_area(t("annotate.note", lang), key="note_text", max_chars=longest)
            if st.form_submit_button(t("annotate.save_note", lang)) and (writer := signin.writer()):
                try:
                    batch = state.get_store().write_note(code, period, note, writer)
                    st.success(t("annotate.saved", lang, batch=batch))
                except NoteTooLong as exc:
                    st.error(exc.message(lang))
        with st.form("override_form", clear_on_submit=True):
            period = st.selectbox(t("ctl.period", lang), periods, index=periods.index(ctx.period),
                                  key="override_period")
            status = st.selectbox(t("annotate.status", lang), ["", *STATUSES], key="override_status",
                                  format_func=lambda s: t("annotate.clear", lang) if not s else status_label(s, lang))
            reason = st.text_input(t("annotate.reason", lang), key="override_reason", max_chars=longest)
            if st.form_submit_button(t("annotate.save_override", lang)):
                if status and not reason.strip():
                    st.error(t("annotate.reason_needed", lang))
                elif writer := signin.writer():
                    try:
                        batch = state.get_store().write_override(code, period, status, reason, writer)
                        st.success(t("annotate.saved", lang, batch=batch))
                    except NoteTooLong as exc:
                        st.error(exc.message(lang))


def _pack_files() -> dict[str, tuple]:
    from kpi.report import briefing, word

    return {  # ext: (file, what builds it, media type); each is built from the cached pack when clicked
        "html": ("briefing", briefing.briefing_html, "text/html"),
        "docx": ("report", word.report_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "csv": ("data", briefing.view_csv, "text/csv"),
        "xlsx": ("data", briefing.view_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    }


def _pack_args(ctx: Context, link: str, meeting: int | None, since: int | None) -> tuple:
    return ctx.db, ctx.view, link, ctx.latest, meeting, since, ctx.present


def download(ctx: Context, link: str, ext: str, meeting: int | None = None, since: int | None = None) -> None:
    """One file of the meeting pack, built from the cached pack when clicked."""
    from ui import state

    name, build, mime = _pack_files()[ext]
    args = _pack_args(ctx, link, meeting, since)
    stem = f"{ctx.plan.id}-{ctx.period}-{ctx.as_of.isoformat()}-v{ctx.version}"
    st.download_button(t(f"brief.download_{ext}", ctx.lang), lambda: build(state.pack(*args)),
                       file_name=f"{name}-{stem}.{ext}", mime=mime, key=f"dl_{ext}")


def meeting_pack(ctx: Context, link: str, meeting: int | None = None, since: int | None = None) -> None:
    """The summary text to copy, and the briefing, the Word report and the data, built when clicked."""
    from ui import state

    lang = ctx.lang
    st.subheader(t("brief.pack", lang))
    kinds = list(_pack_files())
    for col, ext in zip(st.columns(len(kinds)), kinds, strict=True):
        with col:
            download(ctx, link, ext, meeting, since)
    st.caption(t("brief.report_text", lang))
    st.code(state.report_text(*_pack_args(ctx, link, meeting, since)), language=None, wrap_lines=True)


def decision_lines(ctx: Context, decisions, today) -> None:
    """Each decision in words (what, office, by when, indicators, state, closing note), as plain text."""
    from kpi.report.decisions import decision_line

    if not decisions:
        st.write(t("decisions.none_listed", ctx.lang))
    for i, d in enumerate(decisions, start=1):
        st.write(plain(f"{i}. {decision_line(ctx.plan, d, today, ctx.lang)}"))


def qr(ctx: Context, link: str) -> None:
    from kpi.report import briefing

    st.image(briefing.qr_png(link), caption=t("brief.qr_caption", ctx.lang, version=ctx.version), width=180)

