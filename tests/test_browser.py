"""Browser journeys AppTest cannot see: URL sync, page switches, deep links on a new server, meeting mode.

Playwright drives the system Chromium (see tests/browser_kit.py) against a Streamlit server the test starts on a
free port. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import re

import pytest

from kpi.store import Store
from tests import browser_kit
from tests.browser_kit import (
    ARTIFACTS,
    EDITOR_NAME,
    EDITOR_PASSWORD,
    Server,
    menu,
    open_page,
    query_of,
    settled,
    shown,
    sign_in,
    upload_december,
)

pytestmark = browser_kit.marks()
WIDTHS = {"laptop": 1366, "phone": 390}


def test_overview_in_english_shows_the_six_areas(server, page):
    open_page(page, f"{server.url}/?lang=en")
    for name in ("Investment promotion", "Shenzhen–Hong Kong innovation cooperation", "Innovation indicators",
                 "Science popularisation", "Talent", "Enterprise services"):
        shown(page.get_by_role("heading", name=name).first)  # the cards render one after another
    page.get_by_text("Sample data").first.wait_for(state="visible")
    page.get_by_text("Needs attention").first.wait_for(state="visible")


@pytest.mark.parametrize(("lang", "name", "period_text"), [("en", "Investment promotion", "Q3 2023"),
                                                          ("zh", "招商引资", "2023年第三季度")])
def test_area_link_shows_area_period_and_a_chart(server, page, lang, name, period_text):
    open_page(page, f"{server.url}/area?area=INV&period=2023-Q3&lang={lang}")
    assert page.locator("h1").first.inner_text() == name
    shown(page.get_by_text(period_text).first)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    shown(page.locator(".js-plotly-plot").nth(2))  # at least three charts


def test_changing_the_period_updates_url_and_chart(server, page):
    open_page(page, f"{server.url}/indicator?indicator=INV-VISITS&lang=en")
    # the second chart (bars per part of the period) may draw after the first: wait for its own ticks
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')][1]"
                           "?.querySelector('.xtick')?.textContent.includes('2023')", timeout=30_000)
    ticks = page.locator(".js-plotly-plot").nth(1).locator(".xtick text").all_text_contents()
    assert "Q3 2023" in ticks and "Q4 2023" in ticks
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="Period").click()
    page.get_by_role("option", name="2023-Q4", exact=True).click()
    settled(page)
    assert query_of(page)["period"] == "2023-Q4"
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')][1]"
                           "?.querySelector('.xtick')?.textContent.includes('2023')", timeout=30_000)
    ticks = page.locator(".js-plotly-plot").nth(1).locator(".xtick text").all_text_contents()
    assert ticks == ["Oct 2023", "Nov 2023", "Dec 2023"]
    shown(page.get_by_text("Q4 2023 · data as of").first)


def test_switching_pages_keeps_lang_and_period(server, page):
    open_page(page, f"{server.url}/?lang=en&period=2023-Q3")
    menu(page, "Work area").click()
    page.wait_for_url(re.compile(r"/area\?(?=.*lang=en)(?=.*period=2023-Q3)"), timeout=30_000)
    settled(page)
    assert query_of(page)["lang"] == "en" and query_of(page)["period"] == "2023-Q3"
    assert page.locator("h1").first.inner_text() == "Investment promotion"
    page.get_by_role("link", name="Indicator").first.click()
    page.wait_for_url(re.compile(r"/indicator\?(?=.*lang=en)(?=.*period=2023-Q3)"), timeout=30_000)
    settled(page)
    assert query_of(page)["lang"] == "en" and query_of(page)["period"] == "2023-Q3"


def test_copy_link_reopens_the_same_view(server, page, browser):
    open_page(page, f"{server.url}/area?area=HK&period=2023-Q4&lang=en&as_of=2023-11-15")
    link = page.locator("[data-testid='stSidebar'] [data-testid='stCode']").first.inner_text().strip()
    assert "area=HK" in link and "period=2023-Q4" in link and "as_of=2023-11-15" in link and "lang=en" in link
    fresh = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    open_page(fresh, link.replace("localhost", "127.0.0.1"))
    assert fresh.locator("h1").first.inner_text() == "Shenzhen–Hong Kong innovation cooperation"
    shown(fresh.get_by_text("Q4 2023 · data as of 2023-11-15").first)
    fresh.context.close()


def test_meeting_mode_hides_the_sidebar_and_shows_one_screen(server, page):
    open_page(page, f"{server.url}/?present=1&lang=en&period=2023-H2&as_of=2023-11-15")
    shown(page.get_by_text("H2 2023 (whole plan) · data as of 2023-11-15").first)
    page.locator("[data-testid='stSidebar']").wait_for(state="hidden", timeout=30_000)
    assert page.locator(".kpi-name").all_inner_texts()[0].startswith("Investment promotion")  # a strip per area
    assert page.locator(".kpi-name").count() == 6
    assert "Needs attention" in page.locator("h3").all_inner_texts()
    page.get_by_role("button", name="Leave meeting mode").click()
    settled(page)
    shown(page.locator("[data-testid='stSidebar']"))
    assert "present" not in query_of(page)


def test_deep_link_first_on_a_new_server_gets_the_shared_frame(tmp_path, browser):
    """The first request after start opens a page URL: it still runs app.py's frame, and keeps the URL state."""
    fresh = Server(tmp_path / "deep.duckdb")
    try:
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        open_page(page, f"{fresh.url}/indicator?indicator=HK-BASES&lang=en&period=2023-Q3")
        assert page.locator("h1").first.inner_text() == "Hong Kong/Macao youth innovation bases operating"
        shown(menu(page, "Overview"))  # the menu of the frame built by app.py
        shown(page.get_by_text("Sample data").first)
        menu(page, "Overview").click()
        page.wait_for_url(re.compile(r"^[^?]*/\?(?=.*lang=en)(?=.*period=2023-Q3)"), timeout=30_000)
        settled(page)
        assert query_of(page)["lang"] == "en" and query_of(page)["period"] == "2023-Q3"
        shown(page.get_by_role("heading", name="Work areas"))
        page.context.close()
    finally:
        fresh.stop()


