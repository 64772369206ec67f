"""Periods: every spelling of DESIGN.md and its variants, the calendar, ordering, display, roll-up."""

from __future__ import annotations

import datetime as dt

import pytest

from kpi.periods import (
    Period,
    PeriodError,
    covering,
    normalise,
    parse_period,
    periods_in_span,
    rollup,
    share_elapsed,
)


def M(month: int, year: int = 2023) -> Period:
    return Period(year, "month", month)


def Q(quarter: int, year: int = 2023) -> Period:
    return Period(year, "quarter", quarter)


def H(half: int, year: int = 2023) -> Period:
    return Period(year, "half", half)


def Y(year: int = 2023) -> Period:
    return Period(year, "year")


# --- parsing ------------------------------------------------------------------

DESIGN_SPELLINGS = [
    ("2023-Q3", "2023-Q3"),
    ("2023Q3", "2023-Q3"),
    ("2023 Q3", "2023-Q3"),
    ("2023年第三季度", "2023-Q3"),
    ("2023年3季度", "2023-Q3"),
    ("2023年三季度", "2023-Q3"),
    ("2023年7月", "2023-07"),
    ("2023/7", "2023-07"),
    ("2023-07-01", "2023-07"),
    ("2023-07", "2023-07"),
    ("2023-H2", "2023-H2"),
    ("2023", "2023"),
]

VARIANTS = [
    ("２０２３年７月", "2023-07"),          # full-width digits
    ("２０２３－Ｑ３", "2023-Q3"),          # full-width letters and dash
    ("2023q3", "2023-Q3"),                 # lower case
    ("2023-q4", "2023-Q4"),
    ("Q3 2023", "2023-Q3"),                # quarter first
    ("q1-2024", "2024-Q1"),
    ("H2 2023", "2023-H2"),
    ("2023h1", "2023-H1"),
    ("2023年下半年", "2023-H2"),
    ("2023年上半年", "2023-H1"),
    ("2023年十二月", "2023-12"),
    ("2023年十一月", "2023-11"),
    ("2023年十月", "2023-10"),
    ("2023年一月", "2023-01"),
    ("2023年第四季度", "2023-Q4"),
    ("2023年第一季度", "2023-Q1"),
    ("2023年度", "2023"),
    ("2023年", "2023"),
    ("2023/7/15", "2023-07"),
    ("2023年7月1日", "2023-07"),
    ("2023-12-31", "2023-12"),
    ("2023.07", "2023-07"),
    ("202307", "2023-07"),
    ("2023年07月", "2023-07"),
    ("  2023 年 第 三 季度  ", "2023-Q3"),  # spaces people type around the characters
    ("2023-07-15 10:30", "2023-07"),       # a timestamp: its month
    (dt.date(2023, 7, 15), "2023-07"),
    (dt.date(2024, 2, 29), "2024-02"),
    (dt.datetime(2023, 12, 31, 23, 59), "2023-12"),
    (2023, "2023"),
    (2023.0, "2023"),
    (Period(2023, "quarter", 2), "2023-Q2"),
]


@pytest.mark.parametrize(("text", "label"), DESIGN_SPELLINGS)
def test_design_spellings(text, label):
    assert normalise(text) == label
    assert parse_period(text).label == label


@pytest.mark.parametrize(("value", "label"), VARIANTS)
def test_variants(value, label):
    assert normalise(value) == label


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-Q3", Period(2023, "quarter", 3)),
        ("2023年7月", Period(2023, "month", 7)),
        ("2023-H2", Period(2023, "half", 2)),
        ("2023", Period(2023, "year", 1)),
        (dt.date(2023, 7, 15), Period(2023, "month", 7)),
    ],
)
def test_parse_period_returns_the_period(value, expected):
    assert parse_period(value) == expected


@pytest.mark.parametrize("label", ["2023-07", "2023-Q3", "2023-H2", "2023", "2024-02", "2023-Q1", "2023-H1"])
def test_normalise_is_idempotent(label):
    assert normalise(label) == label
    assert normalise(normalise(label)) == label


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2023-Q5", "not a period"),
        ("2023-Q0", "not a period"),
        ("2023-H3", "not a period"),
        ("2023-13", "month 13 does not exist"),
        ("2023-00", "month 0 does not exist"),
        ("2023年13月", "month 13 does not exist"),
        ("hello", "not a period"),
        ("", "empty period"),
        ("   ", "empty period"),
        (None, "empty period"),
        (True, "empty period"),
        ("2023年第五季度", "quarter 5 does not exist"),
        ("2023-02-30", "not a date"),
        ("2023/2/29", "not a date"),
        (2023.5, "not a period"),
        ("1800", "year 1800 is out of range"),
        ("Q3", "not a period"),
        ("7月", "not a period"),
    ],
)
def test_invalid_inputs_raise_period_error(value, reason):
    with pytest.raises(PeriodError, match=reason):
        parse_period(value)
    with pytest.raises(PeriodError):
        normalise(value)


