"""The Word report: the 通报-style summary and a table per work area, with Chinese fonts set."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from kpi import fmt
from kpi.i18n import t
from kpi.report import summary, tables
from kpi.report.briefing import TABLE_COLUMNS, Pack, decision_text

BODY_FONT, HEADING_FONT, LATIN_FONT = "仿宋", "黑体", "Times New Roman"  # the conventions of an official report


def _font(run, east_asian: str, size: float | None = None, bold: bool = False) -> None:
    run.font.name = LATIN_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold


def _styles(doc: Document) -> None:
    for name, east_asian, size in (("Normal", BODY_FONT, 14), ("Heading 1", HEADING_FONT, 16),
                                   ("Heading 2", HEADING_FONT, 15), ("Title", HEADING_FONT, 20)):
        style = doc.styles[name]
        style.font.name = LATIN_FONT
        style.font.size = Pt(size)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)


def report_docx(pack: Pack) -> bytes:
    lang, plan = pack.lang, pack.plan
    overall, areas = pack.summary()
    doc = Document()
    _styles(doc)
    title = doc.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(t("docx.title", lang, plan=plan.title.get(lang))), HEADING_FONT, 20, bold=True)
    meta = doc.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(meta.add_run(t("docx.meta", lang, period=pack.period_name, as_of=fmt.date(pack.as_of, lang),
                         version=pack.version)), BODY_FONT, 12)
    closed = pack.closed_text()
    if closed:
        line = doc.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(line.add_run(closed), BODY_FONT, 12)
    if pack.plan.example:
        _font(doc.add_paragraph().add_run(t("example.banner", lang)), BODY_FONT, 12, bold=True)
    if pack.sample:
        _font(doc.add_paragraph().add_run(t("app.sample_banner", lang)), BODY_FONT, 12, bold=True)
    doc.add_heading(t("brief.summary", lang), level=1)
    doc.add_paragraph(overall)
    for line in pack.facts.lines(plan, lang) if pack.facts is not None else []:
        doc.add_paragraph(line)  # what changed since the last meeting, and where its decisions stand
    for i, (area, summ) in enumerate(zip(plan.areas, areas, strict=True)):
        doc.add_heading(summary.heading(i, summ.name, lang), level=2)
        doc.add_paragraph(summ.sentence)
        rows = [r for r in pack.rows if r.area == area.code]
        frame = tables.overview_table(plan, rows, lang)
        table = doc.add_table(rows=1, cols=len(TABLE_COLUMNS))
        table.style = "Table Grid"
        for cell, key in zip(table.rows[0].cells, TABLE_COLUMNS, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(t(key, lang)), HEADING_FONT, 10.5, bold=True)
        for rec in frame.to_dict("records"):
            cells = table.add_row().cells
            for cell, key in zip(cells, TABLE_COLUMNS, strict=True):
                cell.text = ""
                _font(cell.paragraphs[0].add_run(str(rec[t(key, lang)])), BODY_FONT, 10.5)
    lines = decision_text(pack) if pack.facts is not None else []
    if lines:
        doc.add_heading(t("brief.meeting", lang), level=1)
        for line in lines:
            doc.add_paragraph(line)
    doc.add_paragraph()
    _font(doc.add_paragraph().add_run(t("docx.link", lang, link=pack.link)), BODY_FONT, 10.5)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
