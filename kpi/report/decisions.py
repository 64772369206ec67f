"""Decisions of meetings (会议决定事项): each followed until closed with a note.

A decision is closed (已办结), overdue (open past its date, 逾期) or open (办理中) on a given day. ``open_decisions``
is what an office still has to do — for an area's page, a meeting's screen or a list of what is due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from kpi import fmt
from kpi.i18n import t
from kpi.plan.models import Plan
from kpi.store import Store

DECISION_STATES = ("closed", "overdue", "open")


def as_date(value: object) -> dt.date | None:
    """A date from the store (a date, a datetime or a pandas Timestamp); None for a missing one."""
    if value is None or pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value


@dataclass(frozen=True)
class Decision:
    """One decision of a meeting, as the store held it at a data version."""

    decision: int
    meeting: int
    meeting_name: str
    what: str
    area: str
    due: dt.date
    indicators: tuple[str, ...]
    closed: bool
    closed_on: dt.date | None = None
    note: str | None = None
    batch_id: int | None = None
    close_batch: int | None = None

    def state(self, today: dt.date) -> str:
        if self.closed:
            return "closed"
        return "overdue" if self.due < today else "open"


def decisions_of(frame: pd.DataFrame) -> tuple[Decision, ...]:
    """The rows of ``Store.decisions`` as Decisions."""
    out = []
    for rec in frame.to_dict("records"):
        out.append(Decision(int(rec["decision"]), int(rec["meeting"]), rec["meeting_name"], rec["what"], rec["area"],
                            as_date(rec["due"]), tuple(rec["indicators"]), bool(rec["closed"]),
                            as_date(rec["closed_on"]),
                            rec.get("close_note") if isinstance(rec.get("close_note"), str) else None,
                            int(rec["batch_id"]),
                            None if pd.isna(rec.get("close_batch")) else int(rec["close_batch"])))
    return tuple(out)


def tally(decisions: tuple[Decision, ...], today: dt.date) -> dict[str, int]:
    """How many decisions in all, closed, overdue and open."""
    states = [d.state(today) for d in decisions]
    return {"total": len(states), **{s: states.count(s) for s in DECISION_STATES}}


def tally_sentence(decisions: tuple[Decision, ...], today: dt.date, lang: str, key: str = "decisions.earlier") -> str:
    """"上次会议决定事项：3项，已办结2项，逾期1项" (``key``: whose decisions)."""
    counts = tally(decisions, today)
    if not counts["total"]:
        return t(f"{key}_none", lang)
    return t(key, lang, **counts)


def state_text(decision: Decision, today: dt.date, lang: str) -> str:
    """The state of a decision in words: 已办结（11月28日）/ 逾期 / 办理中."""
    state = decision.state(today)
    if state == "closed" and decision.closed_on:
        return t("decisions.state_closed_on", lang, date=fmt.date(decision.closed_on, lang))
    return t(f"decisions.state_{state}", lang)




def decision_line(plan: Plan, d: Decision, today: dt.date, lang: str) -> str:
    """One decision in words: what, the office, by when, the indicators, and its state (with the closing note)."""
    area = next((a.name.get(lang) for a in plan.areas if a.code == d.area), d.area)
    codes = {i.code for i in plan.indicators()}
    names = [plan.indicator(c).name.get(lang) for c in d.indicators if c in codes]
    text = t("decisions.line", lang, what=d.what, area=area, due=fmt.date(d.due, lang),
             state=state_text(d, today, lang))
    if names:
        text += t("decisions.about", lang, names=("、" if lang == "zh" else ", ").join(names))
    if d.note:
        text += t("decisions.note", lang, note=d.note)
    return text


def open_decisions(store: Store, area: str | None = None, as_of_batch: int | None = None) -> list[Decision]:
    """The decisions not closed (of one office, at a data version), the earliest due first."""
    found = decisions_of(store.decisions(area=area, as_of_batch=as_of_batch))
    return sorted((d for d in found if not d.closed), key=lambda d: (d.due, d.decision))


def decisions_table(plan: Plan, decisions: tuple[Decision, ...], today: dt.date, lang: str) -> pd.DataFrame:
    """A meeting's decisions in words: what, office, by when, indicators, state, the closing note."""
    areas = {a.code: a.name.get(lang) for a in plan.areas}
    return pd.DataFrame({
        t("decisions.col_no", lang): [d.decision for d in decisions],
        t("decisions.col_what", lang): [d.what for d in decisions],
        t("decisions.col_area", lang): [areas.get(d.area, d.area) for d in decisions],
        t("decisions.col_due", lang): [fmt.date(d.due, lang) for d in decisions],
        t("decisions.col_indicators", lang): [", ".join(d.indicators) for d in decisions],
        t("decisions.col_state", lang): [state_text(d, today, lang) for d in decisions],
        t("decisions.col_note", lang): [d.note or "" for d in decisions],
    })
