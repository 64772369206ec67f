"""Several processes behind one address (``make cluster``, deploy/): two app processes on one PostgreSQL store behind
nginx, driven through nginx by the system Chromium (issue 14, section 3).

- an upload committed in a session on one process is shown in a session on the other;
- killing one app process leaves the sessions on the other working, and a new visitor is served by the survivor;
- Ctrl-C stops them all; without ``KPI_DB`` the command starts its own PostgreSQL cluster, and keeps its data.

Which process serves a browser is read from the ``X-KPI-Node`` header nginx adds (the app's address); a browser's
``kpi_node`` cookie keeps it there.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from deploy.cluster import nginx_binary, render_nginx
from deploy.postgres import free_port
from tests import browser_kit
from tests.browser_kit import EDITOR_NAME, EDITOR_PASSWORD, settled, shown, sign_in, upload_december
from tests.conftest import ROOT


def _nginx_marks() -> list:
    if nginx_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("CI=true but no nginx found: install Debian's nginx", pytrace=False)
        return [pytest.mark.skip(reason="no nginx (install Debian's nginx, or set KPI_NGINX)")]
    return []


pytestmark = [*browser_kit.marks(), *_nginx_marks(), pytest.mark.slow, pytest.mark.postgresql]
INDICATOR = "/indicator?indicator=INV-FIRMS&lang=en&period=2023-H2&as_of=2023-12-31"
STARTED = re.compile(r"app process (\d+) started: http://([\d.]+):(\d+) \(pid (\d+)\)")


def _free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports on loopback."""
    for _ in range(50):
        first = free_port()
        if first + count < 65535 and all(_free(first + i) for i in range(1, count)):
            return first
    raise RuntimeError("no consecutive free ports")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class Front:
    """``python -m deploy.cluster`` as a child process, its console read line by line."""

    def __init__(self, env: dict[str, str], processes: int = 2, *extra: str):
        self.port, first = free_port(), _free_ports(processes)
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "deploy.cluster", "--processes", str(processes), "--port", str(self.port),
             "--first-port", str(first), "--lang", "en", *extra],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for("Dashboard: ", 180)
        self.pids = {f"{m[2]}:{m[3]}": int(m[4]) for m in map(STARTED.search, self.lines) if m}  # node -> pid

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, seconds: float) -> None:
        deadline = time.time() + seconds
        while not any(text in line for line in self.lines):
            if self.proc.poll() is not None or time.time() > deadline:
                time.sleep(0.5)
                raise AssertionError(f"no {text!r} from deploy.cluster:\n" + "\n".join(self.lines))
            time.sleep(0.2)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        return self.proc.wait(timeout=60)


@pytest.fixture(scope="module")
def front(pg_server, tmp_path_factory):
    from kpi.auth import hash_password

    folder = tmp_path_factory.mktemp("cluster")
    db = pg_server.new_database()
    f = Front({"KPI_DB": db, "KPI_SECRETS_FILE": str(folder / "secrets.toml"),
               "KPI_EDITORS": f"{EDITOR_NAME}={hash_password(EDITOR_PASSWORD)}"},
              2, "--no-restart")  # the killed process stays down: these tests are about the survivor
    yield f
    f.stop()
    pg_server.drop(db)


def _visit(browser, url: str, avoid: str | None = None):
    """A new visitor (its own cookies) on ``url``: (page, the node that served it); with ``avoid``, new visitors
    until one lands on another node."""
    for _ in range(30):
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        node = page.goto(url).headers["x-kpi-node"]
        if node != avoid:
            page.wait_for_selector("h1", timeout=60_000)
            settled(page)
            return page, node
        context.close()
    raise AssertionError(f"every new visitor was sent to {avoid}")


def _summary(page) -> str:
    page.wait_for_selector("h1", timeout=60_000)
    settled(page)
    return page.get_by_text(re.compile(r"^Actual .* · Target")).first.inner_text()


def _node_of(page, url: str) -> str:
    """The node nginx sends this browser's requests to now (its cookie decides)."""
    return page.request.get(url).headers["x-kpi-node"]


def test_an_upload_on_one_process_is_shown_on_the_other(front, browser):
    one, node_one = _visit(browser, front.url + INDICATOR)
    other, node_other = _visit(browser, front.url + INDICATOR, avoid=node_one)
    assert {node_one, node_other} == set(front.pids)  # the two sessions are on the two processes
    assert _summary(other).startswith("Actual 107 firms")

    one.goto(f"{front.url}/upload?lang=en")
    one.wait_for_selector("h1", timeout=60_000)
    settled(one)
    sign_in(one, EDITOR_NAME, EDITOR_PASSWORD)
    shown(one.get_by_text(f"Signed in as editor {EDITOR_NAME}").first)
    confirm = upload_december(one)
    confirm.click()
    shown(one.get_by_text(re.compile(r"Committed as batch \d+ \(1 rows\)")).first)
    assert _node_of(one, front.url) == node_one  # the upload went through its own process

    response = other.reload()
    assert response.headers["x-kpi-node"] == node_other
    assert _summary(other).startswith("Actual 40 firms")  # the other process shows the new batch


