"""Ready-made frames for the pages: the pages render them and compute nothing."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kpi import fmt
from kpi.i18n import status_label, t
from kpi.plan import Plan
from kpi.status import StatusRow, evaluate
from kpi.store import Store


def plan_status(store: Store, plan: Plan, period: object, as_of: dt.date,
                as_of_batch: int | None = None) -> list[StatusRow]:
    """The status engine over what the store holds for this plan (bounded by plan and span)."""
    obs = store.current([i.code for i in plan.indicators()], plan.span.start, plan.span.end, as_of_batch)
    return evaluate(plan, obs, period, as_of)


def overview_table(plan: Plan, rows: list[StatusRow], lang: str) -> pd.DataFrame:
    """One line per indicator: area, name, target, actual, progress, status — formatted for display."""
    by_code = {i.code: i for i in plan.indicators()}
    areas = {a.code: a.name.get(lang) for a in plan.areas}
    out = []
    for r in rows:
        item = by_code[r.indicator]
        unit = item.unit.get(lang) if item.unit else None
        if item.kind == "milestone":
            target = t("value.due", lang, date=r.due)
            actual = t("value.done_on", lang, date=r.done_on) if r.done_on else fmt.number(None, lang)
        else:
            target = fmt.with_unit(r.target, unit, lang) if r.target_low is None else \
                f"{fmt.number(r.target_low, lang)}–{fmt.with_unit(r.target_high, unit, lang)}"
            actual = fmt.with_unit(r.actual, unit, lang)
        out.append({
            t("col.area", lang): areas[r.area],
            t("col.code", lang): r.indicator,
            t("col.indicator", lang): item.name.get(lang),
            t("col.target", lang): target,
            t("col.actual", lang): actual,
            t("col.progress", lang): fmt.percent(r.progress, lang) if item.kind != "milestone" else "",
            t("col.status", lang): status_label(r.status, lang),
        })
    return pd.DataFrame(out)
