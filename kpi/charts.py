"""Plotly figures: actual against target, pace (序时进度), trends and milestone timelines.

Every figure takes its words from the catalogue or the plan, uses the status
palette with a text label on every mark (never colour alone), and a font
stack that renders Chinese.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from kpi import fmt
from kpi.i18n import STATUS_COLOUR, t
from kpi.periods import Window, covering, months_between, parse_period
from kpi.plan import Indicator, Plan
from kpi.status import StatusRow, pace_curve, target_steps
from kpi.views import override_line, status_text

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, Heiti SC, sans-serif"
NEUTRAL = "#7F7F7F"
TARGET_COLOUR = "#000000"
PACE_COLOUR = "#0072B2"


def _layout(fig: go.Figure, title: str, y_title: str, height: int = 320) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top", "font": {"size": 15}},
        font={"family": FONT, "size": 13},
        height=height, margin={"l": 64, "r": 28, "t": 78, "b": 48},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": 12}},
        plot_bgcolor="white", paper_bgcolor="white", hoverlabel={"font": {"family": FONT}},
        separators=".,",
    )
    fig.update_yaxes(title_text=y_title, rangemode="tozero", gridcolor="#E5E5E5", zeroline=True, zerolinecolor="#BBB",
                     automargin=True, title_standoff=8)
    fig.update_xaxes(gridcolor="#F0F0F0", automargin=True)
    return fig


def _unit(item: Indicator, lang: str) -> str:
    return item.unit.get(lang) if item.unit else ""


def period_bars(plan: Plan, item: Indicator, rows: list[StatusRow], lang: str, title: str | None = None) -> go.Figure:
    """Actual per period as bars coloured and labelled by status; the period's target as a marker."""
    unit = _unit(item, lang)
    labels = [parse_period(r.period).display(lang) for r in rows]
    fig = go.Figure()
    monitored = item.monitored
    colours = [NEUTRAL if monitored else STATUS_COLOUR[r.status] for r in rows]
    texts = [fmt.number(r.actual, lang) + ("" if monitored else f"<br>{status_text(r, lang)}") for r in rows]
    notes = [_hover_note(r, lang) for r in rows]
    fig.add_bar(x=labels, y=[r.actual for r in rows], marker_color=colours, name=t("chart.actual", lang),
                text=texts, textposition="outside", cliponaxis=False, customdata=notes,
                hovertemplate="%{x}<br>" + t("chart.actual", lang) + ": %{y:,.4~g} " + unit
                + "%{customdata}<extra></extra>")
    if not monitored:
        fig.add_scatter(x=labels, y=[r.target for r in rows], mode="markers", name=t("chart.target", lang),
                        marker={"symbol": "line-ew-open", "size": 44, "color": TARGET_COLOUR,
                                "line": {"width": 3, "color": TARGET_COLOUR}},
                        hovertemplate="%{x}<br>" + t("chart.target", lang) + ": %{y:,.4~g} " + unit
                        + "<extra></extra>")
    grain = parse_period(rows[0].period).grain if rows else "quarter"
    title = title or t(f"chart.per_{grain}", lang)
    fig = _layout(fig, title, unit)
    top = max([v for r in rows for v in (r.actual, r.target) if v is not None] or [1])
    fig.update_yaxes(range=[0, top * 1.35])
    return fig


def _hover_note(r: StatusRow, lang: str) -> str:
    """The explanation (and an override) for the hover text; plain text, escaped for plotly's HTML labels."""
    import html

    parts = []
    if r.note:
        parts.append(t("attention.note", lang, note=r.note))
    if r.computed_status:
        parts.append(override_line(r, lang))
    return "".join("<br>" + html.escape(p) for p in parts)


