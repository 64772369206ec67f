"""Shared by the browser tests: the system Chromium, a Streamlit server on a free port, and small helpers.

Playwright drives Debian's chromium-headless-shell (never a downloaded browser). Without a Chromium the browser
tests are skipped with a message, except in CI (CI=true), where a missing browser fails the run. Registered as a
pytest plugin in conftest.py, so its fixtures (``server``, ``editor_server``, ``browser``, ``page``) reach every
browser test module; each such module sets ``pytestmark = browser_kit.marks()``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.server import CHROMIUM, CHROMIUM_ARGS
from bench.server import Server as BenchServer
from tests.conftest import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
EDITOR_NAME, EDITOR_PASSWORD = "王科长", "correct horse 2023"


def marks() -> list:
    """The marks of a browser test module: ``browser``, and a skip with the reason when there is no Chromium."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI=true but no Chromium found: install Debian's chromium-headless-shell", pytrace=False)
        return [pytest.mark.browser, pytest.mark.skip(
            reason="no Chromium found (install Debian's chromium-headless-shell, or set KPI_CHROMIUM)")]
    return [pytest.mark.browser]


class Server(BenchServer):
    """A Streamlit server on a free port over its own database with the plans and the sample data."""

    def __init__(self, db: Path, **env_extra: str):
        env = {"KPI_DB": str(db), "KPI_SECRETS_FILE": str(db.parent / "secrets.toml"), **env_extra}
        subprocess.run([sys.executable, "-m", "kpi", "init", "--sample"], cwd=ROOT, env={**os.environ, **env},
                       check=True, capture_output=True)
        super().__init__("serve.py", env)  # the entry make run serves: app.py with the sign-in routes


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("browser") / "kpi.duckdb")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def editor_server(tmp_path_factory):
    from kpi.auth import hash_password

    s = Server(tmp_path_factory.mktemp("editor") / "kpi.duckdb",
               KPI_EDITORS=f"{EDITOR_NAME}={hash_password(EDITOR_PASSWORD)}")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def open_page(page, url: str):
    page.goto(url)
    page.wait_for_selector("h1", timeout=30_000)
    page.wait_for_load_state("networkidle")
    return page


def settled(page) -> None:
    """Wait until Streamlit has finished the rerun."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
    page.wait_for_timeout(300)


def shown(locator) -> None:
    """Fails unless the element becomes visible within 30 s."""
    locator.wait_for(state="visible", timeout=30_000)


def menu(page, name: str):
    """A link of the app's own menu in the sidebar."""
    return page.locator("[data-testid='stSidebar'] [data-testid='stPageLink']").filter(has_text=name).first


def query_of(page) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlparse

    return dict(parse_qsl(urlparse(page.url).query))


GBK_DECEMBER = "指标编码,期间,实际值,备注\nINV-FIRMS,2023年12月,40,年底集中对接\n".encode("gbk")  # INV-FIRMS: 40


def upload_december(page):
    """On the upload page of a signed-in editor: choose a hand-made GBK file with December's INV-FIRMS (40); the
    Confirm button, once the preview shows it."""
    page.locator("input[type=file]").set_input_files(files=[{"name": "十二月.csv", "mimeType": "text/csv",
                                                            "buffer": GBK_DECEMBER}])
    confirm = page.get_by_role("button", name="3. Confirm and commit (1 values)")
    shown(confirm)
    return confirm


def sign_in(page, name: str, password: str) -> None:
    page.locator("[data-testid='stSidebar'] [data-testid='stExpander']").filter(has_text="Editor sign-in").click()
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