@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize(("name", "path"), [("overview", "/?lang=zh"), ("area", "/area?area=INV&lang=zh"),
                                            ("meeting", "/?present=1&lang=zh")])
def test_screenshots(server, browser, name, path, width):
    """The views a manager sees, at a laptop and a phone width; nothing spills sideways."""
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    open_page(page, server.url + path)
    page.wait_for_timeout(1500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"))
    overflow = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollWidth"
                             " - document.querySelector('[data-testid=\"stMain\"]').clientWidth")
    assert overflow <= 1, f"{name} at {width}: {overflow}px wider than the screen"
    context.close()


def _summary(page, code: str) -> str:
    """The summary line of the indicator page, e.g. 'Actual 107 firms · Target 100 firms · …'."""
    menu(page, "Indicator")  # the page has rendered its frame
    page.wait_for_selector("h1")
    settled(page)
    return page.get_by_text(re.compile(r"^Actual .* · Target")).first.inner_text()


def _bar_labels(page) -> list[str]:
    """The numbers written on the bars of the per-quarter chart (the second chart of the indicator page)."""
    chart = page.locator(".js-plotly-plot").nth(1)
    chart.locator(".bartext").first.wait_for(timeout=30_000)
    return [re.match(r"[\d,.]+", label).group(0) for label in chart.locator(".bartext").all_text_contents()]


def test_editor_uploads_gbk_previews_commits_and_reverts(editor_server, page):
    base = f"{editor_server.url}/indicator?indicator=INV-FIRMS&lang=en&period=2023-H2&as_of=2023-12-31"
    open_page(page, base)
    assert _summary(page, "INV-FIRMS").startswith("Actual 107 firms")
    assert _bar_labels(page)[:2] == ["46", "107"]  # Q3, Q4 before the upload: the level at each quarter's end
    open_page(page, f"{editor_server.url}/upload?lang=en")
    settled(page)
    assert page.locator("input[type=file]").count() == 0  # not signed in: no upload control
    sign_in(page, EDITOR_NAME, EDITOR_PASSWORD)
    shown(page.get_by_text(f"Signed in as editor {EDITOR_NAME}").first)
    confirm = upload_december(page)
    shown(page.locator("[data-testid='stMetric']").filter(has_text="unchanged").first)
    metrics = {m.split("\n")[0]: m.split("\n")[-1] for m in page.locator("[data-testid='stMetric']").all_inner_texts()}
    assert metrics == {"new": "0", "changed": "1", "unchanged": "0", "blank (ignored)": "0"}  # the preview
    confirm.click()
    shown(page.get_by_text(re.compile(r"Committed as batch \d+ \(1 rows\)")).first)
    menu(page, "Indicator").click()
    page.wait_for_url(re.compile(r"/indicator"), timeout=30_000)
    open_page(page, base)
    assert _summary(page, "INV-FIRMS").startswith("Actual 40 firms")  # a level: December's value is the latest
    assert _bar_labels(page)[:2] == ["46", "40"]  # the chart shows December's new 40
    open_page(page, f"{editor_server.url}/history?lang=en")  # a new page load: the session cookie keeps the sign-in
    shown(page.get_by_text(f"Signed in as editor {EDITOR_NAME}").first)
    revert = page.get_by_role("button", name=re.compile(r"^Revert batch \d+$"))
    shown(revert)
    revert.click()
    shown(page.get_by_text(re.compile(r"Batch \d+ reverted")).first)
    open_page(page, base)
    assert _summary(page, "INV-FIRMS").startswith("Actual 107 firms")
    assert _bar_labels(page)[:2] == ["46", "107"]  # and back after the revert


