"""The plan as data: pydantic models, loading, and validation with paths.

A plan file (YAML) holds the work areas and their items. Every problem in a
file is reported with its path (``areas[2].items[3].target``) and, where the
YAML says, its line, so the person who wrote the file can find and fix it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag, ValidationError, field_validator

from kpi.periods import PeriodError, parse_period
from kpi.plan.rules import CODE_RE, PlanIssue, plan_rules

Kind = Literal["count", "stock", "rate", "milestone"]
Direction = Literal["at_least", "at_most", "range"]
Grain = Literal["month", "quarter", "half", "year"]
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


class Bounds(Strict):
    """The values an item can take, when they are not its kind's (a rate 0 to 100, a count or stock 0 or more)."""

    low: float | None = None
    high: float | None = None


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
    # left out of the canonical JSON when absent, so plans without bounds keep their sha256 (and revision)
    bounds: Bounds | None = Field(None, exclude_if=lambda v: v is None)

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
    _memo: dict = PrivateAttr(default_factory=dict)  # derived facts (target windows), computed once per plan
    id: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    title: Text
    issuer: Text | None = None
    published: dt.date | None = None
    source: str | None = None
    example: bool = False
    span: Span
    areas: Annotated[list[Area], Field(min_length=1)]

    def __eq__(self, other: object) -> bool:
        """Plans are equal when their fields are (the memo of derived facts does not count)."""
        return isinstance(other, Plan) and self.__dict__ == other.__dict__

    __hash__ = None  # a plan holds lists: not hashable

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


def validate_plan(raw: Any, lines: dict[str, int] | None = None) -> tuple[Plan | None, list[PlanIssue]]:
    """Validate plan data; return the plan (or None) and every issue found."""
    issues: list[PlanIssue] = []
    plan = None
    try:
        plan = Plan.model_validate(raw)
    except ValidationError as err:
        issues += _from_pydantic(err)
    known = {i.path for i in issues}
    issues += [i for i in plan_rules(raw) if i.path not in known]
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


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return out
    if root is not None:
        walk(root, "")
    return out


def parse_plan_text(text: str, source: str = "plan") -> Plan:
    """Parse and validate a plan from YAML (or JSON) text; raise PlanError."""
    try:
        raw = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (libyaml's when present)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise PlanError([PlanIssue("(file)", f"not valid YAML: {getattr(exc, 'problem', exc)}", line)], source) from exc
    plan, issues = validate_plan(raw)
    if issues:  # only now is it worth parsing again for line numbers
        _, issues = validate_plan(raw, _yaml_lines(text))
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