def test_killing_one_process_leaves_the_other_serving(front, browser):
    doomed_page, doomed = _visit(browser, front.url + INDICATOR)
    survivor_page, survivor = _visit(browser, front.url + INDICATOR, avoid=doomed)
    os.kill(front.pids[doomed], signal.SIGKILL)
    front.wait_for(f"port {doomed.rsplit(':', 1)[1]}) ended", 30)

    # the session on the survivor keeps working: a rerun over its WebSocket (a page switch), then a reload
    browser_kit.menu(survivor_page, "History").click()
    survivor_page.wait_for_url(re.compile(r"/history"), timeout=30_000)
    shown(survivor_page.get_by_role("heading", name="History").first)
    assert survivor_page.reload().headers["x-kpi-node"] == survivor
    survivor_page.wait_for_selector("h1", timeout=60_000)
    assert survivor_page.locator("[data-testid='stException']").count() == 0

    page, node = _visit(browser, front.url + INDICATOR)  # a new visitor
    assert node.endswith(survivor)  # (after the dead one was tried, when nginx had not yet marked it down)
    assert _summary(page).startswith("Actual ")
    # and the visitor whose process died is taken in by the survivor at its next load
    assert doomed_page.reload().headers["x-kpi-node"].endswith(survivor)
    assert _summary(doomed_page).startswith("Actual ")


def test_a_process_that_ends_is_started_again_on_its_port(pg_server, tmp_path, browser):
    """By default a killed app process is started again on its port, and the front serves the page from it (one
    process, so every visitor goes to it)."""
    db = pg_server.new_database()
    f = Front({"KPI_DB": db, "KPI_SECRETS_FILE": str(tmp_path / "secrets.toml")}, 1)
    try:
        [(node, pid)] = f.pids.items()
        port = node.rsplit(":", 1)[1]
        os.kill(pid, signal.SIGKILL)
        f.wait_for(f"app process 1 (port {port}) ended", 30)
        f.wait_for(f"starting app process 1 again (port {port})", 30)
        deadline = time.time() + 120
        while len([m for m in map(STARTED.search, f.lines) if m]) < 2 and time.time() < deadline:
            time.sleep(0.2)
        again = [m for m in map(STARTED.search, f.lines) if m]
        assert len(again) == 2 and again[1][3] == port and int(again[1][4]) != pid, f.lines
        page, served_by = _visit(browser, f.url + INDICATOR)  # a new visitor through nginx, to the new process
        assert served_by == node and _summary(page).startswith("Actual ")
    finally:
        assert f.stop() == 0
        pg_server.drop(db)


def test_ctrl_c_stops_them_all(front):
    pids = list(front.pids.values())
    assert front.stop() == 0
    assert "All stopped." in front.lines
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
    with pytest.raises(OSError):
        urllib.request.urlopen(front.url, timeout=2)


def test_without_a_server_it_starts_postgresql_and_keeps_its_data(tmp_path):
    pg_dir = Path(tempfile.mkdtemp(prefix="kpi-cluster-pg-"))  # a folder the postgres user can enter
    env = {"KPI_DB": str(tmp_path / "ignored.duckdb"), "KPI_SECRETS_FILE": str(tmp_path / "secrets.toml")}
    try:
        first = Front(env, 1, "--pg-dir", str(pg_dir))
        with urllib.request.urlopen(first.url + "/api/v1/health", timeout=10) as r:
            assert r.status == 200
        assert first.stop() == 0
        assert any(line.startswith("PostgreSQL started") for line in first.lines)
        assert any("sample data: batch" in line for line in first.lines)
        assert (pg_dir / "data" / "PG_VERSION").exists()  # kept for the next start

        again = Front(env, 1, "--pg-dir", str(pg_dir))
        assert again.stop() == 0
        assert any("sample data: already loaded" in line for line in again.lines), \
            again.lines
    finally:
        from deploy import postgres

        postgres.stop(pg_dir)


def test_the_nginx_file_is_valid_and_sticks_by_cookie(tmp_path):
    text = render_nginx(["127.0.0.1:8511", "10.0.0.3:8511"], "127.0.0.1:8501", tmp_path)
    assert "hash $kpi_node consistent;" in text and "server 10.0.0.3:8511" in text
    assert not re.search(r"@[A-Z_]+@", text)  # every word filled in
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / name).mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    done = subprocess.run([nginx_binary(), "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
