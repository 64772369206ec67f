"""Many viewers at once: 20 browser contexts open the overview while an editor's large import is written.

Loopback only, bounded: one server, one import of 100,000 rows through the upload page, twenty viewers.
Every viewer gets a rendered page with a chart and no error, and the import lands whole.
"""

from __future__ import annotations

import asyncio

import pytest

from bench.generate import generate
from kpi.auth import hash_password
from kpi.setup import load_plans
from kpi.store import Editor, Store
from tests import browser_kit
from tests.browser_kit import CHROMIUM, CHROMIUM_ARGS, Server

pytestmark = [*browser_kit.marks(), pytest.mark.slow]
VIEWERS = 20
ROWS = 100_000
NAME, PASSWORD = "editor", "load test password"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """84 district plans and a valid 100,000-row file for them; the store holds the plans only."""
    folder = tmp_path_factory.mktemp("load")
    plans, csv = generate(ROWS, folder)
    db = folder / "kpi.duckdb"
    store = Store.open(db)
    load_plans(store, Editor("setup", via="test"), [plans])
    store.close()
    return db, csv


async def _viewer(browser, url: str) -> str:
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = await context.new_page()
        await page.goto(url, timeout=180_000)
        await page.wait_for_selector(".js-plotly-plot .main-svg", timeout=180_000)
        await page.wait_for_selector("h1", timeout=60_000)
        errors = await page.locator("[data-testid='stException']").count()
        return "error" if errors else "ok"
    finally:
        await context.close()


async def _journey(server_url: str, csv: bytes) -> tuple[list[str], str]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        editor = await (await browser.new_context(viewport={"width": 1366, "height": 900})).new_page()
        await editor.goto(f"{server_url}/upload?lang=en")
        await editor.wait_for_selector("h1")
        await editor.locator("[data-testid='stSidebar'] [data-testid='stExpander']").filter(
            has_text="Editor sign-in").click()
        await editor.get_by_role("textbox", name="Name").fill(NAME)
        await editor.get_by_role("textbox", name="Password").fill(PASSWORD)
        await editor.get_by_role("button", name="Sign in").click()
        await editor.get_by_text(f"Signed in as editor {NAME}").wait_for(timeout=60_000)
        await editor.locator("input[type=file]").set_input_files(
            files=[{"name": "city.csv", "mimeType": "text/csv", "buffer": csv}])
        confirm = editor.get_by_role("button", name=f"3. Confirm and commit ({ROWS} values)")
        await confirm.wait_for(timeout=180_000)

        async def commit() -> str:
            await confirm.click()
            await editor.get_by_text("Committed as batch").wait_for(timeout=180_000)
            return "committed"

        results = await asyncio.gather(commit(), *[_viewer(browser, f"{server_url}/?lang=zh")
                                                   for _ in range(VIEWERS)])
        await browser.close()
        return list(results[1:]), results[0]


def test_twenty_viewers_while_an_import_lands(city):
    if CHROMIUM is None:
        pytest.skip("no Chromium found")
    db, csv = city
    server = Server(db, KPI_EDITORS=f"{NAME}={hash_password(PASSWORD)}", KPI_DEFAULT_PLAN="D001-2024")
    try:
        viewers, committed = asyncio.run(_journey(server.url, csv.read_bytes()))
    finally:
        server.stop()
    assert committed == "committed"
    assert viewers == ["ok"] * VIEWERS
    store = Store.open(db)
    try:
        imports = store.batches().query("kind == 'import'")
        assert len(imports) == 1 and int(imports.iloc[0]["row_count"]) == ROWS
        batch = int(imports.iloc[0]["batch_id"])
        assert int(store.scalar("SELECT count(*) FROM observations WHERE batch_id = ?", [batch])) == ROWS
        assert len(store.current(as_of_batch=batch).query("batch_id == @batch")) == ROWS
    finally:
        store.close()
