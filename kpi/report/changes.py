"""What a file would change (the preview before commit) and what a batch changed (its diff in the history)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kpi import fmt
from kpi.i18n import t
from kpi.store import Store

KEY = ["indicator", "period"]
CHANGE_KINDS = ("new", "changed", "unchanged")


@dataclass
class Changes:
    """Rows with indicator, period, old, new, note_old, note_new, change (new | changed | unchanged)."""

    rows: pd.DataFrame
    blanks: int = 0

    def count(self, kind: str) -> int:
        return int((self.rows["change"] == kind).sum()) if len(self.rows) else 0

    def counts(self) -> dict[str, int]:
        return {k: self.count(k) for k in CHANGE_KINDS} | {"blank": self.blanks}


def _value_text(value, done_on) -> str:
    if done_on is not None and not pd.isna(done_on):
        return str(done_on)[:10]
    return "" if value is None or pd.isna(value) else fmt.number(float(value), "en").replace(",", "")


def compare(before: pd.DataFrame, after: pd.DataFrame, blanks: int = 0) -> Changes:
    """Each row of ``after`` against the value in force in ``before`` for the same indicator and period."""
    if after.empty:
        return Changes(pd.DataFrame(columns=[*KEY, "old", "new", "note_old", "note_new", "change"]), blanks)
    left = after[[*KEY, "value", "done_on", "note"]].copy()
    right = before[[*KEY, "value", "done_on", "note"]] if len(before) else pd.DataFrame(
        columns=[*KEY, "value", "done_on", "note"])
    merged = left.merge(right, on=KEY, how="left", suffixes=("", "_old"), indicator=True)
    merged["new"] = [_value_text(v, d) for v, d in zip(merged["value"], merged["done_on"], strict=True)]
    merged["old"] = [_value_text(v, d) for v, d in zip(merged["value_old"], merged["done_on_old"], strict=True)]
    merged["note_new"] = merged["note"].fillna("")
    merged["note_old"] = merged["note_old"].fillna("")
    found = merged["_merge"] == "both"
    same = (merged["old"] == merged["new"]) & (merged["note_old"] == merged["note_new"])
    merged["change"] = "new"
    merged.loc[found & same, "change"] = "unchanged"
    merged.loc[found & ~same, "change"] = "changed"
    return Changes(merged[[*KEY, "old", "new", "note_old", "note_new", "change"]], blanks)


def preview(store: Store, rows: pd.DataFrame, blanks: int = 0) -> Changes:
    """What committing these rows would change, against the values in force now."""
    codes = sorted(set(rows["indicator"])) if len(rows) else []
    return compare(store.current(codes) if codes else pd.DataFrame(), rows, blanks)


def batch_diff(store: Store, batch_id: int) -> Changes:
    """What a batch changed, against the values in force right before it."""
    rows = store.batch_rows(batch_id)
    codes = sorted(set(rows["indicator"])) if len(rows) else []
    before = store.current(codes, as_of_batch=batch_id - 1) if codes else pd.DataFrame()
    return compare(before, rows)


def display(changes: Changes, lang: str, only_changes: bool = False) -> pd.DataFrame:
    """The change table in the user's language: indicator, period, old → new, notes, what changes."""
    rows = changes.rows
    if only_changes:
        rows = rows[rows["change"] != "unchanged"]
    return pd.DataFrame({
        t("col.code", lang): rows["indicator"],
        t("col.period", lang): rows["period"],
        t("change.old", lang): rows["old"],
        t("change.new", lang): rows["new"],
        t("col.note", lang): rows["note_new"],
        t("change.kind", lang): [t(f"change.kind_{c}", lang) for c in rows["change"]],
    })
