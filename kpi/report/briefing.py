"""The meeting pack: a self-contained HTML briefing, a Word report, the data of the view, a QR code.

Everything here is built from a ``Pack`` — the plan, the period, the as-of
date, the data version, the status rows — so the briefing, the Word report
and the exports say the same thing as the dashboard at that data version.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import segno

from kpi import fmt
from kpi.i18n import STATUS_COLOUR, t
from kpi.plan.windows import resolve_window
from kpi.report import charts, meeting, summary, supervision, tables
from kpi.report.decisions import Decision, as_date, decision_line, tally_sentence
from kpi.report.export import excel_digits, number_text, to_csv_bytes, to_xlsx_bytes
from kpi.report.query import Snapshot, View
from kpi.status import StatusRow

# The columns of a work area's table in the briefing and the Word report (the briefing adds the note).
TABLE_COLUMNS = ("col.code", "col.indicator", "col.target", "col.actual", "col.progress", "col.status")


@dataclass(frozen=True)
class Pack:
    """One View at its data version, with the status rows every part of the pack is built from."""

    view: View
    snapshot: Snapshot
    rows: list[StatusRow]
    link: str
    facts: meeting.Facts | None = None  # a meeting view: what changed since the last meeting, the decisions

    plan = property(lambda self: self.snapshot.plan)
    observations = property(lambda self: self.snapshot.observations)
    sample = property(lambda self: self.snapshot.sample)
    period = property(lambda self: self.view.period)
    as_of = property(lambda self: self.view.as_of)
    version = property(lambda self: self.view.version)
    lang = property(lambda self: self.view.lang)

    @property
    def period_name(self) -> str:
        return tables.period_name(self.plan, self.period, self.lang)

    def summary(self) -> tuple[str, list[summary.AreaSummary]]:
        elapsed = resolve_window(self.plan, self.period).elapsed_share(self.as_of)
        return summary.summarize(self.plan, self.rows, elapsed, self.as_of, self.lang)

    def closed_text(self) -> str | None:
        """"已关账：2023年第三季度（2023-10-10 关账）" for the closed periods the view's period touches, else None."""
        return supervision.closed_text(self.snapshot.closed, self.plan, self.period, self.lang)

    def report_text(self) -> str:
        """The 通报 text to copy, led by the sample-data mark when the numbers are sample data, and by the closed
        periods it covers (已关账) with their close dates; in a meeting view the changes since the last meeting
        follow the overall paragraph, and the decisions close it."""
        overall, areas = self.summary()
        lead, tail = [], []
        if self.facts is not None:
            lead = self.facts.lines(self.plan, self.lang)
            tail = decision_text(self)
        text = summary.report_text(overall, areas, self.lang, lead=lead, tail=tail)
        closed = self.closed_text()
        if closed:  # 数据截至 … and 已关账 …, first
            head = t("head.view", self.lang, period=self.period_name, as_of=self.as_of.isoformat())
            text = f"{head}{'；' if self.lang == 'zh' else '; '}{closed}\n{text}"
        return f"{t('app.sample_mark', self.lang)}\n{text}" if self.sample else text


def build_pack(snap: Snapshot, view: View, link: str, facts: meeting.Facts | None = None) -> Pack:
    """The pack of a View, from the snapshot of its plan at its data version (and a meeting's facts)."""
    return Pack(view, snap, snap.status(view.period, view.as_of), link, facts)


def _numbered(pack: Pack, decisions: tuple[Decision, ...], today: dt.date) -> list[str]:
    return [f"{i}. {decision_line(pack.plan, d, today, pack.lang)}" for i, d in enumerate(decisions, 1)]


def decision_text(pack: Pack) -> list[str]:
    """The decisions part of the 通报 text: this meeting's, and the last meeting's with where each stands."""
    facts, lang = pack.facts, pack.lang
    out = []
    if facts.meeting is not None:
        out.append(tally_sentence(facts.own, facts.own_today, lang, key="decisions.own"))
        out += _numbered(pack, facts.own, facts.own_today)
    if facts.since is not None and facts.earlier:
        out.append(t("decisions.earlier_title", lang, name=facts.since.meeting["name"]))
        out += _numbered(pack, facts.earlier, facts.today)
    return out


