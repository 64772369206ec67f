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
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from kpi.i18n import t
from kpi.periods import PeriodError, parse_period
from kpi.plan.rules import CODE_RE, plan_rules
from kpi.problems import Invalid, Problem

Kind = Literal["count", "stock", "rate", "milestone"]
Direction = Literal["at_least", "at_most", "range"]
Grain = Literal["month", "quarter", "half", "year"]
# what a drafted plan guessed and a person should confirm before the plan is loaded (``plan load --accept-draft``)
ReviewFlag = Literal["area", "code", "name", "unit", "kind", "direction", "target", "every", "due", "baseline",
                     "heading", "title"]
AREA_RE = r"^[A-Z][A-Z0-9]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A string in Chinese, and in English where someone wrote it: Chinese alone is enough."""

    zh: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_string_is_chinese(cls, value: Any) -> Any:
        """``name: 招商引资`` means ``name: {zh: 招商引资}``: Chinese alone is enough."""
        return {"zh": value} if isinstance(value, str) else value

    def get(self, lang: str) -> str:
        """The text in that language; the Chinese where there is no English (``has`` tells which)."""
        return self.en if lang == "en" and self.en else self.zh

    def has(self, lang: str) -> bool:
        """Whether the text exists in that language (Chinese always does)."""
        return lang != "en" or bool(self.en)


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
            raise Invalid("plan.bad_period", value=str(v)) from exc


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
    review: list[ReviewFlag] = []  # a draft's guesses a person should confirm (kind, target, due …)
    # left out of the canonical JSON when absent, so plans without bounds keep their sha256 (and revision)
    bounds: Bounds | None = Field(None, exclude_if=lambda v: v is None)

    @property
    def monitored(self) -> bool:
        """No numeric target in the plan: charted, never judged."""
        return self.kind != "milestone" and self.target is None and not self.targets

    @property
    def area(self) -> str:
        return self.code.split("-", 1)[0]

    def unit_text(self, lang: str) -> str | None:
        """The unit in that language (场, events); None for an item without a unit."""
        return self.unit.get(lang) if self.unit else None


class Area(Strict):
    code: Annotated[str, Field(pattern=AREA_RE)]
    name: Text
    heading: Text | None = None
    owner: Text | None = None
    items: Annotated[list[Indicator], Field(min_length=1)]
    review: list[ReviewFlag] = []  # a draft's guesses about the area a person should confirm (its name, its code)


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
    review: list[ReviewFlag] = []  # a draft's guesses about the plan itself (its title, when carried forward)
    areas: Annotated[list[Area], Field(min_length=1)]

    def __eq__(self, other: object) -> bool:
        """Plans are equal when their fields are (the memo of derived facts does not count)."""
        return isinstance(other, Plan) and self.__dict__ == other.__dict__

    __hash__ = None  # a plan holds lists: not hashable

    def indicators(self) -> list[Indicator]:
        return [item for area in self.areas for item in area.items]

    def open_reviews(self) -> list[tuple[str, list[str]]]:
        """Every guess of a draft still to confirm: (path, flags), e.g. ("areas[0].items[2]", ["kind"])."""
        out = [("(top)", list(self.review))] if self.review else []
        for i, area in enumerate(self.areas):
            if area.review:
                out.append((f"areas[{i}]", list(area.review)))
            out += [(f"areas[{i}].items[{j}]", list(item.review)) for j, item in enumerate(area.items) if item.review]
        return out

    def untranslated(self) -> bool:
        """Whether any name, unit, heading or note has no English (English pages then show the Chinese, marked)."""
        texts = [self.title, self.issuer] + [t for a in self.areas for t in (a.name, a.heading, a.owner)] + \
            [t for i in self.indicators() for t in (i.name, i.unit, i.note)]
        return any(t is not None and not t.has("en") for t in texts)

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
    """A plan file with problems: every one of them, each at its path (and line)."""

    def __init__(self, issues: list[Problem], source: str = "plan"):
        self.issues = issues
        self.source = source
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        head = t("plan.problems", lang, source=self.source, count=len(self.issues))
        return "\n".join([head] + [i.message(lang) for i in self.issues])


