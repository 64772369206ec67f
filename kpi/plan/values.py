"""What a grid cell holds, read as plan values: blank or not, text, a number, a date, a tick, a target (20, or a
range 90–100); and whether two cells hold the same value. Cells come as a table holds them (NaN, None, a date, a
timestamp) or as a browser sends an edit (ISO text for a date)."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

import pandas as pd

from kpi.plan.sheets import NUMBER, RANGE
from kpi.report.export import number_text


def blank(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    return isinstance(v, str) and not v.strip()


def text_of(v: object) -> str | None:
    return None if blank(v) else str(v).strip()


def number_of(v: object) -> float | str | None:
    """A number; the text itself when it is none (the plan's validation names it)."""
    if blank(v) or isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    text = unicodedata.normalize("NFKC", str(v)).replace(",", "").strip()
    return float(text) if re.fullmatch(rf"-?(?:{NUMBER})", text) else str(v)


def day_of(v: object) -> dt.date | str | None:
    """A date from what a grid cell holds (a date, a timestamp, ISO text); other text as it is."""
    if blank(v):
        return None
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v).strip()[:10])
    except ValueError:
        return str(v)


def ticked(v: object) -> bool:
    return False if blank(v) else bool(v)


def texts(value: object) -> tuple[str | None, str | None]:
    """A plan text (``招商引资`` or ``{zh: 招商引资, en: …}``) as (zh, en)."""
    if isinstance(value, dict):
        return value.get("zh"), value.get("en")
    return (None, None) if value is None else (str(value), None)


def plan_text(zh: object, en: object) -> dict | None:
    """A plan text from its two cells: {zh, en}, either left out when blank; None when both are."""
    out = {k: v for k, v in (("zh", text_of(zh)), ("en", text_of(en))) if v is not None}
    return out or None


def target_text(value: object) -> str | None:
    """A target as the grid shows it: 20, or a range 90–100."""
    if isinstance(value, dict):
        return f"{number_text(value.get('low', 0))}–{number_text(value.get('high', 0))}"
    return None if blank(value) else number_text(value)


def parse_target(value: object) -> tuple[object, bool]:
    """(the target, whether it reads as one): a number, a range ``90–100`` as low and high, or nothing."""
    if blank(value):
        return None, True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), True
    text = unicodedata.normalize("NFKC", str(value)).replace(",", "").strip()
    if re.fullmatch(NUMBER, text):
        return float(text), True
    m = RANGE.fullmatch(text)
    if m:
        return {"low": float(m.group(1)), "high": float(m.group(2))}, True
    return None, False


def same(a: object, b: object) -> bool:
    """Whether two grid cells hold the same value (blank is blank, a date is its ISO text, 5 is 5.0)."""
    if blank(a) or blank(b):
        return blank(a) and blank(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    for read in (number_of, day_of):
        x, y = read(a), read(b)
        if not isinstance(x, str) and not isinstance(y, str):
            return x == y
    return str(a).strip() == str(b).strip()
