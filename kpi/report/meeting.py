"""A meeting's view of the numbers: what changed since an earlier meeting, and where decisions stand.

The comparison is made from two sets of status rows, both from ``Snapshot.status``: the view on screen, and the same
period as the earlier meeting saw it (its data version and its as-of date). Per indicator, a change is one of:

- ``met``: done now (met, or a milestone done), not then (新完成);
- ``behind``: behind now (missed, off track, at risk, overdue), not then (新落后);
- ``recovered``: behind then, now neither behind nor done (不再落后);
- ``explained``: flagged 待说明 then, explained now (新补说明);

and its actual moved by ``delta`` (now − then, when both have a value). The decisions shown with a meeting
(``kpi.report.decisions``) are judged overdue on the meeting's date, or today for a view that is not a recorded
meeting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from kpi import fmt
from kpi.i18n import t
from kpi.plan.models import Plan
from kpi.report import query
from kpi.report.decisions import Decision, as_date, decisions_of, tally_sentence
from kpi.report.query import View
from kpi.report.summary import average_completion
from kpi.status import BEHIND, DONE, NOT_JUDGED, StatusRow
from kpi.store import Store

CHANGE_KINDS = ("met", "behind", "recovered", "explained")


@dataclass(frozen=True)
class Change:
    """One indicator now and at the earlier meeting (``before`` None: not in the plan then)."""

    indicator: str
    area: str
    now: StatusRow
    before: StatusRow | None
    kinds: tuple[str, ...]

    @property
    def delta(self) -> float | None:
        """How far the actual moved since then; None unless both have a value."""
        if self.before is None or self.before.actual is None or self.now.actual is None:
            return None
        return self.now.actual - self.before.actual


def change_kinds(before: StatusRow | None, now: StatusRow) -> tuple[str, ...]:
    """Which of CHANGE_KINDS apply to one indicator (see the module's doc)."""
    was = before.status if before is not None else "no_data"
    kinds = []
    if now.status in DONE and was not in DONE:
        kinds.append("met")
    if now.status in BEHIND and was not in BEHIND:
        kinds.append("behind")
    if was in BEHIND and now.status not in BEHIND and now.status not in DONE:
        kinds.append("recovered")
    if before is not None and before.needs_note and now.note and not now.needs_note:
        kinds.append("explained")
    return tuple(kinds)


def compare(before: list[StatusRow], now: list[StatusRow]) -> list[Change]:
    """Every indicator on screen now, against the same indicator then (matched by code), in plan order."""
    then = {r.indicator: r for r in before}
    return [Change(r.indicator, r.area, r, then.get(r.indicator), change_kinds(then.get(r.indicator), r))
            for r in now]


@dataclass(frozen=True)
class AreaChange:
    """One work area since the earlier meeting: done and behind counts, and average completion, then and now."""

    done: int
    done_before: int
    behind: int
    behind_before: int
    average: float | None
    average_before: float | None

    @property
    def points(self) -> int | None:
        """The change of the average completion, in percentage points."""
        if self.average is None or self.average_before is None:
            return None
        return round(self.average * 100) - round(self.average_before * 100)


@dataclass(frozen=True)
class Since:
    """What changed since an earlier meeting (a dict as ``Store.meetings`` gives it)."""

    meeting: dict
    changes: tuple[Change, ...]

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if kind in c.kinds]

    def get(self, code: str) -> Change | None:
        return next((c for c in self.changes if c.indicator == code), None)

    def area(self, code: str) -> AreaChange:
        mine = [c for c in self.changes if c.area == code]
        now = [c.now for c in mine if c.now.status not in NOT_JUDGED]
        then = [c.before for c in mine if c.before is not None and c.before.status not in NOT_JUDGED]
        return AreaChange(sum(r.status in DONE for r in now), sum(r.status in DONE for r in then),
                          sum(r.status in BEHIND for r in now), sum(r.status in BEHIND for r in then),
                          average_completion(now), average_completion(then))

    def counts(self, lang: str) -> str:
        """The short form for the meeting screen: "自上次会议（…）以来：新完成2项、新落后1项" (names on the slides)."""
        when = t("since.when", lang, name=self.meeting["name"], date=fmt.date(as_date(self.meeting["held_on"]), lang))
        parts = [t(f"since.{kind}_count", lang, count=len(self.of(kind))) for kind in CHANGE_KINDS if self.of(kind)]
        if not parts:
            return t("since.nothing", lang, when=when)
        return t("since.short", lang, when=when, parts=("、" if lang == "zh" else ", ").join(parts))

    def sentence(self, plan: Plan, lang: str) -> str:
        """"自上次会议（十月调度会，2023年10月15日）以来，新完成2项：…；新落后1项：…。" — or that nothing changed."""
        when = t("since.when", lang, name=self.meeting["name"], date=fmt.date(as_date(self.meeting["held_on"]), lang))
        parts = []
        for kind in CHANGE_KINDS:
            found = self.of(kind)
            if found:
                names = ("、" if lang == "zh" else ", ").join(plan.indicator(c.indicator).name.get(lang) for c in found)
                parts.append(t(f"since.{kind}", lang, count=len(found), names=names))
        if not parts:
            return t("since.nothing", lang, when=when)
        return t("since.sentence", lang, when=when, parts=("；" if lang == "zh" else "; ").join(parts))