def test_period_error_is_a_value_error():
    assert issubclass(PeriodError, ValueError)


@pytest.mark.parametrize(
    ("year", "grain", "index"),
    [(2023, "month", 13), (2023, "month", 0), (2023, "quarter", 5), (2023, "half", 3), (2023, "year", 2),
     (2023, "week", 1), (1899, "year", 1), (2201, "year", 1)],
)
def test_period_constructor_rejects_impossible_periods(year, grain, index):
    with pytest.raises(PeriodError):
        Period(year, grain, index)


# --- calendar -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("period", "start", "end", "days"),
    [
        (M(7), dt.date(2023, 7, 1), dt.date(2023, 7, 31), 31),
        (M(2), dt.date(2023, 2, 1), dt.date(2023, 2, 28), 28),
        (M(2, 2024), dt.date(2024, 2, 1), dt.date(2024, 2, 29), 29),  # leap year
        (M(12), dt.date(2023, 12, 1), dt.date(2023, 12, 31), 31),
        (M(4), dt.date(2023, 4, 1), dt.date(2023, 4, 30), 30),
        (Q(1), dt.date(2023, 1, 1), dt.date(2023, 3, 31), 90),
        (Q(1, 2024), dt.date(2024, 1, 1), dt.date(2024, 3, 31), 91),
        (Q(3), dt.date(2023, 7, 1), dt.date(2023, 9, 30), 92),
        (Q(4), dt.date(2023, 10, 1), dt.date(2023, 12, 31), 92),
        (H(1), dt.date(2023, 1, 1), dt.date(2023, 6, 30), 181),
        (H(1, 2024), dt.date(2024, 1, 1), dt.date(2024, 6, 30), 182),
        (H(2), dt.date(2023, 7, 1), dt.date(2023, 12, 31), 184),
        (Y(), dt.date(2023, 1, 1), dt.date(2023, 12, 31), 365),
        (Y(2024), dt.date(2024, 1, 1), dt.date(2024, 12, 31), 366),
    ],
)
def test_start_end_days(period, start, end, days):
    assert period.start == start
    assert period.end == end
    assert period.days == days


@pytest.mark.parametrize(
    ("period", "grain", "children"),
    [
        (H(2), "month", ["2023-07", "2023-08", "2023-09", "2023-10", "2023-11", "2023-12"]),
        (H(2), "quarter", ["2023-Q3", "2023-Q4"]),
        (H(1), "quarter", ["2023-Q1", "2023-Q2"]),
        (Q(3), "month", ["2023-07", "2023-08", "2023-09"]),
        (Q(1), "month", ["2023-01", "2023-02", "2023-03"]),
        (Y(), "half", ["2023-H1", "2023-H2"]),
        (Y(), "quarter", ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]),
        (Y(), "month", [f"2023-{m:02d}" for m in range(1, 13)]),
        (Q(3), "quarter", ["2023-Q3"]),
        (M(7), "month", ["2023-07"]),
    ],
)
def test_children(period, grain, children):
    assert [p.label for p in period.children(grain)] == children


@pytest.mark.parametrize(("period", "grain"), [(M(7), "quarter"), (Q(3), "half"), (H(2), "year")])
def test_children_of_a_coarser_grain_raise(period, grain):
    with pytest.raises(PeriodError, match="coarser"):
        period.children(grain)


@pytest.mark.parametrize(
    ("period", "grain", "parent"),
    [
        (M(8), "quarter", "2023-Q3"),
        (M(8), "half", "2023-H2"),
        (M(8), "year", "2023"),
        (M(6), "quarter", "2023-Q2"),
        (M(6), "half", "2023-H1"),
        (M(1), "quarter", "2023-Q1"),
        (M(12), "quarter", "2023-Q4"),
        (Q(3), "half", "2023-H2"),
        (Q(2), "half", "2023-H1"),
        (Q(4), "year", "2023"),
        (H(2), "year", "2023"),
        (Q(3), "quarter", "2023-Q3"),
    ],
)
def test_parent(period, grain, parent):
    assert period.parent(grain).label == parent


