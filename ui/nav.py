"""The app's pages and the links between them, made once rather than on every run.

``st.Page`` resolves its file on disk when it is made, and ``st.page_link`` given
a file name resolves it again: with a menu of nine pages and a link per work
area, that was a tenth of an overview run. The pages are made once per language
(and entry script); each run gets its own copies for ``st.navigation``, which
marks the page it returns as runnable once (sharing that flag between sessions
would let one session's run refuse another's). Links take the page made once:
``st.page_link`` only reads it.
"""

from __future__ import annotations

import copy
from functools import lru_cache

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from kpi.i18n import t

# (file, title key, icon, url path; None for the default page at the root)
PAGES = (
    ("app_pages/overview.py", "nav.overview", ":material/dashboard:", None),
    ("app_pages/area.py", "nav.area", ":material/category:", "area"),
    ("app_pages/indicator.py", "nav.indicator", ":material/insights:", "indicator"),
    ("app_pages/history.py", "nav.history", ":material/history:", "history"),
    ("app_pages/meeting.py", "nav.meeting", ":material/groups:", "meeting"),
    ("app_pages/upload.py", "nav.upload", ":material/upload:", "upload"),
    ("app_pages/due.py", "nav.due", ":material/checklist:", "due"),
    ("app_pages/targets.py", "nav.targets", ":material/flag:", "targets"),
    ("app_pages/new_plan.py", "nav.new_plan", ":material/note_add:", "new-plan"),
)
EDITOR_PAGES, ADMIN_PAGES = ("upload", "due"), ("targets", "new-plan")  # url paths shown to editors, to admins


def _entry() -> str:
    ctx = get_script_run_ctx()
    return ctx.main_script_path if ctx is not None else ""


@lru_cache(maxsize=16)
def _made(lang: str, entry: str) -> dict[str, st.Page]:
    return {file: st.Page(file, title=t(key, lang), icon=icon, default=url is None,
                          **({"url_path": url} if url else {}))
            for file, key, icon, url in PAGES}


def pages(lang: str) -> list[st.Page]:
    """This run's pages for ``st.navigation``, titled in ``lang``."""
    return [copy.copy(page) for page in _made(lang, _entry()).values()]


def link(file: str, label: str, *, icon: str = "", **kwargs) -> None:
    """``st.page_link`` to the page in ``file`` (an ``app_pages/…`` name) with our own label (and no icon unless
    given, as a link by file name had)."""
    st.page_link(_made("zh", _entry())[file], label=label, icon=icon, **kwargs)
