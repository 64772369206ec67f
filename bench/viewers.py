"""Many viewers at once, without browsers: a load generator that speaks Streamlit's own protocol.

Each viewer does what the Streamlit 1.67 frontend does when a page is opened: it connects a WebSocket to
``/_stcore/stream`` offering the subprotocols ``streamlit`` and an auth token (the frontend sends the
``_streamlit_xsrf`` cookie there, or ``PLACEHOLDER_AUTH_TOKEN`` without one; the server checks it only to read
a signed-in user's cookie), sends one ``BackMsg`` with ``rerun_script`` (the page's query string and page name,
the URL path without its slash) and reads ``ForwardMsg``s until ``script_finished``. Its time is from the start of
the connection to that message. Exceptions shown on the page (``Element.exception``) are collected, so a page
that fails is not counted as served.

`python -m bench viewers` serves the overview (serve.py over a store with the sample data, ``/?plan=2023-H2``)
and bench/bare_app.py the same way, one process each, warms each with one viewer, then opens the page for N
viewers at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CROWDS = (10, 50)
TIMEOUT_S = 300.0


@dataclass
class Session:
    seconds: float = float("nan")  # connect to script_finished
    finished: str = ""  # the ScriptFinishedStatus name, "" if none arrived
    elements: dict[str, int] = field(default_factory=dict)  # element kind -> count
    exceptions: list[str] = field(default_factory=list)  # the messages of Element.exception
    error: str = ""  # the client's own failure (connection refused, timeout, closed)

    @property
    def ok(self) -> bool:
        return self.finished == "FINISHED_SUCCESSFULLY" and not self.exceptions and not self.error


async def open_page(port: int, path: str = "/", query: str = "", timeout: float = TIMEOUT_S) -> Session:
    """One viewer: connect, ask for one run of the page, read until the script has finished."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    session = Session()
    start = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream",
                                          subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
                                          max_size=None, compression=None) as ws:
                back = BackMsg()
                back.rerun_script.query_string = query.lstrip("?")
                back.rerun_script.page_name = path.strip("/")
                back.rerun_script.context_info.timezone = "Asia/Shanghai"
                back.rerun_script.context_info.locale = "zh-CN"
                back.rerun_script.context_info.url = f"http://127.0.0.1:{port}{path}{'?' if query else ''}" \
                                                     f"{query.lstrip('?')}"
                await ws.send(back.SerializeToString())
                while True:
                    data = await ws.recv()
                    msg = ForwardMsg()
                    msg.ParseFromString(data)
                    kind = msg.WhichOneof("type")
                    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                        element = msg.delta.new_element.WhichOneof("type") or "?"
                        session.elements[element] = session.elements.get(element, 0) + 1
                        if element == "exception":
                            e = msg.delta.new_element.exception
                            session.exceptions.append(f"{e.type}: {e.message}")
                    elif kind == "script_finished":
                        status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                        if status == "FINISHED_EARLY_FOR_RERUN":  # st.rerun or a page switch: a new run follows
                            continue
                        session.finished = status
                        break
                session.seconds = time.perf_counter() - start
    except Exception as exc:  # noqa: BLE001 - a viewer's failure is a result, reported with the others
        session.error = f"{type(exc).__name__}: {exc}"
    return session


async def crowd(port: int, viewers: int, path: str = "/", query: str = "") -> tuple[list[Session], float]:
    """``viewers`` viewers opening the page at once; the sessions and the wall time until the last finished."""
    start = time.perf_counter()
    sessions = await asyncio.gather(*(open_page(port, path, query) for _ in range(viewers)))
    return list(sessions), time.perf_counter() - start


def run_crowd(port: int, viewers: int, path: str = "/", query: str = "") -> tuple[list[Session], float]:
    return asyncio.run(crowd(port, viewers, path, query))


@dataclass
class CrowdResult:
    page: str  # "overview" or "bare page"
    viewers: int
    wall_s: float
    p50_s: float
    p95_s: float
    failed: int  # sessions that did not finish cleanly
    first_s: float  # the warm-up viewer (the caches of a fresh server)

    @property
    def per_second(self) -> float:
        return self.viewers / self.wall_s


