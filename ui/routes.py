"""The sign-in and sign-out routes of the app's own server; serve.py mounts them on ``st.App``.

``POST /auth/signin`` takes the sidebar form (``kpi_name``, ``kpi_password``),
makes one try through ``kpi.auth`` (counted before the check, the earned delay
awaited without holding a thread, the lockout, recorded in the store), and on
success starts a session (``kpi.sessions``) and sets its cookie: HttpOnly,
SameSite=Lax, signed, expiring with the session (Secure over HTTPS). Either way
it sends the browser back to the page it came from; a refused try says why in
the query (``signin=wrong|locked|busy``, ``retry=<epoch seconds>``), which the
sidebar shows once. ``POST /auth/signout`` ends the session and clears the
cookie. Posts from another site are refused.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from kpi import auth, sessions
from kpi.i18n import t
from kpi.settings import get_settings
from kpi.store import Store, StoreLocked

MOUNTED = False  # True once serve.py has put these routes on the server: the sidebar then posts to them
SIGNIN_PATH, SIGNOUT_PATH = "/auth/signin", "/auth/signout"
NOTICE_PARAMS = ("signin", "retry")  # what a refused sign-in adds to the page's address


def base_path() -> str:
    """The server's base URL path ('' or '/something'), as Streamlit is configured."""
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def routes() -> list[Route]:
    """The routes to give ``st.App(routes=...)``; from then on the sidebar's form posts to them."""
    global MOUNTED
    MOUNTED = True
    base = base_path()
    return [Route(base + SIGNIN_PATH, sign_in, methods=["POST"]),
            Route(base + SIGNOUT_PATH, sign_out, methods=["POST"])]


def _store() -> Store:
    from ui import state  # the same shared store as the pages

    return state._store(str(get_settings().db))


def _same_site(request: Request) -> bool:
    """False for a post from another site (login CSRF): by Sec-Fetch-Site, else by Origin against Host."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


def _back(request: Request, **notice: str) -> str:
    """The page the form was on (same host only), without an earlier notice, with this one."""
    base = base_path()
    referer = urlsplit(request.headers.get("referer", ""))
    path = referer.path if referer.netloc == request.headers.get("host") and referer.path.startswith(base + "/") \
        else base + "/"
    if path.startswith("//") or "\\" in path:  # never a way off this site
        path = base + "/"
    query = [(k, v) for k, v in parse_qsl(referer.query, keep_blank_values=True) if k not in NOTICE_PARAMS]
    query += [(k, v) for k, v in notice.items() if v]
    return path + ("?" + urlencode(query) if query else "")


def _cookie_args(request: Request) -> dict:
    return {"path": base_path() or "/", "httponly": True, "samesite": "lax", "secure": request.url.scheme == "https"}


def _refused_cross_site() -> Response:
    return PlainTextResponse(t("auth.cross_site", "zh") + "\n" + t("auth.cross_site", "en"), status_code=403)


def _refused_by_store() -> Response:
    return PlainTextResponse(t("app.locked", "zh") + "\n" + t("app.locked", "en"), status_code=503)


def _complete(ticket: auth.Ticket, password: str) -> tuple[auth.Result, str | None, int]:
    """Check the try, record it, and start a session when right: (result, cookie value or None, max age)."""
    store = _store()
    result = auth.finish(ticket, password)
    store.record_signin(result.name, result.outcome)
    if not result.ok:
        return result, None, 0
    session_id, expires = sessions.start(store, result.name)
    return result, sessions.cookie_value(session_id, expires), int(sessions.lifetime().total_seconds())


async def sign_in(request: Request) -> Response:
    if not _same_site(request):
        return _refused_cross_site()
    form = await request.form()
    name, password = str(form.get("kpi_name") or ""), str(form.get("kpi_password") or "")
    ticket = auth.begin(name)
    if ticket.delay:
        await asyncio.sleep(ticket.delay)  # the delay earned by earlier failures; no thread is held meanwhile
    try:
        result, cookie, max_age = await run_in_threadpool(_complete, ticket, password)
    except StoreLocked:
        return _refused_by_store()
    if cookie is None:
        retry = str(int(result.retry_at)) if result.retry_at else ""
        return RedirectResponse(_back(request, signin=result.outcome, retry=retry), status_code=303)
    response = RedirectResponse(_back(request), status_code=303)
    response.set_cookie(sessions.COOKIE_NAME, cookie, max_age=max_age, **_cookie_args(request))
    return response


async def sign_out(request: Request) -> Response:
    if not _same_site(request):
        return _refused_cross_site()
    session_id = sessions.session_id(request.cookies.get(sessions.COOKIE_NAME))
    if session_id:
        try:
            await run_in_threadpool(sessions.end, _store(), session_id)
        except StoreLocked:
            return _refused_by_store()
    response = RedirectResponse(_back(request), status_code=303)
    response.delete_cookie(sessions.COOKIE_NAME, **_cookie_args(request))
    return response
