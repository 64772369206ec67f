"""The HTTP API on the dashboard's own server; serve.py mounts ``routes()`` on ``st.App`` beside the app.

Thin handlers over ``kpi.api`` (the JSON) and ``kpi.tokens`` (who is asking), on the store the pages share:

- ``GET /api/v1/health``: no token; ``{"status": "ok", "api": "v1", "data_version": N}``, 503 when the store
  cannot be opened;
- ``GET /api/v1/status?plan=&period=&as_of=&data=``: the JSON of ``python -m kpi status --format json``;
- ``GET /api/v1/batches``: the history, the JSON of ``python -m kpi history --format json``;
- ``POST /api/v1/batches?filename=&dry_run=&correction=``: a CSV or XLSX file as the body (or the multipart field
  ``file``), through the one ingest pipeline: 201 with the batch, 200 when nothing was written, 422 with every
  problem as a row, 413 over the upload limit; rows of closed periods need ``correction=REASON`` and an admin's
  token (the batch is then a correction, 更正, with that reason), else 422 (no reason) or 403 (not an admin). A
  dry run answers as the write would for the token's editor (403 for rows outside an area editor's areas).

Every call but health needs ``Authorization: Bearer <token>`` (``python -m kpi token add``): 401 without a token
that counts, 403 when a read-only token asks to write. The writer is checked again right before the write. Errors
are ``{"error": {"key", "message"}}`` in the caller's language: ``lang=zh|en``, else Accept-Language, else Chinese.
A bearer token is never sent by a browser on its own, so these routes need no cross-site check.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import PurePosixPath

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kpi import api, tokens
from kpi.i18n import LANGS, t
from kpi.settings import get_settings
from kpi.store import Store, StoreError, StoreLocked
from ui import routes as site

PREFIX = "/api/v1"
DRAIN_FACTOR = 4  # a body over the limit is read (and dropped) up to this many times the limit, then the answer
NAME_MAX = 200
TRUE = ("1", "true", "yes")


def routes() -> list[Route]:
    """The API's routes, under the server's base path."""
    base = site.base_path() + PREFIX
    return [Route(base + "/health", health, methods=["GET"]),
            Route(base + "/status", status, methods=["GET"]),
            Route(base + "/batches", history, methods=["GET"]),
            Route(base + "/batches", post_batch, methods=["POST"])]


def _store() -> Store:
    from ui import state  # the same shared store as the pages

    return state._store(str(get_settings().db))


def _lang(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    return "en" if request.headers.get("accept-language", "").strip().lower().startswith("en") else "zh"


def _json(body: object, status: int = 200) -> Response:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, default=str)
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="kpi"'
    return Response(text, status_code=status, media_type="application/json", headers=headers)


async def _answer(work: Callable[[], tuple[int, object]], lang: str) -> Response:
    """Run the work off the event loop; a refusal or a busy store becomes its JSON error."""
    try:
        status, body = await run_in_threadpool(work)
    except api.Refused as exc:
        return _json(exc.body(lang), exc.status)
    except StoreLocked:
        return _json({"error": {"key": "app.locked", "message": t("app.locked", lang)}}, 503)
    return _json(body, status)


def _token(request: Request) -> str | None:
    return tokens.bearer(request.headers.get("authorization"))


def _whole_number(text: str | None, name: str) -> int | None:
    if text in (None, ""):
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise api.Refused("api.bad_number", name=name, value=text) from exc


async def health(request: Request) -> Response:
    try:
        version = await run_in_threadpool(lambda: _store().data_version())
    except StoreError:
        return _json({"status": "unavailable", "api": "v1"}, 503)
    return _json({"status": "ok", "api": "v1", "data_version": version})


async def status(request: Request) -> Response:
    lang, query, token = _lang(request), request.query_params, _token(request)

    def work() -> tuple[int, str]:
        store = _store()
        tokens.editor_for(store, token, write=False)
        snap, view = api.status_view(store, query.get("plan") or None, query.get("period") or None,
                                     query.get("as_of") or None, _whole_number(query.get("data"), "data"), lang)
        return 200, api.status_json(snap.status(view.period, view.as_of))

    return await _answer(work, lang)


async def history(request: Request) -> Response:
    lang, token = _lang(request), _token(request)

    def work() -> tuple[int, str]:
        store = _store()
        tokens.editor_for(store, token, write=False)
        return 200, api.history_json(store)

    return await _answer(work, lang)


def _filename(request: Request, given: str | None) -> str:
    """The file's name as recorded with the batch (its last part only); by its type when none is given."""
    name = PurePosixPath((given or "").replace("\\", "/")).name.strip()[:NAME_MAX]
    if name:
        return name
    return "upload.xlsx" if "spreadsheetml" in request.headers.get("content-type", "") else "upload.csv"


async def _body(request: Request) -> tuple[str, bytes, int]:
    """(file name, bytes, size): the raw body, or the multipart field ``file``; bytes only up to the upload limit."""
    limit = get_settings().upload_max_bytes
    declared = request.headers.get("content-length", "")
    multipart = request.headers.get("content-type", "").startswith("multipart/form-data")
    if not multipart or (declared.isdigit() and int(declared) > limit):
        chunks, size = [], 0
        async for chunk in request.stream():  # read as it comes: never more than the limit is kept
            size += len(chunk)
            if size <= limit:
                chunks.append(chunk)
            elif size > DRAIN_FACTOR * limit:
                break
        return _filename(request, request.query_params.get("filename")), b"".join(chunks), size
    form = await request.form(max_files=1)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise api.Refused("api.no_file")
    data = await upload.read()
    return _filename(request, request.query_params.get("filename") or upload.filename), data, len(data)


async def _drain(request: Request) -> None:
    """Read what the caller is still sending (up to a bound) so that it gets the answer, not a broken connection."""
    size, bound = 0, DRAIN_FACTOR * get_settings().upload_max_bytes
    async for chunk in request.stream():
        size += len(chunk)
        if size > bound:
            break


async def post_batch(request: Request) -> Response:
    lang, token = _lang(request), _token(request)
    dry_run = request.query_params.get("dry_run", "").lower() in TRUE
    try:
        await run_in_threadpool(lambda: tokens.editor_for(_store(), token, write=not dry_run))  # before the body
        filename, data, size = await _body(request)
    except (api.Refused, StoreLocked) as exc:
        await _drain(request)
        if isinstance(exc, StoreLocked):
            return _json({"error": {"key": "app.locked", "message": t("app.locked", lang)}}, 503)
        return _json(exc.body(lang), exc.status)
    if size > get_settings().upload_max_bytes:
        status, body = api.too_big(filename, size, lang)
        return _json(body, status)

    def work() -> tuple[int, dict]:
        store = _store()
        return api.import_file(store, data, filename, lang, lambda: tokens.editor_for(store, token, write=True),
                               dry_run=dry_run, correction=request.query_params.get("correction"),
                               checker=lambda: tokens.editor_for(store, token, write=False))

    return await _answer(work, lang)
