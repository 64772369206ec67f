"""Carrying a plan forward: the next period's plan as a draft, every guess flagged for review.

The areas, items and codes stay. What changes with the span is moved by the span's offset and flagged:

- milestones' due dates move by the offset in months (a month-end stays a month-end; the old span's last day
  becomes the new span's last day), flagged ``due``;
- targets are kept (flagged ``target``) or cleared (flagged ``target``: to fill in). Phased targets move by
  the offset when their grain fits it and they land inside the new span; the others are dropped. A recurring
  minimum (``every``) whose grain does not tile the new span is dropped with its target, flagged;
- baselines: a baseline of 0 at the old span's start (a level counted from the start of the plan) counts from
  the new span's start. A stock's baseline becomes the old plan's latest value in force (its whole-plan actual,
  read from the store), at the new span's start, flagged ``baseline``; without a store or a value, any
  baseline is kept and flagged;
- the title, where it names the old span (2023年下半年, Second Half of 2023, 2023-H2), names the new one,
  flagged ``title``; the id defaults to the new span's label.
"""

from __future__ import annotations

import calendar
import datetime as dt

from kpi.i18n import t
from kpi.periods import GRAINS, MONTHS_PER, Period, parse_period, periods_in_span
from kpi.plan.models import Indicator, Plan, PlanError, Text, validate_plan
from kpi.problems import Localized

ORDINALS = ("First", "Second", "Third", "Fourth")
MONTH_NAMES = tuple(calendar.month_name)[1:]


class CarryError(ValueError):
    """A span a plan cannot be carried to: a catalogue key and its parameters."""

    def __init__(self, key: str, **params: object):
        self.key, self.params = key, params
        super().__init__(t(key, "en", **params))


def shift_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; a month's last day stays the last day (31 Dec + 6 = 30 Jun)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    at_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return dt.date(year, month + 1, last if at_end else min(day.day, last))


