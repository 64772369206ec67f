"""Plotly figures: actual against target, pace (序时进度), trends and milestone timelines.

Every figure takes its words from the catalogue or the plan, uses the status
palette with a text label on every mark (never colour alone), and a font
stack that renders Chinese.

Figures are built as plain dicts and wrapped once without plotly's per-property
validation (twenty times faster: an area page draws twenty of them);
``tests/test_charts.py`` validates every kind of figure in full instead.
"""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import plotly.graph_objects as go

from kpi import fmt
from kpi.i18n import STATUS_COLOUR, STATUS_TEXT, status_label, t
from kpi.periods import Window, covering, months_between, parse_period
from kpi.plan.models import Indicator, Plan
from kpi.report.tables import override_line, status_text
from kpi.status import STATUSES, StatusRow, pace_curve, target_steps

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, Heiti SC, sans-serif"
NEUTRAL = "#7F7F7F"
TARGET_COLOUR = "#000000"
PACE_COLOUR = "#0072B2"
AS_OF_LINE = {"color": "#555", "width": 1, "dash": "dot"}


def _figure(data: list[dict], layout: dict) -> go.Figure:
    return go.Figure(data=data, layout=layout, _validate=False)


def _layout(title: str, y_title: str, height: int = 320, **extra) -> dict:
    """The house layout: no default template (every style is set here), a CJK font, legend on top."""
    layout = {
        "template": {"layout": {}},
        "title": {"text": title, "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top", "font": {"size": 15}},
        "font": {"family": FONT, "size": 13},
        "height": height, "margin": {"l": 64, "r": 28, "t": 78, "b": 48},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": 12}},
        "plot_bgcolor": "white", "paper_bgcolor": "white", "hoverlabel": {"font": {"family": FONT}},
        "separators": ".,",
        "yaxis": {"title": {"text": y_title, "standoff": 8}, "rangemode": "tozero", "gridcolor": "#E5E5E5",
                  "zeroline": True, "zerolinecolor": "#BBB", "automargin": True},
        "xaxis": {"gridcolor": "#F0F0F0", "automargin": True},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def _as_of_marks(as_of: dt.date, lang: str) -> tuple[list[dict], list[dict]]:
    """A dotted line at the as-of date and its label (shapes, annotations)."""
    x = as_of.isoformat()
    line = {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1, "line": AS_OF_LINE}
    label = {"x": x, "y": 0, "yref": "paper", "showarrow": False, "yanchor": "bottom", "xanchor": "right",
             "text": t("chart.as_of", lang, date=fmt.date(as_of, lang)), "font": {"size": 11, "color": "#555"}}
    return [line], [label]


def _unit(item: Indicator, lang: str) -> str:
    return item.unit_text(lang) or ""


def _hover_note(r: StatusRow, lang: str) -> str:
    """The explanation (and an override) for the hover text; plain text, escaped for plotly's HTML labels."""
    parts = []
    if r.note:
        parts.append(t("attention.note", lang, note=r.note))
    if r.computed_status:
        parts.append(override_line(r, lang))
    return "".join("<br>" + html.escape(p) for p in parts)


def period_bars(item: Indicator, rows: list[StatusRow], lang: str, title: str | None = None) -> go.Figure:
    """Actual per period as bars coloured and labelled by status; the period's target as a marker."""
    unit = _unit(item, lang)
    labels = [parse_period(r.period).display(lang) for r in rows]
    monitored = item.monitored
    data = [{
        "type": "bar", "x": labels, "y": [r.actual for r in rows], "name": t("chart.actual", lang),
        "marker": {"color": [NEUTRAL if monitored else STATUS_COLOUR[r.status] for r in rows]},
        "text": [fmt.number(r.actual, lang) + ("" if monitored else f"<br>{status_text(r, lang)}") for r in rows],
        "textposition": "outside", "cliponaxis": False, "customdata": [_hover_note(r, lang) for r in rows],
        "hovertemplate": "%{x}<br>" + t("chart.actual", lang) + ": %{y:,.4~g} " + unit + "%{customdata}<extra></extra>",
    }]
    if not monitored:
        data.append({
            "type": "scatter", "x": labels, "y": [r.target for r in rows], "mode": "markers",
            "name": t("chart.target", lang),
            "marker": {"symbol": "line-ew-open", "size": 44, "color": TARGET_COLOUR,
                       "line": {"width": 3, "color": TARGET_COLOUR}},
            "hovertemplate": "%{x}<br>" + t("chart.target", lang) + ": %{y:,.4~g} " + unit + "<extra></extra>",
        })
    grain = parse_period(rows[0].period).grain if rows else "quarter"
    top = max([v for r in rows for v in (r.actual, r.target) if v is not None] or [1])
    return _figure(data, _layout(title or t(f"chart.per_{grain}", lang), unit, yaxis={"range": [0, top * 1.35]}))


def cumulative(plan: Plan, item: Indicator, observations: pd.DataFrame, as_of: dt.date, lang: str,
               highlight: Window | None = None) -> go.Figure:
    """Cumulative actual against the cumulative target and the pace line across the plan span."""
    unit = _unit(item, lang)
    months = months_between(plan.span.start, plan.span.end)
    dates = [plan.span.start - dt.timedelta(days=1)] + [m.end for m in months]
    data = []
    pace = pace_curve(plan, item, dates)
    if any(v is not None for v in pace):
        data.append({"type": "scatter", "x": dates, "y": pace, "mode": "lines", "name": t("chart.pace", lang),
                     "line": {"color": PACE_COLOUR, "dash": "dash", "width": 2},
                     "hovertemplate": "%{x|%Y-%m-%d}<br>" + t("chart.pace", lang) + ": %{y:,.4~g}<extra></extra>"})
        steps = target_steps(plan, item)
        if steps:
            data.append({"type": "scatter", "x": [s[0] for s in steps], "y": [s[1] for s in steps],
                         "mode": "markers+text", "name": t("chart.target_cum", lang),
                         "text": [fmt.number(s[1], lang) for s in steps], "textposition": "top center",
                         "marker": {"symbol": "line-ew-open", "size": 22, "color": TARGET_COLOUR,
                                    "line": {"width": 3, "color": TARGET_COLOUR}}})
    xs, ys = _actual_path(item, observations, as_of)
    if xs:
        data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines+markers+text",
                     "name": t("chart.actual_cum", lang),
                     "line": {"color": "#D55E00" if not item.monitored else NEUTRAL, "width": 3, "shape": "hv"},
                     "text": [fmt.number(y, lang) if i == len(ys) - 1 else "" for i, y in enumerate(ys)],
                     "textposition": "top left",
                     "hovertemplate": "%{x|%Y-%m-%d}<br>" + t("chart.actual_cum", lang)
                     + ": %{y:,.4~g}<extra></extra>"})
    shapes, annotations = _as_of_marks(as_of, lang)
    if highlight is not None:
        shapes.insert(0, {"type": "rect", "xref": "x", "yref": "paper", "y0": 0, "y1": 1, "line": {"width": 0},
                          "x0": (highlight.start - dt.timedelta(days=1)).isoformat(),
                          "x1": highlight.end.isoformat(), "fillcolor": "#56B4E9", "opacity": 0.12})
    top = max([v for v in pace if v is not None] + (ys or [0]) + [1])
    title = t("chart.cumulative" if item.kind == "count" else "chart.level", lang)
    x_range = [dates[0].isoformat(), (plan.span.end + dt.timedelta(days=3)).isoformat()]
    return _figure(data, _layout(title, unit, shapes=shapes, annotations=annotations,
                                 xaxis={"range": x_range, "tickformat": "%Y-%m"}, yaxis={"range": [0, top * 1.15]}))


