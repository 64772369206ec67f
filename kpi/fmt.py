"""Number and date formats, in one place, for both languages."""

from __future__ import annotations

import datetime as dt
import math

from kpi.i18n import t
from kpi.periods import MONTH_ABBR


def number(value: float | None, lang: str = "zh", digits: int = 1) -> str:
    """12, 12.5, 1,234 — no trailing zeros; a dash for nothing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("value.none", lang)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}".rstrip("0").rstrip(".")


def percent(ratio: float | None, lang: str = "zh") -> str:
    if ratio is None or (isinstance(ratio, float) and (math.isnan(ratio) or math.isinf(ratio))):
        return t("value.none", lang)
    return f"{ratio * 100:.0f}%"


def date(value: dt.date | str | None, lang: str = "zh") -> str:
    if value is None:
        return t("value.none", lang)
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if lang == "en":
        return f"{value.day} {MONTH_ABBR[value.month - 1]} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


def with_unit(value: float | None, unit: str | None, lang: str = "zh") -> str:
    text = number(value, lang)
    if value is None or not unit:
        return text
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}" if lang == "en" else f"{text}{unit}"


def timestamp(value: object) -> str:
    """When a batch, a revision or a file was made, to the minute: 2023-10-08 09:30 (the same in both languages)."""
    if value is None:
        return ""
    return str(value)[:16]


def timestamps(values) -> list[str]:
    """``timestamp`` of each value of a column."""
    return [timestamp(v) for v in values]
