"""Server-side page renders with AppTest, cold and warm, against a bare page with one chart; the status engine."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench.fixtures import Built
from kpi.report import query
from kpi.settings import get_settings
from kpi.store import Store

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class PageResult:
    observations: int
    page: str
    cold_s: float
    warm_s: float
    floor_cold_s: float
    floor_warm_s: float

    @property
    def cold_ratio(self) -> float:
        return self.cold_s / self.floor_cold_s

    @property
    def warm_ratio(self) -> float:
        return self.warm_s / self.floor_warm_s


@dataclass
class EngineResult:
    observations: int
    plans: int
    current_s: float  # reading the plan's values from the store
    status_s: float  # the status engine over them


def _render(script: str, page: str | None, params: dict[str, str]) -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(script, default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    assert not at.exception, [e.value for e in at.exception]
    return elapsed


def _clear() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _cold_warm(script: str, page: str | None, params: dict[str, str], repeat: int) -> tuple[float, float]:
    colds, warms = [], []
    for _ in range(repeat):
        _clear()
        colds.append(_render(script, page, params))
        warms.append(_render(script, page, params))
    return statistics.median(colds), statistics.median(warms)


def measure_pages(built: Built, repeat: int) -> list[PageResult]:
    from streamlit import logger

    logger.set_log_level("error")  # AppTest runs pages without a server: its warnings would bury the table
    os.environ["KPI_DB"] = str(built.db)
    os.environ["KPI_DEFAULT_PLAN"] = built.plan_id
    get_settings.cache_clear()
    bare = str(ROOT / "bench" / "bare_app.py")
    app = str(ROOT / "app.py")
    floor_cold, floor_warm = _cold_warm(bare, None, {}, repeat)
    area = built.plan_id.split("-")[0] + "A"
    results = []
    for name, page, params in (("overview", None, {"lang": "zh"}),
                               ("area", "app_pages/area.py", {"lang": "zh", "area": area})):
        cold, warm = _cold_warm(app, page, params, repeat)
        results.append(PageResult(built.observations, name, cold, warm, floor_cold, floor_warm))
    _clear()
    return results


def measure_engine(built: Built, repeat: int) -> EngineResult:
    store = Store.open(built.db)
    try:
        plan = store.plan(built.plan_id)
        as_of = dt.date(plan.span.end.year, 9, 30)
        currents, statuses = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            snap = query.snapshot(store, plan.id)
            obs = snap.observations
            middle = time.perf_counter()
            snap.status(None, as_of)
            currents.append(middle - start)
            statuses.append(time.perf_counter() - middle)
            assert len(obs) > 0
        return EngineResult(built.observations, built.plans, statistics.median(currents),
                            statistics.median(statuses))
    finally:
        store.close()