# pydantic's error types, as catalogue keys (the parameters come from the error's ctx)
_KEYS = {
    "extra_forbidden": "plan.unknown_key",
    "missing": "plan.required",
    "greater_than": "plan.greater_than",
    "greater_than_equal": "plan.at_least",
    "string_pattern_mismatch": "plan.pattern",
    "too_short": "plan.empty",
    "string_too_short": "plan.empty",
    "date_from_datetime_parsing": "plan.date",
    "date_from_datetime_inexact": "plan.date",
    "date_parsing": "plan.date",
    "date_type": "plan.date",
    "float_parsing": "plan.number",
    "float_type": "plan.number",
    "int_parsing": "plan.number",
    "int_type": "plan.number",
    "bool_parsing": "plan.bool",
    "bool_type": "plan.bool",
    "string_type": "plan.text",
    "list_type": "plan.list",
    "dict_type": "plan.mapping",
    "model_type": "plan.mapping",
    "model_attributes_type": "plan.mapping",
    "literal_error": "plan.one_of",
}
_TARGET_FIELDS = {"target", "value"}  # a target's number: "must be greater than 0" says which


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top)"


def _number(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _problem(e: dict, path: str) -> Problem:
    """One pydantic error as a catalogue key and its parameters; pydantic's own words for a type we do not know."""
    kind, ctx = e["type"], e.get("ctx", {})
    if kind == "value_error" and isinstance(ctx.get("error"), Invalid):
        return Problem.at(path, ctx["error"].key, **ctx["error"].params)
    key = _KEYS.get(kind)
    if key is None:
        return Problem.at(path, "plan.invalid", msg=e["msg"])
    if kind == "greater_than":
        target = path.rsplit(".", 1)[-1] in _TARGET_FIELDS
        return Problem.at(path, "plan.target_greater_than" if target else key, limit=_number(ctx["gt"]))
    if kind == "greater_than_equal":
        return Problem.at(path, key, limit=_number(ctx["ge"]))
    if kind == "string_pattern_mismatch":
        return Problem.at(path, key, pattern=ctx["pattern"])
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return Problem.at(path, key, expected=", ".join(choices) or str(ctx.get("expected", "")))
    return Problem.at(path, key)


def _from_pydantic(err: ValidationError) -> list[Problem]:
    issues: dict[str, Problem] = {}
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        if loc:  # the last part may be a user's key that happens to be spelled like a tag
            loc = tuple(p for p in loc[:-1] if p not in _UNION_TAGS) + (
                () if loc[-1] in _UNION_TAGS and e["type"] != "extra_forbidden" else loc[-1:])
        path = _path(loc)
        issues.setdefault(path, _problem(e, path))
    return list(issues.values())


def validate_plan(raw: Any, lines: dict[str, int] | None = None) -> tuple[Plan | None, list[Problem]]:
    """Validate plan data; return the plan (or None) and every problem found, each at its path."""
    issues: list[Problem] = []
    plan = None
    try:
        plan = Plan.model_validate(raw)
    except ValidationError as err:
        issues += _from_pydantic(err)
    known = {i.path for i in issues}
    issues += [i for i in plan_rules(raw) if i.path not in known]
    if lines:
        issues = [replace(i, line=_line_for(i.path, lines)) for i in issues]
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
        reason = str(getattr(exc, "problem", None) or exc)
        raise PlanError([replace(Problem.at("(file)", "plan.not_yaml", reason=reason), line=line)], source) from exc
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
        raise PlanError([Problem.at("(file)", "plan.unreadable", reason=str(exc))], str(path)) from exc
    return parse_plan_text(text, str(path))
