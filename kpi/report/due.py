"""What is due (待办): the lines an office has to act on, each with its deadline and the place it is resolved.

Built from a ``Snapshot`` (so a data version and a language give the same list on the page, in ``python -m kpi
due`` and in the calendar file), as of a date, for some work areas (an editor's) or all (an admin's):

- ``value`` (待报送): a non-milestone indicator with no value for a reporting period that has ended (the quarters
  of the plan; the months for an item with a monthly minimum), nor for a part of it or a period holding it.
  Deadline: the period's end + ``due_report_days``. Resolved in the upload template of that period.
- ``milestone`` (节点将到期 / 今天到期 / 已逾期): a milestone not done whose due date is within ``within`` days of
  the as-of date, or past it. Deadline: the due date. Resolved by uploading its completion (the template of the
  quarter the as-of date is in).
- ``explain`` (待说明): a missed, off-track or overdue status without an explanation, for a reporting period that
  has begun (a milestone: the whole plan). Deadline: that period's end + ``due_report_days``. Resolved in the
  indicator's note form.
- ``evidence`` (缺佐证): a milestone done without evidence. Deadline: the end of the quarter it was done in +
  ``due_report_days``. Resolved in the indicator's evidence form.
- ``decision`` (会议决定): a meeting's decision for the area, not closed, due within ``within`` days of the as-of
  date or past it. Deadline: its date. Resolved on the area's page, where open decisions are listed (and closed
  on the meeting page).
- ``close`` (待关账, admins only): a reporting quarter that has ended and is not closed. Deadline: its end +
  ``due_report_days``. Resolved on the Due page's closing form.

Periods inside a closed period give no value or explain lines (only a correction could change them). Lines are
ordered by deadline, then kind, then indicator. ``to_ics`` writes one calendar event per line (icalendar).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field

from kpi import fmt
from kpi.i18n import status_label, t
from kpi.periods import Period, parse_period, periods_in_span
from kpi.plan.windows import plan_window
from kpi.report.decisions import decisions_of
from kpi.report.query import Snapshot
from kpi.settings import get_settings

KINDS = ("milestone", "decision", "value", "explain", "evidence", "close")  # the order of lines with the same deadline


@dataclass(frozen=True)
class DueLine:
    kind: str
    area: str | None
    indicator: str | None
    period: str
    deadline: dt.date
    overdue: bool
    text: str
    page: str  # the page that resolves it: upload, indicator, due
    params: dict = field(default_factory=dict)  # that page's parameters (template=2023-Q3, indicator=…, explain=1)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["deadline"] = self.deadline.isoformat()
        return out


def _reporting(snap: Snapshot, item) -> list[Period]:
    plan = snap.plan
    grain = "month" if item.every == "month" else "quarter"
    return periods_in_span(plan.span.start, plan.span.end, grain) or [plan_window(plan)]


def _closed(snap: Snapshot, p: Period) -> bool:
    closed = snap.closed
    if closed is None or closed.empty:
        return False
    return any(s <= p.start and p.end <= e for s, e in zip(closed["period_start"], closed["period_end"], strict=True))


def _quarter_of(snap: Snapshot, day: dt.date) -> str:
    """The reporting quarter holding a day, kept inside the plan span (for a template link)."""
    plan = snap.plan
    day = min(max(day, plan.span.start), plan.span.end)
    quarters = [q for q in periods_in_span(plan.span.start, plan.span.end, "quarter") if q.start <= day <= q.end]
    return quarters[0].label if quarters else plan_window(plan).label


def due_lines(snap: Snapshot, as_of: dt.date, within: int | None = None, areas: tuple[str, ...] | None = None,
              admin: bool = True, lang: str = "zh") -> list[DueLine]:
    """The Due list as of a date: for ``areas`` (None: every area), with the closing lines when ``admin``."""
    settings = get_settings()
    within = settings.due_within_days if within is None else within
    after = dt.timedelta(days=settings.due_report_days)
    plan = snap.plan
    names = {i.code: i.name.get(lang) for i in plan.indicators()}
    items = [i for i in plan.indicators() if areas is None or i.area in areas]
    codes = {i.code for i in items}
    lines: list[DueLine] = []

    def add(kind, item, period: str, deadline: dt.date, key: str, page: str, params: dict, **extra) -> None:
        text = t(key, lang, name=names.get(item.code, "") if item else "", code=item.code if item else "",
                 period=parse_period(period).display(lang), deadline=fmt.date(deadline, lang), **extra)
        lines.append(DueLine(kind, item.area if item else None, item.code if item else None, period, deadline,
                             deadline < as_of, text, page, params))

    periods: dict[str, Period] = {}
    for item in items:
        for p in _reporting(snap, item):
            periods[p.label] = p
    begun = sorted((p for p in periods.values() if p.start <= as_of), key=lambda p: (p.start, p.end))
    rows = {p.label: {r.indicator: r for r in snap.status(p.label, as_of) if r.indicator in codes} for p in begun}
    for item in items:
        if item.kind == "milestone":
            continue
        for p in _reporting(snap, item):
            if p.start > as_of or _closed(snap, p):
                continue
            r = rows[p.label][item.code]
            deadline = p.end + after
            if p.end < as_of and r.actual is None:
                add("value", item, p.label, deadline, "due.value", "upload", {"template": p.label})
            if r.needs_note:
                add("explain", item, p.label, deadline, "due.explain", "indicator",
                    {"indicator": item.code, "period": p.label, "explain": "1"}, status=status_label(r.status, lang))
    whole = plan_window(plan).label
    plan_rows = {r.indicator: r for r in snap.status(whole, as_of)} if any(
        i.kind == "milestone" for i in items) else {}
    for item in (i for i in items if i.kind == "milestone"):
        r = plan_rows[item.code]
        if r.status != "done" and item.due <= as_of + dt.timedelta(days=within):
            late = (as_of - item.due).days
            key = "due.overdue" if late > 0 else "due.today" if late == 0 else "due.milestone"
            add("milestone", item, _quarter_of(snap, item.due), item.due, key, "upload",
                {"template": _quarter_of(snap, as_of)}, due=fmt.date(item.due, lang), days=abs(late))
        if r.needs_note:
            quarter = parse_period(_quarter_of(snap, item.due))
            add("explain", item, quarter.label, quarter.end + after, "due.explain", "indicator",
                {"indicator": item.code, "period": whole, "explain": "1"}, status=status_label(r.status, lang))
        if r.needs_evidence:
            quarter = parse_period(_quarter_of(snap, dt.date.fromisoformat(r.done_on)))
            add("evidence", item, quarter.label, quarter.end + after, "due.evidence", "indicator",
                {"indicator": item.code, "period": whole, "evidence": "1"})
    offices = {a.code: a.name.get(lang) for a in plan.areas}
    decided = decisions_of(snap.decisions) if not snap.decisions.empty else ()
    for d in decided:
        if d.closed or d.area not in offices or (areas is not None and d.area not in areas):
            continue
        if d.due <= as_of + dt.timedelta(days=within):
            late = (as_of - d.due).days
            text = t("due.decision_overdue" if late > 0 else "due.decision", lang, what=d.what,
                     meeting=d.meeting_name, office=offices[d.area], due=fmt.date(d.due, lang), days=abs(late))
            lines.append(DueLine("decision", d.area, None, _quarter_of(snap, d.due), d.due, d.due < as_of, text,
                                 "area", {"area": d.area}))
    if admin:
        for q in periods_in_span(plan.span.start, plan.span.end, "quarter"):
            if q.end < as_of and not _closed(snap, q):
                add("close", None, q.label, q.end + after, "due.close", "due", {"close": q.label},
                    end=fmt.date(q.end, lang))
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(lines, key=lambda d: (d.deadline, order[d.kind], d.indicator or "", d.period))


# --- as files ---------------------------------------------------------------------------------------------------

def link(base: str, line: DueLine, view: dict[str, str] | None = None) -> str:
    """The dashboard address that resolves a line: the page and its parameters (and the view's, when given)."""
    from urllib.parse import urlencode

    path = "" if line.page == "overview" else line.page
    return f"{base.rstrip('/')}/{path}?{urlencode({**(view or {}), **line.params})}"


def to_json(lines: list[DueLine], base: str) -> str:
    return json.dumps([{**d.to_dict(), "link": link(base, d)} for d in lines], ensure_ascii=False, indent=1)


def to_frame(lines: list[DueLine], base: str, lang: str):
    import pandas as pd

    columns = ("due.col_deadline", "due.col_kind", "col.area", "col.code", "col.period", "due.col_what",
               "due.col_link")
    return pd.DataFrame([[d.deadline.isoformat(), t(f"due.kind_{d.kind}", lang), d.area or "", d.indicator or "",
                          d.period, d.text, link(base, d)] for d in lines], columns=[t(c, lang) for c in columns])


def to_ics(lines: list[DueLine], base: str, plan_id: str, lang: str, now: dt.datetime | None = None) -> bytes:
    """One all-day event per line on its deadline, with the line's words and the link that resolves it."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//kpi-dashboard//due//")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", t("due.calendar", lang, plan=plan_id))
    stamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    for d in lines:
        event = Event()
        key = f"{plan_id}|{d.kind}|{d.indicator or ''}|{d.period}"
        event.add("uid", hashlib.sha256(key.encode()).hexdigest()[:24] + "@kpi-dashboard")
        event.add("dtstamp", stamp)
        event.add("dtstart", d.deadline)
        event.add("dtend", d.deadline + dt.timedelta(days=1))
        event.add("summary", d.text)
        url = link(base, d)
        event.add("description", f"{d.text}\n{url}")
        event.add("url", url)
        cal.add_component(event)
    return cal.to_ical()