def qr_svg(link: str) -> str:
    """The link as a QR code, an inline SVG (made in pure Python: no network, no image library)."""
    buf = io.BytesIO()
    segno.make(link, error="m").save(buf, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    return buf.getvalue().decode()


def qr_png(link: str) -> bytes:
    buf = io.BytesIO()
    segno.make(link, error="m").save(buf, kind="png", scale=6, border=2)
    return buf.getvalue()


# --- the data of the view ------------------------------------------------------------

# The columns of the view's data that hold ratios (written as 70%, a percentage cell in XLSX).
VIEW_PERCENT = ("col.progress",)


def view_frame(pack: Pack) -> pd.DataFrame:
    """Actual against target for the view, numbers as numbers, with the data version and cut-off on every row.

    The file imports back as it is: the period column holds the period's label (2023-Q3), the actual column
    the value (a number, or a milestone's completion date or 未完成) and the note column the note; every other
    column is ignored by the import. With sample data in force, a first column says which rows are sample data.
    """
    lang, plan = pack.lang, pack.plan
    window = resolve_window(plan, pack.period)
    areas = {a.code: a.name.get(lang) for a in plan.areas}
    corrected = any(r.corrected_at for r in pack.rows)  # a column 更正 when any row of the view was corrected
    files = _evidence_by_code(pack)  # and a column of evidence names and hashes when any evidence is in the view
    out = []
    for r in pack.rows:
        item = plan.indicator(r.indicator)
        milestone = item.kind == "milestone"
        row = {t("col.period", lang): window.label, t("export.period_name", lang): pack.period_name,
               t("col.area", lang): areas[r.area], t("col.code", lang): r.indicator,
               t("col.indicator", lang): item.name.get(lang),
               t("col.unit", lang): item.unit.get(lang) if item.unit and not milestone else "",
               t("col.target", lang): _view_target(r, milestone),
               t("export.actual", lang): _view_actual(r, milestone, lang),
               t("col.progress", lang): None if milestone else excel_digits(r.progress),
               t("col.expected", lang): None if milestone else excel_digits(r.expected),
               t("col.status", lang): tables.status_text(r, lang), t("col.note", lang): r.note or "",
               t("export.as_of", lang): pack.as_of.isoformat(), t("export.version", lang): pack.version}
        if corrected:
            row[t("correct.column", lang)] = supervision.correction_text(r, lang)
        if files:
            row[t("evidence.column", lang)] = files.get(r.indicator, "")
        if pack.sample or any(x.sample for x in pack.rows):
            row = {t("export.sample", lang): t("export.sample_row", lang) if r.sample else "", **row}
        out.append(row)
    return pd.DataFrame(out, dtype=object)


def _evidence_by_code(pack: Pack) -> dict[str, str]:
    """Indicator -> its evidence in the view, as "a.pdf（SHA-256 …）；…"."""
    table = supervision.evidence_table(pack.snapshot.evidence, pack.plan, pack.period, pack.lang)
    out: dict[str, list[str]] = {}
    for code, name, sha in zip(table.iloc[:, 0], table.iloc[:, 2], table.iloc[:, 4], strict=True):
        out.setdefault(code, []).append(t("evidence.listed", pack.lang, file=name, sha=sha))
    return {k: ("；" if pack.lang == "zh" else "; ").join(v) for k, v in out.items()}


def _view_target(r: StatusRow, milestone: bool) -> object:
    if milestone:
        return r.due
    if r.target_low is not None:
        return f"{number_text(excel_digits(r.target_low))}–{number_text(excel_digits(r.target_high))}"
    return excel_digits(r.target)


def _view_actual(r: StatusRow, milestone: bool, lang: str) -> object:
    """The value as an upload gives it: a number; a milestone's completion date, or 未完成 when reported not done."""
    if not milestone:
        return excel_digits(r.actual)
    if r.done_on:
        return r.done_on
    return t("export.not_done", lang) if r.actual == 0 else None


def _percent_columns(pack: Pack) -> tuple[str, ...]:
    return tuple(t(k, pack.lang) for k in VIEW_PERCENT)


def view_csv(pack: Pack) -> bytes:
    return to_csv_bytes(view_frame(pack), percent=_percent_columns(pack))


def view_xlsx(pack: Pack) -> bytes:
    notes = [t("export.sheet_note", pack.lang, plan=pack.plan.title.get(pack.lang), period=pack.period_name,
               as_of=pack.as_of.isoformat(), version=pack.version), pack.link]
    if pack.sample:
        notes.append(t("app.sample_banner", pack.lang))
    return to_xlsx_bytes(view_frame(pack), sheet=t("export.sheet", pack.lang), notes=notes,
                         percent=_percent_columns(pack))


# --- the HTML briefing -----------------------------------------------------------------

_CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 0 auto; max-width: 1100px; padding: 24px; color: #222; line-height: 1.6; }
h1 { font-size: 28px; margin-bottom: 4px; } h2 { border-bottom: 2px solid #ddd; padding-bottom: 4px; margin-top: 36px; }
.cover { border: 1px solid #ddd; border-radius: 8px; padding: 16px 24px; display: flex; gap: 24px;
         align-items: center; justify-content: space-between; flex-wrap: wrap; }
.cover dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
.cover dt { color: #666; } .sample { background: #FFF4D6; padding: 8px 12px; border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 12px 0; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; } .status { border-left: 5px solid; white-space: nowrap; }
.summary { background: #f7f9fc; border-radius: 6px; padding: 12px 16px; }
.link { word-break: break-all; font-family: monospace; font-size: 13px; }
.note { color: #555; font-size: 14px; } .correction { color: #8a4b00; font-size: 13px; }
@media print { .chart { page-break-inside: avoid; } }
"""


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text))


def _table(pack: Pack, rows: list[StatusRow]) -> str:
    lang = pack.lang
    *plain, status = TABLE_COLUMNS
    frame = tables.overview_table(pack.plan, rows, lang)
    out = ["<table><tr>" + "".join(f"<th>{_e(t(k, lang))}</th>" for k in (*TABLE_COLUMNS, "col.note")) + "</tr>"]
    for r, rec in zip(rows, frame.to_dict("records"), strict=True):
        colour = STATUS_COLOUR[r.status]
        out.append("<tr>" + "".join(f"<td>{_e(rec[t(k, lang)])}</td>" for k in plain)
                   + f'<td class="status" style="border-left-color:{colour}">{_e(rec[t(status, lang)])}</td>'
                   + f"<td>{_e(r.note or '')}{_correction_cell(r, lang)}</td></tr>")
    out.append("</table>")
    return "".join(out)


def _correction_cell(r: StatusRow, lang: str) -> str:
    text = supervision.correction_text(r, lang)
    return f"<br><span class='correction'>{_e(text)}</span>" if text else ""


def _evidence_html(pack: Pack) -> str:
    """The evidence of the view listed by name, size and SHA-256 (never the contents)."""
    lang = pack.lang
    table = supervision.evidence_table(pack.snapshot.evidence, pack.plan, pack.period, lang)
    out = [f"<h2 id='evidence'>{_e(t('evidence.title', lang))}</h2>"]
    if table.empty:
        return out[0] + f"<p>{_e(t('evidence.brief_none', lang))}</p>"
    out.append("<table><tr>" + "".join(f"<th>{_e(c)}</th>" for c in table.columns) + "</tr>")
    for rec in table.itertuples(index=False):
        out.append("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in rec) + "</tr>")
    return "".join(out) + "</table>"


def _figure(fig: go.Figure, first: bool) -> str:
    return '<div class="chart">' + fig.to_html(full_html=False, include_plotlyjs=True if first else False,
                                               config={"displaylogo": False, "responsive": True}) + "</div>"


def _meeting_html(pack: Pack) -> str:
    """The meeting: what changed since the last one, this meeting's decisions, the last meeting's and their state."""
    facts, lang = pack.facts, pack.lang
    out = [f"<h2 id='meeting'>{_e(t('brief.meeting', lang))}</h2>"]
    if facts.meeting is not None:
        held = fmt.date(as_date(facts.meeting["held_on"]), lang)
        name = t("screen.meeting", lang, name=facts.meeting["name"], date=held)
        out.append(f"<p id='meeting-name'>{_e(name)}</p>")
    out += [f"<p class='since'>{_e(line)}</p>" for line in facts.lines(pack.plan, lang)]
    groups = []
    if facts.meeting is not None:
        groups.append(("own", t("decisions.own_title", lang), facts.own, facts.own_today,
                       tally_sentence(facts.own, facts.own_today, lang, key="decisions.own")))
    if facts.since is not None and facts.earlier:
        groups.append(("earlier", t("decisions.earlier_title", lang, name=facts.since.meeting["name"]),
                       facts.earlier, facts.today, ""))
    for key, title, listed, day, sentence in groups:
        out.append(f"<h3>{_e(title)}</h3>")
        if sentence:
            out.append(f"<p>{_e(sentence)}</p>")
        lines = [decision_line(pack.plan, d, day, lang) for d in listed]
        out.append(f"<ol id='decisions-{key}'>" + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ol>")
    return "".join(out)


def briefing_html(pack: Pack) -> bytes:
    """One HTML file that opens anywhere, offline: plotly.js is inlined, nothing is fetched."""
    lang, plan = pack.lang, pack.plan
    overall, areas = pack.summary()
    attention = tables.needs_attention(plan, pack.rows, lang)
    parts = [f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
             f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(plan.title.get(lang))}'
             f" · {_e(pack.period_name)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{_e(plan.title.get(lang))}</h1><p>{_e(t('brief.subtitle', lang))}</p>",
             '<section class="cover" id="cover"><dl>',
             f"<dt>{_e(t('ctl.plan', lang))}</dt><dd>{_e(plan.title.get(lang))}</dd>",
             f"<dt>{_e(t('ctl.period', lang))}</dt><dd id='period'>{_e(pack.period_name)}</dd>",
             f"<dt>{_e(t('app.as_of', lang))}</dt><dd id='as-of'>{_e(fmt.date(pack.as_of, lang))}"
             f" ({_e(pack.as_of.isoformat())})</dd>",
             f"<dt>{_e(t('brief.version', lang))}</dt><dd id='data-version'>{pack.version}</dd>",
             *([f"<dt>{_e(t('close.label', lang))}</dt><dd id='closed'>{_e(pack.closed_text())}</dd>"]
               if pack.closed_text() else []),
             f"<dt>{_e(t('brief.made', lang))}</dt><dd>{_e(fmt.timestamp(dt.datetime.now()))}</dd>",
             f"<dt>{_e(t('brief.link', lang))}</dt><dd><a class='link' id='link' href='{_e(pack.link)}'>"
             f"{_e(pack.link)}</a></dd></dl>",
             f'<div aria-label="{_e(t("brief.qr", lang))}">{qr_svg(pack.link)}</div></section>']
    if plan.example:
        parts.append(f'<p class="sample" id="example">{_e(t("example.banner", lang))}</p>')
    if lang == "en" and plan.untranslated():
        parts.append(f'<p class="note" id="untranslated">{_e(t("untranslated.note", lang))}</p>')
    if pack.sample:
        parts.append(f'<p class="sample">{_e(t("app.sample_banner", lang))}</p>')
    parts.append(f"<h2>{_e(t('brief.summary', lang))}</h2><div class='summary'><p id='overall'>{_e(overall)}</p>")
    parts += [f"<p class='area-summary' data-area='{_e(a.code)}'>{_e(a.sentence)}</p>" for a in areas]
    parts.append("</div>")
    if pack.facts is not None:
        parts.append(_meeting_html(pack))
    parts.append(f"<h2>{_e(t('overview.attention', lang))}</h2>")
    if not attention:
        parts.append(f"<p>{_e(t('overview.attention_none', lang))}</p>")
    parts.append("<ul>")
    for item in attention:
        note = f"<br><span class='note'>{_e(t('attention.note', lang, note=item.note))}</span>" if item.note else ""
        parts.append(f"<li>{_e(item.text)}{note}</li>")
    parts.append("</ul>")
    first = True
    for area, summ in zip(plan.areas, areas, strict=True):
        rows = [r for r in pack.rows if r.area == area.code]
        parts.append(f"<h2 id='area-{_e(area.code)}'>{_e(area.name.get(lang))}</h2><p>{_e(summ.sentence)}</p>")
        parts.append(_table(pack, rows))
        by_code = {r.indicator: r for r in rows}
        for item in area.items:
            if item.kind == "milestone" or item.monitored:
                continue
            parts.append(f"<h4>{_e(item.name.get(lang))} <small>{_e(item.code)}</small></h4>")
            parts.append(_figure(charts.cumulative(plan, item, pack.observations, pack.as_of, lang,
                                                   highlight=tables.breakdown_window(plan, pack.period)), first))
            first = False
        milestones = [i for i in area.items if i.kind == "milestone"]
        if milestones:
            parts.append(_figure(charts.milestone_timeline(plan, milestones, by_code, pack.as_of, lang), first))
            first = False
    parts.append(_evidence_html(pack))
    parts.append(f"<p class='note'>{_e(t('brief.footer', lang, version=pack.version))}</p></body></html>")
    return "".join(parts).encode("utf-8")
