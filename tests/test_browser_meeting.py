"""Browser journeys of the meeting (issue 16): one screen for the projector, slides moved through with a clicker,
what changed since the last meeting, and the decisions followed to the next.

Screenshots go to tests/artifacts/ (git-ignored); docs/meeting-screen.png in the README is one of them.
"""

from __future__ import annotations

import re

import pytest

from tests import browser_kit
from tests.browser_kit import ARTIFACTS, open_page, query_of, settled, shown

pytestmark = browser_kit.marks()
SIZES = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}
VIEW = "period=2023-H2&as_of=2023-11-15"
# The main area's height against the window's, and the smallest text in it: every visible text node's font size.
MEASURE = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const block = main.querySelector('.stMainBlockContainer');
  let smallest = 1000, where = '';
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement, box = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    const size = parseFloat(style.fontSize);
    if (size < smallest) { smallest = size; where = el.tagName + ' ' + node.textContent.trim().slice(0, 40); }
  }
  return {document: document.documentElement.scrollHeight, main: main.scrollHeight, main_view: main.clientHeight,
          bottom: block.getBoundingClientRect().bottom, window: innerHeight, smallest, where};
}"""


def _screen(browser, server, size: str, lang: str, extra: str = ""):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    open_page(page, f"{server.url}/?present=1&lang={lang}&{VIEW}{extra}")
    shown(page.locator(".kpi-strips").first)
    shown(page.locator(".st-key-exit_present button"))
    settled(page)
    page.wait_for_timeout(500)
    return page


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_meeting_screen_fits_the_projector_and_reads_from_the_back(server, browser, size, lang):
    page = _screen(browser, server, size, lang)
    found = page.evaluate(MEASURE)
    assert found["document"] <= found["window"], found
    assert found["main"] <= found["main_view"] and found["bottom"] <= found["window"], found  # nothing below the fold
    assert found["smallest"] >= 18, found  # the smallest text, read from the back of a room
    assert page.locator(".kpi-name").count() == 6  # a strip per work area
    assert page.locator(".kpi-seg").count() >= 12  # each a stacked bar, a part per status, every part labelled
    assert all(re.fullmatch(r"\S+\d+", s) for s in page.locator(".kpi-seg").all_inner_texts())
    assert page.locator(".kpi-pace").count() == page.locator(".kpi-fill").count() > 0  # bullets: completion vs pace
    shown(page.locator(".kpi-qr img"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"meeting-screen-{lang}-{size}.png"))
    page.context.close()


def _slide(page) -> str | None:
    return query_of(page).get("slide")


def _press(page, key: str, slide: str | None) -> None:
    page.keyboard.press(key)
    expected = "null" if slide is None else f"'{slide}'"
    page.wait_for_function(f"() => new URL(location.href).searchParams.get('slide') === {expected}", timeout=30_000)
    settled(page)


def test_the_clicker_moves_through_the_area_slides(server, browser):
    page = _screen(browser, server, "1366x768", "en")
    assert _slide(page) is None
    _press(page, "PageDown", "INV")
    assert page.locator("h1").first.inner_text().startswith("Investment promotion")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)  # the area's charts at full width
    _press(page, "PageDown", "HK")
    assert page.locator("h1").first.inner_text().startswith("Shenzhen–Hong Kong innovation cooperation")
    _press(page, "PageUp", "INV")
    assert page.locator("h1").first.inner_text().startswith("Investment promotion")
    _press(page, "ArrowRight", "HK")  # a clicker that sends the arrow keys
    _press(page, "ArrowLeft", "INV")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "meeting-slide-INV-1366x768.png"))
    page.get_by_role("button", name="◀ Back").click()  # and the buttons
    page.wait_for_function("() => !new URL(location.href).searchParams.has('slide')", timeout=30_000)
    shown(page.locator(".kpi-strips").first)
    page.context.close()


def test_the_last_slide_is_the_meeting_pack(server, browser):
    page = _screen(browser, server, "1366x768", "en", "&slide=ENT")
    _press(page, "PageDown", "pack")
    shown(page.get_by_text("Summary for the report (copy it)").first)
    assert page.get_by_role("button", name="Next ▶").is_disabled()
    page.context.close()
