"""Browser journeys of the meeting (issue 16): one screen for the projector, slides moved through with a clicker,
what changed since the last meeting, and the decisions followed to the next.

Screenshots go to tests/artifacts/ (git-ignored); docs/meeting-screen.png in the README is one of them.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

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


# --- two meetings, an upload between them, a decision followed from one to the next ------------------------------

UPLOAD = "指标编码,期间,实际值,备注\nINV-VISITS,2023-Q4,9,\nINNO-HTE-TRAIN,2023-12,1,十二月补办一期\n"


def _record_meeting(page, url: str, name: str) -> None:
    open_page(page, url)
    settled(page)  # the page's first run is over: a late rerun would close the form under the typing
    page.locator("[data-testid='stExpander']").filter(has_text="记录本次会议").click()
    box = page.get_by_role("textbox", name="会议名称")
    box.fill(name)
    expect(box).to_have_value(name)
    page.get_by_role("button", name="记录会议").click()
    shown(page.get_by_text(f"已记录会议“{name}”").first)
    settled(page)


def _date(page, label: str, value: str) -> None:
    """Type a date (YYYY-MM-DD) into a date field: its year, month and day parts advance as they fill."""
    page.get_by_role("spinbutton", name=f"year, {label}").click()
    page.keyboard.type(value.replace("-", ""))
    page.keyboard.press("Tab")


def _upload(page, url: str) -> None:
    open_page(page, f"{url}/upload?lang=en")
    page.locator("input[type=file]").set_input_files(files=[{"name": "十二月.csv", "mimeType": "text/csv",
                                                            "buffer": UPLOAD.encode("utf-8")}])
    confirm = page.get_by_role("button", name=re.compile(r"3\. Confirm and commit"))
    shown(confirm)
    confirm.click()
    shown(page.get_by_text(re.compile(r"Committed as batch \d+")).first)


def _expected(db, lang: str = "zh") -> tuple[str, str, str]:
    """The changes between the two meetings, from the two pinned statuses alone: (the screen's line, the sentence
    of the briefing and the 通报 text, the state of the first meeting's decisions)."""
    from kpi import fmt
    from kpi.i18n import t
    from kpi.report import query
    from kpi.store import Store

    store = Store.open(db, create=False)
    try:
        second, first = store.meetings().to_dict("records")  # the latest held first
        plan = store.plan("2023-H2")

        def rows(m):
            return query.snapshot(store, "2023-H2", int(m["data_version"])).status(m["period"], m["as_of"].date())
        before = {r.indicator: r for r in rows(first)}
        found = {"met": [], "behind": [], "recovered": [], "explained": []}
        good, bad = {"met", "done"}, {"overdue", "missed", "off_track", "at_risk"}
        for r in rows(second):
            was = before[r.indicator]
            found["met"] += [r.indicator] if r.status in good and was.status not in good else []
            found["behind"] += [r.indicator] if r.status in bad and was.status not in bad else []
            found["recovered"] += [r.indicator] if was.status in bad and r.status not in bad | good else []
            found["explained"] += [r.indicator] if was.needs_note and r.note and not r.needs_note else []
        when = t("since.when", lang, name=first["name"], date=fmt.date(first["held_on"].date(), lang))
        counts = "、".join(t(f"since.{k}_count", lang, count=len(v)) for k, v in found.items() if v)
        parts = "；".join(t(f"since.{k}", lang, count=len(v), names="、".join(plan.indicator(c).name.get(lang)
                                                                           for c in v)) for k, v in found.items() if v)
        assert sum(map(len, found.values())) >= 3 and found["explained"] == ["INNO-HTE-TRAIN"]
        closed = store.decisions(int(first["meeting"]), as_of_batch=int(second["data_version"]))
        state = t("decisions.earlier", lang, total=len(closed), closed=int(closed["closed"].sum()), overdue=0,
                  open=int((~closed["closed"]).sum()))
        return t("since.short", lang, when=when, parts=counts), t("since.sentence", lang, when=when, parts=parts), \
            state
    finally:
        store.close()


def test_two_meetings_show_exactly_the_changes_between_them_and_the_decision_followed(tmp_path, browser):
    from kpi.auth import hash_password
    from tests.browser_kit import EDITOR_NAME, EDITOR_PASSWORD, Server, sign_in

    db = tmp_path / "meetings.duckdb"
    server = Server(db, KPI_EDITORS=f"{EDITOR_NAME}={hash_password(EDITOR_PASSWORD)}")
    try:
        context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
        page = context.new_page()
        open_page(page, f"{server.url}/meeting?lang=en")
        sign_in(page, EDITOR_NAME, EDITOR_PASSWORD)
        shown(page.get_by_text(f"Signed in as editor {EDITOR_NAME}").first)
        meeting_page = f"{server.url}/meeting?lang=zh&period=2023-H2"
        _record_meeting(page, f"{meeting_page}&as_of=2023-11-15", "十月调度会")
        page.get_by_role("textbox", name="决定事项").fill("加快外出招商，十一月底前再办两场")
        _date(page, "办结时限", "2023-11-30")
        page.get_by_role("button", name="记录", exact=True).click()
        shown(page.get_by_text(re.compile(r"已记录决定事项（批次 \d+）")).first)
        settled(page)
        _upload(page, server.url)
        open_page(page, f"{meeting_page}&as_of=2023-11-15")
        page.get_by_role("textbox", name="办理情况").fill("已于11月下旬组织两场")
        page.get_by_role("button", name="办结", exact=True).click()
        shown(page.get_by_text(re.compile(r"已办结（批次 \d+）")).first)
        _record_meeting(page, f"{meeting_page}&as_of=2023-12-31", "年终调度会")

        page.get_by_role("link", name="在会议模式中打开本次会议（固定数据版本）").click()
        shown(page.locator(".kpi-changes").first)
        settled(page)
        screen_changes = page.locator(".kpi-changes").inner_text()
        screen_decisions = page.locator(".kpi-decisions").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "meeting-screen-second-meeting-zh-1366x768.png"))
        found = page.evaluate(MEASURE)
        assert found["main"] <= found["main_view"] and found["smallest"] >= 18, found  # still one screen
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name="下载简报（HTML，可离线打开）").click()
        info.value.save_as(tmp_path / "briefing.html")
        for slide in ("INV", "HK", "INNO", "SCI", "TAL", "ENT", "pack"):  # the clicker, to the last slide
            _press(page, "PageDown", slide)
        shown(page.get_by_text("通报文字（可复制）").first)
        report_text = page.locator("[data-testid='stCode']").first.inner_text()
        context.close()
    finally:
        server.stop()
    line, sentence, decisions = _expected(db)
    assert screen_changes == f"年终调度会（{_today_zh()}）：{line}"
    assert screen_decisions == decisions == "上次会议决定事项：1项，已办结1项，逾期0项，办理中0项"
    briefing = (tmp_path / "briefing.html").read_text(encoding="utf-8")
    assert sentence in briefing and decisions in briefing and "已于11月下旬组织两场" in briefing
    assert sentence in report_text and decisions in report_text


