"""Embedded mode end to end: `kpi import` from another process beside a running dashboard (make run's serve.py)
while a browser keeps reloading — the import lands, every reload renders (cached numbers, or a message that
retries by itself; never a trace), and the next reload shows the new data version. (The acceptance test of
issue 14, section 1.)"""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from bench.generate import generate
from bench.server import Server as BenchServer
from kpi.setup import load_plans
from kpi.store import Editor, Store
from tests import browser_kit
from tests.browser_kit import settled
from tests.conftest import ROOT
from tests.test_embedded import opens_elsewhere

pytestmark = [*browser_kit.marks(), pytest.mark.slow]
ROWS = 100_000
# a run has ended: its footer (the pinned link's caption) is there, or the message that the store is busy
RENDERED = ("() => document.body.innerText.includes('Link pinned to data version') || [...document"
            ".querySelectorAll('[data-testid=stAlert]')].some(a => a.innerText.includes('another program'))")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """84 district plans in the store, and a 100,000-row workbook for them (read cell by cell: a long import, as a
    month's city-wide feed from Excel would be)."""
    import csv as csv_module

    import openpyxl

    folder = tmp_path_factory.mktemp("embedded")
    plans, csv = generate(ROWS, folder)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("actuals")
    with csv.open(encoding="utf-8") as f:
        for row in csv_module.reader(f):
            sheet.append(row)
    xlsx = folder / "actuals.xlsx"
    book.save(xlsx)
    db = folder / "kpi.duckdb"
    store = Store.open(db)
    load_plans(store, Editor("setup", via="test"), [plans])
    version = store.data_version()
    store.close()
    return db, xlsx, version


def _pinned(text: str) -> int | None:
    """The data version the page shows (its pinned link's caption)."""
    found = re.search(r"Link pinned to data version (\d+)", text)
    return int(found.group(1)) if found else None


def _render(page) -> str:
    """Reload and wait for the run to end; the page's text (fails on a trace)."""
    page.reload()
    page.wait_for_function(RENDERED, timeout=60_000)
    settled(page)
    assert page.locator("[data-testid='stException']").count() == 0
    text = page.locator("body").inner_text()
    assert "Traceback" not in text
    return text


def test_an_import_beside_the_running_dashboard_lands_while_pages_keep_rendering(city, page):
    db, csv, version = city
    server = BenchServer("serve.py", {"KPI_DB": str(db), "KPI_SECRETS_FILE": str(db.parent / "secrets.toml")})
    try:
        page.goto(f"{server.url}/?lang=en")
        page.wait_for_selector("h1", timeout=60_000)
        settled(page)
        assert _pinned(page.locator("body").inner_text()) == version
        time.sleep(0.5)
        assert opens_elsewhere(db)  # the idle dashboard holds no lock

        proc = subprocess.Popen([sys.executable, "-m", "kpi", "import", str(csv), "--db", str(db)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        shown, held = [], False
        while proc.poll() is None:
            text = _render(page)
            # the numbers of the version read last, or a message that retries; once the batch is committed (the
            # command may still be finishing) the new version
            shown.append(_pinned(text) if "in use by another program" not in text else "busy")
            assert shown[-1] in (version, version + 1, "busy"), text
            held = held or (proc.poll() is None and not opens_elsewhere(db))
        out, err = proc.communicate()
        assert proc.returncode == 0, err
        assert f"batch {version + 1}" in out
        assert held and shown.count(version) >= 2, shown  # pages rendered while the command held the file

        text = _render(page)
        assert _pinned(text) == version + 1 and "Another program is writing" not in text
        store = Store.open(db)
        try:
            assert store.data_version() == version + 1 and len(store.batch_rows(version + 1)) == ROWS
        finally:
            store.close()
    finally:
        server.stop()
