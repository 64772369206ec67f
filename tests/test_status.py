"""The status engine on a real DuckDB file, with observations imported through the one ingest pipeline."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from kpi.plan.models import load_plan
from kpi.status import Bands, evaluate, evaluate_matrix
from tests.conftest import EDITOR, import_csv, status_of

pytestmark = pytest.mark.engines  # on a DuckDB file and on PostgreSQL

D = dt.date
AFTER = D(2024, 1, 15)  # the whole plan span has ended
MID_AUG = D(2023, 8, 15)  # 46 of the 184 days of 2023-H2 have passed: pace share 0.25


def csv(*rows: tuple[str, str, object]) -> str:
    return "indicator,period,value\n" + "".join(f"{i},{p},{v}\n" for i, p, v in rows)


def load(store, *rows: tuple[str, str, object]) -> int:
    return import_csv(store, csv(*rows))


# --- acceptance cases ---------------------------------------------------------

def test_inv_events_met_for_the_half(store):
    load(store, ("INV-EVENTS", "2023-Q3", 2), ("INV-EVENTS", "2023-Q4", 5))
    row = status_of(store, "INV-EVENTS", "2023-H2", AFTER)
    assert row.period == "2023-H2"
    assert row.target == pytest.approx(6.0)
    assert row.actual == 7.0
    assert row.progress == pytest.approx(7 / 6)
    assert row.progress == pytest.approx(1.1667, abs=1e-4)
    assert row.target_basis == "plan"
    assert row.own_target is True
    assert row.status == "met"


@pytest.mark.parametrize(("period", "target", "actual", "status", "shortfalls"), [
    ("2023-Q3", 2.0, 2.0, "met", []),
    ("2023-Q4", 2.0, 1.0, "missed", ["2023-Q4"]),
    ("2023-H2", 4.0, 3.0, "missed", ["2023-Q4"]),
])
def test_ip_training_every_quarter(store, period, target, actual, status, shortfalls):
    load(store, ("INNO-IP-TRAIN", "2023-Q3", 2), ("INNO-IP-TRAIN", "2023-Q4", 1))
    row = status_of(store, "INNO-IP-TRAIN", period, AFTER)
    assert (row.target, row.actual, row.status, row.shortfalls) == (target, actual, status, shortfalls)
    assert row.own_target is True
    assert row.target_basis == "plan"


def test_inv_visits_off_track_in_august(store):
    load(store, ("INV-VISITS", "2023-07", 3))
    row = status_of(store, "INV-VISITS", "2023-H2", MID_AUG)
    assert row.target == 20.0
    assert row.actual == 3.0
    assert row.expected == pytest.approx(5.0)
    assert row.pace == pytest.approx(0.6)
    assert row.progress == pytest.approx(0.15)
    assert row.own_target is True  # the half carries its own target ...
    assert row.status == "off_track"  # ... but has not ended: judged on pace


def test_recurring_minimum_missed_although_the_total_caught_up(store):
    load(store, ("INNO-IP-TRAIN", "2023-Q3", 1), ("INNO-IP-TRAIN", "2023-Q4", 3))
    row = status_of(store, "INNO-IP-TRAIN", "2023-H2", AFTER)
    assert row.actual == 4.0
    assert row.target == 4.0
    assert row.progress == pytest.approx(1.0)
    assert row.shortfalls == ["2023-Q3"]
    assert row.status == "missed"


def test_recurring_shortfall_in_progress_is_off_track(store):
    """Q3 ended one short; in Q4 the half is in progress and already behind for good."""
    load(store, ("INNO-IP-TRAIN", "2023-Q3", 1), ("INNO-IP-TRAIN", "2023-10", 5))
    row = status_of(store, "INNO-IP-TRAIN", "2023-H2", D(2023, 11, 15))
    assert row.actual == 6.0
    assert row.shortfalls == ["2023-Q3"]
    assert row.status == "off_track"


def test_monthly_minimum_with_one_empty_month(store):
    months = ["2023-07", "2023-08", "2023-09", "2023-10", "2023-11", "2023-12"]
    load(store, *[("INNO-HTE-TRAIN", m, v) for m, v in zip(months, [1, 1, 1, 0, 1, 2], strict=True)])
    row = status_of(store, "INNO-HTE-TRAIN", "2023-H2", AFTER)
    assert row.actual == 6.0
    assert row.target == 6.0
    assert row.shortfalls == ["2023-10"]
    assert row.status == "missed"


def test_monthly_minimum_reported_only_as_quarter_totals_cannot_be_judged_by_month(store):
    load(store, ("INNO-HTE-TRAIN", "2023-Q3", 3), ("INNO-HTE-TRAIN", "2023-Q4", 3))
    row = status_of(store, "INNO-HTE-TRAIN", "2023-H2", AFTER)
    assert row.actual == 6.0
    assert row.shortfalls == []
    assert row.status == "met"


def test_monthly_minimum_month_not_reported_at_all_is_a_shortfall(store):
    """No value for 2023-11 (and no quarter value covering it): the month counts as 0."""
    months = ["2023-07", "2023-08", "2023-09", "2023-10", "2023-12"]
    load(store, *[("INNO-HTE-TRAIN", m, 2) for m in months])
    row = status_of(store, "INNO-HTE-TRAIN", "2023-H2", AFTER)
    assert row.actual == 10.0
    assert row.shortfalls == ["2023-11"]
    assert row.status == "missed"


# --- pace bands ---------------------------------------------------------------

@pytest.mark.parametrize(("value", "pace", "status"), [
    (6, 1.2, "on_track"),
    (5, 1.0, "on_track"),
    (4.5, 0.9, "at_risk"),
    (4.25, 0.85, "at_risk"),
    (4, 0.8, "off_track"),
])
def test_default_bands(store, value, pace, status):
    load(store, ("INV-VISITS", "2023-07", value))
    row = status_of(store, "INV-VISITS", "2023-H2", MID_AUG, Bands(on_track=1.0, at_risk=0.85))
    assert row.expected == pytest.approx(5.0)
    assert row.actual == float(value)
    assert row.pace == pytest.approx(pace)
    assert row.status == status


@pytest.mark.parametrize(("bands", "status"), [
    (Bands(at_risk=0.5), "at_risk"),
    (Bands(on_track=0.6, at_risk=0.5), "on_track"),
    (Bands(), "off_track"),
])
def test_custom_bands(store, bands, status):
    load(store, ("INV-VISITS", "2023-07", 3))
    row = status_of(store, "INV-VISITS", "2023-H2", MID_AUG, bands)
    assert row.pace == pytest.approx(0.6)
    assert row.status == status


@pytest.mark.parametrize(("ratio", "status"), [
    (1.5, "on_track"), (1.0, "on_track"), (0.9999, "at_risk"),
    (0.85, "at_risk"), (0.8499, "off_track"), (0.0, "off_track"),
])
def test_bands_classify(ratio, status):
    assert Bands().classify(ratio) == status


# --- pace on a part of a longer target ----------------------------------------

def test_quarter_of_a_half_year_target_is_judged_on_pace(store):
    load(store, ("INV-EVENTS", "2023-Q3", 2))
    row = status_of(store, "INV-EVENTS", "2023-Q3", AFTER)
    assert row.period == "2023-Q3"
    assert row.target == pytest.approx(3.0)  # 6 × 92/184
    assert row.target_basis == "pace"
    assert row.own_target is False
    assert row.expected == pytest.approx(3.0)
    assert row.actual == 2.0
    assert row.pace == pytest.approx(2 / 3)
    assert row.status == "off_track"  # never "missed": the quarter carries no target of its own


@pytest.mark.parametrize(("value", "status"), [(3, "on_track"), (2.6, "at_risk"), (1, "off_track")])
def test_quarter_of_a_half_year_target_statuses(store, value, status):
    load(store, ("INV-EVENTS", "2023-Q3", value))
    row = status_of(store, "INV-EVENTS", "2023-Q3", AFTER)
    assert row.status == status


# --- stocks ---------------------------------------------------------------------

@pytest.mark.parametrize(("rows", "actual", "status"), [
    ([("2023-Q4", 100)], 100.0, "met"),
    ([("2023-Q3", 46), ("2023-Q4", 107)], 107.0, "met"),
    ([("2023-Q3", 100), ("2023-Q4", 90)], 90.0, "missed"),  # the latest value wins, not the largest
    ([("2023-07", 12), ("2023-12", 104)], 104.0, "met"),
])
def test_stock_inv_firms(store, rows, actual, status):
    """不少于100家 distinct firms: a level (firms contacted since the plan's start), target 100 for 2023-H2."""
    load(store, *[("INV-FIRMS", p, v) for p, v in rows])
    row = status_of(store, "INV-FIRMS", "2023-H2", AFTER)
    assert row.kind == "stock"
    assert row.target == 100.0
    assert row.actual == actual
    assert row.status == status


def test_stock_with_a_zero_baseline_is_paced_from_the_start_of_the_plan(store):
    """As of 30 Sep 2023 (92 of 184 days): expected 0 + 100 × 92/184 = 50; 46 distinct firms is 0.92 — at risk."""
    load(store, ("INV-FIRMS", "2023-07", 12), ("INV-FIRMS", "2023-08", 27), ("INV-FIRMS", "2023-09", 46))
    row = status_of(store, "INV-FIRMS", "2023-H2", D(2023, 9, 30))
    assert (row.actual, row.target, row.target_basis, row.own_target) == (46.0, 100.0, "plan", True)  # not yet ended
    assert row.expected == pytest.approx(50.0)
    assert row.pace == pytest.approx(0.92)
    assert row.status == "at_risk"
    quarter = status_of(store, "INV-FIRMS", "2023-Q3", D(2023, 9, 30))
    assert (quarter.actual, quarter.target_basis, quarter.expected, quarter.status) == \
        (46.0, "pace", pytest.approx(50.0), "at_risk")


# --- milestones ----------------------------------------------------------------

@pytest.mark.parametrize(("rows", "as_of", "status", "done_on", "actual"), [
    ([("2023-09", "2023-09-22")], D(2023, 10, 15), "done", "2023-09-22", 1.0),
    ([("2023-09", "完成")], D(2023, 10, 15), "done", "2023-09-30", 1.0),
    ([("2023-09", "done")], AFTER, "done", "2023-09-30", 1.0),
    ([("2023-Q3", "未完成")], D(2023, 10, 15), "overdue", None, 0.0),
    ([], D(2023, 10, 15), "no_data", None, None),
    ([], D(2023, 9, 1), "pending", None, None),
    ([("2023-08", "未完成")], D(2023, 9, 1), "pending", None, 0.0),
])
def test_milestone_sci_day(store, rows, as_of, status, done_on, actual):
    if rows:
        load(store, *[("SCI-DAY", p, v) for p, v in rows])
    row = status_of(store, "SCI-DAY", "2023-H2", as_of)
    assert row.kind == "milestone"
    assert row.due == "2023-09-30"
    assert row.target == 1.0
    assert (row.status, row.done_on, row.actual) == (status, done_on, actual)


def test_milestone_done_after_the_as_of_date_is_not_done_yet(store):
    load(store, ("SCI-DAY", "2023-09", "2023-09-22"))
    assert status_of(store, "SCI-DAY", "2023-H2", D(2023, 9, 10)).status == "pending"
    assert status_of(store, "SCI-DAY", "2023-H2", D(2023, 9, 22)).status == "done"


def test_milestone_in_a_period_not_started(store):
    row = status_of(store, "INV-CONTEST", "2023-Q4", D(2023, 8, 15))
    assert row.status == "pending"


# --- pending, no_target, no_data -------------------------------------------------

def test_period_not_started_is_pending(store):
    load(store, ("INV-EVENTS", "2023-Q3", 2))
    row = status_of(store, "INV-EVENTS", "2023-Q4", MID_AUG)
    assert row.status == "pending"
    assert row.target == pytest.approx(3.0)
    assert row.target_basis == "pace"
    assert row.actual is None


@pytest.mark.parametrize("rows", [[], [("2023-Q3", 4), ("2023-Q4", 1)]])
def test_monitored_item_has_no_target(store, rows):
    if rows:
        load(store, *[("INV-MAJOR-PROJ", p, v) for p, v in rows])
    row = status_of(store, "INV-MAJOR-PROJ", "2023-H2", AFTER)
    assert row.status == "no_target"
    assert row.target is None
    assert row.progress is None
    assert row.actual == (1.0 if rows else None)  # projects in negotiation: a level, the latest (Q4) counts


def test_no_data(store):
    load(store, ("INV-VISITS", "2023-07", 3))  # another indicator has data
    row = status_of(store, "INV-EVENTS", "2023-H2", MID_AUG)
    assert row.status == "no_data"
    assert row.target == 6.0
    assert row.actual is None
    assert row.progress is None


# --- as-of filtering and which value counts -------------------------------------

def test_observation_for_a_period_not_begun_is_ignored(store):
    load(store, ("INV-EVENTS", "2023-Q3", 2), ("INV-EVENTS", "2023-Q4", 4))
    row = status_of(store, "INV-EVENTS", "2023-H2", D(2023, 9, 30))
    assert row.actual == 2.0
    assert row.expected == pytest.approx(3.0)
    assert row.status == "off_track"
    later = status_of(store, "INV-EVENTS", "2023-H2", AFTER)
    assert later.actual == 6.0
    assert later.status == "met"


@pytest.mark.parametrize("quarter_first", [False, True])
def test_quarter_value_wins_over_its_months(store, quarter_first):
    months = csv(("INV-EVENTS", "2023-07", 1), ("INV-EVENTS", "2023-08", 1))
    quarter = csv(("INV-EVENTS", "2023-Q3", 4))
    for text in ([quarter, months] if quarter_first else [months, quarter]):
        import_csv(store, text)
    for period in ("2023-Q3", "2023-H2"):
        assert status_of(store, "INV-EVENTS", period, AFTER).actual == 4.0
    # the month's own value still answers for the month
    assert status_of(store, "INV-EVENTS", "2023-07", AFTER).actual == 1.0


def test_newest_version_counts(store):
    load(store, ("INV-EVENTS", "2023-Q3", 2))
    load(store, ("INV-EVENTS", "2023-Q3", 6))
    row = status_of(store, "INV-EVENTS", "2023-H2", AFTER)
    assert row.actual == 6.0
    assert row.status == "met"


# --- the matrix ------------------------------------------------------------------

def test_evaluate_matrix_one_row_per_indicator_per_quarter(store):
    load(store, ("INV-EVENTS", "2023-Q3", 2), ("INNO-IP-TRAIN", "2023-Q3", 2), ("INNO-IP-TRAIN", "2023-Q4", 1))
    plan = store.plan("2023-H2")
    obs = store.current()
    rows = evaluate_matrix(plan, obs, "quarter", AFTER, Bands())
    assert len(rows) == 106
    codes = [i.code for i in plan.indicators()]
    assert len(codes) == 53
    assert [(r.indicator, r.period) for r in rows] == [(c, q) for c in codes for q in ("2023-Q3", "2023-Q4")]
    by_key = {(r.indicator, r.period): r for r in rows}
    assert by_key[("INNO-IP-TRAIN", "2023-Q3")].status == "met"
    assert by_key[("INNO-IP-TRAIN", "2023-Q4")].status == "missed"
    assert by_key[("INV-EVENTS", "2023-Q3")].status == "off_track"
    assert by_key[("INV-EVENTS", "2023-Q4")].status == "no_data"
    assert by_key[("INV-MAJOR-PROJ", "2023-Q3")].status == "no_target"
    assert by_key[("SCI-DAY", "2023-Q3")].status == "no_data"


def test_evaluate_matrix_months(store):
    plan = store.plan("2023-H2")
    rows = evaluate_matrix(plan, store.current(), "month", MID_AUG, Bands())
    assert len(rows) == 53 * 6
    assert {r.period for r in rows} == {f"2023-{m:02d}" for m in range(7, 13)}
    oct_events = next(r for r in rows if (r.indicator, r.period) == ("INV-EVENTS", "2023-10"))
    assert oct_events.status == "pending"


def test_evaluate_rows_in_plan_order(store):
    plan = store.plan("2023-H2")
    rows = evaluate(plan, store.current(), None, AFTER, Bands())
    assert [r.indicator for r in rows] == [i.code for i in plan.indicators()]
    assert {r.period for r in rows} == {"2023-H2"}


# --- a small plan: at_most and range --------------------------------------------

MINI_PLAN = textwrap.dedent("""\
    id: QA-2023H2
    title: {zh: 测试计划, en: Test plan}
    span: {start: 2023-07-01, end: 2023-12-31}
    areas:
      - code: QA
        name: {zh: 质量, en: Quality}
        items:
          - code: QA-COMPLAINTS
            name: {zh: 投诉件数, en: Complaints received}
            unit: {zh: 件, en: complaints}
            kind: count
            direction: at_most
            target: 10
            source: 投诉不超过10件
          - code: QA-RATE
            name: {zh: 办结率, en: Resolution rate}
            unit: {zh: "%", en: "%"}
            kind: rate
            direction: range
            target: {low: 90, high: 100}
            bounds: {low: 0, high: 150}  # lets an upload go past the range's top, which the engine must judge
            source: 办结率保持在90%至100%之间
    """)


@pytest.fixture
def mini(store, tmp_path):
    path = tmp_path / "qa.yaml"
    path.write_text(MINI_PLAN, encoding="utf-8")
    plan = load_plan(path)
    assert store.save_plan(plan, EDITOR) == (1, True)
    return store


def mini_status(store, code: str, period: str | None, as_of: dt.date):
    plan = store.plan("QA-2023H2")
    obs = store.current([i.code for i in plan.indicators()], plan.span.start, plan.span.end)
    return next(r for r in evaluate(plan, obs, period, as_of, Bands()) if r.indicator == code)


@pytest.mark.parametrize(("rows", "as_of", "status", "pace"), [
    ([("2023-Q3", 4), ("2023-Q4", 4)], AFTER, "met", 10 / 8),
    ([("2023-Q3", 5), ("2023-Q4", 5)], AFTER, "met", 1.0),
    ([("2023-Q3", 6), ("2023-Q4", 6)], AFTER, "missed", 10 / 12),
    ([("2023-07", 2)], MID_AUG, "on_track", 2.5 / 2),  # expected 10 × 46/184 = 2.5
    ([("2023-07", 2.8)], MID_AUG, "at_risk", 2.5 / 2.8),
    ([("2023-07", 3)], MID_AUG, "off_track", 2.5 / 3),
    ([("2023-07", 0)], MID_AUG, "on_track", float("inf")),
    ([("2023-07", 11)], MID_AUG, "off_track", 2.5 / 11),  # the whole allowance is used up already
])
def test_at_most_count(mini, rows, as_of, status, pace):
    load(mini, *[("QA-COMPLAINTS", p, v) for p, v in rows])
    row = mini_status(mini, "QA-COMPLAINTS", "2023-H2", as_of)
    assert row.direction == "at_most"
    assert row.target == 10.0
    assert row.actual == pytest.approx(sum(v for _, v in rows))
    assert row.pace == pytest.approx(pace)
    assert row.status == status


def test_at_most_count_expected_share(mini):
    load(mini, ("QA-COMPLAINTS", "2023-07", 2))
    row = mini_status(mini, "QA-COMPLAINTS", "2023-H2", MID_AUG)
    assert row.expected == pytest.approx(2.5)
    assert row.progress == pytest.approx(0.2)


@pytest.mark.parametrize(("rows", "period", "as_of", "status", "pace"), [
    ([("2023-12", 95)], "2023-H2", AFTER, "met", 1.0),
    ([("2023-12", 90)], "2023-H2", AFTER, "met", 1.0),
    ([("2023-12", 100)], "2023-H2", AFTER, "met", 1.0),
    ([("2023-12", 85)], "2023-H2", AFTER, "missed", 85 / 90),
    ([("2023-12", 105)], "2023-H2", AFTER, "missed", 100 / 105),
    ([("2023-09", 80), ("2023-12", 95)], "2023-H2", AFTER, "met", 1.0),  # a rate: the latest value
    ([("2023-09", 95), ("2023-12", 80)], "2023-H2", AFTER, "missed", 80 / 90),
    ([("2023-07", 95)], "2023-H2", MID_AUG, "on_track", 1.0),
    ([("2023-07", 80)], "2023-H2", MID_AUG, "at_risk", 80 / 90),
    ([("2023-07", 70)], "2023-H2", MID_AUG, "off_track", 70 / 90),
    ([("2023-07", 120)], "2023-H2", MID_AUG, "off_track", 100 / 120),
    ([("2023-Q3", 95)], "2023-Q3", AFTER, "on_track", 1.0),  # a quarter of the half: judged on pace
    ([("2023-Q3", 80)], "2023-Q3", AFTER, "at_risk", 80 / 90),
])
def test_range_rate(mini, rows, period, as_of, status, pace):
    load(mini, *[("QA-RATE", p, v) for p, v in rows])
    row = mini_status(mini, "QA-RATE", period, as_of)
    assert row.direction == "range"
    assert (row.target_low, row.target_high) == (90.0, 100.0)
    assert row.target is None
    assert row.progress is None
    assert row.actual == float(rows[-1][1])
    assert row.pace == pytest.approx(pace)
    assert row.status == status


def test_range_rate_basis(mini):
    load(mini, ("QA-RATE", "2023-Q3", 95))
    half = mini_status(mini, "QA-RATE", "2023-H2", AFTER)
    quarter = mini_status(mini, "QA-RATE", "2023-Q3", AFTER)
    assert (half.own_target, half.target_basis) == (True, "plan")
    assert (quarter.own_target, quarter.target_basis) == (False, "pace")


def test_mini_plan_window_label_and_no_data(mini):
    rows = evaluate(mini.plan("QA-2023H2"), mini.current(), None, AFTER, Bands())
    assert [(r.indicator, r.period, r.status) for r in rows] == [
        ("QA-COMPLAINTS", "QA-2023H2", "no_data"), ("QA-RATE", "QA-2023H2", "no_data")]