def _today_zh() -> str:
    import datetime as dt

    from kpi import fmt

    return fmt.date(dt.date.today(), "zh")


def test_a_viewer_cannot_write_down_or_close_a_decision_even_by_direct_url(tmp_path, browser):
    """A fresh server, editing switched on, nobody signed in: the first request is a meeting's direct link; no page
    offers a way to record a meeting or a decision, close or take one back, and nothing is written."""
    import datetime as dt

    from kpi.auth import hash_password
    from kpi.setup import load_plans, load_sample
    from kpi.store import Editor, Store
    from tests.browser_kit import EDITOR_NAME, EDITOR_PASSWORD, Server
    from tests.conftest import PLAN_FILE

    db = tmp_path / "viewer.duckdb"
    store = Store.open(db)
    editor = Editor(EDITOR_NAME, via="test")
    load_plans(store, editor, [PLAN_FILE])
    load_sample(store, editor)
    meeting = store.record_meeting("十月调度会", dt.date(2023, 11, 16), "2023-H2", "2023-H2", dt.date(2023, 11, 15),
                                   store.data_version(), editor)
    store.record_decisions(meeting, [{"what": "补报科普数据", "area": "SCI", "due": dt.date(2023, 12, 20)}], editor)
    version = store.data_version()
    store.close()
    server = Server(db, KPI_EDITORS=f"{EDITOR_NAME}={hash_password(EDITOR_PASSWORD)}")
    try:
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        for path in (f"/meeting?lang=zh&meeting={meeting}", f"/meeting?lang=zh&meeting={meeting}&close=1&decide=x",
                     f"/?present=1&lang=zh&slide=pack&meeting={meeting}", "/?present=1&lang=zh&slide=pack",
                     "/area?lang=zh&area=SCI"):
            open_page(page, server.url + path)
            settled(page)
            if path.startswith("/meeting"):
                page.get_by_text("补报科普数据").first.wait_for(state="attached", timeout=30_000)  # in the table
            if path.startswith("/area"):
                shown(page.get_by_text("会议决定事项（未办结）").first)
            assert page.locator("[data-testid='stMain'] textarea").count() == 0, path
            for name in ("记录会议", "记录", "办结", "撤销所选批次"):
                assert page.get_by_role("button", name=name, exact=True).count() == 0, (path, name)
            assert page.locator("[data-testid='stExpander']").filter(has_text="记录本次会议").count() == 0, path
        page.context.close()
    finally:
        server.stop()
    store = Store.open(db, create=False)
    try:
        later = store.batches()
        later = later[later["batch_id"] > version]
        assert set(later["kind"]) <= {"plan", "sample"}, later  # only what the server's start-up loads
        assert len(store.meetings()) == 1 and len(store.decisions()) == 1 and not store.decisions()["closed"].any()
    finally:
        store.close()
