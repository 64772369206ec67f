"""The New plan page's grids in Streamlit: what the browser has edited so far, and the columns as shown (labels in
the user's language, choices, what is read-only). The tables themselves come from ``kpi/plan/grid.py``."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpi.i18n import t
from kpi.plan import grid


def pending_edits(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The table a keyed, fixed-rows ``st.data_editor`` will return this run: ``frame`` with the cell edits the
    browser sent so far (row position -> column -> value), read before the editor is drawn so what is shown beside
    the cells (a row's problems) already follows them. Values come as the browser sends them (a date as ISO text)."""
    out = frame.astype(object)
    edits = (st.session_state.get(key) or {}).get("edited_rows") or {}
    for row, changes in edits.items():
        for column, value in changes.items():
            if column in out.columns and 0 <= int(row) < len(out):
                out.iat[int(row), out.columns.get_loc(column)] = value
    return out


def _label(column: str, lang: str) -> str:
    return t(f"newplan.col_{column}", lang)


def _common(lang: str, problems: bool, read_only: tuple[str, ...]) -> dict:
    """Every column as text (read-only where it is shown, not edited), the ticks, and the problem column: narrow
    while there is no problem."""
    out = {c: st.column_config.TextColumn(_label(c, lang), disabled=c in read_only)
           for c in dict.fromkeys(grid.ITEM_COLUMNS + grid.AREA_COLUMNS)}
    return {**out,
            "name": st.column_config.TextColumn(_label("name", lang), width="medium"),
            "problem": st.column_config.TextColumn(_label("problem", lang), disabled=True,
                                                   width="medium" if problems else "small"),
            "checked": st.column_config.CheckboxColumn(_label("checked", lang), help=t("newplan.checked_help", lang)),
            "drop": st.column_config.CheckboxColumn(_label("drop", lang), help=t("newplan.drop_help", lang))}


def area_columns(lang: str, problems: bool) -> dict:
    common = _common(lang, problems, ("problem", "review", "heading"))
    return {k: v for k, v in common.items() if k in grid.AREA_COLUMNS}


def item_columns(lang: str, problems: bool, area_codes: list[str]) -> dict:
    """The items' columns: choices for area, kind, every and direction (in words), dates, numbers."""
    label = lambda c: _label(c, lang)  # noqa: E731
    return {
        **_common(lang, problems, grid.READ_ONLY),
        "area": st.column_config.SelectboxColumn(label("area"), options=area_codes, required=True),
        "kind": st.column_config.SelectboxColumn(label("kind"), options=grid.KINDS, required=True,
                                                 format_func=lambda k: t(f"kind.{k}", lang)),
        "target": st.column_config.TextColumn(label("target"), help=t("newplan.target_help", lang)),
        "every": st.column_config.SelectboxColumn(label("every"), options=grid.EVERY,
                                                  format_func=lambda g: t(f"newplan.every_{g}", lang)),
        "direction": st.column_config.SelectboxColumn(label("direction"), options=grid.DIRECTIONS, required=True,
                                                      format_func=lambda d: t(f"newplan.dir_{d}", lang)),
        "due": st.column_config.DateColumn(label("due"), format="YYYY-MM-DD"),
        "baseline": st.column_config.NumberColumn(label("baseline")),
        "baseline_date": st.column_config.DateColumn(label("baseline_date"), format="YYYY-MM-DD"),
        "source": st.column_config.TextColumn(label("source"), disabled=True, width="medium"),
    }
