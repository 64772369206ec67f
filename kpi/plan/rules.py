"""Rules across the fields of a plan file: codes, areas, spans, milestones, targets.

They work on the raw data, defensively, so a file with type errors elsewhere
still gets every finding here, each with its path.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from kpi.periods import PeriodError, parse_period, periods_in_span
from kpi.problems import Localized, Problem

CODE_RE = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"
problem = Problem.at  # a problem at a YAML path: problem(path, key, **params)


def plan_rules(raw: Any) -> list[Problem]:
    """Rules across fields: codes, areas, spans, milestones, targets.

    Works on the raw data, defensively, so that it reports its findings
    even when pydantic found type errors elsewhere in the same file.
    """
    out: list[Problem] = []
    if not isinstance(raw, dict):
        return out
    span = raw.get("span") if isinstance(raw.get("span"), dict) else {}
    start, end = _date(span.get("start")), _date(span.get("end"))
    if start and end and start > end:
        out.append(problem("span.end", "plan.span_order"))
        start = end = None
    if start and start.day != 1:
        out.append(problem("span.start", "plan.span_start_day"))
    if end and (end + dt.timedelta(days=1)).day != 1:
        out.append(problem("span.end", "plan.span_end_day"))
    areas = raw.get("areas") if isinstance(raw.get("areas"), list) else []
    area_codes: dict[str, int] = {}
    for i, area in enumerate(areas):
        code = area.get("code") if isinstance(area, dict) else None
        if isinstance(code, str):
            if code in area_codes:
                out.append(problem(f"areas[{i}].code", "plan.duplicate_area", code=code,
                                   other=f"areas[{area_codes[code]}]"))
            area_codes.setdefault(code, i)
    seen: dict[str, str] = {}
    for i, area in enumerate(areas):
        if not isinstance(area, dict) or not isinstance(area.get("items"), list):
            continue
        for j, item in enumerate(area["items"]):
            if isinstance(item, dict):
                out += _item_rules(item, f"areas[{i}].items[{j}]", area.get("code"), area_codes, seen, start, end)
    return out


def _item_rules(item: dict, at: str, area_code: Any, area_codes: dict, seen: dict,
                start: dt.date | None, end: dt.date | None) -> list[Problem]:
    out: list[Problem] = []
    code = item.get("code")
    if isinstance(code, str) and re.match(CODE_RE, code):
        if code in seen:
            out.append(problem(f"{at}.code", "plan.duplicate_code", code=code, other=seen[code]))
        seen.setdefault(code, at)
        prefix = code.split("-", 1)[0]
        if prefix not in area_codes:
            out.append(problem(f"{at}.code", "plan.unknown_area", code=code, prefix=prefix,
                               areas=", ".join(area_codes)))
        elif isinstance(area_code, str) and prefix != area_code:
            out.append(problem(f"{at}.code", "plan.wrong_area", code=code, prefix=prefix, area=area_code))
    kind, direction = item.get("kind"), item.get("direction", "at_least")
    target, targets, every = item.get("target"), item.get("targets") or [], item.get("every")
    due = _date(item.get("due"))
    if kind == "milestone":
        if item.get("due") is None:
            out.append(problem(f"{at}.due", "plan.due_missing"))
        for key in ("target", "targets", "every"):
            if item.get(key) not in (None, []):
                out.append(problem(f"{at}.{key}", "plan.milestone_target"))
    elif item.get("due") is not None:
        out.append(problem(f"{at}.due", "plan.due_not_milestone"))
    if due and start and end and not start <= due <= end:
        out.append(problem(f"{at}.due", "plan.outside_span", value=str(due), start=str(start), end=str(end)))
    if every is not None and target is None:
        out.append(problem(f"{at}.every", "plan.every_target"))
    if target is not None and targets:
        out.append(problem(f"{at}.targets", "plan.target_and_targets"))
    if every and start and end and every in ("month", "quarter", "half", "year"):
        covered = sum(p.days for p in periods_in_span(start, end, every))
        if covered != (end - start).days + 1:
            out.append(problem(f"{at}.every", "plan.every_grain", grains=Localized(f"grains.{every}")))
    values = [(f"{at}.target", target)] + [
        (f"{at}.targets[{k}].value", t.get("value")) for k, t in enumerate(targets) if isinstance(t, dict)]
    for path, value in values:
        if value is None:
            continue
        if direction == "range" and not isinstance(value, dict):
            out.append(problem(path, "plan.range_form"))
        if direction != "range" and isinstance(value, dict):
            out.append(problem(path, "plan.range_direction", direction=direction))
        if isinstance(value, dict) and _num(value.get("low")) is not None and _num(value.get("high")) is not None:
            if value["low"] > value["high"]:
                out.append(problem(path, "plan.low_high", low=f"{value['low']:g}", high=f"{value['high']:g}"))
    limits = item.get("bounds")
    if isinstance(limits, dict) and _num(limits.get("low")) is not None and _num(limits.get("high")) is not None:
        if limits["low"] > limits["high"]:
            out.append(problem(f"{at}.bounds", "plan.low_high", low=f"{limits['low']:g}", high=f"{limits['high']:g}"))
    spans: list[tuple[dt.date, dt.date, str]] = []
    for k, t in enumerate(targets):
        if not isinstance(t, dict):
            continue
        try:
            p = parse_period(t.get("period"))
        except PeriodError:
            continue  # pydantic names it
        path = f"{at}.targets[{k}].period"
        if start and end and not (start <= p.start and p.end <= end):
            out.append(problem(path, "plan.outside_span", value=p.label, start=str(start), end=str(end)))
        for s, e, other in spans:
            if p.start <= e and s <= p.end:
                out.append(problem(path, "plan.overlap", period=p.label, other=other))
        spans.append((p.start, p.end, p.label))
    return out


def _date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            return None
    return None


def _num(v: Any) -> float | None:
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None
