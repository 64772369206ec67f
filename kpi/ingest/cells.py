"""What one cell says: a period, a number, a milestone (done, and when), a cumulative mark.

Each parser takes a Series of distinct texts and gives a frame of results, one row per text
(``checks._per_distinct`` applies it once per distinct text and spreads the result).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pandas as pd

from kpi.periods import PeriodError, parse_period

CUMULATIVE_MARKS = ("累计", "ytd", "year-to-date", "year to date", "cumulative")
DONE_WORDS = {"完成", "已完成", "done", "yes", "y", "是", "1", "true", "√", "✓", "✔", "已办结"}
NOT_DONE_WORDS = {"未完成", "not done", "no", "n", "否", "0", "false", "进行中", "in progress", "未办结"}


def is_cumulative(text: pd.Series) -> pd.Series:
    low = text.astype(str).str.lower()
    hit = pd.Series(False, index=text.index)
    for mark in CUMULATIVE_MARKS:
        hit |= low.str.contains(mark, regex=False)
    return hit


def strip_marks(text: object) -> str:
    """A header without its cumulative marks ("2023-Q3累计" -> "2023-Q3")."""
    out = str(text)
    for mark in CUMULATIVE_MARKS:
        out = out.replace(mark, "")
    return out.strip()


def periods_of(texts: pd.Series) -> pd.DataFrame:
    """label, grain, start, end (dates) and their day numbers (for fast comparisons); None where not a period."""
    rows = []
    for text in texts:
        try:
            p = parse_period(strip_marks(text))
            rows.append((p.label, p.grain, p.start, p.end, p.start.toordinal(), p.end.toordinal()))
        except PeriodError:
            rows.append((None, None, None, None, -1, -1))
    frame = pd.DataFrame(rows, columns=["period", "grain", "start", "end", "start_day", "end_day"], dtype=object)
    return frame.astype({"start_day": "int64", "end_day": "int64"})


_GROUPED = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"  # 1,234,567.5: commas only between groups of three


def numbers_of(texts: pd.Series) -> pd.DataFrame:
    """Numbers with full-width digits, thousands separators, spaces or a trailing %; finite only."""
    s = texts.astype(str).str.normalize("NFKC").str.strip().str.replace(r"\s", "", regex=True).str.rstrip("%")
    grouped = s.str.match(_GROUPED)
    s = s.where(~grouped, s.str.replace(",", "", regex=False))
    s = s.where(~s.str.contains(",", regex=False), "")  # a comma anywhere else: 87,5 is not 875
    number = pd.to_numeric(s, errors="coerce")
    number = number.where(number.abs() < float("inf"))
    return pd.DataFrame({"number": number})


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ t]00:00(:00)?)?$")


def milestones_of(texts: pd.Series) -> pd.DataFrame:
    """(done 1/0 or None, completion date or None, ok) for milestone cells: a date, done or not-done words."""
    out = []
    for text in texts.astype(str):
        key = unicodedata.normalize("NFKC", text).strip().lower()
        if key in DONE_WORDS:
            out.append((1.0, None, True))
            continue
        if key in NOT_DONE_WORDS:
            out.append((0.0, None, True))
            continue
        m = _DATE.match(key)
        try:
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
        except ValueError:
            day = None
        out.append((1.0, day, True) if day else (None, None, False))
    return pd.DataFrame(out, columns=["done", "done_on", "ok"], dtype=object)
