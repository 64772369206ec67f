"""The page context every page runs inside: the View (plan, period, as-of, data version, language), meeting mode.

app.py calls ``build()`` before ``pg.run()``: the controls live in the sidebar
and in the URL (``bind="query-params"``), so a link reopens the same view and
switching pages keeps them. Pages read the result with ``current()``: a ``Context`` holding the
``View`` that the domain (``kpi.report.query``) computes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from kpi.i18n import norm_lang, t
from kpi.plan.models import Plan
from kpi.report import tables
from kpi.report.query import View, default_as_of
from ui import state

PRESENT_CSS = """
<style>
section[data-testid="stSidebar"], div[data-testid="stSidebarCollapsedControl"],
button[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"] { display: none !important; }
.stMainBlockContainer { max-width: 100% !important; padding-top: 1.2rem !important; }
.stMainBlockContainer p, .stMainBlockContainer li, .stMainBlockContainer a { font-size: 1.3rem !important; }
.stMainBlockContainer h1 { font-size: 2.6rem !important; }
</style>
"""
BASE_CSS = """
<style>
/* cards keep their figures readable at a phone width */
div[data-testid="stMetricValue"] { font-size: 1.6rem; }
</style>
"""


@dataclass(frozen=True)
class Context:
    """What this page run shows (the View) and how (meeting mode, pinned or live, sample data)."""

    db: str
    view: View
    plan: Plan
    latest: int  # the newest data version in the store
    pinned: bool  # the link pins the data version (?data=N)
    present: bool
    sample: bool

    lang = property(lambda self: self.view.lang)
    period = property(lambda self: self.view.period)
    as_of = property(lambda self: self.view.as_of)
    version = property(lambda self: self.view.version)  # the data version shown: the newest or the pinned one

    def link_params(self, pin: bool | None = None, **extra: str) -> dict[str, str]:
        """Every parameter of the view, defaults included, so a link means the same view on any day.

        ``pin`` adds ``data=<version>``: the numbers as they are now, even after later uploads. ``extra`` are
        the parameters of the page a link leads to (``area=INV``).
        """
        params = {"lang": self.lang, "plan": self.plan.id, "period": self.period, "as_of": self.as_of.isoformat()}
        if self.pinned if pin is None else pin:
            params["data"] = str(self.version)
        if self.present:
            params["present"] = "1"
        params.update({k: v for k, v in extra.items() if v})
        return params


def _pinned_version(latest: int) -> int | None:
    """The data version a link pins (?data=N), if it names one that exists."""
    raw = st.query_params.get("data")
    try:
        value = int(raw) if raw is not None else None
    except ValueError:
        return None
    return value if value is not None and 1 <= value <= latest else None


def build() -> Context:
    store = state.get_store()
    db, latest = str(store.path), store.data_version()
    pinned = _pinned_version(latest)
    version = pinned or latest
    side = st.sidebar
    lang = norm_lang(side.radio(t("app.language"), ["zh", "en"], key="lang", bind="query-params", horizontal=True,
                                captions=[t("app.lang_zh"), t("app.lang_en")]))
    plan_ids = store.plan_ids()
    # no format_func on bound widgets: the URL would carry the formatted label instead of the id
    plan_id = side.selectbox(t("ctl.plan", lang), plan_ids, key="plan", bind="query-params") \
        if len(plan_ids) > 1 else plan_ids[0]
    plan = state.plan_at(db, version, plan_id)
    side.caption(plan_name(plan, lang))
    options = tables.period_options(plan)
    if st.session_state.get("period") not in (None, *options):
        st.session_state["period"] = options[0]  # a period of another plan: back to the whole plan
    period = side.selectbox(t("ctl.period", lang), options, key="period", bind="query-params")
    side.caption(tables.period_name(plan, period, lang))
    default = default_as_of(plan)
    as_of = side.date_input(t("ctl.as_of", lang), value=default, min_value=plan.span.start,
                            max_value=plan.span.end, key="as_of", bind="query-params", format="YYYY-MM-DD")
    present = side.radio(t("ctl.present", lang), ["0", "1"], key="present", bind="query-params", horizontal=True,
                         captions=[t("ctl.present_off", lang), t("ctl.present_on", lang)]) == "1"
    view = View(plan.id, period, as_of or default, version, lang)
    ctx = Context(db, view, plan, latest, pinned is not None, present, state.snapshot(db, plan.id, version).sample)
    st.session_state["_context"] = ctx
    st.html(PRESENT_CSS if present else BASE_CSS)
    return ctx


def current() -> Context:
    """The context app.py built for this run."""
    return st.session_state["_context"]


PAGE_PATHS = ("area", "indicator", "upload", "history", "targets")


def page_url(ctx: Context, path: str = "", pin: bool | None = None, **extra: str) -> str:
    """The full link to a view: the app's address, the page, every parameter."""
    base = (st.context.url or "").split("?", 1)[0]
    root = base.rsplit("/", 1)[0] if base.rstrip("/").rsplit("/", 1)[-1] in PAGE_PATHS else base
    return f"{root.rstrip('/')}/{path}?{urlencode(ctx.link_params(pin, **extra))}"


def plan_name(plan: Plan, lang: str) -> str:
    """A plan as the selector offers it: its id and title, marked when it is an example."""
    return f"{plan.id} · {plan.title.get(lang)}" + (t("plan.example_tag", lang) if plan.example else "")


def header(ctx: Context, title: str) -> None:
    """Title, the period and the data cut-off (数据截至), and the example-plan and sample-data banners."""
    st.title(title)
    st.markdown("**" + t("head.view", ctx.lang, period=tables.period_name(ctx.plan, ctx.period, ctx.lang),
                             as_of=ctx.as_of.isoformat()) + "**")
    if ctx.pinned:
        st.info(t("pin.banner", ctx.lang, version=ctx.version, latest=ctx.latest), icon=":material/push_pin:")
    if ctx.plan.example:
        st.warning(t("plan.example_banner", ctx.lang), icon=":material/draft:")
    if ctx.sample:
        st.warning(t("app.sample_banner", ctx.lang), icon=":material/science:")


def exit_present() -> None:
    st.session_state["present"] = "0"


def footer(ctx: Context, path: str = "", **extra: str) -> None:
    """The links to this exact view, to copy (live, and pinned to the data version); in meeting mode the way out."""
    where = st.container() if ctx.present else st.sidebar
    if not ctx.pinned:
        where.caption(t("ctl.copy_link", ctx.lang))
        where.code(page_url(ctx, path, pin=False, **extra), language=None, wrap_lines=True)
    where.caption(t("ctl.copy_pinned", ctx.lang, version=ctx.version))
    where.code(page_url(ctx, path, pin=True, **extra), language=None, wrap_lines=True)
    if ctx.present:
        st.button(t("ctl.exit_present", ctx.lang), on_click=exit_present, key="exit_present")
