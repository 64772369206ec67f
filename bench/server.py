"""A real server: peak memory after the pages are opened, and the time to the first rendered chart in Chromium."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the system Chromium, found once for the benchmark and the browser tests (never a downloaded browser)
CANDIDATES = (os.environ.get("KPI_CHROMIUM"), "/usr/bin/chromium-headless-shell",
              shutil.which("chromium-headless-shell"), "/usr/bin/chromium", shutil.which("chromium"))
CHROMIUM = next((c for c in CANDIDATES if c and Path(c).exists()), None)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@dataclass
class ServerResult:
    observations: int
    peak_mb: float
    first_chart_s: float  # opening the overview link to its first rendered chart (a fresh browser context)
    floor_first_chart_s: float  # the same for the bare page with one chart

    @property
    def ratio(self) -> float:
        return self.first_chart_s / self.floor_first_chart_s


class Server:
    def __init__(self, script: str, env: dict[str, str]):
        from deploy.cluster import wait_healthy
        from deploy.postgres import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_healthy(self.url, self.proc, 60)
        except RuntimeError as exc:
            self.stop()
            raise RuntimeError(f"the Streamlit server did not start: {exc}") from exc

    def peak_mb(self) -> float:
        """The server's peak resident memory (VmHWM) so far."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _first_chart(browser, url: str) -> float:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed


def measure_server(db: Path, plan_id: str, observations: int, repeat: int) -> ServerResult | None:
    if CHROMIUM is None:
        return None
    from playwright.sync_api import sync_playwright

    env = {"KPI_DB": str(db), "KPI_DEFAULT_PLAN": plan_id}
    app, bare = Server("serve.py", env), Server(str(ROOT / "bench" / "bare_app.py"), env)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            area = plan_id.split("-")[0] + "A"
            for path in ("/?lang=zh", f"/area?area={area}&lang=zh", "/indicator?lang=zh"):  # fill the caches
                _first_chart(browser, app.url + path)
            apps = [_first_chart(browser, app.url + "/?lang=zh") for _ in range(repeat)]
            bares = [_first_chart(browser, bare.url + "/") for _ in range(repeat)]
            browser.close()
        return ServerResult(observations, app.peak_mb(), statistics.median(apps), statistics.median(bares))
    finally:
        app.stop()
        bare.stop()
