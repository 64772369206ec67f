"""The command line's way to a running dashboard: ``python -m kpi import --server URL FILE`` posts the file to the
dashboard's HTTP API (``POST /api/v1/batches``, ui/api.py), which checks it and writes it as the one process that
writes. Standard library only (urllib).

The token goes in an ``Authorization: Bearer`` header. Redirects are not followed, so the token is never sent on to
another address; only http and https addresses are accepted.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

from kpi.i18n import t

API = "/api/v1"
TIMEOUT_SECONDS = 600  # a file at the upload limit is checked and written well within this
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ClientError(Exception):
    """The dashboard could not be asked, or did not answer as its API does: a catalogue key and its parameters."""

    def __init__(self, key: str, **params: object):
        self.key, self.params = key, params
        super().__init__(t(key, "en", **params))

    def text(self, lang: str) -> str:
        return t(self.key, lang, **self.params)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201 - urllib's signature
        return None  # the redirect comes back as an HTTP error: the token stays with the address given


_opener = urllib.request.build_opener(_NoRedirect)


def endpoint(server: str, path: str, **query: object) -> str:
    """The address of an API path on the server (its base path kept), with the query."""
    parts = urlsplit(server.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ClientError("cli.bad_server", url=server)
    base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}{API}{path}"
    wanted = {k: v for k, v in query.items() if v not in (None, "", False)}
    return base + ("?" + urlencode(wanted) if wanted else "")


def call(request: urllib.request.Request, server: str) -> tuple[int, dict]:
    """Send one request: (HTTP status, the JSON body). ``ClientError`` when there is no API answer."""
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise ClientError("cli.unreachable", url=server, reason=getattr(exc, "reason", exc)) from exc
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ClientError("cli.not_api", url=server, status=status)
    return status, body


def post_file(server: str, token: str, data: bytes, filename: str, lang: str, dry_run: bool = False,
              correction: str | None = None) -> tuple[int, dict]:
    """POST a CSV or XLSX file to /api/v1/batches: (HTTP status, body) as ``kpi.api.import_file`` gives them."""
    url = endpoint(server, "/batches", filename=filename, lang=lang, dry_run="1" if dry_run else None,
                   correction=correction or None)
    kind = XLSX_TYPE if filename.lower().endswith((".xlsx", ".xlsm")) else "text/csv"
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": kind, "Accept": "application/json"})
    return call(request, server)