@dataclass
class ViewersReport:
    crowds: list[CrowdResult]
    measured: str = ""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _measure(port: int, page: str, path: str, query: str, crowds: tuple[int, ...], repeat: int) -> list[CrowdResult]:
    first = run_crowd(port, 1, path, query)[0][0]
    if not first.ok:
        raise RuntimeError(f"{page}: the first viewer failed: {first.error or first.exceptions or first.finished}")
    results = []
    for n in crowds:
        walls, p50s, p95s, failed = [], [], [], 0
        for _ in range(repeat):
            sessions, wall = run_crowd(port, n, path, query)
            times = [s.seconds for s in sessions if s.ok]
            failed += sum(not s.ok for s in sessions)
            walls.append(wall)
            p50s.append(_percentile(times, 0.5))
            p95s.append(_percentile(times, 0.95))
        results.append(CrowdResult(page, n, statistics.median(walls), statistics.median(p50s),
                                   statistics.median(p95s), failed, first.seconds))
    return results


def measure_viewers(crowds: tuple[int, ...] = CROWDS, repeat: int = 3) -> ViewersReport:
    """Our overview (serve.py, the sample data, /?plan=2023-H2) and the bare page, one server process each."""
    from bench.server import Server

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "kpi.duckdb"
        env = {"KPI_DB": str(db), "KPI_SECRETS_FILE": str(Path(tmp) / "secrets.toml")}
        subprocess.run([sys.executable, "-m", "kpi", "init", "--sample"], cwd=ROOT, env={**os.environ, **env},
                       check=True, capture_output=True)
        results = []
        for page, script, path, query in (("overview", "serve.py", "/", "plan=2023-H2"),
                                          ("bare page", str(ROOT / "bench" / "bare_app.py"), "/", "")):
            server = Server(script, env)
            try:
                results += _measure(server.port, page, path, query, crowds, repeat)
            finally:
                server.stop()
    load = os.getloadavg()[0]
    return ViewersReport(results, f"{dt.datetime.now():%Y-%m-%d %H:%M}, load average {load:.1f} on "
                                  f"{os.cpu_count()} cores")


def section(report: ViewersReport | None) -> list[str]:
    """The section of bench/RESULTS.md."""
    lines = [
        "## Many viewers at once: Streamlit's own protocol over WebSockets, one server process",
        "",
        "A load generator (bench/viewers.py) opens the page as the frontend does, without a browser: a WebSocket to "
        "`/_stcore/stream`, one `rerun_script` with the page's query string, then every `ForwardMsg` until "
        "`script_finished`. The time of a viewer is from the connection to the end of its script; N viewers connect "
        "at once, after one viewer has filled the caches; sessions per second is N over the time until the last "
        "finished. The overview is serve.py over the sample data at `/?plan=2023-H2`; the bare page is "
        "bench/bare_app.py (one chart) served the same way. The load generator runs on the same machine.",
        "",
        *([f"Measured {report.measured}.", ""] if report and report.measured else []),
        "| page | viewers at once | sessions per second | p50 to script end | p95 | failed | first viewer (cold) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    if report is None:
        return lines + ["| — | not measured | | | | | |"]
    for c in report.crowds:
        lines.append(f"| {c.page} | {c.viewers} | {c.per_second:.1f} | {c.p50_s:.2f} s | {c.p95_s:.2f} s | "
                     f"{c.failed} | {c.first_s:.2f} s |")
    bare = {c.viewers: c for c in report.crowds if c.page == "bare page"}
    ratios = [f"{c.viewers} viewers: {bare[c.viewers].per_second / c.per_second:.1f}× fewer sessions per second, "
              f"p95 {c.p95_s / bare[c.viewers].p95_s:.1f}×"
              for c in report.crowds if c.page == "overview" and c.viewers in bare]
    if ratios:
        lines += ["", "The overview against the bare page: " + "; ".join(ratios) + "."]
    return lines
