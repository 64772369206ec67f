"""Every kind of figure passes plotly's full validation (the charts are built without it, for speed),
and carries its words: status labels on the bars, names in both languages."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import pytest

from kpi.i18n import status_label
from kpi.report import charts, query, tables
from kpi.setup import load_sample
from kpi.status import evaluate_matrix
from kpi.store import Editor
from tests.conftest import import_csv

AS_OF = dt.date(2023, 11, 15)


@pytest.fixture
def figures(store):
    load_sample(store, Editor("sample", via="test"))
    import_csv(store, "indicator,period,value,note\nINV-EVENTS,2023-Q4,4,<b>bold</b> & note\n")
    plan = store.plan("2023-H2")
    snap = query.snapshot(store, "2023-H2")
    obs = snap.observations

    def make(lang: str) -> dict[str, go.Figure]:
        rows = snap.status(None, AS_OF)
        by_code = {r.indicator: r for r in rows}
        quarters = evaluate_matrix(plan, obs, "quarter", AS_OF)
        q = [r for r in quarters if r.indicator == "INV-EVENTS"]
        milestones = [i for i in plan.area("SCI").items if i.kind == "milestone"]
        return {
            "bars": charts.period_bars(plan.indicator("INV-EVENTS"), q, lang),
            "bars-monitored": charts.period_bars(plan.indicator("INV-MAJOR-PROJ"),
                                                 [r for r in quarters if r.indicator == "INV-MAJOR-PROJ"], lang),
            "cumulative": charts.cumulative(plan, plan.indicator("INV-VISITS"), obs, AS_OF, lang,
                                            highlight=tables.breakdown_window(plan, "2023-Q4")),
            "level": charts.cumulative(plan, plan.indicator("HK-BASES"), obs, AS_OF, lang),
            "milestones": charts.milestone_timeline(plan, milestones, by_code, AS_OF, lang),
            "areas": charts.area_status_bars(plan, rows, lang),
        }
    return make


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_figure_passes_full_validation(figures, lang):
    for name, fig in figures(lang).items():
        go.Figure(fig.to_dict())  # raises on any property plotly does not know
        assert fig.layout.template.layout.to_plotly_json() == {}, name  # no default template
        assert "Noto Sans CJK SC" in fig.layout.font.family, name


def test_status_words_on_bars_and_escaped_notes(figures):
    figs = figures("en")
    bar = figs["bars"].data[0]
    assert any(status_label("on_track", "en") in text or status_label("met", "en") in text for text in bar.text)
    assert any("&lt;b&gt;bold&lt;/b&gt; &amp; note" in c for c in bar.customdata)  # uploaded text is escaped
    monitored = figs["bars-monitored"].data
    assert len(monitored) == 1 and set(monitored[0].marker.color) == {charts.NEUTRAL}  # no target colouring
    assert [trace.name for trace in figs["cumulative"].data] == ["Pace (expected to date)", "Cumulative target",
                                                       "Cumulative actual"]
    assert figs["cumulative"].layout.shapes[0].type == "rect"  # the chosen period, shaded
    texts = figs["milestones"].data[-1].text
    assert all(any(word in text for word in ("Done", "Pending", "Overdue", "No data")) for text in texts)