def cumulative(plan: Plan, item: Indicator, observations: pd.DataFrame, as_of: dt.date, lang: str,
               highlight: Window | None = None) -> go.Figure:
    """Cumulative actual against the cumulative target and the pace line across the plan span."""
    unit = _unit(item, lang)
    months = months_between(plan.span.start, plan.span.end)
    dates = [plan.span.start - dt.timedelta(days=1)] + [m.end for m in months]
    fig = go.Figure()
    pace = pace_curve(plan, item, dates)
    if any(v is not None for v in pace):
        fig.add_scatter(x=dates, y=pace, mode="lines", name=t("chart.pace", lang),
                        line={"color": PACE_COLOUR, "dash": "dash", "width": 2},
                        hovertemplate="%{x|%Y-%m-%d}<br>" + t("chart.pace", lang) + ": %{y:,.4~g}<extra></extra>")
        steps = target_steps(plan, item)
        if steps:
            fig.add_scatter(x=[s[0] for s in steps], y=[s[1] for s in steps], mode="markers+text",
                            name=t("chart.target_cum", lang), text=[fmt.number(s[1], lang) for s in steps],
                            textposition="top center",
                            marker={"symbol": "line-ew-open", "size": 22, "color": TARGET_COLOUR,
                                    "line": {"width": 3, "color": TARGET_COLOUR}})
    xs, ys = _actual_path(item, observations, as_of)
    if xs:
        fig.add_scatter(x=xs, y=ys, mode="lines+markers+text", name=t("chart.actual_cum", lang),
                        line={"color": "#D55E00" if not item.monitored else NEUTRAL, "width": 3, "shape": "hv"},
                        text=[fmt.number(y, lang) if i == len(ys) - 1 else "" for i, y in enumerate(ys)],
                        textposition="top left",
                        hovertemplate="%{x|%Y-%m-%d}<br>" + t("chart.actual_cum", lang) + ": %{y:,.4~g}<extra></extra>")
    if highlight is not None:
        fig.add_vrect(x0=highlight.start - dt.timedelta(days=1), x1=highlight.end, fillcolor="#56B4E9", opacity=0.12,
                      line_width=0)
    fig.add_vline(x=as_of.isoformat(), line={"color": "#555", "width": 1, "dash": "dot"})
    fig.add_annotation(x=as_of.isoformat(), y=0, yref="paper", showarrow=False, yanchor="bottom", xanchor="right",
                       text=t("chart.as_of", lang, date=fmt.date(as_of, lang)), font={"size": 11, "color": "#555"})
    title = t("chart.cumulative" if item.kind == "count" else "chart.level", lang)
    fig = _layout(fig, title, unit)
    fig.update_xaxes(range=[dates[0], plan.span.end + dt.timedelta(days=3)], tickformat="%Y-%m")
    top = max([v for v in pace if v is not None] + (ys or [0]) + [1])
    fig.update_yaxes(range=[0, top * 1.15])
    return fig


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
    fig = go.Figure()
    names = [i.name.get(lang) for i in items]
    due = [i.due for i in items]
    fig.add_scatter(x=due, y=names, mode="markers", name=t("chart.due", lang),
                    marker={"symbol": "diamond-open", "size": 14, "color": "#000", "line": {"width": 2}},
                    hovertemplate="%{y}<br>" + t("chart.due", lang) + ": %{x|%Y-%m-%d}<extra></extra>")
    done = [(rows[i.code].done_on, i.name.get(lang), rows[i.code].status) for i in items if rows[i.code].done_on]
    if done:
        fig.add_scatter(x=[d[0] for d in done], y=[d[1] for d in done], mode="markers", name=t("chart.done_on", lang),
                        marker={"symbol": "circle", "size": 12, "color": STATUS_COLOUR["done"]},
                        hovertemplate="%{y}<br>" + t("chart.done_on", lang) + ": %{x|%Y-%m-%d}<extra></extra>")
    label_x = plan.span.end + dt.timedelta(days=4)
    fig.add_scatter(x=[label_x] * len(items), y=names, mode="text", showlegend=False, hoverinfo="skip",
                    text=[status_text(rows[i.code], lang) for i in items], textposition="middle right",
                    textfont={"color": [STATUS_COLOUR[rows[i.code].status] for i in items], "size": 13})
    fig.add_vline(x=as_of.isoformat(), line={"color": "#555", "width": 1, "dash": "dot"})
    fig = _layout(fig, t("chart.milestones", lang), "", height=90 + 38 * len(items))
    fig.update_yaxes(title_text="", autorange="reversed", rangemode="normal")
    fig.update_xaxes(range=[plan.span.start - dt.timedelta(days=3), plan.span.end + dt.timedelta(days=60)],
                     tickformat="%Y-%m")
    return fig
