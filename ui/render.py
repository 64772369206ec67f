"""Small rendering helpers shared by pages. Uploaded text is always shown as plain text."""

from __future__ import annotations

import streamlit as st

from kpi.i18n import status_label, t
from kpi.plan.models import Indicator
from kpi.report import tables
from kpi.status import StatusRow
from ui import nav
from ui.context import Context
from ui.safe import plain


def attention_line(ctx: Context, item: tables.Attention) -> None:
    nav.link("app_pages/indicator.py", label=plain(item.text), query_params=ctx.link_params(indicator=item.code))
    if item.note:
        st.caption(plain(t("attention.note", ctx.lang, note=item.note)))


def explanation(ctx: Context, row: StatusRow) -> None:
    """The note, the override and the correction after close (更正) of a status, as plain text."""
    from kpi.report.supervision import correction_text

    if row.note:
        st.caption(plain(t("attention.note", ctx.lang, note=tables.note_text(row))))
    for line in (tables.override_line(row, ctx.lang), correction_text(row, ctx.lang)):
        if line:
            st.caption(plain(line))


PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"]}


def milestone_line(ctx: Context, item: Indicator, row: StatusRow) -> None:
    summary = tables.summary_line(item, row, ctx.lang)
    text = f"{tables.status_text(row, ctx.lang)} · {item.name.get(ctx.lang)} · {summary}"
    if row.needs_note:
        text += t("needs_note.tag", ctx.lang)
    nav.link("app_pages/indicator.py", label=plain(text), query_params=ctx.link_params(indicator=item.code))
    explanation(ctx, row)


def annotate_forms(ctx: Context, code: str) -> None:
    """Editors of the indicator's area: attach an explanation to a period, or override its status with a reason.

    Both go through ``kpi.writes``, which checks the editor's areas and the closed periods at the moment of writing
    (an admin may correct a closed period with a reason); a refusal is shown and nothing is written.
    """
    from kpi import writes
    from kpi.notes import NoteTooLong
    from kpi.roles import Refused
    from kpi.settings import get_settings
    from kpi.status import STATUSES
    from ui import signin, state

    lang, longest = ctx.lang, get_settings().note_max_chars  # the store refuses longer ones too
    periods = tables.period_options(ctx.plan)
    who = signin.editor()
    admin = who is not None and who.admin and not state.closed_periods(ctx.db, ctx.latest).empty

    def write(action, *args) -> None:
        writer = signin.writer()  # checked on the server at the moment of writing
        if writer is None:
            return
        try:
            batch = action(state.get_store(), writer, code, *args)
        except Refused as exc:
            st.error(plain(t("role.refused", lang) + "\n\n" + exc.message(lang)))
            return
        except NoteTooLong as exc:
            st.error(exc.message(lang))
            return
        st.success(t("annotate.saved", lang, batch=batch))

    with st.expander(t("annotate.title", lang), expanded=st.query_params.get("explain") == "1"):
        with st.form("note_form", clear_on_submit=True):
            period = st.selectbox(t("ctl.period", lang), periods, index=periods.index(ctx.period), key="note_period")
            note = st.text_area(t("annotate.note", lang), key="note_text", max_chars=longest)
            fix = st.text_input(t("correct.reason", lang), key="note_correction", max_chars=300) if admin else ""
            if st.form_submit_button(t("annotate.save_note", lang)):
                write(writes.write_note, period, note, fix or None)
        with st.form("override_form", clear_on_submit=True):
            period = st.selectbox(t("ctl.period", lang), periods, index=periods.index(ctx.period),
                                  key="override_period")
            status = st.selectbox(t("annotate.status", lang), ["", *STATUSES], key="override_status",
                                  format_func=lambda s: t("annotate.clear", lang) if not s else status_label(s, lang))
            reason = st.text_input(t("annotate.reason", lang), key="override_reason", max_chars=longest)
            fix = st.text_input(t("correct.reason", lang), key="override_correction", max_chars=300) if admin else ""
            if st.form_submit_button(t("annotate.save_override", lang)):
                if status and not reason.strip():
                    st.error(t("annotate.reason_needed", lang))
                else:
                    write(writes.write_override, period, status, reason, fix or None)


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
    with st.container(horizontal=True):  # one block rather than a row of columns: a crowd pays per element
        for ext in _pack_files():
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


def evidence_section(ctx: Context, code: str, may_attach: bool) -> None:
    """The evidence (佐证材料) of the indicator for the view's period (a milestone's: any period), each file a
    download with its own safe type; every file ever attached (reverted ones too) in an expander; and, for an editor
    of its area, the form to attach one (checked again by ``kpi.writes`` at the moment of writing)."""
    from kpi import evidence, writes
    from kpi.roles import Refused
    from ui import signin, state

    lang = ctx.lang
    st.subheader(t("evidence.title", lang))
    table, files = state.evidence_files(ctx.db, ctx.view, code)
    if table.empty:
        st.info(t("evidence.none", lang))
    else:
        st.dataframe(table, hide_index=True, width="stretch")
        for i, (name, sha) in enumerate(files):
            st.download_button(t("evidence.download", lang, file=name),
                               lambda sha=sha: state.evidence_bytes(ctx.db, sha), file_name=name,
                               mime=evidence.media_type(name), key=f"evidence_{i}_{sha[:12]}",
                               icon=":material/attach_file:")
    every = state.evidence_history(ctx.db, ctx.latest, code, lang)
    if not every.empty:
        with st.expander(t("evidence.history", lang)):
            st.dataframe(every, hide_index=True, width="stretch")
    if not may_attach:
        return
    done = st.session_state.pop("_evidence_done", None)
    if done:
        st.success(t("evidence.saved", lang, batch=done[0], sha=done[1][:12]))
    item = ctx.plan.indicator(code)
    periods = tables.period_options(ctx.plan)
    default = periods[0] if item.kind == "milestone" else ctx.period
    types = evidence.allowed()
    limit = _limit_mb()
    with st.expander(t("evidence.attach", lang), expanded=st.query_params.get("evidence") == "1"):
        with st.form("evidence_form", clear_on_submit=True):
            period = st.selectbox(t("evidence.period", lang), periods, index=periods.index(default),
                                  key="evidence_period")
            upload = st.file_uploader(t("evidence.choose", lang, types=", ".join(types), limit=limit), type=types,
                                      key="evidence_file")
            if st.form_submit_button(t("evidence.save", lang), type="primary") and upload is not None:
                writer = signin.writer()  # checked on the server at the moment of writing
                if writer is not None:
                    data = upload.getvalue()
                    try:
                        batch = writes.attach_evidence(state.get_store(), writer, code, period, upload.name, data)
                    except Refused as exc:
                        st.error(plain(t("role.refused", lang) + "\n\n" + exc.message(lang)))
                    else:
                        import hashlib

                        st.session_state["_evidence_done"] = (batch, hashlib.sha256(data).hexdigest())
                        st.rerun()


def _limit_mb() -> str:
    from kpi.settings import get_settings

    return f"{get_settings().evidence_max_bytes / 1024 / 1024:g}"
