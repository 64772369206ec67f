"""An item's targets as non-overlapping windows, and the plan span as a window."""

from __future__ import annotations

import datetime as dt

from kpi.periods import MONTHS_PER, Period, PeriodError, parse_period, periods_in_span, share_elapsed
from kpi.plan.models import Indicator, Plan, Range


class PlanSpan:
    """The plan span as a period-like window (start, end, label)."""

    def __init__(self, plan: Plan):
        self.start, self.end, self.label = plan.span.start, plan.span.end, plan.id
        self.grain = "plan"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, other) -> bool:
        return self.start <= other.start and other.end <= self.end

    def elapsed_share(self, as_of: dt.date) -> float:
        return share_elapsed(self.start, self.end, as_of)

    def display(self, lang: str = "zh") -> str:
        try:
            return parse_period(self.label).display(lang)
        except PeriodError:
            return f"{self.start} – {self.end}"


def plan_window(plan: Plan) -> Period | PlanSpan:
    """The plan span: as a calendar period when it is one (2023-H2), else a window."""
    span = PlanSpan(plan)
    try:
        p = parse_period(plan.id)
    except PeriodError:
        return span
    return p if (p.start, p.end) == (span.start, span.end) else span


def resolve_window(plan: Plan, text: object = None) -> Period | PlanSpan:
    """A period the user asked for, checked against the plan span; None or "plan" is the whole span."""
    if text is None or str(text).strip().lower() in ("", "plan", plan.id.lower()):
        return plan_window(plan)
    p = parse_period(text)
    if not (plan.span.start <= p.start and p.end <= plan.span.end):
        raise PeriodError(f"{p.label} is outside the plan span {plan.span.start} to {plan.span.end}")
    return p


def target_entries(plan: Plan, item: Indicator) -> list[tuple[Period | PlanSpan, float | Range, bool]]:
    """The item's targets as (window, value, recurring), none overlapping (worked out once per plan)."""
    memo = plan._memo.setdefault("entries", {})
    if item.code not in memo:
        memo[item.code] = _entries(plan, item)
    return memo[item.code]


def _entries(plan: Plan, item: Indicator) -> list[tuple[Period | PlanSpan, float | Range, bool]]:
    if item.every:
        return [(p, item.target, True) for p in periods_in_span(plan.span.start, plan.span.end, item.every)]
    if item.target is not None:
        return [(plan_window(plan), item.target, False)]
    return sorted(((parse_period(target.period), target.value, False) for target in item.targets),
                  key=lambda e: (e[0].start, -MONTHS_PER[e[0].grain]))