@pytest.mark.parametrize(("period", "grain"), [(Q(3), "month"), (H(2), "quarter"), (Y(), "half")])
def test_parent_of_a_finer_grain_raises(period, grain):
    with pytest.raises(PeriodError, match="finer"):
        period.parent(grain)


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        (H(2), Q(3), True),
        (H(2), Q(4), True),
        (H(2), M(7), True),
        (H(2), M(12), True),
        (H(2), M(6), False),
        (H(2), Q(2), False),
        (H(2), Y(), False),
        (H(2), H(2), True),
        (Q(3), M(9), True),
        (Q(3), M(10), False),
        (Q(3), Q(4), False),
        (Y(), H(1), True),
        (Y(), M(1, 2024), False),
        (M(7), Q(3), False),
    ],
)
def test_contains(outer, inner, expected):
    assert outer.contains(inner) is expected


def test_ordering_is_chronological_and_coarser_first_on_the_same_start():
    shuffled = [M(7), Q(3), M(1, 2024), H(2), Y(), M(12, 2022), H(1), M(8), Q(4)]
    assert [p.label for p in sorted(shuffled)] == [
        "2022-12", "2023", "2023-H1", "2023-H2", "2023-Q3", "2023-07", "2023-08", "2023-Q4", "2024-01",
    ]


def test_ordering_operators():
    assert M(7) < M(8)
    assert M(12) < M(1, 2024)
    assert Q(3) < Q(4)
    assert M(9) < Q(4)
    assert M(8) > Q(3)
    assert M(7) <= M(7)
    assert not M(7) < M(7)
    assert max([M(7), M(11), M(9)]) == M(11)


def test_equality_and_hashing():
    assert parse_period("2023年第三季度") == parse_period("2023-Q3")
    assert parse_period("2023Q3") != parse_period("2023-H2")
    assert len({parse_period(s) for s in ("2023-Q3", "2023Q3", "Q3 2023", "2023年三季度")}) == 1
    assert str(Q(3)) == "2023-Q3"


@pytest.mark.parametrize(
    ("period", "zh", "en"),
    [
        (M(7), "2023年7月", "Jul 2023"),
        (M(12), "2023年12月", "Dec 2023"),
        (M(1, 2024), "2024年1月", "Jan 2024"),
        (Q(1), "2023年第一季度", "Q1 2023"),
        (Q(3), "2023年第三季度", "Q3 2023"),
        (Q(4), "2023年第四季度", "Q4 2023"),
        (H(1), "2023年上半年", "H1 2023"),
        (H(2), "2023年下半年", "H2 2023"),
        (Y(), "2023年", "2023"),
    ],
)
def test_display(period, zh, en):
    assert period.display("zh") == zh
    assert period.display("en") == en
    assert period.display() == zh
    # what is displayed in Chinese parses back to the same period
    assert parse_period(period.display("zh")) == period


@pytest.mark.parametrize(
    ("period", "as_of", "share"),
    [
        (H(2), dt.date(2023, 8, 15), 0.25),            # 46 / 184
        (H(2), dt.date(2023, 7, 1), 1 / 184),          # the end of the first day
        (H(2), dt.date(2023, 6, 30), 0.0),             # before the start
        (H(2), dt.date(2023, 12, 31), 1.0),
        (H(2), dt.date(2024, 3, 1), 1.0),              # after the end
        (Q(3), dt.date(2023, 8, 15), 46 / 92),
        (Q(3), dt.date(2023, 9, 30), 1.0),
        (M(7), dt.date(2023, 7, 31), 1.0),
        (M(7), dt.date(2023, 7, 10), 10 / 31),
        (M(2, 2024), dt.date(2024, 2, 29), 1.0),
        (M(2, 2024), dt.date(2024, 2, 15), 15 / 29),
        (Y(), dt.date(2023, 12, 30), 364 / 365),
    ],
)
def test_elapsed_share(period, as_of, share):
    assert period.elapsed_share(as_of) == pytest.approx(share, abs=1e-12)


def test_elapsed_share_example_is_exact():
    assert H(2).elapsed_share(dt.date(2023, 8, 15)) == 46 / 184 == 0.25
    assert share_elapsed(dt.date(2023, 7, 1), dt.date(2023, 12, 31), dt.date(2023, 8, 15)) == 0.25


