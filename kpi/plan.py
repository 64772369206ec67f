"""The plan as data: pydantic models, loading, and validation with paths.

A plan file (YAML) holds the work areas and their items. Every problem in a
file is reported with its path (``areas[2].items[3].target``) and, where the
YAML says, its line, so the person who wrote the file can find and fix it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator

from kpi.periods import PeriodError, parse_period, periods_in_span

Kind = Literal["count", "stock", "rate", "milestone"]
Direction = Literal["at_least", "at_most", "range"]
Grain = Literal["month", "quarter", "half", "year"]
CODE_RE = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"
AREA_RE = r"^[A-Z][A-Z0-9]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A string in both languages."""

    zh: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class Range(Strict):
    low: Annotated[float, Field(ge=0)]
    high: Annotated[float, Field(ge=0)]


Positive = Annotated[float, Field(gt=0)]
# one number, or {low, high} for a range; the tag keeps error paths clean
TargetValue = Annotated[
    Annotated[Positive, Tag("number")] | Annotated[Range, Tag("range")],
    Discriminator(lambda v: "range" if isinstance(v, (dict, Range)) else "number"),
]
_UNION_TAGS = {"number", "range"}


class PeriodTarget(Strict):
    """A target for one period (``2023-Q3``, ``2023-07``, ``2023-H2``...)."""

    period: str
    value: TargetValue

    @field_validator("period", mode="before")
    @classmethod
    def _canonical(cls, v: Any) -> str:
        try:
            return parse_period(v).label
        except PeriodError as exc:
            raise ValueError(f"{exc}; write it like 2023-Q3, 2023-07 or 2023-H2") from exc


class Baseline(Strict):
    """A fact the plan states as already done (e.g. a list of 25 firms)."""

    value: float
    date: dt.date
    note: Text | None = None


class Indicator(Strict):
    code: Annotated[str, Field(pattern=CODE_RE)]
    name: Text
    unit: Text | None = None
    kind: Kind
    direction: Direction = "at_least"
    target: TargetValue | None = None
    every: Grain | None = None
    targets: list[PeriodTarget] = []
    due: dt.date | None = None
    baseline: Baseline | None = None
    source: Annotated[str, Field(min_length=1)]
    note: Text | None = None

    @property
    def monitored(self) -> bool:
        """No numeric target in the plan: charted, never judged."""
        return self.kind != "milestone" and self.target is None and not self.targets

    @property
    def area(self) -> str:
        return self.code.split("-", 1)[0]


class Area(Strict):
    code: Annotated[str, Field(pattern=AREA_RE)]
    name: Text
    heading: Text | None = None
    owner: Text | None = None
    items: Annotated[list[Indicator], Field(min_length=1)]


class Span(Strict):
    start: dt.date
    end: dt.date


class Plan(Strict):
    id: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    title: Text
    issuer: Text | None = None
    published: dt.date | None = None
    source: str | None = None
    example: bool = False
    span: Span
    areas: Annotated[list[Area], Field(min_length=1)]

    def indicators(self) -> list[Indicator]:
        return [item for area in self.areas for item in area.items]

    def indicator(self, code: str) -> Indicator:
        for item in self.indicators():
            if item.code == code:
                return item
        raise KeyError(code)

    def area(self, code: str) -> Area:
        for area in self.areas:
            if area.code == code:
                return area
        raise KeyError(code)

    def canonical_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()


# --- validation -----------------------------------------------------------

@dataclass(frozen=True)
class PlanIssue:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}{self.path}: {self.message}"


class PlanError(ValueError):
    def __init__(self, issues: list[PlanIssue], source: str = "plan"):
        self.issues = issues
        self.source = source
        super().__init__("\n".join([f"{source}: {len(issues)} problem(s)"] + [str(i) for i in issues]))


_MESSAGES = {
    "extra_forbidden": "unknown key; remove it or check its spelling",
    "missing": "is required",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "string_pattern_mismatch": "has the wrong form (expected pattern {pattern})",
    "too_short": "must not be empty",
    "string_too_short": "must not be empty",
    "date_from_datetime_parsing": "must be a date like 2023-12-31",
    "date_parsing": "must be a date like 2023-12-31",
    "date_type": "must be a date like 2023-12-31",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
}


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top)"


def _from_pydantic(err: ValidationError) -> list[PlanIssue]:
    issues: dict[str, PlanIssue] = {}
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        if loc:  # the last part may be a user's key that happens to be spelled like a tag
            loc = tuple(p for p in loc[:-1] if p not in _UNION_TAGS) + (
                () if loc[-1] in _UNION_TAGS and e["type"] != "extra_forbidden" else loc[-1:])
        ctx = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in e.get("ctx", {}).items()}
        if e["type"] == "literal_error":
            msg = f"must be one of {e['ctx']['expected']}"
        elif e["type"] == "value_error":
            msg = str(e["ctx"]["error"])
        else:
            msg = _MESSAGES.get(e["type"], e["msg"]).format(**ctx)
        path = _path(loc)
        issues.setdefault(path, PlanIssue(path, msg))
    return list(issues.values())


