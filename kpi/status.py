"""The status engine: target, actual, progress, pace (序时进度) and status.

For a period that has ended and carries its own target, the verdict is
``met`` or ``missed``. For a period in progress, or a part of a longer target
period, the actual is compared with what the pace expects by the as-of date:
the target times the elapsed share (phased targets add up period by period).
A recurring minimum ("at least 2 every quarter") is missed when any of its
periods fell short, even when the total caught up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

import pandas as pd

from kpi.periods import Period, PeriodError, covering, parse_period, periods_in_span, rollup
from kpi.plan.models import Indicator, Plan, Range
from kpi.plan.windows import PlanSpan, resolve_window, target_entries
from kpi.settings import get_settings

STATUSES = ("met", "missed", "on_track", "at_risk", "off_track", "done", "overdue", "pending", "no_target", "no_data")
# groupings of statuses, defined once: the cards, the needs-attention list and the 通报 text count with them
BEHIND = ("overdue", "missed", "off_track", "at_risk")  # needs attention, the most serious first
NEEDS_EXPLANATION = ("missed", "off_track", "overdue")  # without a note for the period: 待说明
DONE = ("met", "done")  # the target reached, the milestone delivered
ON_TRACK = ("on_track",)  # under way and at or ahead of the pace
GOOD = DONE + ON_TRACK  # met, done or on pace: what a card counts as good
NOT_JUDGED = ("no_target",)  # monitored items: charted, never judged
NOT_MEASURED = ("pending", "no_target", "no_data")  # nothing to measure progress on yet


@dataclass(frozen=True)
class Bands:
    """Pace bands: actual ÷ expected at or above ``on_track`` is on track, at or above ``at_risk`` at risk."""

    on_track: float = 1.0
    at_risk: float = 0.85

    @classmethod
    def from_settings(cls) -> Bands:
        s = get_settings()
        return cls(on_track=s.on_track_ratio, at_risk=s.at_risk_ratio)

    def classify(self, ratio: float) -> str:
        if ratio >= self.on_track:
            return "on_track"
        return "at_risk" if ratio >= self.at_risk else "off_track"


@dataclass
class StatusRow:
    indicator: str
    area: str
    kind: str
    direction: str
    period: str
    status: str = "no_data"
    target: float | None = None
    target_low: float | None = None
    target_high: float | None = None
    target_basis: str | None = None  # "plan": the period's own target; "pace": a share of a longer one
    actual: float | None = None
    progress: float | None = None  # actual ÷ target
    expected: float | None = None  # what the pace expects by the as-of date
    pace: float | None = None  # actual ÷ expected (for at-most items: expected ÷ actual)
    # the period carries a whole target of its own (not a pro-rata share of a longer one), so its actual is read
    # against that target, and met/missed once it has ended; otherwise against the pace (expected to date).
    # Milestones: due inside the period, and the period has ended by the as-of date.
    own_target: bool = False
    shortfalls: list[str] = field(default_factory=list)  # recurring periods that fell short
    due: str | None = None
    done_on: str | None = None
    note: str | None = None
    note_by: str | None = None  # the editor who wrote the explanation (None: it came with the data)
    batch_id: int | None = None
    sample: bool = False
    needs_note: bool = False  # missed, off track or overdue with no explanation for the period (待说明)
    computed_status: str | None = None  # set when an editor overrode the status: what the engine computed
    override_reason: str | None = None
    override_by: str | None = None
    # an admin's latest correction of a closed period inside this row's period (更正): when, by whom, why, its batch
    corrected_at: str | None = None
    corrected_by: str | None = None
    correction_reason: str | None = None
    correction_batch: int | None = None
    evidence: int = 0  # evidence files in force for the period (a milestone: for the item, any period)
    needs_evidence: bool = False  # a milestone done without evidence (缺佐证)

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate(plan: Plan, observations: pd.DataFrame, period: object = None, as_of: dt.date | None = None,
             bands: Bands | None = None, only: str | None = None, notes: pd.DataFrame | None = None,
             overrides: pd.DataFrame | None = None) -> list[StatusRow]:
    """One row per indicator of the plan (or only the one named), in plan order, for one period and as-of date.

    ``notes`` (indicator, period, note, editor) are the editors' explanations; ``overrides`` (indicator,
    period, status, reason, editor) replace the computed status of exactly that period, which stays visible.
    """
    window = resolve_window(plan, period)
    as_of = as_of or min(dt.date.today(), plan.span.end)
    bands = bands or Bands.from_settings()
    if only is not None and observations is not None and not observations.empty:
        observations = observations[observations["indicator"] == only]
    by_code = _group(observations, as_of)
    rows = [evaluate_item(plan, item, by_code.get(item.code, {}), window, as_of, bands)
            for item in plan.indicators() if only is None or item.code == only]
    return annotate(rows, window, as_of, notes, overrides)


def annotate(rows: list[StatusRow], window, as_of: dt.date, notes: pd.DataFrame | None,
             overrides: pd.DataFrame | None) -> list[StatusRow]:
    """Explanations, overrides and the 待说明 flag on computed rows."""
    by_note: dict[str, list] = {}
    if notes is not None and not notes.empty:
        for rec in notes.to_dict("records"):
            try:
                p = parse_period(rec["period"])
            except PeriodError:  # the whole plan, named by its id (a plan whose span is no calendar period)
                if rec["period"] == window.label:
                    by_note.setdefault(rec["indicator"], []).append((window, rec))
                continue
            if window.start <= p.start and p.end <= window.end and p.start <= as_of:
                by_note.setdefault(rec["indicator"], []).append((p, rec))
    by_override = {}
    if overrides is not None and not overrides.empty:
        by_override = {(r["indicator"], r["period"]): r for r in overrides.to_dict("records")}
    for row in rows:
        found = by_note.get(row.indicator, [])
        exact = [rec for p, rec in found if p.label == window.label]
        latest = max(found, key=lambda pr: (pr[0].end, pr[1]["batch_id"]))[1] if found else None
        chosen = exact[0] if exact else (None if row.note else latest)
        if chosen is not None:
            row.note, row.note_by = chosen["note"], chosen["editor"]
        override = by_override.get((row.indicator, window.label))
        if override is not None and override["status"] in STATUSES:
            row.computed_status, row.status = row.status, override["status"]
            row.override_reason, row.override_by = override["reason"], override["editor"]
        row.needs_note = row.status in NEEDS_EXPLANATION and not row.note
    return rows


def evaluate_matrix(plan: Plan, observations: pd.DataFrame, grain: str, as_of: dt.date,
                    bands: Bands | None = None, periods: list | None = None, notes: pd.DataFrame | None = None,
                    overrides: pd.DataFrame | None = None) -> list[StatusRow]:
    """Rows for every indicator × every period of ``grain`` in the plan span (or of ``periods``)."""
    bands = bands or Bands.from_settings()
    by_code = _group(observations, as_of)
    periods = periods if periods is not None else periods_in_span(plan.span.start, plan.span.end, grain)
    by_period = {p.label: [] for p in periods}
    for item in plan.indicators():
        for p in periods:
            by_period[p.label].append(evaluate_item(plan, item, by_code.get(item.code, {}), p, as_of, bands))
    for p in periods:
        annotate(by_period[p.label], p, as_of, notes, overrides)
    return [by_period[p.label][i] for i in range(len(plan.indicators())) for p in periods]


def _group(observations: pd.DataFrame, as_of: dt.date) -> dict[str, dict[Period, dict]]:
    """Observations by indicator and period, keeping only periods begun by the as-of date."""
    out: dict[str, dict[Period, dict]] = {}
    if observations is None or observations.empty:
        return out
    cols = [c for c in ("indicator", "period", "value", "done_on", "note", "batch_id", "sample") if c in observations]
    for values in zip(*(observations[c].tolist() for c in cols), strict=True):  # faster than to_dict("records")
        rec = dict(zip(cols, values, strict=True))
        p = parse_period(rec["period"])
        if p.start <= as_of:
            out.setdefault(rec["indicator"], {})[p] = rec
    return out


def evaluate_item(plan: Plan, item: Indicator, reports: dict[Period, dict], window, as_of: dt.date,
                  bands: Bands) -> StatusRow:
    row = StatusRow(indicator=item.code, area=item.area, kind=item.kind, direction=item.direction,
                    period=window.label)
    inside = covering(list(reports), window)
    if inside:
        last = max(inside, key=lambda p: p.end)
        row.note = _text(reports[last].get("note"))
        row.batch_id = int(reports[last]["batch_id"]) if pd.notna(reports[last].get("batch_id")) else None
        row.sample = any(bool(reports[p].get("sample")) for p in inside)
    if item.kind == "milestone":
        return _milestone(item, reports, window, as_of, row)
    values = {p: float(r["value"]) for p, r in reports.items() if pd.notna(r.get("value"))}
    row.actual = rollup(values, window, item.kind)
    entries = [e for e in target_entries(plan, item) if e[0].start <= window.end and window.start <= e[0].end]
    if window.start > as_of:
        row.status = "pending"
    if not entries:
        row.status = "no_target" if row.status != "pending" else row.status
        return row
    _set_target(item, entries, window, row)
    if row.status == "pending":
        return row
    if row.actual is None:
        row.status = "no_data"
        return row
    if row.target and row.target_low is None:
        row.progress = row.actual / row.target
    row.shortfalls = _shortfalls(item, values, entries, window, as_of)
    if row.own_target and window.end <= as_of:
        row.expected = row.target
        row.pace = _ratio(item, row.actual, row.target, row.target_low, row.target_high)
        row.status = "met" if row.pace >= 1.0 and not row.shortfalls else "missed"
        return row
    row.expected, low, high = _expected(item, entries, window, as_of)
    row.pace = _ratio(item, row.actual, row.expected, low, high)
    row.status = "off_track" if row.shortfalls else bands.classify(row.pace)
    if item.direction == "at_most" and row.target is not None and row.actual > row.target:
        row.status = "off_track"  # the whole allowance is used up already
    return row


def _set_target(item: Indicator, entries: list, window, row: StatusRow) -> None:
    """The target for the window: whole targets inside it, a pro-rata share of those it cuts."""
    if item.kind == "count":
        shares = [(v, _overlap_days(w, window) / w.days) for w, v, _ in entries]
        row.own_target = all(s == 1.0 for _, s in shares)
        if isinstance(entries[0][1], Range):
            row.target_low = sum(v.low * s for v, s in shares)
            row.target_high = sum(v.high * s for v, s in shares)
        else:
            row.target = sum(float(v) * s for v, s in shares)
    else:  # a level: the target of the latest window that overlaps
        w, v, _ = entries[-1]
        row.own_target = w.end <= window.end
        if isinstance(v, Range):
            row.target_low, row.target_high = v.low, v.high
        else:
            row.target = float(v)
    row.target_basis = "plan" if row.own_target else "pace"


def _expected(item: Indicator, entries: list, window, as_of: dt.date):
    """What the pace expects by the as-of date: (value, low, high)."""
    cutoff = min(as_of, window.end)
    if item.kind == "count":
        total = low = high = 0.0
        for w, v, _ in entries:
            done = _overlap_days(w, window, until=cutoff)  # days of this target's window elapsed inside the period
            if isinstance(v, Range):
                low, high = low + v.low * done / w.days, high + v.high * done / w.days
            else:
                total += float(v) * done / w.days
        return (None, low, high) if isinstance(entries[0][1], Range) else (total, None, None)
    started = [e for e in entries if e[0].start <= cutoff] or entries[:1]
    w, v, _ = started[-1]
    if isinstance(v, Range):
        return None, v.low, v.high
    if item.kind == "stock" and item.baseline is not None and item.baseline.date <= cutoff:
        base = item.baseline.value
        return base + (float(v) - base) * w.elapsed_share(cutoff), None, None
    return float(v), None, None


def _ratio(item: Indicator, actual: float, expected: float | None, low: float | None, high: float | None) -> float:
    """≥ 1 means at or ahead of what is expected."""
    if low is not None and high is not None:
        if actual < low:
            return actual / low if low else 0.0
        if actual > high:
            return high / actual if actual else 0.0
        return 1.0
    if expected is None or expected <= 0:
        return 1.0 if item.direction != "at_most" or actual <= 0 else 0.0
    if item.direction == "at_most":
        return float("inf") if actual <= 0 else expected / actual
    return actual / expected


def _shortfalls(item: Indicator, values: dict, entries: list, window, as_of: dt.date) -> list[str]:
    """Recurring periods inside the window that ended short of their minimum."""
    out = []
    for w, v, recurring in entries:
        if not recurring or isinstance(v, Range) or w.end > as_of or not window.contains(w):
            continue
        got = rollup(values, w, item.kind)
        if got is None:
            if any(p.start <= w.start and w.end <= p.end for p in values):
                continue  # reported only for a longer period: this one cannot be judged
            got = 0.0
        short = got < float(v) if item.direction != "at_most" else got > float(v)
        if short:
            out.append(w.label)
    return out


def _milestone(item: Indicator, reports: dict[Period, dict], window, as_of: dt.date, row: StatusRow) -> StatusRow:
    cutoff = min(as_of, window.end)
    row.due = item.due.isoformat()
    row.target = 1.0
    row.target_basis = "plan"
    seen = {p: r for p, r in reports.items() if p.start <= cutoff}
    done = sorted(_done_date(p, r) for p, r in seen.items() if pd.notna(r.get("value")) and r["value"] > 0)
    done = [d for d in done if d <= cutoff]
    if done:
        row.done_on, row.actual, row.status = done[0].isoformat(), 1.0, "done"
    elif window.start > as_of:
        row.status = "pending"
    else:
        row.actual = 0.0 if seen else None
        if item.due > cutoff:
            row.status = "pending"
        else:
            row.status = "overdue" if seen else "no_data"
    row.own_target = item.due <= window.end and window.end <= as_of
    row.progress = row.actual
    return row


def _done_date(period: Period, rec: dict) -> dt.date:
    d = rec.get("done_on")
    if d is None or pd.isna(d):
        return period.end
    return d.date() if isinstance(d, (pd.Timestamp, dt.datetime)) else d


def _overlap_days(w, window, until: dt.date | None = None) -> int:
    start = max(w.start, window.start)
    end = min(w.end, window.end, until or window.end)
    return max(0, (end - start).days + 1)


def _text(v) -> str | None:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    return str(v)


def pace_curve(plan: Plan, item: Indicator, dates: list[dt.date]) -> list[float | None]:
    """What the pace (序时进度) expects by each date, over the whole plan span; None without a target."""
    window = resolve_window(plan)
    entries = target_entries(plan, item)
    if item.kind == "milestone" or not entries or isinstance(entries[0][1], Range):
        return [None] * len(dates)
    return [_expected(item, entries, window, d)[0] for d in dates]


def target_steps(plan: Plan, item: Indicator) -> list[tuple[dt.date, float]]:
    """(end date, cumulative target) at the end of each target period: the staircase the pace line follows."""
    total, out = 0.0, []
    for w, v, _ in target_entries(plan, item):
        if isinstance(v, Range):
            return []
        total = total + float(v) if item.kind == "count" else float(v)
        out.append((w.end, total))
    return out


__all__ = ["BEHIND", "DONE", "GOOD", "NEEDS_EXPLANATION", "NOT_JUDGED", "NOT_MEASURED", "ON_TRACK", "STATUSES",
           "Bands", "PlanSpan", "StatusRow", "evaluate", "evaluate_matrix", "pace_curve", "target_steps"]