def test_viewer_has_no_write_controls_even_by_direct_url_on_a_new_server(tmp_path, browser):
    from kpi.auth import hash_password

    fresh = Server(tmp_path / "viewer.duckdb", KPI_EDITORS=f"{EDITOR_NAME}={hash_password(EDITOR_PASSWORD)}")
    try:
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        open_page(page, f"{fresh.url}/upload?lang=en")  # the first request after start
        shown(page.get_by_text("This page is for editors").first)
        settled(page)  # the whole run is on the page before anything is said to be absent
        assert page.locator("input[type=file]").count() == 0
        assert page.get_by_role("button", name=re.compile("Confirm")).count() == 0
        menu = page.locator("[data-testid='stSidebar'] [data-testid='stPageLink']")
        assert menu.filter(has_text="Upload").count() == 0
        open_page(page, f"{fresh.url}/history?lang=en")
        shown(page.get_by_text("History of data batches").first)
        settled(page)
        assert page.get_by_role("button", name=re.compile("Revert|Re-apply")).count() == 0
        sign_in(page, EDITOR_NAME, "wrong password")
        shown(page.get_by_text("Wrong name or password").first)
        settled(page)
        assert page.get_by_role("button", name=re.compile("Revert|Re-apply")).count() == 0
        page.context.close()
    finally:
        fresh.stop()
    store = Store.open(tmp_path / "viewer.duckdb")
    try:
        assert set(store.batches()["kind"]) == {"plan", "sample"}  # nothing was written
    finally:
        store.close()


def _attention_names(page) -> list[str]:
    page.get_by_text("Needs attention").first.wait_for(timeout=30_000)
    settled(page)
    return page.locator("[data-testid='stMain'] [data-testid='stPageLink']").all_inner_texts()


def test_editor_changes_a_target_sees_the_status_change_and_restores_it(editor_server, page):
    overview = f"{editor_server.url}/?lang=en&period=2023-H2&as_of=2023-12-31"
    open_page(page, overview)
    assert not any("Out-of-city investment promotion events" in name for name in _attention_names(page))  # 7 of 6: met
    open_page(page, f"{editor_server.url}/targets?lang=en")
    sign_in(page, EDITOR_NAME, EDITOR_PASSWORD)
    shown(page.get_by_role("button", name="Check and save as a new revision"))
    page.wait_for_selector("[data-testid='stDataFrame'] td#glide-cell-0-0", state="attached", timeout=30_000)
    settled(page)
    grid = page.locator("[data-testid='stDataFrame']").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 30, box["y"] + 35 + 17)  # the first row's code
    for _ in range(4):  # INV-PROJ-SELECT, INV-MAJOR-PROJ, INV-TARGET-LIST, INV-RESERVE, then INV-EVENTS
        page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")  # the whole-plan target
    page.keyboard.press("Enter")  # opens the cell's editor
    page.wait_for_timeout(500)
    page.keyboard.press("Control+A")
    page.keyboard.type("8")
    page.wait_for_timeout(500)
    page.keyboard.press("Enter")  # commits the cell
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Check and save as a new revision").click()
    try:
        shown(page.get_by_text("Saved as revision 2").first)
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "targets-saved.png"))
    open_page(page, overview)
    behind = [name for name in _attention_names(page) if "Out-of-city investment promotion events" in name]
    assert behind and behind[0].startswith("✘ Missed") and "target 8 events" in behind[0]
    open_page(page, f"{editor_server.url}/targets?lang=en")
    shown(page.get_by_text(f"Signed in as editor {EDITOR_NAME}").first)  # still signed in (the session cookie)
    restore = page.get_by_role("button", name="Restore revision 1 (saved as a new revision)")
    shown(restore)
    restore.click()
    shown(page.get_by_text("Saved as revision 3").first)
    open_page(page, overview)
    assert not any("Out-of-city investment promotion events" in name for name in _attention_names(page))


def test_briefing_downloads_from_meeting_mode_and_opens_offline(server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    open_page(page, f"{server.url}/?present=1&lang=en&period=2023-H2&as_of=2023-11-15")
    shown(page.get_by_text("Scan to open this view").first)  # the QR code of the pinned link
    page.locator("[data-testid='stSidebar']").wait_for(state="hidden", timeout=30_000)
    button = page.get_by_role("button", name="Download the briefing (HTML, opens offline)")
    shown(button)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.startswith("briefing-2023-H2-2023-H2-2023-11-15-v")
    path = tmp_path / "briefing.html"
    download.save_as(path)
    html = path.read_text(encoding="utf-8")
    assert "data version" in html.lower() and "15 Nov 2023 (2023-11-15)" in html
    assert "present=1" in html and "data=" in html  # the link reopens the same pinned view
    offline = browser.new_context(offline=True).new_page()
    offline.goto(path.as_uri())
    offline.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)  # charts render with no network
    shown(offline.locator(".js-plotly-plot").nth(9))  # at least ten charts
    offline.context.close()
    context.close()
