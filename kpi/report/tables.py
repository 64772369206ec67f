"""Ready-made frames and summaries for the pages: the pages render them and compute nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from kpi import fmt
from kpi.i18n import STATUS_TEXT, status_label, t
from kpi.periods import Period, parse_period, periods_in_span
from kpi.plan.models import Indicator, Plan
from kpi.plan.windows import plan_window, resolve_window
from kpi.report import query
from kpi.report.query import Snapshot
from kpi.report.summary import average_completion
from kpi.status import BEHIND, GOOD, NOT_JUDGED, STATUSES, StatusRow
from kpi.store import Store


def period_options(plan: Plan) -> list[str]:
    """The whole plan first, then halves, quarters and months inside the span."""
    out = [plan_window(plan).label]
    for grain in ("half", "quarter", "month"):
        out += [p.label for p in periods_in_span(plan.span.start, plan.span.end, grain) if p.label not in out]
    return out


def period_name(plan: Plan, label: str, lang: str) -> str:
    window = plan_window(plan)
    if label == window.label:
        return f"{window.display(lang)}（{t('ctl.period_plan', lang)}）" if lang == "zh" else \
            f"{window.display(lang)} ({t('ctl.period_plan', lang)})"
    return parse_period(label).display(lang)


def breakdown(plan: Plan, label: str) -> list:
    """The parts a period is shown in: the plan or a half in quarters, a quarter in months, a month as itself."""
    window = resolve_window(plan, label)
    grain = {"plan": "quarter", "year": "quarter", "half": "quarter", "quarter": "month"}.get(window.grain, "month")
    parts = periods_in_span(window.start, window.end, grain)
    return parts or [window]


def breakdown_window(plan: Plan, label: str):
    """The chosen period as a window to shade on the plan-long chart; None for the whole plan."""
    window = resolve_window(plan, label)
    return None if window.label == plan_window(plan).label else window


# --- overview ----------------------------------------------------------------

@dataclass
class AreaCard:
    code: str
    name: str
    count: int
    judged: int
    good: int
    progress: float | None
    counts: dict[str, int] = field(default_factory=dict)
    needs_note: int = 0
    needs_evidence: int = 0  # done milestones without evidence (缺佐证)


def area_cards(plan: Plan, rows: list[StatusRow], lang: str) -> list[AreaCard]:
    """Per area: how many indicators, how many judged, how many met or on track, average progress."""
    cards = []
    for area in plan.areas:
        mine = [r for r in rows if r.area == area.code]
        judged = [r for r in mine if r.status not in NOT_JUDGED]
        counts = {s: sum(r.status == s for r in mine) for s in STATUSES}
        cards.append(AreaCard(area.code, area.name.get(lang), len(mine), len(judged),
                              sum(r.status in GOOD for r in judged), average_completion(judged),
                              {s: n for s, n in counts.items() if n}, sum(r.needs_note for r in mine),
                              sum(r.needs_evidence for r in mine)))
    return cards


def status_counts_text(card: AreaCard, lang: str) -> str:
    """"✔ 已完成 3 · ▼ 落后于序时进度 1 …" in status order."""
    return " · ".join(f"{STATUS_TEXT[s][0]} {STATUS_TEXT[s][1 if lang == 'zh' else 2]} {n}"
                      for s, n in card.counts.items())


def status_matrix(snap: Snapshot, as_of: dt.date, lang: str, grain: str = "quarter") -> pd.DataFrame:
    """Indicators × periods (and the whole plan): each cell the status in icon and words.

    Not tinted: a pandas Styler cost the overview a third of each run (Streamlit renders it anew every time), and
    the icon and the word carry the status without colour."""
    plan = snap.plan
    periods = periods_in_span(plan.span.start, plan.span.end, grain)
    rows = snap.status_grid([*periods, plan_window(plan)], as_of)
    names = {i.code: f"{i.code} {i.name.get(lang)}" for i in plan.indicators()}
    columns = [p.display(lang) for p in periods] + [period_name(plan, plan_window(plan).label, lang)]
    cells: dict[str, list[str]] = {names[i.code]: [] for i in plan.indicators()}
    for r in rows:
        cells[names[r.indicator]].append(flagged_status(r, lang))
    return pd.DataFrame.from_dict(cells, orient="index", columns=columns).rename_axis(t("col.indicator", lang))


@dataclass
class Attention:
    code: str
    area: str
    status: str
    pace: float | None
    text: str
    note: str | None
    needs_note: bool = False


def needs_attention(plan: Plan, rows: list[StatusRow], lang: str) -> list[Attention]:
    """Missed, behind pace, at risk or overdue — the furthest behind first."""
    out = []
    areas = {a.code: a.name.get(lang) for a in plan.areas}
    for r in rows:
        if r.status not in BEHIND:
            continue
        item = plan.indicator(r.indicator)
        unit = item.unit_text(lang)
        if item.kind == "milestone":
            text = t("attention.milestone", lang, status=status_text(r, lang), name=item.name.get(lang),
                     area=areas[r.area], due=fmt.date(r.due, lang))
        else:
            basis = t("attention.basis_plan" if r.own_target else "attention.basis_pace", lang)
            target = r.target if r.own_target else r.expected
            text = t("attention.line", lang, status=status_text(r, lang), name=item.name.get(lang),
                     area=areas[r.area], actual=fmt.with_unit(r.actual, unit, lang), basis=basis,
                     target=fmt.with_unit(target, unit, lang))
        if r.shortfalls:
            short = t("summary.shortfalls", lang, periods=_period_list(r.shortfalls, lang))
            text += (" · " if lang == "en" else "，") + short
        if r.needs_note:
            text += t("needs_note.tag", lang)
        out.append(Attention(r.indicator, r.area, r.status, r.pace, text, r.note, r.needs_note))
    order = {s: i for i, s in enumerate(BEHIND)}
    return sorted(out, key=lambda a: (a.pace if a.pace is not None else 0.0, order[a.status]))


# --- tables ------------------------------------------------------------------

def _target_text(item: Indicator, r: StatusRow, lang: str) -> str:
    unit = item.unit_text(lang)
    if item.kind == "milestone":
        return t("value.due", lang, date=r.due)
    if r.target_low is not None:
        return f"{fmt.number(r.target_low, lang)}–{fmt.with_unit(r.target_high, unit, lang)}"
    return fmt.with_unit(r.target, unit, lang)


def _actual_text(item: Indicator, r: StatusRow, lang: str) -> str:
    if item.kind == "milestone":
        return t("value.done_on", lang, date=r.done_on) if r.done_on else fmt.number(None, lang)
    return fmt.with_unit(r.actual, item.unit_text(lang), lang)


def status_text(r: StatusRow, lang: str) -> str:
    """The status in icon and words; an override says so and keeps the computed status beside it."""
    text = status_label(r.status, lang)
    if r.computed_status:
        text += t("override.tag", lang, computed=status_label(r.computed_status, lang))
    return text


def note_text(r: StatusRow) -> str:
    """The explanation with the editor who wrote it in brackets; empty when there is none."""
    if not r.note:
        return ""
    return r.note + (f"（{r.note_by}）" if r.note_by else "")


def flagged_status(r: StatusRow, lang: str) -> str:
    """The status in words, followed by the 待说明 flag when it lacks an explanation and the 缺佐证 flag when a done
    milestone has no evidence."""
    from kpi.report.supervision import evidence_tag

    return status_text(r, lang) + (t("needs_note.tag", lang) if r.needs_note else "") + evidence_tag(r, lang)


def override_line(r: StatusRow, lang: str) -> str | None:
    """Who overrode the status and why, in words; None when nobody did."""
    if not r.computed_status:
        return None
    return t("override.line", lang, status=status_label(r.status, lang), by=r.override_by or "",
             reason=r.override_reason or "", computed=status_label(r.computed_status, lang))


def _period_list(labels: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(parse_period(p).display(lang) for p in labels)


def summary_line(item: Indicator, r: StatusRow, lang: str) -> str:
    """"实际 16次 · 目标 20次 · 完成率 80% · 序时目标 15次" — the numbers behind a status, in words."""
    sep = " · "
    if item.kind == "milestone":
        parts = [_target_text(item, r, lang)]
        if r.done_on:
            parts.append(_actual_text(item, r, lang))
        return sep.join(parts)
    parts = [f"{t('col.actual', lang)} {_actual_text(item, r, lang)}"]
    if r.target is not None or r.target_low is not None:
        parts.append(f"{t('col.target', lang)} {_target_text(item, r, lang)}")
        if r.progress is not None:
            parts.append(f"{t('col.progress', lang)} {fmt.percent(r.progress, lang)}")
        if not r.own_target and r.expected is not None:
            unit = item.unit_text(lang)
            parts.append(f"{t('col.expected', lang)} {fmt.with_unit(r.expected, unit, lang)}")
    if r.shortfalls:
        parts.append(t("summary.shortfalls", lang, periods=_period_list(r.shortfalls, lang)))
    return sep.join(parts)


def overview_table(plan: Plan, rows: list[StatusRow], lang: str) -> pd.DataFrame:
    """One line per indicator: area, name, target, actual, progress, status — formatted for display."""
    areas = {a.code: a.name.get(lang) for a in plan.areas}
    out = []
    for r in rows:
        item = plan.indicator(r.indicator)
        out.append({
            t("col.area", lang): areas[r.area],
            t("col.code", lang): r.indicator,
            t("col.indicator", lang): item.name.get(lang),
            **_judgement(item, r, lang),
        })
    return pd.DataFrame(out)


def _judgement(item: Indicator, r: StatusRow, lang: str) -> dict[str, str]:
    """Target, actual, progress and status of one row, formatted for a table."""
    return {
        t("col.target", lang): _target_text(item, r, lang),
        t("col.actual", lang): _actual_text(item, r, lang),
        t("col.progress", lang): fmt.percent(r.progress, lang) if item.kind != "milestone" else "",
        t("col.status", lang): status_text(r, lang),
    }


def indicator_periods(snap: Snapshot, item: Indicator, as_of: dt.date, lang: str) -> pd.DataFrame:
    """Every month, quarter and the whole plan for one indicator: target, actual, progress, pace, status, note."""
    from kpi.report.supervision import correction_text

    out, plan = [], snap.plan
    whole = plan_window(plan).label
    corrected = False
    for label in period_options(plan)[::-1]:
        r = snap.status(label, as_of, only=item.code)[0]
        corrected = corrected or bool(r.corrected_at)
        is_month = label != whole and parse_period(label).grain == "month"
        if is_month and r.actual is None and r.status in ("no_data", "no_target", "pending"):
            continue  # months with nothing reported add only noise
        out.append({
            t("col.period", lang): period_name(plan, label, lang),
            t("col.target", lang): _target_text(item, r, lang),
            t("col.basis", lang): t(f"basis.{r.target_basis}", lang) if r.target_basis else "",
            t("col.actual", lang): _actual_text(item, r, lang),
            t("col.progress", lang): fmt.percent(r.progress, lang) if item.kind != "milestone" else "",
            t("col.expected", lang): fmt.number(r.expected, lang) if item.kind != "milestone" else "",
            t("col.status", lang): status_text(r, lang),
            t("col.note", lang): note_text(r),
            t("correct.column", lang): correction_text(r, lang),
        })
    frame = pd.DataFrame(out)
    return frame if corrected else frame.drop(columns=[t("correct.column", lang)], errors="ignore")


def provenance(store: Store, code: str, lang: str, as_of_batch: int | None = None) -> pd.DataFrame:
    """Every value ever uploaded for one indicator, with its batch, file, editor and time."""
    frame = store.versions(code, as_of_batch)
    if frame.empty:
        return pd.DataFrame()
    return pd.DataFrame({
        t("col.period", lang): frame["period"],
        t("col.value", lang): [fmt.number(v, lang) if pd.notna(v) else "" for v in frame["value"]],
        t("col.note", lang): frame["note"].fillna(""),
        t("col.batch", lang): frame["batch_id"].astype(int),
        t("col.file", lang): frame["source"].fillna(""),
        t("col.editor", lang): frame["editor"],
        t("col.time", lang): fmt.timestamps(frame["created_at"]),
        t("col.in_force", lang): [t("yes" if x else "no", lang) for x in frame["in_force"]],
    })


# --- the same period across plans (year on year) -------------------------------------

def whole_plan(plan: Plan, label: str) -> bool:
    """Whether ``label`` is the whole of the plan (its id, or the period its span is)."""
    return resolve_window(plan, label).label == plan_window(plan).label


def same_periods(plan: Plan, label: str, other: Plan) -> list[str]:
    """The periods of ``other`` that match ``label`` of ``plan``: the same period in another year (H2 → H2, Q3 → Q3,
    07 → 07); for the whole plan, the whole of ``other`` (the previous plan next to this one)."""
    if whole_plan(plan, label):
        return [plan_window(other).label]
    window = resolve_window(plan, label)
    out = []
    for year in range(other.span.start.year, other.span.end.year + 1):
        candidate = Period(year, window.grain, getattr(window, "index", 1))
        if other.span.start <= candidate.start and candidate.end <= other.span.end:
            out.append(candidate.label)
    return out


def year_over_year(store: Store, snap: Snapshot, code: str, label: str, as_of: dt.date,
                   lang: str) -> tuple[pd.DataFrame, list[StatusRow]]:
    """The indicator in the same period of every plan that has its code (for the whole plan: the whole of each
    plan that has it): a table and the rows behind it."""
    plan, rows = snap.plan, []
    for plan_id in store.plan_ids():
        other = store.plan(plan_id, snap.version) if plan_id != plan.id else plan
        if code not in {i.code for i in other.indicators()}:
            continue
        labels = [label] if other.id == plan.id else same_periods(plan, label, other)
        if not labels:
            continue
        values = snap if other.id == plan.id else query.snapshot(store, plan_id, snap.version)
        when = as_of if other.id == plan.id else query.default_as_of(other)
        rows += [(other, values.status(each, when, only=code)[0]) for each in labels]
    rows.sort(key=lambda pr: resolve_window(pr[0], pr[1].period).start)
    if len(rows) < 2:
        return pd.DataFrame(), []
    item = plan.indicator(code)
    table = pd.DataFrame([{
        t("ctl.plan", lang): other.title.get(lang),
        t("col.period", lang): period_name(other, r.period, lang),
        **_judgement(item, r, lang),
    } for other, r in rows])
    return table, [r for _, r in rows]


def comparison_titles(plan: Plan, label: str, lang: str) -> tuple[str, str, str]:
    """The comparison's heading, help and chart title: the same period in other years, or the whole of other
    plans when the view is the whole plan."""
    keys = ("yoy.plans_title", "yoy.plans_help", "yoy.plans_chart") if whole_plan(plan, label) else \
        ("yoy.title", "yoy.help", "yoy.chart")
    return tuple(t(k, lang) for k in keys)