def _rules(raw: Any) -> list[PlanIssue]:
    """Rules across fields: codes, areas, spans, milestones, targets.

    Works on the raw data, defensively, so that it reports its findings
    even when pydantic found type errors elsewhere in the same file.
    """
    out: list[PlanIssue] = []
    if not isinstance(raw, dict):
        return out
    span = raw.get("span") if isinstance(raw.get("span"), dict) else {}
    start, end = _date(span.get("start")), _date(span.get("end"))
    if start and end and start > end:
        out.append(PlanIssue("span.end", "must not be before span.start"))
        start = end = None
    if start and start.day != 1:
        out.append(PlanIssue("span.start", "must be the first day of a month"))
    if end and (end + dt.timedelta(days=1)).day != 1:
        out.append(PlanIssue("span.end", "must be the last day of a month"))
    areas = raw.get("areas") if isinstance(raw.get("areas"), list) else []
    area_codes: dict[str, int] = {}
    for i, area in enumerate(areas):
        code = area.get("code") if isinstance(area, dict) else None
        if isinstance(code, str):
            if code in area_codes:
                out.append(PlanIssue(f"areas[{i}].code",
                                     f"duplicate area code {code} (also areas[{area_codes[code]}])"))
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
                start: dt.date | None, end: dt.date | None) -> list[PlanIssue]:
    out: list[PlanIssue] = []
    code = item.get("code")
    if isinstance(code, str) and re.match(CODE_RE, code):
        if code in seen:
            out.append(PlanIssue(f"{at}.code", f"duplicate code {code} (also {seen[code]})"))
        seen.setdefault(code, at)
        prefix = code.split("-", 1)[0]
        if prefix not in area_codes:
            out.append(PlanIssue(f"{at}.code", f"{code} names an unknown area {prefix}; "
                                 f"an item's code starts with its area's code ({', '.join(area_codes)})"))
        elif isinstance(area_code, str) and prefix != area_code:
            out.append(PlanIssue(f"{at}.code", f"{code} belongs to area {prefix} but is listed under {area_code}"))
    kind, direction = item.get("kind"), item.get("direction", "at_least")
    target, targets, every = item.get("target"), item.get("targets") or [], item.get("every")
    due = _date(item.get("due"))
    if kind == "milestone":
        if item.get("due") is None:
            out.append(PlanIssue(f"{at}.due", "a milestone needs a due date inside the plan span"))
        for key in ("target", "targets", "every"):
            if item.get(key) not in (None, []):
                out.append(PlanIssue(f"{at}.{key}", "a milestone has a due date, not a numeric target"))
    elif item.get("due") is not None:
        out.append(PlanIssue(f"{at}.due", "only a milestone has a due date"))
    if due and start and end and not start <= due <= end:
        out.append(PlanIssue(f"{at}.due", f"{due} is outside the plan span {start} to {end}"))
    if every is not None and target is None:
        out.append(PlanIssue(f"{at}.every", "a recurring minimum needs a target per period (target: N)"))
    if target is not None and targets:
        out.append(PlanIssue(f"{at}.targets",
                             "give either target (for the plan span) or targets (per period), not both"))
    if every and start and end and every in ("month", "quarter", "half", "year"):
        covered = sum(p.days for p in periods_in_span(start, end, every))
        if covered != (end - start).days + 1:
            out.append(PlanIssue(f"{at}.every", f"the plan span is not made of whole {every}s"))
    values = [(f"{at}.target", target)] + [
        (f"{at}.targets[{k}].value", t.get("value")) for k, t in enumerate(targets) if isinstance(t, dict)]
    for path, value in values:
        if value is None:
            continue
        if direction == "range" and not isinstance(value, dict):
            out.append(PlanIssue(path, "a range target is written {low: A, high: B}"))
        if direction != "range" and isinstance(value, dict):
            out.append(PlanIssue(path, f"direction {direction} takes one number; use direction: range for low/high"))
        if isinstance(value, dict) and _num(value.get("low")) is not None and _num(value.get("high")) is not None:
            if value["low"] > value["high"]:
                out.append(PlanIssue(path, f"low {value['low']} is greater than high {value['high']}"))
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
            out.append(PlanIssue(path, f"{p.label} is outside the plan span {start} to {end}"))
        for s, e, other in spans:
            if p.start <= e and s <= p.end:
                out.append(PlanIssue(path, f"{p.label} overlaps {other}; targets of one item must not overlap"))
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


def validate_plan(raw: Any, lines: dict[str, int] | None = None) -> tuple[Plan | None, list[PlanIssue]]:
    """Validate plan data; return the plan (or None) and every issue found."""
    issues: list[PlanIssue] = []
    plan = None
    try:
        plan = Plan.model_validate(raw)
    except ValidationError as err:
        issues += _from_pydantic(err)
    known = {i.path for i in issues}
    issues += [i for i in _rules(raw) if i.path not in known]
    if lines:
        issues = [PlanIssue(i.path, i.message, _line_for(i.path, lines)) for i in issues]
    issues.sort(key=lambda i: (i.line or 0, i.path))
    return (None if issues else plan), issues


def _line_for(path: str, lines: dict[str, int]) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def _yaml_lines(text: str) -> dict[str, int]:
    """Map each path of a YAML document to its 1-based line."""
    out: dict[str, int] = {}

    def walk(node: yaml.Node, path: str) -> None:
        out[path or "(top)"] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = f"{path}.{key.value}" if path else str(key.value)
                out[sub] = key.start_mark.line + 1
                walk(value, sub)
                out[sub] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for k, value in enumerate(node.value):
                walk(value, f"{path}[{k}]")

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return out
    if root is not None:
        walk(root, "")
    return out


def parse_plan_text(text: str, source: str = "plan") -> Plan:
    """Parse and validate a plan from YAML (or JSON) text; raise PlanError."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise PlanError([PlanIssue("(file)", f"not valid YAML: {getattr(exc, 'problem', exc)}", line)], source) from exc
    plan, issues = validate_plan(raw, _yaml_lines(text))
    if issues:
        raise PlanError(issues, source)
    assert plan is not None
    return plan


def load_plan(path: str | Path) -> Plan:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError([PlanIssue("(file)", f"cannot read: {exc}")], str(path)) from exc
    return parse_plan_text(text, str(path))