def _actual_path(item: Indicator, observations: pd.DataFrame, as_of: dt.date) -> tuple[list, list]:
    """Cumulative (counts) or latest (stocks, rates) actual at the end of each reported period."""
    if observations is None or observations.empty:
        return [], []
    obs = observations[observations["indicator"] == item.code]
    if obs.empty:
        return [], []
    periods = {parse_period(p): v for p, v in zip(obs["period"], obs["value"], strict=True) if pd.notna(v)}
    periods = {p: v for p, v in periods.items() if p.start <= as_of}
    if not periods:
        return [], []
    span = Window(min(p.start for p in periods), max(p.end for p in periods))
    parts = sorted(covering(list(periods), span), key=lambda p: p.end)
    xs, ys, total = [parts[0].start - dt.timedelta(days=1)], [0.0 if item.kind == "count" else None], 0.0
    for p in parts:
        total = total + periods[p] if item.kind == "count" else periods[p]
        xs.append(min(p.end, as_of))
        ys.append(total)
    if item.kind != "count":
        xs, ys = xs[1:], ys[1:]
    return xs, ys


def milestone_timeline(plan: Plan, items: list[Indicator], rows: dict[str, StatusRow], as_of: dt.date,
                       lang: str) -> go.Figure:
    """One line per milestone: the due date, the completion date, and the status in words."""
    names = [i.name.get(lang) for i in items]
    data = [{"type": "scatter", "x": [i.due.isoformat() for i in items], "y": names, "mode": "markers",
             "name": t("chart.due", lang),
             "marker": {"symbol": "diamond-open", "size": 14, "color": "#000", "line": {"width": 2}},
             "hovertemplate": "%{y}<br>" + t("chart.due", lang) + ": %{x|%Y-%m-%d}<extra></extra>"}]
    done = [(rows[i.code].done_on, i.name.get(lang)) for i in items if rows[i.code].done_on]
    if done:
        data.append({"type": "scatter", "x": [d[0] for d in done], "y": [d[1] for d in done], "mode": "markers",
                     "name": t("chart.done_on", lang),
                     "marker": {"symbol": "circle", "size": 12, "color": STATUS_COLOUR["done"]},
                     "hovertemplate": "%{y}<br>" + t("chart.done_on", lang) + ": %{x|%Y-%m-%d}<extra></extra>"})
    label_x = (plan.span.end + dt.timedelta(days=4)).isoformat()
    data.append({"type": "scatter", "x": [label_x] * len(items), "y": names, "mode": "text", "showlegend": False,
                 "hoverinfo": "skip", "text": [status_text(rows[i.code], lang) for i in items],
                 "textposition": "middle right",
                 "textfont": {"color": [STATUS_COLOUR[rows[i.code].status] for i in items], "size": 13}})
    shapes, _ = _as_of_marks(as_of, lang)
    start = (plan.span.start - dt.timedelta(days=3)).isoformat()
    end = (plan.span.end + dt.timedelta(days=60)).isoformat()
    return _figure(data, _layout(t("chart.milestones", lang), "", height=90 + 38 * len(items), shapes=shapes,
                                 yaxis={"title": {"text": ""}, "autorange": "reversed", "rangemode": "normal"},
                                 xaxis={"range": [start, end], "tickformat": "%Y-%m"}))


def area_status_bars(plan: Plan, rows: list[StatusRow], lang: str) -> go.Figure:
    """Per work area, how many indicators are in each status: stacked bars with the count and icon on them."""
    names = [a.name.get(lang) for a in plan.areas]
    data = []
    for status in STATUSES:
        counts = [sum(r.area == a.code and r.status == status for r in rows) for a in plan.areas]
        if not any(counts):
            continue
        icon = STATUS_TEXT[status][0]
        data.append({"type": "bar", "y": names, "x": counts, "orientation": "h", "name": status_label(status, lang),
                     "marker": {"color": STATUS_COLOUR[status]}, "text": [f"{icon} {c}" if c else "" for c in counts],
                     "textposition": "inside", "insidetextanchor": "middle",
                     "hovertemplate": "%{y}<br>" + status_label(status, lang) + ": %{x}<extra></extra>"})
    return _figure(data, _layout(t("chart.areas", lang), "", height=110 + 44 * len(names), barmode="stack",
                                 yaxis={"autorange": "reversed", "rangemode": "normal", "title": {"text": ""}},
                                 xaxis={"title": {"text": t("chart.count", lang)}}))
