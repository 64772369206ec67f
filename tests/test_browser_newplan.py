"""Browser journeys of the New plan page: an editor pastes the seed text, corrects a guessed kind and a code in the
grids, saves, and the overview shows the new plan with its six areas; a viewer never sees the page or its controls,
even by direct URL on a fresh server.

Playwright on the system Chromium against serve.py on a free port (tests/browser_kit.py). The grids are
Streamlit's data editor (a canvas): cells are edited with the mouse and the keyboard as a person does, and read
back from the grid's accessible table (``td#glide-cell-<column>-<row>``, column 0 the row number). Screenshots go to
tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from kpi.auth import hash_password
from kpi.store import Store
from tests import browser_kit
from tests.browser_kit import (
    ARTIFACTS,
    EDITOR_NAME,
    EDITOR_PASSWORD,
    Server,
    menu,
    open_page,
    settled,
    shown,
    sign_in,
)
from tests.test_plan_grid import AREAS, SEED_TEXT

pytestmark = browser_kit.marks()
GRID = "[data-testid='stDataFrame']"
AREA_GRID, ITEM_GRID = 0, 1
NEW_ID = "luohu-2023-H2-draft"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"newplan-{name}.png"))


def _cell(page, grid: int, row: int, column: int) -> str:
    """A cell's text as the grid shows it (rows and columns from 0, not counting the row numbers)."""
    return page.locator(GRID).nth(grid).locator(f"td#glide-cell-{column + 1}-{row}").text_content() or ""


def _wait_cell(page, grid: int, row: int, column: int, text: str, timeout: int = 15_000) -> None:
    page.wait_for_function(
        "([g, c, r, t]) => document.querySelectorAll(\"[data-testid='stDataFrame']\")[g]"
        "?.querySelector(`td#glide-cell-${c}-${r}`)?.textContent === t",
        arg=[grid, column + 1, row, text], timeout=timeout)


def _select(page, grid: int, row: int, column: int) -> None:
    """Select a cell as a person does: click the grid's first row, then the arrow keys; until the grid says that cell
    is selected (a click that only takes the focus from the other grid, or closes an editor, selects nothing)."""
    frame = page.locator(GRID).nth(grid)
    selected = frame.locator(f"td#glide-cell-{column + 1}-{row}[aria-selected=true]")
    for _ in range(3):
        page.keyboard.press("Escape")  # no editor open, no cell selected
        frame.evaluate("e => e.scrollIntoView({block: 'center'})")  # its first rows in sight
        settled(page)
        box = frame.bounding_box()
        page.mouse.click(box["x"] + 90, box["y"] + 35 + 17)  # the first row's first column (after the numbers)
        page.wait_for_timeout(300)
        for _ in range(row):
            page.keyboard.press("ArrowDown")
        for _ in range(column):
            page.keyboard.press("ArrowRight")
        try:
            selected.wait_for(state="attached", timeout=3_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"cell ({row}, {column}) of grid {grid} could not be selected")


def _edit(page, grid: int, row: int, column: int, text: str, then: tuple[int, str]) -> None:
    """Type into a cell (select it, Enter, type, Enter) and wait until the page has taken the edit: the cell ``then``
    (column, text) of the same row shows what follows from it."""
    _select(page, grid, row, column)
    page.keyboard.press("Enter")  # opens the cell's editor
    page.wait_for_timeout(500)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.wait_for_timeout(500)
    page.keyboard.press("Enter")  # commits the cell
    settled(page)
    _wait_cell(page, grid, row, then[0], then[1])


def test_a_viewer_never_sees_the_new_plan_page_or_its_controls_even_by_direct_url_on_a_fresh_server(tmp_path, browser):
    fresh = Server(tmp_path / "viewer.duckdb", KPI_EDITORS=f"{EDITOR_NAME}={hash_password(EDITOR_PASSWORD)}")
    try:
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        open_page(page, f"{fresh.url}/new-plan?lang=en")  # the first request after start
        shown(page.get_by_text("This page is for editors").first)
        settled(page)  # the whole run is on the page before anything is said to be absent
        _shot(page, "viewer")
        assert page.locator("textarea").count() == 0 and page.locator("input[type=file]").count() == 0
        assert page.get_by_role("button", name=re.compile("Make the draft|Save as a new plan|Carry forward")).count() \
            == 0
        assert page.locator(GRID).count() == 0
        assert menu(page, "New plan").count() == 0 and menu(page, "Overview").count() == 1
        sign_in(page, EDITOR_NAME, "wrong password")
        shown(page.get_by_text("Wrong name or password").first)
        settled(page)
        assert page.locator("textarea").count() == 0 and menu(page, "New plan").count() == 0
        open_page(page, f"{fresh.url}/new-plan?lang=zh")
        shown(page.get_by_text("本页仅供编辑使用").first)
        settled(page)
        assert page.get_by_role("button", name=re.compile("生成草稿|保存为新计划")).count() == 0
        page.context.close()
    finally:
        fresh.stop()
    store = Store.open(tmp_path / "viewer.duckdb")
    try:
        assert store.plan_ids() == ["2023-H2", "2024"] and set(store.batches()["kind"]) == {"plan", "sample"}
    finally:
        store.close()


