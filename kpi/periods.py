"""Periods: parse what people type, normalise to canonical text, roll up.

Canonical text: month ``2023-07``, quarter ``2023-Q3``, half ``2023-H2``,
year ``2023``. The parser also accepts the spellings of DESIGN.md and the
usual variants (full-width digits, Chinese numerals, spaces, dates).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache, total_ordering
from typing import NamedTuple

GRAINS = ("month", "quarter", "half", "year")
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # not the locale's
MONTHS_PER = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10, "十一": 11, "十二": 12, "〇": 0, "两": 2}


class Window(NamedTuple):
    """Any span of days, for what needs only a start and an end."""

    start: dt.date
    end: dt.date


class PeriodError(ValueError):
    """Raised for text that is not a period in any accepted spelling."""


@total_ordering
@dataclass(frozen=True)
class Period:
    """A calendar period: ``grain`` in GRAINS, ``index`` 1-based within the year."""

    year: int
    grain: str
    index: int = 1

    def __post_init__(self) -> None:
        if self.grain not in GRAINS:
            raise PeriodError(f"unknown grain {self.grain!r}")
        if not 1 <= self.index <= 12 // MONTHS_PER[self.grain]:
            raise PeriodError(f"{self.grain} {self.index} does not exist")
        if not 1900 <= self.year <= 2200:
            raise PeriodError(f"year {self.year} is out of range")

    # --- identity -------------------------------------------------------
    @property
    def label(self) -> str:
        if self.grain == "month":
            return f"{self.year}-{self.index:02d}"
        if self.grain == "quarter":
            return f"{self.year}-Q{self.index}"
        if self.grain == "half":
            return f"{self.year}-H{self.index}"
        return str(self.year)

    def __str__(self) -> str:
        return self.label

    def _key(self) -> tuple:
        return (self.start, -MONTHS_PER[self.grain])

    def __lt__(self, other: Period) -> bool:
        return self._key() < other._key()

    # --- calendar -------------------------------------------------------
    @cached_property
    def first_month(self) -> int:
        return (self.index - 1) * MONTHS_PER[self.grain] + 1

    @cached_property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @cached_property
    def end(self) -> dt.date:
        """The last day of the period (inclusive)."""
        last = self.first_month + MONTHS_PER[self.grain] - 1
        if last == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, last + 1, 1) - dt.timedelta(days=1)

    @cached_property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def children(self, grain: str) -> list[Period]:
        """The periods of a finer (or the same) grain that make up this one."""
        step = MONTHS_PER[grain]
        if step > MONTHS_PER[self.grain]:
            raise PeriodError(f"{grain} is coarser than {self.grain}")
        first = (self.first_month - 1) // step + 1
        count = MONTHS_PER[self.grain] // step
        return [Period(self.year, grain, first + i) for i in range(count)]

    @cached_property
    def ancestors(self) -> tuple[Period, ...]:
        """The coarser periods that contain this one (a month's quarter, half and year)."""
        return tuple(self.parent(g) for g in GRAINS if MONTHS_PER[g] > MONTHS_PER[self.grain])

    def parent(self, grain: str) -> Period:
        """The period of a coarser (or the same) grain that contains this one."""
        step = MONTHS_PER[grain]
        if step < MONTHS_PER[self.grain]:
            raise PeriodError(f"{grain} is finer than {self.grain}")
        return Period(self.year, grain, (self.first_month - 1) // step + 1)

    def elapsed_share(self, as_of: dt.date) -> float:
        """Share of the period elapsed at the end of day ``as_of`` (0..1)."""
        return share_elapsed(self.start, self.end, as_of)

    # --- display --------------------------------------------------------
    def display(self, lang: str = "zh") -> str:
        if lang == "zh":
            if self.grain == "month":
                return f"{self.year}年{self.index}月"
            if self.grain == "quarter":
                return f"{self.year}年第{'一二三四'[self.index - 1]}季度"
            if self.grain == "half":
                return f"{self.year}年{'上下'[self.index - 1]}半年"
            return f"{self.year}年"
        if self.grain == "month":
            return f"{MONTH_ABBR[self.index - 1]} {self.year}"
        if self.grain == "quarter":
            return f"Q{self.index} {self.year}"
        if self.grain == "half":
            return f"H{self.index} {self.year}"
        return str(self.year)


def _num(text: str) -> int:
    """A number written in digits or in Chinese numerals (一 .. 十二)."""
    if text.isdigit():
        return int(text)
    if text in _CN_DIGITS:
        return _CN_DIGITS[text]
    raise PeriodError(f"not a number: {text!r}")


_N = r"(\d{1,2}|十[一二]?|[一二三四五六七八九十两])"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(\d{4})[-/. ]?Q([1-4])$"), "quarter"),
    (re.compile(r"^Q([1-4])[-/. ]?(\d{4})$"), "quarter_rev"),
    (re.compile(rf"^(\d{{4}})年?第?{_N}季度?$"), "quarter"),
    (re.compile(r"^(\d{4})[-/. ]?H([12])$"), "half"),
    (re.compile(r"^H([12])[-/. ]?(\d{4})$"), "half_rev"),
    (re.compile(r"^(\d{4})年?(上|下)半年度?$"), "half_cn"),
    (re.compile(r"^(\d{4})年?(\d{1,2})月(\d{1,2})日?$"), "date"),
    (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"), "date"),
    (re.compile(rf"^(\d{{4}})年{_N}月份?$"), "month"),
    (re.compile(r"^(\d{4})[-/.](\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})(?:年度?|FY)?$"), "year"),
]


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().upper()
    text = re.sub(r"\s+", " ", text)
    # "2023 年 第 三 季度" -> "2023年第三季度"; keep a single space between digit groups and Q/H
    text = re.sub(r"\s*([年月日第季度半])\s*", r"\1", text)
    return text


def parse_period(value: object) -> Period:
    """Parse a period in any accepted spelling, or a date (its month).

    Raises PeriodError with a short reason for anything else.
    """
    if isinstance(value, Period):
        return value
    if isinstance(value, str):
        return _parse_text(value)
    return _parse(value)


@lru_cache(maxsize=8192)
def _parse_text(value: str) -> Period:
    """Texts repeat (every row of a month says 2023-07): each distinct one is parsed once."""
    return _parse(value)


def _parse(value: object) -> Period:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Period(value.year, "month", value.month)
    if isinstance(value, bool) or value is None:
        raise PeriodError("empty period")
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            value = str(int(value))
        else:
            raise PeriodError(f"not a period: {value!r}")
    text = _clean(str(value))
    if not text:
        raise PeriodError("empty period")
    for pattern, kind in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        g = m.groups()
        if kind == "quarter":
            return Period(int(g[0]), "quarter", _quarter(g[1]))
        if kind == "quarter_rev":
            return Period(int(g[1]), "quarter", int(g[0]))
        if kind == "half":
            return Period(int(g[0]), "half", int(g[1]))
        if kind == "half_rev":
            return Period(int(g[1]), "half", int(g[0]))
        if kind == "half_cn":
            return Period(int(g[0]), "half", 1 if g[1] == "上" else 2)
        if kind == "date":
            try:
                day = dt.date(int(g[0]), int(g[1]), int(g[2]))
            except ValueError as exc:
                raise PeriodError(f"not a date: {value!r}") from exc
            return Period(day.year, "month", day.month)
        if kind == "month":
            month = _num(g[1])
            if not 1 <= month <= 12:
                raise PeriodError(f"month {month} does not exist")
            return Period(int(g[0]), "month", month)
        if kind == "year":
            return Period(int(g[0]), "year")
    raise PeriodError(f"not a period: {value!r}")


def _quarter(text: str) -> int:
    q = _num(text)
    if not 1 <= q <= 4:
        raise PeriodError(f"quarter {q} does not exist")
    return q


def normalise(value: object) -> str:
    """Canonical text of a period in any accepted spelling."""
    return parse_period(value).label


def months_between(start: dt.date, end: dt.date) -> list[Period]:
    """Every month that overlaps [start, end]."""
    out = []
    y, m = start.year, start.month
    while dt.date(y, m, 1) <= end:
        out.append(Period(y, "month", m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def periods_in_span(start: dt.date, end: dt.date, grain: str) -> list[Period]:
    """Every period of ``grain`` that lies wholly inside [start, end]."""
    seen: dict[str, Period] = {}
    for month in months_between(start, end):
        p = month.parent(grain)
        if start <= p.start and p.end <= end:
            seen[p.label] = p
    return sorted(seen.values())


def covering(periods: list, window) -> list:
    """The reported periods inside ``window`` that no other reported period inside it covers.

    Calendar periods nest (month in quarter in half in year), so a period is
    covered exactly when one of its coarser parents is reported too; what
    remains is disjoint: a value reported for a quarter wins over its months.
    """
    inside = [p for p in periods if window.start <= p.start and p.end <= window.end]
    if len(inside) < 2:
        return inside
    present = set(inside)
    return [p for p in inside if not any(a in present for a in p.ancestors)]


def rollup(values: dict, window, kind: str) -> float | None:
    """Aggregate the values reported for periods inside ``window``.

    Counts add up; stocks and rates take the value at the latest period end.
    A value reported for a period wins over values for its parts. None when
    nothing inside ``window`` was reported.
    """
    parts = covering(list(values), window)
    if not parts:
        return None
    if kind == "count":
        return float(sum(values[p] for p in parts))
    return float(values[max(parts, key=lambda p: p.end)])


def share_elapsed(start: dt.date, end: dt.date, as_of: dt.date) -> float:
    """Share of [start, end] elapsed at the end of day ``as_of`` (0..1)."""
    if as_of < start:
        return 0.0
    if as_of >= end:
        return 1.0
    return ((as_of - start).days + 1) / ((end - start).days + 1)
