"""Small rendering helpers shared by pages. Uploaded text is always shown as plain text."""

from __future__ import annotations

import re

import streamlit as st

from kpi import views
from kpi.i18n import status_label, t
from kpi.plan import Indicator
from kpi.status import StatusRow
from ui.frame import Frame

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: str) -> str:
    """Text from a file or a user, escaped so Markdown shows it as typed (Streamlit never renders its HTML)."""
    return _MARKDOWN.sub(r"\\\1", text)


def attention_line(frame: Frame, item: views.Attention) -> None:
    st.page_link("app_pages/indicator.py", label=item.text, query_params=frame.nav_params(indicator=item.code))
    if item.note:
        st.caption(plain(t("attention.note", frame.lang, note=item.note)))


PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"]}


def milestone_line(frame: Frame, item: Indicator, row: StatusRow) -> None:
    summary = views.summary_line(item, row, frame.lang)
    text = f"{status_label(row.status, frame.lang)} · {item.name.get(frame.lang)} · {summary}"
    st.page_link("app_pages/indicator.py", label=text, query_params=frame.nav_params(indicator=item.code))
    if row.note:
        st.caption(plain(t("attention.note", frame.lang, note=row.note)))
