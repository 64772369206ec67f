"""The official-style summary (通报): per work area and overall, generated from the numbers.

"截至2023年9月30日，招商引资领域6项指标中已完成1项（占17%）、符合序时进度3项、落后2项，平均完成率62%，
高于序时进度12个百分点。" with the English equivalent. The average completion rate is actual ÷ target
(capped at 100%; a milestone counts 100% when done) over the judged items that are due or under way;
序时进度 is the share of the period elapsed at the as-of date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kpi import fmt
from kpi.i18n import t
from kpi.plan.models import Plan
from kpi.status import BEHIND, DONE, NOT_JUDGED, NOT_MEASURED, ON_TRACK, StatusRow

NUMERALS = "一二三四五六七八九十"


@dataclass
class AreaSummary:
    code: str
    name: str
    count: int
    judged: int
    done: int
    reported: int
    behind: list[StatusRow] = field(default_factory=list)
    sentence: str = ""


def _pace(rate: float, elapsed: float, lang: str) -> str:
    gap = round(rate * 100) - round(elapsed * 100)
    if gap > 0:
        return t("summary.ahead", lang, points=gap, elapsed=round(elapsed * 100))
    if gap < 0:
        return t("summary.behind", lang, points=-gap, elapsed=round(elapsed * 100))
    return t("summary.level", lang, elapsed=round(elapsed * 100))


def _behind_list(plan: Plan, rows: list[StatusRow], lang: str) -> str:
    parts = []
    for r in rows:
        item = plan.indicator(r.indicator)
        unit = item.unit_text(lang)
        if item.kind == "milestone":
            parts.append(t("summary.behind_milestone", lang, name=item.name.get(lang), due=fmt.date(r.due, lang)))
        else:
            target = r.target if r.own_target else r.expected
            parts.append(t("summary.behind_item", lang, name=item.name.get(lang),
                           actual=fmt.with_unit(r.actual, unit, lang), target=fmt.with_unit(target, unit, lang)))
    return ("、" if lang == "zh" else "; ").join(parts)


def average_completion(rows: list[StatusRow]) -> float | None:
    """Actual ÷ target, capped at 100%, over the judged rows that are due or under way (None when none are)."""
    shares = [min(r.progress, 1.0) for r in rows
              if r.progress is not None and r.status not in NOT_MEASURED]
    return sum(shares) / len(shares) if shares else None


def area_sentence(plan: Plan, name: str, rows: list[StatusRow], elapsed: float, as_of: dt.date, lang: str) -> str:
    """One area's sentence, in the conventions of a progress report."""
    date = fmt.date(as_of, lang)
    judged = [r for r in rows if r.status not in NOT_JUDGED]
    reported = [r for r in rows if r.actual is not None or r.done_on]
    if not judged:
        return t("summary.monitored_only", lang, date=date, area=name, count=len(rows), reported=len(reported))
    if not any(r.actual is not None or r.done_on for r in judged):
        return t("summary.nothing", lang, date=date, area=name, count=len(judged))
    done = [r for r in judged if r.status in DONE]
    if len(done) == len(judged):
        return t("summary.all_done", lang, date=date, area=name, count=len(judged))
    behind = [r for r in judged if r.status in BEHIND]
    average = average_completion(judged)
    if average is None:
        return t("summary.area_pending", lang, date=date, area=name, count=len(judged), done=len(done))
    text = t("summary.area", lang, date=date, area=name, count=len(judged), done=len(done),
             share=round(len(done) / len(judged) * 100), on=sum(r.status in ON_TRACK for r in judged),
             behind=len(behind), avg=round(average * 100), pace=_pace(average, elapsed, lang))
    if behind:
        text += t("summary.behind_items", lang, items=_behind_list(plan, behind, lang))
    return text


def summarize(plan: Plan, rows: list[StatusRow], elapsed: float, as_of: dt.date,
              lang: str) -> tuple[str, list[AreaSummary]]:
    """(the overall paragraph, a summary per area) for one period and as-of date."""
    areas = []
    for area in plan.areas:
        mine = [r for r in rows if r.area == area.code]
        judged = [r for r in mine if r.status not in NOT_JUDGED]
        areas.append(AreaSummary(
            area.code, area.name.get(lang), len(mine), len(judged), sum(r.status in DONE for r in judged),
            sum(r.actual is not None or bool(r.done_on) for r in mine), [r for r in judged if r.status in BEHIND],
            area_sentence(plan, area.name.get(lang), mine, elapsed, as_of, lang)))
    judged = [r for r in rows if r.status not in NOT_JUDGED]
    done = sum(r.status in DONE for r in judged)
    behind = [r for r in judged if r.status in BEHIND]
    average = average_completion(judged) or 0.0
    overall = t("summary.overall", lang, date=fmt.date(as_of, lang), plan=plan.title.get(lang), count=len(rows),
                judged=len(judged), done=done, on=sum(r.status in ON_TRACK for r in judged), behind=len(behind),
                avg=round(average * 100), pace=_pace(average, elapsed, lang),
                unexplained=sum(r.needs_note for r in rows))
    return overall, areas


def heading(index: int, name: str, lang: str) -> str:
    """The heading of the index-th area (from 0) in a report: 一、招商引资 / 1. Investment promotion."""
    if lang != "zh":
        return f"{index + 1}. {name}"
    return f"{NUMERALS[index] if index < len(NUMERALS) else index + 1}、{name}"


def report_text(overall: str, areas: list[AreaSummary], lang: str, lead: list[str] | None = None,
                tail: list[str] | None = None) -> str:
    """The whole summary as plain text, ready to paste into a 通报 (``lead``: sentences after the overall
    paragraph, such as what changed since the last meeting; ``tail``: lines at the end, such as decisions)."""
    lines = [overall, *(lead or []), ""]
    for i, area in enumerate(areas):
        lines += [heading(i, area.name, lang), area.sentence, ""]
    lines += tail or []
    return "\n".join(lines).strip() + "\n"
