"""The page context every page runs inside: the View (plan, period, as-of, data version, language), meeting mode.

app.py calls ``build()`` before ``pg.run()``: the controls live in the sidebar
and in the URL (``bind="query-params"``), so a link reopens the same view and
switching pages keeps them. Pages read the result with ``current()``: a ``Context`` holding the
``View`` that the domain (``kpi.report.query``) computes from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from kpi.i18n import norm_lang, t
from kpi.plan.models import Plan
from kpi.report import tables
from kpi.report.query import View, default_as_of
from kpi.settings import get_settings
from kpi.store import StoreError, StoreLocked
from ui import state
from ui.safe import plain

_log = logging.getLogger("kpi.pages")
PRESENT_CSS = """
<style>
section[data-testid="stSidebar"], div[data-testid="stSidebarCollapsedControl"],
button[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"] { display: none !important; }
/* one screen on a projector: little padding, text that grows with the width and is never under 18 px */
.stMainBlockContainer { max-width: 100% !important; padding: 0.7rem 1.6rem 0.5rem !important; }
.stMainBlockContainer [data-testid="stVerticalBlock"] { gap: 0.45rem; }
.stMainBlockContainer p, .stMainBlockContainer li, .stMainBlockContainer a, .stMainBlockContainer kbd,
.stMainBlockContainer code, .stMainBlockContainer label, .stMainBlockContainer small {
  font-size: clamp(18px, 1.4vw, 30px) !important; line-height: 1.3 !important; }
.stMainBlockContainer h1 { font-size: 2.6rem !important; }
.stMainBlockContainer h3 { font-size: clamp(21px, 1.6vw, 34px) !important; line-height: 1.3 !important;
  padding: 0.2rem 0 0.3rem !important; margin: 0 !important; }
.stMainBlockContainer .stHeading [data-testid="stMarkdownContainer"] { margin-bottom: 0 !important; }
.stMainBlockContainer [data-testid="stPageLink-NavLink"] { padding-top: 0.1rem; padding-bottom: 0.1rem; }
</style>
"""
BASE_CSS = """
<style>
/* cards keep their figures readable at a phone width */
div[data-testid="stMetricValue"] { font-size: 1.6rem; }
/* a link's label wraps instead of being cut at the edge (the needs-attention lines on a 1366 px projector) */
a[data-testid="stPageLink-NavLink"] span, a[data-testid="stPageLink-NavLink"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
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
    notices: tuple[str, ...] = ()  # the link's parameters that were not understood, and what is shown instead
    busy: bool = False  # another process is writing to the store: ``latest`` is the version read last

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


URL_KEYS = ("lang", "plan", "period", "as_of", "present", "data")


def _asked() -> dict[str, str]:
    """The view's parameters as the link gave them, before any widget reads (and cleans) them."""
    return {k: st.query_params.get(k) for k in URL_KEYS if st.query_params.get(k) is not None}


def _to_url(key: str, widget: str, default: object) -> None:
    """Keep an unbound control's value in the URL (the link reopens it); its default leaves the URL clean."""
    value = st.session_state.get(widget)
    if isinstance(value, bool):
        value = "1" if value else None
    if value is None or value == default:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value


def _stop(lang: str, message: str) -> None:
    """A link that cannot be honoured: say why, offer the current view, show no numbers."""
    st.error(plain(message))
    live = {k: v for k, v in _asked().items() if k != "data"}
    st.link_button(t("pin.open_live", lang), "?" + urlencode(live))
    st.stop()


def _version(latest: int, asked: dict[str, str], lang: str) -> int | None:
    """The data version a link pins (?data=N), None for the newest; a version that does not exist stops the page."""
    raw = asked.get("data")
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= latest:
        _stop(lang, t("pin.unknown", lang, asked=raw, latest=latest))
    return value


def build() -> Context:
    """The context of this run; while another process holds the store and this run needs it, a message that
    retries by itself (never a trace)."""
    try:
        return _build()
    except StoreLocked:
        state.busy(norm_lang(st.session_state.get("lang") or st.query_params.get("lang")))


def _build() -> Context:
    store = state.get_store()
    db = str(get_settings().db)
    latest, busy = state.latest_version(store)
    asked = _asked()
    side = st.sidebar
    lang = side.segmented_control(t("app.language"), ["zh", "en"], key="lang", default=norm_lang(asked.get("lang")),
                                  format_func=lambda code: t(f"app.lang_{code}"), on_change=_to_url,
                                  args=("lang", "lang", "zh")) or norm_lang(asked.get("lang"))
    pinned = _version(latest, asked, lang)
    version = pinned or latest
    plan_ids = state.plan_ids(db, version)  # under a pinned version: only the plans that existed then
    if not plan_ids:
        _stop(lang, t("pin.no_plan", lang, version=version))
    # no format_func on bound widgets: the URL would carry the formatted label instead of the id
    plan_id = side.selectbox(t("ctl.plan", lang), plan_ids, key="plan", bind="query-params") \
        if len(plan_ids) > 1 else plan_ids[0]
    plan = state.plan_at(db, version, plan_id)
    side.caption(plain(plan_name(plan, lang)))
    options = tables.period_options(plan)
    if st.session_state.get("period") not in (None, *options):
        st.session_state["period"] = options[0]  # a period of another plan: back to the whole plan
    period = side.selectbox(t("ctl.period", lang), options, key="period", bind="query-params")
    side.caption(tables.period_name(plan, period, lang))
    default = default_as_of(plan)
    as_of = side.date_input(t("ctl.as_of", lang), value=default, min_value=plan.span.start,
                            max_value=plan.span.end, key="as_of", bind="query-params", format="YYYY-MM-DD")
    # the URL says whether this is meeting mode (the toggle writes it there): a link into meeting mode, followed
    # inside a session that was not, opens it
    st.session_state["present"] = asked.get("present") == "1"
    present = side.toggle(t("ctl.present", lang), key="present", on_change=_to_url, args=("present", "present", None))
    view = View(plan.id, period, as_of or default, version, lang)
    ctx = Context(db, view, plan, latest, pinned is not None, present, state.snapshot(db, plan.id, version).sample,
                  _misread(asked, view, lang), busy)
    st.session_state["_context"] = ctx
    st.html(BASE_CSS + (PRESENT_CSS if present else ""))
    return ctx


def _misread(asked: dict[str, str], view: View, lang: str) -> tuple[str, ...]:
    """A sentence for each parameter of the link that was not understood, saying what is shown instead."""
    shown = {"lang": view.lang, "plan": view.plan_id, "period": view.period, "as_of": view.as_of.isoformat(),
             "present": None}
    out = []
    for key, raw in asked.items():
        if key == "data" or raw == shown[key] or (key == "present" and raw in ("0", "1")):
            continue
        used = {"period": lambda: t("url.used_period", lang, period=view.period),
                "as_of": lambda: t("url.used_as_of", lang, date=view.as_of.isoformat()),
                "plan": lambda: t("url.used_plan", lang, plan=view.plan_id),
                "lang": lambda: t(f"app.lang_{view.lang}", lang), "present": lambda: t("url.used_present", lang)}[key]()
        out.append(t("url.not_understood", lang, param=key, value=raw, used=used))
    return tuple(out)


def misread(ctx: Context, key: str, raw: str | None, used: str) -> None:
    """A page's own parameter (``area``, ``indicator``) that was not understood: say what is shown instead."""
    if raw is not None and raw != used:
        shown = t(f"url.used_{key}", ctx.lang, **{key: used})
        st.warning(plain(t("url.not_understood", ctx.lang, param=key, value=raw, used=shown)),
                   icon=":material/link_off:")


def run(page) -> None:
    """Run the page; a store or permission error becomes a message in the user's language, never a trace.

    Streamlit's own stop and rerun are not errors (they are not ``Exception``s) and pass through. The trace goes to
    the server's log; ``client.showErrorDetails = "none"`` keeps any other from reaching a browser.
    """
    from kpi.roles import Refused

    lang = norm_lang(st.session_state.get("lang"))
    try:
        page.run()
    except Refused as exc:  # a write refused for its role, areas or a closed period: every reason, nothing written
        st.error(plain(t("role.refused", lang) + "\n\n" + exc.message(lang)))
    except PermissionError:
        st.error(t("auth.refused", lang))
    except StoreLocked:
        state.busy(lang)
    except StoreError:
        _log.exception("store error on %s", page.url_path)
        st.error(t("app.store_error", lang))
    except Exception:
        _log.exception("error on %s", page.url_path)
        st.error(t("app.error", lang))


def current() -> Context:
    """The context app.py built for this run."""
    return st.session_state["_context"]


PAGE_PATHS = ("area", "indicator", "upload", "history", "targets", "new-plan", "meeting", "due")


def page_url(ctx: Context, path: str = "", pin: bool | None = None, **extra: str) -> str:
    """The full link to a view: the app's address, the page, every parameter."""
    return url_for(path, ctx.link_params(pin, **extra))


def url_for(path: str, params: dict[str, str]) -> str:
    """The full link to a page of this app with these parameters."""
    base = (st.context.url or "").split("?", 1)[0]
    root = base.rsplit("/", 1)[0] if base.rstrip("/").rsplit("/", 1)[-1] in PAGE_PATHS else base
    return f"{root.rstrip('/')}/{path}?{urlencode(params)}"


def plan_name(plan: Plan, lang: str) -> str:
    """A plan as the selector offers it: its id and title, marked when it is an example."""
    return f"{plan.id} · {plan.title.get(lang)}" + (t("example.tag", lang) if plan.example else "")


def header(ctx: Context, title: str) -> None:
    """Title, the period and the data cut-off (数据截至), and the example-plan and sample-data banners."""
    st.title(plain(title))
    st.markdown("**" + plain(t("head.view", ctx.lang, period=tables.period_name(ctx.plan, ctx.period, ctx.lang),
                                   as_of=ctx.as_of.isoformat())) + "**")
    if ctx.lang == "en" and ctx.plan.untranslated():  # a plan in Chinese alone: say why some names are Chinese
        st.caption(t("untranslated.note", ctx.lang), help=t("untranslated.help", ctx.lang))
    for notice in ctx.notices:
        st.warning(plain(notice), icon=":material/link_off:")
    if state.write_was_busy():
        st.error(t("app.write_busy", ctx.lang))
    if ctx.busy:
        st.info(t("app.busy_stale", ctx.lang, version=ctx.latest), icon=":material/hourglass_top:")
        state.retry_when_free(ctx.db)
    if ctx.pinned:
        st.info(t("pin.banner", ctx.lang, version=ctx.version, latest=ctx.latest), icon=":material/push_pin:")
    if ctx.plan.example:
        st.warning(t("example.banner", ctx.lang), icon=":material/draft:")
    if ctx.sample:
        st.warning(t("app.sample_banner", ctx.lang), icon=":material/science:")


def exit_present() -> None:
    st.session_state["present"] = False
    for key in ("present", "slide"):
        st.query_params.pop(key, None)


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