def delta_text(change: Change | None, unit: str | None, lang: str) -> str:
    """"▲3" / "▼2" / "" — how an indicator's actual moved since the earlier meeting."""
    if change is None or not change.delta:
        return ""
    sign = "▲" if change.delta > 0 else "▼"
    return sign + fmt.with_unit(abs(change.delta), unit, lang)


# --- a meeting view -----------------------------------------------------------------------

@dataclass(frozen=True)
class Facts:
    """What a meeting view adds to the numbers: the meeting it is (if recorded), the earlier meeting it compares
    with and what changed since, this meeting's decisions (as they stand now, judged on ``own_today``) and the
    earlier meeting's (at the view's data version, judged on ``today``: the meeting's date)."""

    meeting: dict | None = None
    since: Since | None = None
    own: tuple[Decision, ...] = ()
    earlier: tuple[Decision, ...] = ()
    today: dt.date = field(default_factory=dt.date.today)
    own_today: dt.date = field(default_factory=dt.date.today)

    def lines(self, plan: Plan, lang: str) -> list[str]:
        """The sentences a briefing and the 通报 text lead with: the changes, the earlier meeting's decisions."""
        out = []
        if self.since is not None:
            out.append(self.since.sentence(plan, lang))
            out.append(tally_sentence(self.earlier, self.today, lang))
        return out


def earlier_meetings(found: pd.DataFrame, view: View, meeting: dict | None) -> pd.DataFrame:
    """The meetings (``Store.meetings`` of the view's plan) a view can compare with, the latest first: those held
    before ``meeting``; for a view that is not a meeting, those recorded at or before the view's data version."""
    found = found[found["meeting"] != (meeting or {}).get("meeting")]
    if meeting is not None:
        held = (as_date(meeting["held_on"]), meeting["meeting"])
        return found[[(as_date(h), m) < held for h, m in zip(found["held_on"], found["meeting"], strict=True)]]
    return found[found["data_version"] <= view.version]


def earlier_meeting(store: Store, view: View, meeting: dict | None, since_id: int | None) -> dict | None:
    """The meeting to compare with: ``since_id`` when it is one of ``earlier_meetings``; else the latest of them."""
    found = earlier_meetings(store.meetings(view.plan_id), view, meeting)
    if since_id is not None:
        found = found[found["meeting"] == int(since_id)]
    return None if found.empty else found.iloc[0].to_dict()


def since(store: Store, view: View, rows: list[StatusRow], earlier: dict) -> Since:
    """The rows on screen against the same period as the earlier meeting saw it."""
    then = query.snapshot(store, view.plan_id, int(earlier["data_version"])).status(view.period,
                                                                                     as_date(earlier["as_of"]))
    return Since(earlier, tuple(compare(then, rows)))


def facts(store: Store, view: View, rows: list[StatusRow], meeting_id: int | None = None,
          since_id: int | None = None, today: dt.date | None = None) -> Facts:
    """The meeting facts of a view (``meeting_id``: the recorded meeting it is; ``since_id``: compare with)."""
    meeting = store.meeting(meeting_id) if meeting_id is not None else None
    if meeting is not None and meeting["plan_id"] != view.plan_id:
        meeting = None
    day = today or (as_date(meeting["held_on"]) if meeting is not None else dt.date.today())
    own = decisions_of(store.decisions(meeting["meeting"])) if meeting is not None else ()
    earlier = earlier_meeting(store, view, meeting, since_id)
    if earlier is None:
        return Facts(meeting, None, own, (), day)
    before = decisions_of(store.decisions(earlier["meeting"], as_of_batch=view.version))
    return Facts(meeting, since(store, view, rows, earlier), own, before, day)


def changes_table(plan: Plan, found: Since, lang: str) -> pd.DataFrame:
    """The indicators whose status or value moved since the earlier meeting: then, now, and what changed."""
    from kpi.report.tables import status_text

    out = []
    for c in found.changes:
        if not c.kinds and not c.delta:
            continue
        item = plan.indicator(c.indicator)
        unit = item.unit_text(lang)
        then = "" if c.before is None else \
            f"{status_text(c.before, lang)} · {fmt.with_unit(c.before.actual, unit, lang)}"
        out.append({
            t("col.code", lang): c.indicator,
            t("col.indicator", lang): item.name.get(lang),
            t("since.then", lang): then,
            t("since.now", lang): f"{status_text(c.now, lang)} · {fmt.with_unit(c.now.actual, unit, lang)}",
            t("since.change", lang): " · ".join([t(f"screen.kind_{k}", lang) for k in c.kinds]
                                               + ([delta_text(c, unit, lang)] if c.delta else [])),
        })
    return pd.DataFrame(out, columns=[t(k, lang) for k in ("col.code", "col.indicator", "since.then", "since.now",
                                                             "since.change")])


def meetings_table(found: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The meetings recorded, the latest first, in words."""
    return pd.DataFrame({
        t("meeting.name", lang): found["name"],
        t("meeting.held_on", lang): [fmt.date(as_date(d), lang) for d in found["held_on"]],
        t("col.period", lang): found["period"],
        t("ctl.as_of", lang): [as_date(d).isoformat() for d in found["as_of"]],
        t("brief.version", lang): found["data_version"].astype(int),
        t("col.editor", lang): found["editor"],
        t("col.time", lang): fmt.timestamps(found["recorded_at"]),
    })
