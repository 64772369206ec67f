"""The meeting screen (会议模式): one screen for a projector, as HTML built from the status rows.

The head line (plan, period, 数据截至, the changes since the last meeting, the state of its decisions, a small QR
code) and a strip per work area: the counts by status as a stacked bar with an icon and a count on every part, and
the average completion against 序时进度 as a bullet bar. Every text is escaped here; sizes are in ``em`` of one
base size that grows with the screen's width and never goes under ``MIN_TEXT_PX`` (read from the back of a room).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import plotly.graph_objects as go
import segno

from kpi import fmt
from kpi.i18n import STATUS_COLOUR, STATUS_TEXT, status_label, t
from kpi.plan.models import Plan
from kpi.report.meeting import AreaChange, Change, Since, delta_text
from kpi.report.summary import average_completion
from kpi.status import NOT_JUDGED, Bands, StatusRow

MIN_TEXT_PX = 18  # the smallest text on the meeting screen, at a 1366 px wide projector
BASE_SIZE = f"clamp({MIN_TEXT_PX}px, 1.4vw, 30px)"  # 19 px at 1366 wide, 27 px at 1920
# the order of the parts of a strip's bar: done, on pace, then worse and worse, then what is not judged
BAR_ORDER = ("met", "on_track", "at_risk", "off_track", "missed", "overdue", "pending", "no_data", "no_target")
BAR_AS = {"done": "met"}  # a milestone done is counted with the targets met (the same icon, colour and word)

CSS = f"""
<style>
.kpi-scr {{ font-size: {BASE_SIZE}; line-height: 1.3; color: #1a1a1a; }}
.kpi-scr * {{ font-size: inherit; }}
.stMainBlockContainer .kpi-scr h1 {{ font-size: 1.2em !important; line-height: 1.3; margin: 0; padding: 0 0 0.1em 0;
  font-weight: 700; }}
.stMainBlockContainer .kpi-scr h1 .kpi-view {{ font-size: 0.84em !important; font-weight: 600; color: #333; }}
.kpi-tag {{ display: inline-block; background: #FFF4D6; border-radius: 0.3em; padding: 0 0.35em; font-weight: 600;
  margin-left: 0.4em; }}
.kpi-line {{ margin: 0.05em 0; }}
.kpi-line.kpi-changes {{ font-weight: 600; }}
.kpi-qr {{ display: flex; gap: 0.5em; align-items: center; justify-content: flex-end; }}
.kpi-qr img {{ width: 4.6em; height: 4.6em; image-rendering: pixelated; }}
.kpi-qr span {{ color: #333; line-height: 1.2; max-width: 11em; }}
.kpi-strips {{ display: grid; grid-template-columns: minmax(5em, 8.5em) 1fr minmax(9em, 12em); gap: 0.35em 0.6em;
  align-items: center; }}
.kpi-strips .kpi-h {{ color: #444; font-weight: 600; border-bottom: 2px solid #ddd; line-height: 1.2; }}
.kpi-name {{ font-weight: 700; line-height: 1.2; }}
.kpi-delta {{ font-weight: 600; color: #333; white-space: nowrap; }}
.kpi-bar {{ display: flex; height: 1.6em; border-radius: 0.25em; overflow: hidden; }}
.kpi-seg {{ flex-basis: 0; min-width: 2.6em; display: flex; align-items: center; justify-content: center;
  font-weight: 700; color: #111; white-space: nowrap; border-right: 2px solid #fff; }}
.kpi-bullet {{ display: flex; align-items: center; gap: 0.4em; }}
.kpi-track {{ position: relative; flex: 1; height: 1.1em; background: #E8E8E8; border-radius: 0.2em; }}
.kpi-fill {{ position: absolute; left: 0; top: 0.2em; bottom: 0.2em; border-radius: 0.15em; }}
.kpi-pace {{ position: absolute; top: -0.2em; bottom: -0.2em; width: 3px; background: #000; margin-left: -1px; }}
.kpi-pct {{ font-weight: 700; min-width: 2.6em; text-align: right; white-space: nowrap; }}
.kpi-legend {{ color: #333; margin-top: 0.35em; }}
.kpi-legend span {{ margin-right: 0.9em; white-space: nowrap; }}
@media (max-width: 700px) {{
  .kpi-strips {{ grid-template-columns: 1fr; }}
  .kpi-strips .kpi-h {{ display: none; }}
}}
</style>
"""


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text))


@dataclass(frozen=True)
class Strip:
    """One work area on the meeting screen."""

    code: str
    name: str
    counts: tuple[tuple[str, int], ...]  # (status, how many), in BAR_ORDER, only the statuses present
    judged: int
    average: float | None
    needs_note: int
    change: AreaChange | None = None


def strips(plan: Plan, rows: list[StatusRow], lang: str, since: Since | None = None) -> list[Strip]:
    out = []
    for area in plan.areas:
        mine = [r for r in rows if r.area == area.code]
        judged = [r for r in mine if r.status not in NOT_JUDGED]
        counts = tuple((s, n) for s in BAR_ORDER if (n := sum(BAR_AS.get(r.status, r.status) == s for r in mine)))
        out.append(Strip(area.code, area.name.get(lang), counts, len(judged), average_completion(judged),
                         sum(r.needs_note for r in mine), since.area(area.code) if since is not None else None))
    return out


def _signed(n: int, lang: str) -> str:
    return ("▲" if n > 0 else "▼") + str(abs(n))


def _area_delta(change: AreaChange | None, lang: str) -> str:
    """"▲完成1 ▼落后1" — how the area's done and behind counts moved since the earlier meeting."""
    if change is None:
        return ""
    parts = []
    if change.done != change.done_before:
        parts.append(t("screen.delta_done", lang, change=_signed(change.done - change.done_before, lang)))
    if change.behind != change.behind_before:
        parts.append(t("screen.delta_behind", lang, change=_signed(change.behind - change.behind_before, lang)))
    return " ".join(parts)


def _bar(strip: Strip, lang: str) -> str:
    if not strip.counts:
        return f'<div class="kpi-bar"><span class="kpi-seg" style="flex-grow:1;background:#eee">' \
               f'{_e(t("screen.no_items", lang))}</span></div>'
    label = "，".join(f"{status_label(s, lang, icon=False)} {n}" for s, n in strip.counts)
    parts = [f'<span class="kpi-seg" data-status="{s}" title="{_e(status_label(s, lang))} {n}" '
             f'style="flex-grow:{n};background:{STATUS_COLOUR[s]}">{_e(STATUS_TEXT[s][0])}{n}</span>'
             for s, n in strip.counts]
    return f'<div class="kpi-bar" role="img" aria-label="{_e(label)}">{"".join(parts)}</div>'


def _bullet(strip: Strip, elapsed: float, lang: str) -> str:
    if strip.average is None:
        return f'<div class="kpi-bullet"><span>{_e(t("screen.nothing_to_measure", lang))}</span></div>'
    average = min(strip.average, 1.0)
    status = Bands.from_settings().classify(average / elapsed) if elapsed > 0 else "on_track"
    delta = ""
    if strip.change is not None and strip.change.points:
        delta = f'<span class="kpi-delta">{_e(_signed(strip.change.points, lang))}</span>'
    return (f'<div class="kpi-bullet" title="{_e(t("screen.bullet_help", lang))}">'
            f'<span class="kpi-pct">{_e(fmt.percent(strip.average, lang))}</span>'
            f'<div class="kpi-track"><div class="kpi-fill" style="width:{average * 100:.1f}%;'
            f'background:{STATUS_COLOUR[status]}"></div>'
            f'<div class="kpi-pace" style="left:{min(elapsed, 1.0) * 100:.1f}%"></div></div>{delta}</div>')


def strips_html(items: list[Strip], elapsed: float, lang: str, heading: bool = True) -> str:
    """The strips of the work areas, with a head row and a legend of the statuses shown."""
    out = [f'{CSS}<div class="kpi-scr"><div class="kpi-strips">']
    if heading:
        out.append(f'<div class="kpi-h">{_e(t("screen.areas", lang))}</div>'
                   f'<div class="kpi-h">{_e(t("screen.counts", lang))}</div>'
                   f'<div class="kpi-h">{_e(t("screen.average", lang, pace=fmt.percent(elapsed, lang)))}</div>')
    for s in items:
        delta = _area_delta(s.change, lang)
        note = f'<div class="kpi-delta">{_e(t("screen.needs_note", lang, count=s.needs_note))}</div>' \
            if s.needs_note else ""
        out.append(f'<div class="kpi-name" data-area="{_e(s.code)}">{_e(s.name)}'
                   + (f'<div class="kpi-delta">{_e(delta)}</div>' if delta else "") + note + "</div>"
                   + _bar(s, lang) + _bullet(s, elapsed, lang))
    out.append("</div>")
    shown = [st for st in BAR_ORDER if any(st == s for strip in items for s, _ in strip.counts)]
    if shown:
        out.append('<div class="kpi-legend">' + "".join(f"<span>{_e(status_label(s, lang))}</span>" for s in shown)
                   + "</div>")
    out.append("</div>")
    return "".join(out)


def top_html(title: str, view_line: str, tags: list[str], lines: list[tuple[str, str]]) -> str:
    """The head of the screen: the plan, the period and 数据截至 in one line, then ``lines`` (text, class:
    ``meeting``, ``changes`` or ``decisions``)."""
    marks = "".join(f'<span class="kpi-tag">{_e(tag)}</span>' for tag in tags)
    body = "".join(f'<div class="kpi-line kpi-{_e(kind)}">{_e(text)}</div>' for text, kind in lines)
    return (f'{CSS}<div class="kpi-scr"><h1>{_e(title)} <span class="kpi-view">· {_e(view_line)}</span>{marks}</h1>'
            f"{body}</div>")


def qr_html(link: str, caption: str) -> str:
    """The link as a small QR code (a PNG in the page: no request) with its caption to the left."""
    uri = segno.make(link, error="m").png_data_uri(scale=4, border=1)
    return (f'{CSS}<div class="kpi-scr"><div class="kpi-qr"><span>{_e(caption)}</span>'
            f'<img alt="{_e(caption)}" src="{_e(uri)}"></div></div>')


def change_tag(change: Change | None, plan: Plan, lang: str) -> str:
    """" · 新落后 · ▲3" — what changed for one indicator since the earlier meeting; "" when nothing did."""
    if change is None:
        return ""
    item = plan.indicator(change.indicator)
    parts = [t(f"screen.kind_{kind}", lang) for kind in change.kinds]
    moved = delta_text(change, item.unit_text(lang), lang)
    if moved:
        parts.append(t("screen.moved", lang, change=moved))
    return "".join(" · " + p for p in parts)


PROJECTED_FONT = 17  # chart text on a slide: the axis ticks, the legend, the labels
PROJECTED_TITLE = 20


def projected(fig: go.Figure) -> go.Figure:
    """A copy of a chart with its text made large enough for a projector (the cached figure stays as it is)."""
    data = fig.to_plotly_json()
    layout = dict(data["layout"])
    layout["font"] = {**layout.get("font", {}), "size": PROJECTED_FONT}
    title = dict(layout.get("title") or {})
    title["font"] = {**title.get("font", {}), "size": PROJECTED_TITLE}
    layout["title"] = title
    layout["legend"] = {**layout.get("legend", {}), "font": {"size": PROJECTED_FONT}}
    layout["annotations"] = [{**a, "font": {**a.get("font", {}), "size": PROJECTED_FONT}}
                             for a in layout.get("annotations", [])]
    layout["height"] = max(layout.get("height") or 320, 400)
    layout["margin"] = {**layout.get("margin", {}), "t": 118}  # the title, and a legend of two lines under it
    traces = []
    for trace in data["data"]:
        trace = dict(trace)
        if "textfont" in trace or trace.get("text") is not None:
            trace["textfont"] = {**trace.get("textfont", {}), "size": PROJECTED_FONT}
        traces.append(trace)
    return go.Figure(data=traces, layout=layout, _validate=False)
