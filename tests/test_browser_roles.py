"""Browser journeys of the supervision workflow: an area editor signs in, downloads the template (only their areas),
uploads, attaches a PDF to a milestone and sees the Due list shrink; an admin closes Q3 and a later upload for Q3 is
refused; with viewer sign-in on, a pinned link opens only after sign-in.

Playwright on the system Chromium against serve.py on a free port, with the helpers of tests/browser_kit.py; each
journey has a server of its own (the sample data of 2023-H2; the Due list as of 2023-12-31, the plan's end).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kpi import auth
from tests import browser_kit
from tests.browser_kit import ARTIFACTS, Server, menu, open_page, settled, shown, sign_in

pytestmark = browser_kit.marks()

EDITOR, ADMIN, VIEWER = "李四", "王科长", "局领导"
PASSWORD = "correct horse 2023"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
DUE = "?lang=en&as_of=2023-12-31"


def _server(folder: Path, viewers: bool = False) -> Server:
    secrets = folder / "secrets.toml"
    auth.write_editor(EDITOR, PASSWORD, path=secrets, areas=["INV"])
    auth.write_editor(ADMIN, PASSWORD, path=secrets)
    if viewers:
        auth.write_viewer(VIEWER, PASSWORD, path=secrets)
    return Server(folder / "kpi.duckdb")


@pytest.fixture(scope="module")
def editor_server(tmp_path_factory):
    s = _server(tmp_path_factory.mktemp("roles"))
    yield s
    s.stop()


def _due_lines(page) -> list[str]:
    """The lines of the Due list: the links whose label begins with a deadline (read once the downloads below the
    list are drawn and the run has ended)."""
    shown(page.get_by_text("What is due").first)
    shown(page.get_by_role("button", name="Download the calendar (.ics)"))
    settled(page)
    links = page.locator("[data-testid='stMain'] [data-testid='stPageLink']")
    texts = [t.strip().split("\n")[-1] for t in links.all_inner_texts()]  # the icon's name comes first
    return [t for t in texts if re.match(r"\d{4}-\d\d-\d\d · ", t)]


def test_an_area_editor_downloads_uploads_attaches_and_the_due_list_shrinks(editor_server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    open_page(page, f"{editor_server.url}/due{DUE}")
    sign_in(page, EDITOR, PASSWORD)
    shown(page.get_by_text(f"Signed in as editor {EDITOR}").first)
    before = _due_lines(page)
    assert len(before) == 5 and all("(INV-" in line for line in before)
    assert any("INV-VISITS" in line and "To explain" in line for line in before)
    assert any("INV-INVESTOR-MECH" in line and "Evidence missing" in line for line in before)

    open_page(page, f"{editor_server.url}/upload{DUE}")
    shown(page.get_by_text("The template holds only your areas: INV").first)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=re.compile("CSV")).first.click()
    template = info.value.path().read_text(encoding="utf-8-sig").splitlines()
    codes = {line.split(",")[0] for line in template[1:]}
    assert codes and all(code.startswith("INV-") for code in codes)  # only their area
    csv = "indicator,period,value,note\nINV-VISITS,2023-12,3,12月走访延期至1月（已与企业确认）\n".encode()
    page.locator("input[type=file]").set_input_files(files=[{"name": "inv-dec.csv", "mimeType": "text/csv",
                                                            "buffer": csv}])
    confirm = page.get_by_role("button", name=re.compile(r"Confirm and commit"))
    shown(confirm)
    confirm.click()
    shown(page.get_by_text(re.compile(r"Committed as batch \d+ \(1 rows\)")).first)

    open_page(page, f"{editor_server.url}/indicator{DUE}&indicator=INV-INVESTOR-MECH&evidence=1")
    shown(page.get_by_text("Attach evidence").first)
    page.locator("[data-testid='stForm'] input[type=file]").set_input_files(
        files=[{"name": "签约纪要.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Save the evidence").click()
    shown(page.get_by_text(re.compile(r"Evidence saved \(batch \d+, SHA-256 [0-9a-f]{12}\)")).first)
    download_button = page.get_by_role("button", name="Download 签约纪要.pdf")
    shown(download_button)
    # the response the browser got for the download (its URL lives for one run of the page: the click reruns it)
    with page.expect_response(lambda r: "/media/" in r.url, timeout=60_000) as answer, \
            page.expect_download(timeout=60_000) as info:
        download_button.click()
    download = info.value
    assert download.suggested_filename == "签约纪要.pdf"
    assert download.path().read_bytes() == PDF  # byte for byte
    served = answer.value
    assert served.status == 200, served.status
    assert served.headers["content-type"].startswith("application/pdf")
    assert served.headers["content-disposition"].startswith("attachment")

    open_page(page, f"{editor_server.url}/due{DUE}")
    after = _due_lines(page)
    assert len(after) == 3
    assert not any("INV-VISITS" in line for line in after)  # explained by the upload's note
    assert not any("INV-INVESTOR-MECH" in line for line in after)  # its evidence is attached
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "due-after.png"), full_page=True)
    context.close()


def test_an_admin_closes_q3_and_a_later_upload_for_q3_is_refused(tmp_path, browser):
    server = _server(tmp_path)
    try:
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        open_page(page, f"{server.url}/due{DUE}")
        sign_in(page, ADMIN, PASSWORD)
        shown(page.get_by_text("Closing periods").first)
        shown(page.get_by_text(re.compile(r"To close: Q3 2023")).first)
        assert any("To close: Q3 2023" in line for line in _due_lines(page))
        chosen = page.locator("[data-testid='stForm'] [data-testid='stSelectbox']")
        assert chosen.get_by_role("combobox").input_value() == "Q3 2023"  # the earliest ended quarter not closed
        page.get_by_role("textbox", name=re.compile("Note")).fill("已向区里报送")
        page.get_by_role("button", name="Close the chosen period").click()
        shown(page.get_by_text(re.compile(r"2023-Q3 closed \(batch \d+\)")).first)
        page.get_by_text(re.compile(r"To close: Q3 2023")).first.wait_for(state="detached", timeout=30_000)
        assert not any("To close: Q3 2023" in line for line in _due_lines(page))

        open_page(page, f"{server.url}/upload?lang=en")
        shown(page.get_by_text(f"Signed in as editor {ADMIN}").first)
        csv = b"indicator,period,value\nINV-EVENTS,2023-10,2\nINV-EVENTS,2023-08,5\n"
        page.locator("input[type=file]").set_input_files(files=[{"name": "late.csv", "mimeType": "text/csv",
                                                                "buffer": csv}])
        shown(page.get_by_text(re.compile(r"The file has 1 problem")).first)
        cell = page.locator("[data-testid='stDataFrame'] td").filter(
            has_text=re.compile(r"INV-EVENTS 2023-08 is in the closed period 2023-Q3"))
        cell.first.wait_for(state="attached", timeout=30_000)  # the problems table names the row
        settled(page)
        assert page.get_by_role("button", name=re.compile("Confirm")).count() == 0
        page.context.close()
    finally:
        server.stop()


def test_with_viewer_sign_in_a_pinned_link_opens_only_after_sign_in(tmp_path, browser):
    server = _server(tmp_path, viewers=True)
    try:
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        pinned = f"{server.url}/indicator?lang=en&indicator=INV-EVENTS&period=2023-Q3&data=2"
        open_page(page, pinned)
        shown(page.get_by_text("This dashboard opens only after sign-in").first)
        settled(page)
        assert page.get_by_text("Out-of-city investment promotion events").count() == 0
        assert page.locator(".js-plotly-plot").count() == 0 and page.locator("[data-testid='stDataFrame']").count() == 0
        assert menu(page, "Overview").count() == 0
        main = page.locator("[data-testid='stMain']")
        main.get_by_role("textbox", name="Name").fill(VIEWER)
        main.get_by_role("textbox", name="Password").fill(PASSWORD)
        main.get_by_role("button", name="Sign in").click()
        shown(page.get_by_text(re.compile(r"data version 2 \(a pinned link\)")).first)
        assert "data=2" in page.url and "indicator=INV-EVENTS" in page.url  # back on the link asked for
        shown(page.get_by_role("heading", name="Out-of-city investment promotion events").first)
        shown(page.get_by_text(f"Signed in to view: {VIEWER}").first)
        settled(page)
        assert menu(page, "Upload").count() == 0  # a viewer writes nothing
        page.context.close()
    finally:
        server.stop()
