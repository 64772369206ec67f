"""Browser journeys of the sign-in: the session cookie set by the server's own route survives a reload, a new tab
and a link opened later; sign-out ends it in every tab; a removed editor's next write is refused; a locked name is
told when to try again; a post from another site is refused.

Playwright on the system Chromium against serve.py (the entry make run serves) on a free port, with the
helpers of tests/browser_kit.py.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kpi import auth
from kpi.store import Store
from tests import browser_kit
from tests.browser_kit import ARTIFACTS, Server
from tests.browser_kit import open_page as _open
from tests.browser_kit import settled as _settled
from tests.browser_kit import shown as _shown
from tests.browser_kit import sign_in as _sign_in

pytestmark = browser_kit.marks()

NAME, PASSWORD = "王科长", "correct horse 2023"
OTHER, OTHER_PASSWORD = "李四", "another long password"
SIGNED_IN = f"Signed in as editor {NAME}"


def _server(folder: Path, **env: str) -> Server:
    """A server whose editors are in its secrets file (so a test can remove one while the server runs)."""
    secrets = folder / "secrets.toml"
    auth.write_editor(NAME, PASSWORD, path=secrets)
    auth.write_editor(OTHER, OTHER_PASSWORD, path=secrets)
    return Server(folder / "kpi.duckdb", **env)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = _server(tmp_path_factory.mktemp("signin"), KPI_SIGNIN_LOCKOUT_FAILURES="2",
                KPI_SIGNIN_FIRST_DELAY_SECONDS="0.2", KPI_SIGNIN_MAX_DELAY_SECONDS="0.5")
    yield s
    s.stop()


def _signed_in(page) -> bool:
    """Whether the page, fully rendered, says an editor is signed in."""
    page.get_by_text("Editor sign-in").first.wait_for(timeout=30_000)
    _settled(page)
    return page.get_by_text(SIGNED_IN).count() > 0


def test_sign_in_survives_reload_new_tab_and_a_link_and_sign_out_ends_it_everywhere(server, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    _open(page, f"{server.url}/history?lang=en")
    assert not _signed_in(page)
    _sign_in(page, NAME, PASSWORD)
    _shown(page.get_by_text(SIGNED_IN).first)
    assert re.search(r"/history\?lang=en$", page.url)  # back on the page the form was on
    cookie = next(c for c in context.cookies() if c["name"] == "kpi_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert 11.9 * 3600 < cookie["expires"] - time.time() <= 12 * 3600  # expires with the session (12 h)
    assert "kpi_session" not in page.evaluate("document.cookie")  # not readable by scripts

    page.reload()
    _open(page, page.url)
    assert _signed_in(page)
    _shown(page.get_by_role("button", name=re.compile(r"^Revert batch \d+$")))

    second = context.new_page()  # a new tab, on a link with its own view
    _open(second, f"{server.url}/upload?lang=en&period=2023-Q3")
    assert _signed_in(second)
    second.locator("input[type=file]").wait_for(state="attached", timeout=30_000)  # the upload control
    later = context.new_page()  # a link copied from the sidebar, opened later
    link = page.locator("[data-testid='stSidebar'] [data-testid='stCode']").first.inner_text().strip()
    _open(later, link.replace("localhost", "127.0.0.1"))
    assert _signed_in(later)
    later.close()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "signed-in.png"))

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/history\?lang=en$"), timeout=30_000)
    _open(page, page.url)
    assert not _signed_in(page)
    assert not [c for c in context.cookies() if c["name"] == "kpi_session"]
    assert page.get_by_role("button", name=re.compile("Revert|Re-apply")).count() == 0

    # the other tab was opened while signed in: its next action finds the session ended, and it writes nothing
    second.bring_to_front()
    # any rerun of that tab will do: here, switching it to Chinese
    second.locator("[data-testid='stSidebar']").get_by_text("中文", exact=True).first.click()
    second.get_by_text("编辑登录").first.wait_for(timeout=30_000)
    _settled(second)
    assert second.get_by_text(f"已登录编辑：{NAME}").count() == 0
    assert second.locator("input[type=file]").count() == 0
    _shown(second.get_by_text("本页仅供编辑使用").first)
    _open(second, f"{server.url}/upload?lang=en")
    assert not _signed_in(second)
    context.close()


def test_a_locked_name_is_told_when_to_try_again(server, browser):
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    _open(page, f"{server.url}/?lang=en")
    for attempt in ("wrong one", "wrong two"):
        _sign_in(page, OTHER, attempt)
        _shown(page.get_by_text("Wrong name or password").first)
        _settled(page)
        assert "signin=" not in page.url  # the notice is shown once, not kept in the link
    _sign_in(page, OTHER, OTHER_PASSWORD)  # right, but the name is locked now
    _shown(page.get_by_text(re.compile(r"Too many failed sign-ins for this name.*try again after \d\d:\d\d")).first)
    _settled(page)
    assert page.get_by_text(f"Signed in as editor {OTHER}").count() == 0
    page.context.close()


def test_a_post_from_another_site_is_refused(server):
    for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        request = urllib.request.Request(f"{server.url}/auth/signin", method="POST", headers=headers,
                                         data=f"kpi_name={NAME}&kpi_password={PASSWORD}".encode())
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 403
        assert "set-cookie" not in {k.lower() for k in refused.value.headers}


def test_a_removed_editor_is_signed_out_and_their_next_write_is_refused(tmp_path, browser):
    fresh = _server(tmp_path)
    try:
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        _open(page, f"{fresh.url}/history?lang=en")
        _sign_in(page, NAME, PASSWORD)
        revert = page.get_by_role("button", name=re.compile(r"^Revert batch \d+$"))
        _shown(revert)
        assert auth.remove_editor(NAME, path=tmp_path / "secrets.toml")  # while signed in
        revert.click()
        _shown(page.get_by_text("Your sign-in has ended").first)
        _settled(page)
        assert page.get_by_text(re.compile(r"Batch \d+ reverted")).count() == 0
        _open(page, page.url)
        assert not _signed_in(page)
        page.context.close()
    finally:
        fresh.stop()
    store = Store.open(tmp_path / "kpi.duckdb")
    try:
        assert set(store.batches()["kind"]) == {"plan", "sample"}  # nothing was reverted
        assert store.sessions()["end_reason"].tolist() == ["editor removed"]
        assert store.signin_attempts()[["name", "outcome"]].values.tolist() == [[NAME, "ok"]]
    finally:
        store.close()
