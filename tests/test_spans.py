"""The period-inside-a-plan check of the full pipeline (``checks._inside_any_span``) against the plain definition:
a row is inside when some plan that has its indicator spans the whole period."""

import datetime as dt
import random

import numpy as np
import pandas as pd

from kpi.ingest.checks import _inside_any_span


def _day(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal()


def _brute(spans: list[tuple[str, str, str]], code, start, end) -> list[bool]:
    out = []
    for c, s, e in zip(code, start, end, strict=True):
        out.append(c is not None and not pd.isna(s) and
                   any(k == c and _day(a) <= s and e <= _day(b) for k, a, b in spans))
    return out


def _known(spans):
    return pd.DataFrame({"code": [c for c, _, _ in spans], "span_start": [a for _, a, _ in spans],
                         "span_end": [b for _, _, b in spans]})


def test_nested_overlapping_and_yearly_spans():
    spans = [("A", "2023-01-01", "2023-12-31"), ("A", "2023-07-01", "2023-09-30"),  # nested: H2 reaches further
             ("B", "2022-01-01", "2022-12-31"), ("B", "2023-01-01", "2023-12-31"),  # one plan a year
             ("C", "2023-03-01", "2023-06-30"), ("C", "2023-05-01", "2023-10-31")]  # overlapping
    rows = [("A", "2023-10-01", "2023-10-31", True), ("A", "2023-08-01", "2023-08-31", True),
            ("A", "2024-01-01", "2024-01-31", False), ("B", "2022-12-01", "2023-01-31", False),
            ("B", "2023-04-01", "2023-06-30", True), ("B", "2021-12-01", "2021-12-31", False),
            ("C", "2023-04-01", "2023-06-30", True), ("C", "2023-06-01", "2023-07-31", True),
            ("C", "2023-03-01", "2023-10-31", False), ("X", "2023-01-01", "2023-01-31", False),
            (None, "2023-01-01", "2023-01-31", False), ("A", None, None, False)]
    code = pd.Series([r[0] for r in rows], dtype=object)
    start = pd.Series([_day(r[1]) if r[1] else np.nan for r in rows])
    end = pd.Series([_day(r[2]) if r[2] else np.nan for r in rows])
    got = _inside_any_span(_known(spans), code, start, end)
    assert list(got) == [r[3] for r in rows]
    assert list(got) == _brute(spans, code, start, end)


def test_random_spans_agree_with_the_definition():
    rng = random.Random(7)
    base = _day("2020-01-01")
    for _ in range(30):
        spans = []
        for code in "ABCD":
            for _ in range(rng.randint(0, 4)):
                a = base + rng.randint(0, 1500)
                spans.append((code, dt.date.fromordinal(a).isoformat(),
                              dt.date.fromordinal(a + rng.randint(0, 400)).isoformat()))
        if not spans:
            continue
        n = 200
        code = pd.Series([rng.choice("ABCDE") for _ in range(n)], dtype=object)
        start = pd.Series([base + rng.randint(-50, 1900) for _ in range(n)])
        end = start + pd.Series([rng.randint(0, 120) for _ in range(n)])
        assert list(_inside_any_span(_known(spans), code, start, end)) == _brute(spans, code, start, end)


def test_no_plans_means_nothing_is_inside():
    got = _inside_any_span(_known([]), pd.Series(["A"], dtype=object), pd.Series([1]), pd.Series([2]))
    assert list(got) == [False]
