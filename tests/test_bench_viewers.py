"""The load generator of `python -m bench viewers` speaks Streamlit's protocol: against a real server (serve.py over
the sample data), each of a few viewers opening the overview at once gets the whole page and the end of its script."""

from __future__ import annotations

import pytest

from bench.viewers import run_crowd
from tests.browser_kit import Server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("viewers") / "kpi.duckdb")
    yield s
    s.stop()


def test_a_few_viewers_at_once_each_reach_the_end_of_the_overview(served):
    sessions, wall = run_crowd(served.port, 3, "/", "plan=2023-H2")
    assert len(sessions) == 3
    for s in sessions:
        assert s.error == "", s.error
        assert s.exceptions == [], s.exceptions
        assert s.finished == "FINISHED_SUCCESSFULLY"
        assert s.elements.get("plotly_chart", 0) >= 1 and s.elements.get("heading", 0) >= 1, s.elements
        assert 0 < s.seconds <= wall
    assert all(s.ok for s in sessions)


def test_a_viewer_that_gets_no_page_is_a_failure_not_a_time():
    """Nothing listening: the client reports the failure, and the session does not count as served."""
    from deploy.postgres import free_port

    sessions, _ = run_crowd(free_port(), 1)
    assert sessions[0].error and not sessions[0].finished and not sessions[0].ok


def test_the_lengthened_bare_page_sends_as_many_elements_as_asked():
    """The element floor: bench/bare_app.py with KPI_BENCH_ELEMENTS=N sends its title and chart and N lines, and the
    client counts every element and block the page sent."""
    from bench.server import Server as BenchServer
    from bench.viewers import ELEMENTS_ENV

    for extra in (0, 7):
        server = BenchServer("bench/bare_app.py", {ELEMENTS_ENV: str(extra)})
        try:
            session = run_crowd(server.port, 1)[0][0]
        finally:
            server.stop()
        assert session.ok, session.error
        assert session.deltas == 2 + extra  # the title and the chart, then the lines
        assert session.elements.get("markdown", 0) == extra


def test_the_overview_sends_its_count_of_elements_and_blocks(served):
    sessions, _ = run_crowd(served.port, 1, "/", "plan=2023-H2")
    assert sessions[0].deltas >= sum(sessions[0].elements.values()) + 1  # the blocks (cards, columns) too