def _months(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def span_period(start: dt.date, end: dt.date) -> Period | None:
    """The calendar period a span is, if it is one (2023-07-01 … 2023-12-31 is 2023-H2)."""
    for grain in GRAINS:
        step = MONTHS_PER[grain]
        if (start.month - 1) % step == 0 and start.day == 1:
            p = Period(start.year, grain, (start.month - 1) // step + 1)
            if p.end == end:
                return p
    return None


def _spellings(p: Period, lang: str) -> list[str]:
    """How a title may name a period, the usual way first."""
    y, i = p.year, p.index
    if lang == "zh":
        out = [p.display("zh")] + ([f"{y}年{i}季度"] if p.grain == "quarter" else [])
    elif p.grain == "month":
        out = [f"{MONTH_NAMES[i - 1]} {y}", p.display("en")]
    elif p.grain in ("quarter", "half"):
        out = [f"{ORDINALS[i - 1]} {p.grain.title()} of {y}", p.display("en")]
    else:
        out = [str(y)]
    return out + [p.label] if p.label not in out else out


def retitle(text: Text, old: Period | None, new: Period) -> Text:
    """The title with the old span's name replaced by the new one's, in each language it is written in."""
    if old is None:
        return text
    parts = {}
    for lang in ("zh", "en"):
        value = getattr(text, lang)
        if value is None:
            continue
        olds, news = _spellings(old, lang), _spellings(new, lang)
        for k, spelling in sorted(enumerate(olds), key=lambda e: -len(e[1])):
            if spelling in value:
                value = value.replace(spelling, news[k] if old.grain == new.grain and k < len(news) else news[0])
        parts[lang] = value
    return Text(**parts)


def _shift_period(label: str, months: int, start: dt.date, end: dt.date) -> str | None:
    """A phased target's period moved by the offset: None when its grain does not fit or it leaves the span."""
    p = parse_period(label)
    moved = shift_months(p.start, months)
    step = MONTHS_PER[p.grain]
    if (moved.month - 1) % step:
        return None
    q = Period(moved.year, p.grain, (moved.month - 1) // step + 1)
    return q.label if start <= q.start and q.end <= end else None


def _tiles(start: dt.date, end: dt.date, grain: str) -> bool:
    return sum(p.days for p in periods_in_span(start, end, grain)) == (end - start).days + 1


def latest_values(plan: Plan, store) -> dict[str, float]:
    """Each stock's latest value in force over the plan's whole span (its whole-plan actual), from the store."""
    from kpi.status import evaluate

    codes = [i.code for i in plan.indicators() if i.kind == "stock"]
    if store is None or not codes:
        return {}
    rows = evaluate(plan, store.current(codes, plan.span.start, plan.span.end), None, plan.span.end)
    return {r.indicator: r.actual for r in rows if r.indicator in codes and r.actual is not None}


class _Carrier:
    def __init__(self, old: Plan, new: Period, keep: bool, latest: dict[str, float]):
        self.old, self.start, self.end, self.keep, self.latest = old, new.start, new.end, keep, latest
        self.months = _months(old.span.start, new.start)
        self.notes: list[Localized] = []
        self.kept = self.cleared = 0

    def note(self, key: str, **params: object) -> None:
        self.notes.append(Localized(key, params))

    def item(self, item: Indicator) -> dict:
        d = item.model_dump(mode="python", exclude_none=True)
        flags = list(item.review)
        if item.kind == "milestone" and item.due:
            # due by the end of the plan: by the end of the new one; else the same offset as the span
            due = self.end if item.due == self.old.span.end else shift_months(item.due, self.months)
            key = "carry.due_moved" if self.start <= due <= self.end else "carry.due_clamped"
            due = min(max(due, self.start), self.end)
            d["due"], flags = due, flags + ["due"]
            self.note(key, code=item.code, old=str(item.due), new=str(due))
        elif item.target is not None or item.targets:
            flags += self._targets(item, d)
        flags += self._baseline(item, d)
        d["review"] = list(dict.fromkeys(flags))
        return d

    def _targets(self, item: Indicator, d: dict) -> list[str]:
        if not self.keep:
            for key in ("target", "targets", "every"):
                d.pop(key, None)
            self.cleared += 1
            return ["target"] + (["every"] if item.every else [])
        self.kept += 1
        if item.every and not _tiles(self.start, self.end, item.every):
            d.pop("every"), d.pop("target")
            self.note("carry.every_dropped", code=item.code, grains=Localized(f"grains.{item.every}"))
            return ["every", "target"]
        if item.targets:
            moved = [(e, _shift_period(e.period, self.months, self.start, self.end)) for e in item.targets]
            d["targets"] = [{"period": label, "value": e.value.model_dump() if hasattr(e.value, "low") else e.value}
                            for e, label in moved if label]
            if not d["targets"]:
                d.pop("targets")
            shifted = [(e.period, label) for e, label in moved if label]
            if shifted:
                self.note("carry.targets_shifted", code=item.code, old=", ".join(a for a, _ in shifted),
                          new=", ".join(b for _, b in shifted))
            dropped = [e.period for e, label in moved if not label]
            if dropped:
                self.note("carry.targets_dropped", code=item.code, periods=", ".join(dropped))
        return ["target"]

    def _baseline(self, item: Indicator, d: dict) -> list[str]:
        base = item.baseline
        if base is not None and base.value == 0 and base.date == self.old.span.start:
            d["baseline"]["date"] = self.start  # counted from the start of the plan: of the new one now
            self.note("carry.baseline_restart", code=item.code, date=str(self.start))
            return []
        if item.kind == "stock" and item.code in self.latest:
            value = self.latest[item.code]
            d["baseline"] = {"value": value, "date": self.start,
                             "note": {lang: t("carry.baseline_note", lang, plan=self.old.id) for lang in ("zh", "en")}}
            self.note("carry.baseline_refreshed", code=item.code, plan=self.old.id, value=f"{value:g}")
            return ["baseline"]
        if base is not None:
            self.note("carry.baseline_kept", code=item.code, value=f"{base.value:g}", date=str(base.date))
            return ["baseline"]
        return []


SPAN_GRAINS = ("year", "half", "quarter")  # what a plan runs for
OWN_GRAIN_SPANS = 2  # of the plan's own length: the next span and the one after it


def next_spans(plan: Plan) -> list[str]:
    """The spans a plan is likely carried to, the likeliest first: the next span of the plan's own length and the one
    after it, then a year, a half and a quarter starting the day after it ends (2023-H2 -> 2024-H1, 2024-H2, 2024,
    2024-Q1)."""
    start = plan.span.end + dt.timedelta(days=1)
    own = span_period(plan.span.start, plan.span.end)
    out: list[str] = []
    for grain in ([own.grain] if own and own.grain in SPAN_GRAINS else []) + list(SPAN_GRAINS):
        step = MONTHS_PER[grain]
        if start.day != 1 or (start.month - 1) % step:
            continue  # a half or a year cannot start on this day
        for k in range(OWN_GRAIN_SPANS if own and grain == own.grain else 1):
            day = shift_months(start, step * k)
            label = Period(day.year, grain, (day.month - 1) // step + 1).label
            if label not in out:
                out.append(label)
    return out


def carry_forward(plan: Plan, span: str, new_id: str | None = None, keep_targets: bool = True,
                  store=None) -> tuple[Plan, list[Localized]]:
    """The plan carried to ``span`` (a period: 2024-H1, 2024 …) as a draft, and what was done, in words.

    ``store``: where the plan's actuals are (for the stocks' new baselines); None keeps the baselines, flagged.
    Raises PeriodError for a span that is no period, CarryError for one that does not start after the plan's.
    """
    new = parse_period(span)
    if new.start <= plan.span.start:
        raise CarryError("carry.not_later", span=new.label, start=str(plan.span.start))
    carrier = _Carrier(plan, new, keep_targets, latest_values(plan, store))
    areas = [{**area.model_dump(mode="python", exclude_none=True, exclude={"items"}),
              "items": [carrier.item(item) for item in area.items]} for area in plan.areas]
    title = retitle(plan.title, span_period(plan.span.start, plan.span.end), new)
    review = list(plan.review)
    if title != plan.title:
        review.append("title")
        carrier.note("carry.title", new=title.zh if title.en is None else f"{title.zh} / {title.en}")
    if carrier.kept:
        carrier.note("carry.targets_kept", count=carrier.kept)
    if carrier.cleared:
        carrier.note("carry.targets_cleared", count=carrier.cleared)
    raw = {"id": new_id or new.label, "title": title.model_dump(exclude_none=True), "example": plan.example,
           "span": {"start": new.start, "end": new.end}, "review": list(dict.fromkeys(review)), "areas": areas}
    if plan.issuer:
        raw["issuer"] = plan.issuer.model_dump(exclude_none=True)
    carried, problems = validate_plan(raw)
    if problems:  # a carried plan is checked like any other: never written when it does not validate
        raise PlanError(problems, f"{plan.id} → {raw['id']}")
    return carried, carrier.notes