def test_an_editor_pastes_the_seed_corrects_a_kind_and_a_code_saves_and_the_overview_shows_the_new_plan(
        editor_server, page):
    open_page(page, f"{editor_server.url}/new-plan?lang=en")
    sign_in(page, EDITOR_NAME, EDITOR_PASSWORD)
    shown(page.get_by_role("button", name="Make the draft"))
    settled(page)
    page.get_by_label("The plan's text").fill(SEED_TEXT)
    page.get_by_role("button", name="Make the draft").click()
    shown(page.get_by_role("button", name="Save as a new plan"))
    page.locator(f"{GRID} td#glide-cell-0-0").nth(1).wait_for(state="attached", timeout=30_000)
    settled(page)
    assert [_cell(page, AREA_GRID, r, 1) for r in range(6)] == AREAS  # the six areas, by name
    assert _cell(page, AREA_GRID, 0, 3) == "Name, Code"  # what to check
    assert (_cell(page, ITEM_GRID, 1, 0), _cell(page, ITEM_GRID, 1, 2), _cell(page, ITEM_GRID, 1, 4)) == (
        "对接有对接基础的市外重大项目", "Name, Kind, Unit", "count")
    shown(page.get_by_text("The plan id 2023-H2 exists already").first)
    assert page.get_by_role("button", name="Save as a new plan").is_disabled()
    _shot(page, "draft")

    _edit(page, AREA_GRID, 0, 0, "INV", then=(3, "Name"))  # a guessed area code corrected: its code is settled
    _edit(page, ITEM_GRID, 1, 4, "stock", then=(2, "Name, Unit"))  # a guessed kind corrected: its flag is settled
    assert _cell(page, AREA_GRID, 0, 0) == "INV" and _cell(page, ITEM_GRID, 1, 4) == "stock"
    _shot(page, "corrected")
    page.get_by_label("Plan id").fill(NEW_ID)
    page.get_by_label("Plan id").press("Enter")
    expect(page.get_by_text("exists already")).to_have_count(0, timeout=30_000)
    settled(page)
    save = page.get_by_role("button", name="Save as a new plan")
    assert save.is_disabled()  # guesses are still open
    page.locator("[data-testid='stCheckbox']").filter(has_text="Accept the draft as it is").click()
    expect(save).to_be_enabled(timeout=30_000)
    settled(page)
    save.click()
    try:
        shown(page.get_by_text(f"Saved the new plan {NEW_ID} (revision 1).").first)
    finally:
        _shot(page, "saved")

    page.get_by_role("link", name=f"Open the overview of the new plan {NEW_ID}").click()
    page.wait_for_url(re.compile(rf"plan={re.escape(NEW_ID)}"), timeout=30_000)
    settled(page)
    try:
        for name in AREAS:
            shown(page.get_by_role("heading", name=name).first)  # a card per area of the new plan
    finally:
        _shot(page, "overview")
    open_page(page, f"{editor_server.url}/indicator?plan={NEW_ID}&indicator=INV-DJYDJJ&lang=en")
    shown(page.get_by_text("INV-DJYDJJ").first)  # the area's new code is its items' prefix
    shown(page.get_by_text("Kind: stock").first)

    viewer = page.context.browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    open_page(viewer, f"{editor_server.url}/?plan={NEW_ID}&lang=en")
    for name in AREAS:
        shown(viewer.get_by_role("heading", name=name).first)  # everyone sees the new plan
    assert menu(viewer, "New plan").count() == 0
    open_page(viewer, f"{editor_server.url}/new-plan?lang=en")
    shown(viewer.get_by_text("This page is for editors").first)
    settled(viewer)
    assert viewer.locator("textarea").count() == 0 and viewer.locator(GRID).count() == 0
    viewer.context.close()