@pytest.mark.parametrize(
    ("start", "end", "grain", "labels"),
    [
        (dt.date(2023, 7, 1), dt.date(2023, 12, 31), "month",
         ["2023-07", "2023-08", "2023-09", "2023-10", "2023-11", "2023-12"]),
        (dt.date(2023, 7, 1), dt.date(2023, 12, 31), "quarter", ["2023-Q3", "2023-Q4"]),
        (dt.date(2023, 7, 1), dt.date(2023, 12, 31), "half", ["2023-H2"]),
        (dt.date(2023, 7, 1), dt.date(2023, 12, 31), "year", []),
        (dt.date(2023, 8, 1), dt.date(2023, 12, 31), "quarter", ["2023-Q4"]),
        (dt.date(2023, 8, 1), dt.date(2023, 12, 31), "half", []),
        (dt.date(2023, 7, 15), dt.date(2023, 9, 10), "month", ["2023-08"]),
        (dt.date(2023, 11, 1), dt.date(2024, 2, 29), "month", ["2023-11", "2023-12", "2024-01", "2024-02"]),
        (dt.date(2023, 10, 1), dt.date(2024, 3, 31), "quarter", ["2023-Q4", "2024-Q1"]),
        (dt.date(2023, 1, 1), dt.date(2024, 12, 31), "year", ["2023", "2024"]),
    ],
)
def test_periods_in_span(start, end, grain, labels):
    assert [p.label for p in periods_in_span(start, end, grain)] == labels


# --- covering and roll-up ------------------------------------------------------

def test_covering_keeps_the_outermost_reported_periods_inside_the_window():
    reported = [M(7), M(8), Q(3), M(10), M(6), Y()]
    assert covering(reported, H(2)) == [Q(3), M(10)]
    assert covering(reported, Q(4)) == [M(10)]
    assert covering(reported, Q(3)) == [Q(3)]
    assert covering(reported, Y()) == [Y()]
    assert covering(reported, Q(2)) == [M(6)]
    assert covering(reported, Q(1)) == []


@pytest.mark.parametrize(
    ("values", "window", "expected"),
    [
        ({M(7): 2, M(8): 3, M(9): 4}, Q(3), 9.0),
        # a quarter's own value wins over its months
        ({M(7): 2, M(8): 3, Q(3): 10}, Q(3), 10.0),
        ({Q(3): 10, M(7): 2, M(8): 3, M(9): 4}, H(2), 10.0),
        # months of two quarters add up into the half
        ({M(7): 1, M(8): 2, M(9): 3, M(10): 4, M(11): 5, M(12): 6}, H(2), 21.0),
        ({Q(3): 10, M(10): 4, M(11): 5}, H(2), 19.0),
        ({Q(3): 10, Q(4): 7}, H(2), 17.0),
        # values outside the window do not count
        ({M(6): 100, M(7): 2, M(1, 2024): 50}, H(2), 2.0),
        # a value for a period larger than the window is not inside it
        ({H(2): 30, M(8): 3}, Q(3), 3.0),
        ({M(7): 0}, Q(3), 0.0),
        ({M(7): 1.5, M(8): 2.25}, Q(3), 3.75),
    ],
)
def test_rollup_counts_add_up(values, window, expected):
    result = rollup(values, window, "count")
    assert isinstance(result, float)
    assert result == expected


@pytest.mark.parametrize("kind", ["stock", "rate"])
@pytest.mark.parametrize(
    ("values", "window", "expected"),
    [
        ({M(7): 5, M(8): 7, M(9): 6}, Q(3), 6.0),            # the latest, not the largest
        ({M(9): 6, M(7): 5, M(8): 7}, Q(3), 6.0),            # whatever the order of the dict
        ({M(7): 5, M(8): 7}, Q(3), 7.0),                     # latest reported so far
        ({Q(3): 8, M(10): 9, M(11): 10}, H(2), 10.0),
        ({Q(3): 8, M(9): 5}, Q(3), 8.0),                     # the quarter's own value wins
        ({Q(3): 8, Q(4): 4}, H(2), 4.0),
        ({M(11): 3, M(12, 2022): 99, M(1, 2024): 77}, H(2), 3.0),
    ],
)
def test_rollup_stocks_and_rates_take_the_latest(values, window, expected, kind):
    result = rollup(values, window, kind)
    assert isinstance(result, float)
    assert result == expected


@pytest.mark.parametrize("kind", ["count", "stock", "rate"])
@pytest.mark.parametrize(
    "values",
    [
        {},
        {M(6): 4, M(1, 2024): 2},
        {Y(): 12},          # covers the window but is not inside it
    ],
)
def test_rollup_is_none_when_nothing_is_inside(values, kind):
    assert rollup(values, H(2), kind) is None
