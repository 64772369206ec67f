"""Ready-made tables for the upload and history pages."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kpi import fmt
from kpi.i18n import t
from kpi.periods import periods_in_span
from kpi.plan.models import Plan


def template_periods(plan: Plan, today: dt.date | None = None) -> list[str]:
    """Months and quarters of the plan for the upload template; the latest begun is first."""
    today = today or dt.date.today()
    parts = [p for grain in ("quarter", "month") for p in periods_in_span(plan.span.start, plan.span.end, grain)]
    begun = sorted((p for p in parts if p.start <= today), key=lambda p: (p.start, -p.days), reverse=True)
    return [p.label for p in begun + [p for p in parts if p.start > today]]


def problems_table(problems: list, lang: str) -> pd.DataFrame:
    """Every problem of a rejected file: row, column, value and what to do."""
    return pd.DataFrame({
        t("problem.row", lang): [p.row if p.row is not None else "" for p in problems],
        t("problem.column", lang): [p.column or "" for p in problems],
        t("problem.value", lang): [p.value or "" for p in problems],
        t("problem.message", lang): [p.text(lang) for p in problems],
    })


def batch_label(info: dict, lang: str) -> str:
    state = t("history.state_reverted", lang) if info["reverted"] else ""
    return t("history.label", lang, batch=info["batch_id"], source=info["source"] or "", editor=info["editor"],
             time=fmt.timestamp(info["created_at"]), rows=info["row_count"], state=state)


def history_table(batches: pd.DataFrame, lang: str, corrections: dict[int, str] | None = None) -> pd.DataFrame:
    """Every batch, newest first, in words; a correction after close (更正) says so, with its reason."""
    corrections = corrections or {}
    frame = pd.DataFrame({
        t("col.batch", lang): batches["batch_id"].astype(int),
        t("history.kind", lang): [t(f"batch.{k}", lang) + (t("correct.kind", lang) if int(b) in corrections else "")
                                  for k, b in zip(batches["kind"], batches["batch_id"], strict=True)],
        t("col.time", lang): fmt.timestamps(batches["created_at"]),
        t("col.editor", lang): batches["editor"],
        t("col.file", lang): batches["source"].fillna(""),
        t("history.rows", lang): batches["row_count"].astype(int),
        t("history.target", lang): [str(int(b)) if pd.notna(b) else "" for b in batches["target_batch"]],
        t("history.state", lang): [t("history.state_reverted", lang) if r else "" for r in batches["reverted"]],
        "sha256": batches["sha256"].fillna("").str[:12],
    })
    if corrections:
        frame[t("correct.column", lang)] = [corrections.get(int(b), "") for b in batches["batch_id"]]
    return frame


def signin_table(attempts: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Sign-in tries, newest first, in words: when, the name typed, the outcome."""
    return pd.DataFrame({
        t("col.time", lang): attempts["tried_at"].astype(str).str[:19],
        t("signins.name", lang): attempts["name"],
        t("signins.result", lang): [t(f"signins.{o}", lang) for o in attempts["outcome"]],
    })
