"""Closed periods, corrections (更正) and evidence (佐证材料) in words, for the pages, the meeting pack and exports.

The marks themselves are set on the status rows by ``kpi.report.marks`` (through ``Snapshot.status``); this module
only says them, so the indicator page, the history, the briefing and the CSV use the same sentences.
"""

from __future__ import annotations

import pandas as pd

from kpi.i18n import t
from kpi.periods import parse_period
from kpi.plan.models import Plan
from kpi.plan.windows import resolve_window
from kpi.report.marks import label_span
from kpi.status import StatusRow


def correction_text(row: StatusRow, lang: str) -> str:
    """"更正：2023-10-20 09:30 王（理由：补报遗漏的活动）"; empty when the row was not corrected."""
    if not row.corrected_at:
        return ""
    return t("correct.line", lang, when=row.corrected_at, by=row.corrected_by or "", reason=row.correction_reason or "")


def evidence_tag(row: StatusRow, lang: str) -> str:
    """The 缺佐证 flag of a milestone done without evidence (like the 待说明 flag)."""
    return t("evidence.missing_tag", lang) if row.needs_evidence else ""


def closed_for(closed: pd.DataFrame, plan: Plan, period: object) -> pd.DataFrame:
    """The closed periods that lie inside the view's period or hold it."""
    if closed is None or closed.empty:
        return pd.DataFrame(columns=["period", "created_at", "editor", "reason"])
    window = resolve_window(plan, period)
    keep = [(s <= window.start and window.end <= e) or (window.start <= s and e <= window.end)
            for s, e in zip(closed["period_start"], closed["period_end"], strict=True)]
    return closed[keep]


def closed_text(closed: pd.DataFrame, plan: Plan, period: object, lang: str) -> str | None:
    """"已关账：2023年第三季度（2023-10-10 关账）"; None when no closed period touches the view's period."""
    found = closed_for(closed, plan, period)
    if found.empty:
        return None
    sep = "；" if lang == "zh" else "; "
    parts = [t("close.item", lang, period=parse_period(r["period"]).display(lang), when=str(r["created_at"])[:10])
             for r in found.to_dict("records")]
    return t("close.stated", lang, periods=sep.join(parts))


def evidence_table(evidence: pd.DataFrame, plan: Plan, period: object, lang: str,
                   codes: list[str] | None = None) -> pd.DataFrame:
    """The evidence in force for a view (names and hashes, never the contents): indicator, period, file, size,
    sha256, who attached it and when. A milestone's evidence counts whatever its period."""
    columns = ["col.code", "col.period", "evidence.file", "evidence.size", "evidence.sha256", "col.editor",
               "col.time"]
    head = [t(c, lang) for c in columns]
    if evidence is None or evidence.empty:
        return pd.DataFrame(columns=head)
    window = resolve_window(plan, period)
    kinds = {i.code: i.kind for i in plan.indicators()}
    out = []
    for rec in evidence.to_dict("records"):
        span = label_span(rec["period"], plan)
        if span is None or rec["indicator"] not in kinds or (codes is not None and rec["indicator"] not in codes):
            continue
        if kinds[rec["indicator"]] != "milestone" and not (window.start <= span[0] and span[1] <= window.end):
            continue
        out.append([rec["indicator"], rec["period"], rec["file_name"], int(rec["size"]), rec["sha256"],
                    rec["editor"], str(rec["created_at"])[:16]])
    return pd.DataFrame(out, columns=head)


def evidence_history(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Every file attached (reverted ones too): period, file, sha256, batch, who, when, in force."""
    return pd.DataFrame({
        t("col.period", lang): frame["period"],
        t("evidence.file", lang): frame["file_name"],
        t("evidence.sha256", lang): frame["sha256"],
        t("col.batch", lang): frame["batch_id"].astype(int),
        t("col.editor", lang): frame["editor"],
        t("col.time", lang): [str(v)[:16] for v in frame["created_at"]],
        t("evidence.in_force", lang): [t("yes" if x else "no", lang) for x in frame["in_force"]],
    })


def evidence_for(evidence: pd.DataFrame, code: str, period: str, lang: str,
                 plans: dict[str, Plan] | None = None) -> str:
    """"a.pdf（SHA-256 …）；b.png（…）": the evidence of an indicator attached for this period or one holding it
    (a milestone's evidence is usually attached for the whole plan; ``plans`` by id name the spans of plan labels)
    — names and hashes, never the contents."""
    if evidence is None or evidence.empty:
        return ""
    p = label_span(period)
    found = []
    for rec in evidence[evidence["indicator"] == code].to_dict("records"):
        q = label_span(rec["period"], (plans or {}).get(rec["period"]))
        if p is not None and q is not None and q[0] <= p[0] and p[1] <= q[1]:
            found.append(t("evidence.listed", lang, file=rec["file_name"], sha=rec["sha256"]))
    return ("；" if lang == "zh" else "; ").join(found)
