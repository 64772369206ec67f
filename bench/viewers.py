"""Many viewers at once, without browsers: a load generator that speaks Streamlit's own protocol.

Each viewer does what the Streamlit 1.67 frontend does when a page is opened: it connects a WebSocket to
``/_stcore/stream`` offering the subprotocols ``streamlit`` and an auth token (the frontend sends the
``_streamlit_xsrf`` cookie there, or ``PLACEHOLDER_AUTH_TOKEN`` without one; the server checks it only to read
a signed-in user's cookie), sends one ``BackMsg`` with ``rerun_script`` (the page's query string and page name,
the URL path without its slash) and reads ``ForwardMsg``s until ``script_finished``. Its time is from the start of
the connection to that message. Exceptions shown on the page (``Element.exception``) are collected, so a page
that fails is not counted as served.

`python -m bench viewers` serves bench/bare_app.py (the floor) and the overview (serve.py over a store with the
sample data, ``/?plan=2023-H2``) with 1 process, and with 2 behind nginx (deploy/nginx.conf), the overview on
DuckDB and on PostgreSQL (a throwaway cluster); warms each with a few viewers, then opens the page for N viewers
at once. A third floor is the bare page lengthened with plain Markdown lines to as many elements and blocks as the
overview sends: what Streamlit itself costs for a page that long, without any of our work.
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
CROWDS = (10, 50, 200)
TIMEOUT_S = 300.0


@dataclass
class Session:
    seconds: float = float("nan")  # connect to script_finished
    finished: str = ""  # the ScriptFinishedStatus name, "" if none arrived
    elements: dict[str, int] = field(default_factory=dict)  # element kind -> count
    deltas: int = 0  # every element and block the page sent (Streamlit sends each as a message)
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
                    session.deltas += kind == "delta"
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


@dataclass(frozen=True)
class Setup:
    processes: int  # behind nginx when more than one
    engine: str = ""  # "duckdb" or "postgresql"; "" for the bare page, which reads no store

    @property
    def store(self) -> str:
        return {"duckdb": "DuckDB", "postgresql": "PostgreSQL"}.get(self.engine, "")

    @property
    def label(self) -> str:
        served = "1 process" if self.processes == 1 else f"{self.processes} processes behind nginx"
        return f"{served} · {self.store}" if self.store else served


@dataclass
class CrowdResult:
    page: str  # OVERVIEW, BARE or ELEMENTS
    viewers: int
    wall_s: float
    p50_s: float
    p95_s: float
    failed: int  # sessions that did not finish cleanly
    first_s: float  # the warm-up viewer (the caches of a fresh server)
    setup: Setup = Setup(1, "duckdb")
    deltas: int = 0  # the elements and blocks the warm-up viewer's page sent

    @property
    def per_second(self) -> float:
        return self.viewers / self.wall_s


OVERVIEW, BARE, ELEMENTS = "overview", "bare page", "bare page +"  # the last: "bare page + N lines"
# the bare page's floor with 1 and 2 processes, then the overview on each store with 1 and 2 processes
SETUPS = (Setup(1, "duckdb"), Setup(1, "postgresql"), Setup(2, "duckdb"), Setup(2, "postgresql"))


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


def _measure(port: int, page: str, path: str, query: str, crowds: tuple[int, ...], repeat: int,
             setup: Setup = Setup(1, "duckdb")) -> list[CrowdResult]:
    first = run_crowd(port, 1, path, query)[0][0]
    if not first.ok:
        raise RuntimeError(f"{page}: the first viewer failed: {first.error or first.exceptions or first.finished}")
    for _ in range(3):  # with several processes, each one's caches (a new viewer goes to any of them)
        run_crowd(port, 2, path, query)
    results = []
    for n in crowds:
        walls, p50s, p95s, failed = [], [], [], 0
        for _ in range(repeat if n <= 50 else 1):  # a crowd of 200 once: it takes a minute or more
            sessions, wall = run_crowd(port, n, path, query)
            times = [s.seconds for s in sessions if s.ok]
            failed += sum(not s.ok for s in sessions)
            walls.append(wall)
            p50s.append(_percentile(times, 0.5))
            p95s.append(_percentile(times, 0.95))
        results.append(CrowdResult(page, n, statistics.median(walls), statistics.median(p50s),
                                   statistics.median(p95s), failed, first.seconds, setup, first.deltas))
    return results


class _Served:
    """``processes`` servers of ``script`` on one store, behind nginx (deploy/nginx.conf) when more than one: the
    port viewers connect to."""

    def __init__(self, script: str, env: dict[str, str], processes: int):
        from bench.server import Server
        from deploy.cluster import Cluster, cookie_secret
        from deploy.postgres import free_port

        self.servers = [Server(script, {**env, "STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret()})
                        for _ in range(processes)]
        self.front = None
        self.port = self.servers[0].port
        if processes > 1:
            self.front = Cluster("en", quiet=True)
            self.port = free_port()
            self.front.start_front([f"127.0.0.1:{s.port}" for s in self.servers], "127.0.0.1", self.port)

    def stop(self) -> None:
        if self.front is not None:
            self.front.stop()
        for server in self.servers:
            server.stop()


OVERVIEW_QUERY = "plan=2023-H2"
ELEMENTS_ENV = "KPI_BENCH_ELEMENTS"  # bench/bare_app.py adds this many Markdown lines


def measure_viewers(crowds: tuple[int, ...] = CROWDS, repeat: int = 3,
                    setups: tuple[Setup, ...] = SETUPS) -> ViewersReport:
    """The bare page and our overview (serve.py, the sample data, /?plan=2023-H2) in each setup: 1 or 2 processes
    (behind nginx), on DuckDB or on PostgreSQL (a throwaway cluster on loopback)."""
    from deploy import postgres

    results, cluster = [], None
    with tempfile.TemporaryDirectory() as tmp:
        try:
            stores = {}
            for engine in sorted({s.engine for s in setups}):
                if engine == "postgresql":
                    cluster = postgres.start()
                    stores[engine] = cluster.url
                else:
                    stores[engine] = str(Path(tmp) / "kpi.duckdb")
                env = {"KPI_DB": stores[engine], "KPI_SECRETS_FILE": str(Path(tmp) / "secrets.toml")}
                subprocess.run([sys.executable, "-m", "kpi", "init", "--sample"], cwd=ROOT,
                               env={**os.environ, **env}, check=True, capture_output=True)
            env = {"KPI_SECRETS_FILE": str(Path(tmp) / "secrets.toml")}
            any_store = next(iter(stores.values()))
            bare = str(ROOT / "bench" / "bare_app.py")
            for processes in sorted({s.processes for s in setups}):  # the bare page reads no store: any will do
                served = _Served(bare, {**env, "KPI_DB": any_store}, processes)
                try:
                    results += _measure(served.port, BARE, "/", "", crowds, repeat, Setup(processes))
                finally:
                    served.stop()
            for setup in setups:
                served = _Served("serve.py", {**env, "KPI_DB": stores[setup.engine]}, setup.processes)
                try:
                    results += _measure(served.port, OVERVIEW, "/", OVERVIEW_QUERY, crowds, repeat, setup)
                finally:
                    served.stop()
            # the floor of a page as long as the overview: the bare page and plain Markdown lines, as many
            # elements and blocks as the overview sent (Streamlit's cost per element, without our work)
            extra = next(c.deltas for c in results if c.page == OVERVIEW) - \
                next(c.deltas for c in results if c.page == BARE)
            served = _Served(bare, {**env, "KPI_DB": any_store, ELEMENTS_ENV: str(extra)}, 1)
            try:
                results += _measure(served.port, f"{ELEMENTS} {extra} lines", "/", "", crowds, repeat, Setup(1))
            finally:
                served.stop()
        finally:
            if cluster is not None:
                postgres.stop(cluster.folder)
    load = os.getloadavg()[0]
    return ViewersReport(results, f"{dt.datetime.now():%Y-%m-%d %H:%M}, load average {load:.1f} on "
                                  f"{os.cpu_count()} cores")


def section(report: ViewersReport | None) -> list[str]:
    """The section of bench/RESULTS.md."""
    lines = [
        "## Many viewers at once: Streamlit's own protocol over WebSockets, 1 and 2 processes, DuckDB and PostgreSQL",
        "",
        "A load generator (bench/viewers.py) opens the page as the frontend does, without a browser: a WebSocket to "
        "`/_stcore/stream`, one `rerun_script` with the page's query string, then every `ForwardMsg` until "
        "`script_finished`. The time of a viewer is from the connection to the end of its script; N viewers connect "
        "at once, after a few viewers have filled the caches; sessions per second is N over the time until the last "
        "finished (a crowd of 200 once, smaller crowds the median of the repeats). The overview is serve.py over the "
        "sample data at `/?plan=2023-H2`; the bare page is bench/bare_app.py (one chart) served the same way, the "
        "floor in the same run; \"bare page + N lines\" is the same page with N plain Markdown lines, as many "
        "elements and blocks as one run of the overview sends (counted in the same run). Two processes sit "
        "behind nginx with deploy/nginx.conf (each WebSocket without a "
        "cookie goes to a process by a random key); PostgreSQL is a throwaway cluster on loopback. The load "
        "generator, nginx and PostgreSQL run on the same machine as the app processes.",
        "",
        *([f"Measured {report.measured}.", ""] if report and report.measured else []),
        "| setup | page | viewers at once | sessions per second | p50 to script end | p95 | failed | first viewer |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    if report is None:
        return lines + ["| — | — | not measured | | | | | |"]
    for c in report.crowds:
        lines.append(f"| {c.setup.label} | {c.page} | {c.viewers} | {c.per_second:.1f} | {c.p50_s:.2f} s | "
                     f"{c.p95_s:.2f} s | {c.failed} | {c.first_s:.2f} s |")
    return lines + ["", *_comparisons(report.crowds)]


def _comparisons(crowds: list[CrowdResult]) -> list[str]:
    """The goals of issue 14 against the figures: the overview against the bare page with as many processes,
    2 processes against 1 on the same store, p95 for 50 viewers with 2 processes."""
    bare = {(c.setup.processes, c.viewers): c for c in crowds if c.page == BARE}
    long = {c.viewers: c for c in crowds if c.page.startswith(ELEMENTS)}
    overview = {(c.setup, c.viewers): c for c in crowds if c.page == OVERVIEW}
    lines = []
    against_bare = [f"{setup.label}, {n}: {c.per_second / bare[(setup.processes, n)].per_second:.2f}×"
                    for (setup, n), c in overview.items() if (setup.processes, n) in bare]
    if against_bare:
        lines.append("- The overview's sessions per second against the bare page's with as many processes "
                     "(goal ≥ 0.8×): " + "; ".join(against_bare) + ".")
    floor = [f"{n}: {long[n].per_second / bare[(1, n)].per_second:.2f}× the bare page; the overview "
             + ", ".join(f"{c.setup.store} {c.per_second / long[n].per_second:.2f}×" for (setup, v), c
                         in overview.items() if v == n and setup.processes == 1) + " it"
             for n in sorted(long) if (1, n) in bare]
    if floor:
        lines.append("- The bare page with as many elements and blocks as the overview sends (plain Markdown "
                     "lines), 1 process — Streamlit's own cost of a page that long: " + "; ".join(floor) + ".")
    scaling = [f"{c.setup.store}, {c.viewers}: {c.per_second / one.per_second:.2f}×"
               for (setup, n), c in overview.items() if setup.processes == 2
               and (one := overview.get((Setup(1, setup.engine), n)))]
    scaling += [f"bare page, {n}: {bare[(2, n)].per_second / bare[(1, n)].per_second:.2f}×"
                for n in sorted({v for _, v in bare}) if (1, n) in bare and (2, n) in bare]
    if scaling:
        lines.append("- 2 processes behind nginx against 1, sessions per second (goal ≥ 1.7× for the overview): "
                     + "; ".join(scaling) + ".")
    p95 = [f"{c.setup.store}: {c.p95_s:.1f} s" for (setup, n), c in overview.items()
           if setup.processes == 2 and n == 50]
    if p95:
        lines.append("- p95 when 50 viewers open the overview at once with 2 processes (goal ≤ 4 s): "
                     + "; ".join(p95) + ".")
    return lines
