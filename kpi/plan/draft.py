"""Draft a plan from its own text: sections → areas, committing sentences → items, quantities → targets.

``draft_plan(text, span=None, plan_id=None)`` reads the text of a work plan (pasted, or read from a .txt,
.docx or .pdf file by ``read_document``) and proposes its plan: the same data a plan file holds, validated by
the plan's own rules. Every guess is written down as a review flag beside the item or area it concerns
(``review: [kind, target]``), so nothing the draft guessed is silently final: ``plan check`` lists the flags,
``plan load`` refuses them until a person has confirmed each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pypinyin import Style, lazy_pinyin

from kpi.i18n import t
from kpi.periods import PeriodError, parse_period, periods_in_span
from kpi.plan.dump import yaml_text
from kpi.plan.models import Plan, validate_plan
from kpi.plan.outline import LEAD, SPACES, Outline, Section, looks_wrapped, outline, sentences, unwrap
from kpi.plan.reading import Context, Found, read_sentence
from kpi.problems import Localized, Problem

SPAN_GRAINS = ("year", "half", "quarter")  # a plan runs for a year, a half or a quarter
AREA_CODE_LETTERS = 4  # 招商引资 -> ZSYZ
ITEM_CODE_LETTERS = 6  # 市外招商活动 -> SWZSHD
CHROME_MAX = 30  # a line this short with no punctuation is a page's furniture (知识图谱, 返回), not the plan
AREA_PREFIXES = ("进一步", "全力", "持续", "加快", "加大", "深化", "做好", "强化", "扎实", "丰富", "着力", "大力",
                 "积极", "切实", "不断", "推进", "推动", "加强", "提升", "优化", "建设", "全面", "与")
AREA_SUFFIXES = ("力度", "工作", "形式", "支撑", "水平")


@dataclass
class Draft:
    """A drafted plan: its data (what ``plan draft`` writes), the validated plan, and what stands in the way.

    ``plan`` is None when ``problems`` is not empty. Per item, the plan holds the source sentence (``source``)
    and the guesses to confirm (``review``); ``plan.open_reviews()`` lists them with their paths.
    """

    data: dict | None
    plan: Plan | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.problems

    def targets(self) -> int:
        return sum(1 for i in self.plan.indicators() if i.target is not None) if self.plan else 0

    def to_yaml(self, lang: str = "zh", source: str | None = None) -> str:
        """The plan file: a header that says it is a draft, then the plan (Chinese only where the text is)."""
        return yaml_text(self.data, t("draft.header", lang, source=source or t("draft.pasted", lang)))


def draft_plan(text: str, span: str | None = None, plan_id: str | None = None,
               source: str | None = None) -> Draft:
    """Read a plan's text and propose its plan (see the module's doc). ``span``: ``2024``, ``2024-H1`` …;
    else the title's year (and 上半年 / 下半年); ``plan_id``: else the span's label; ``source``: where the text is."""
    if not text or not text.strip(SPACES + "\n"):
        return Draft(None, None, [Problem.at("(text)", "draft.no_text")])
    shape = outline(unwrap(text) if looks_wrapped(text) else text)
    period, problem = _span(span, shape)
    if problem:
        return Draft(None, None, [problem])
    ctx = Context(period.start, period.end, shape.published if shape.published and
                  period.start <= shape.published <= period.end else period.start)
    areas = []
    for section in shape.areas:
        found = _section_items(section, ctx)
        if found:
            areas.append((section, found))
    if not areas:
        return Draft(None, None, [Problem.at("(text)", "draft.no_items")])
    data = _plan_data(shape, period, plan_id or period.label, source, areas, ctx)
    plan, problems = validate_plan(data)
    return Draft(data, plan, problems)


def _span(span: str | None, shape: Outline):
    """The plan's period: as given, else from the title (2023年下半年 -> 2023-H2); a problem when neither."""
    if span:
        try:
            period = parse_period(span)
        except PeriodError:
            period = None
        if period is None or period.grain not in SPAN_GRAINS:
            return None, Problem.at("span", "draft.bad_span", value=span)
        return period, None
    for line in [shape.title or ""] + shape.preamble[:5]:
        m = re.search(r"(\d{4})\s*年\s*(上半年|下半年)?", line)
        if m and (line == shape.title or any(w in line for w in ("计划", "要点", "方案", "思路", "安排"))):
            return parse_period(m.group(1) + ("年" + m.group(2) if m.group(2) else "")), None
    return None, Problem.at("span", "draft.no_span")


def _chrome(paragraph: str) -> bool:
    """A line of the page around the plan (知识图谱, 返回, a signature): short, with no punctuation at all."""
    return (len(paragraph) <= CHROME_MAX and not re.search(r"[。，,；;：:、！？]", paragraph)
            and not LEAD.match(paragraph))


def _section_items(section: Section, ctx: Context) -> list[Found]:
    """The items of a section, paragraph by paragraph. A paragraph's opening words (一是…) lead it: they are an
    item only when the rest of the paragraph has none, or when they state a number."""
    out: list[Found] = []
    for paragraph in section.paragraphs:
        if _chrome(paragraph):
            continue
        lead = LEAD.match(paragraph)
        parts = sentences(paragraph[lead.end():] if lead else paragraph)
        opening, rest = (parts[0], parts[1:]) if lead and len(parts) > 1 else (None, parts)
        found = [f for s in rest for f in read_sentence(s, ctx)]
        if opening:
            first = read_sentence(opening, ctx)
            numbered = [f for f in first if f.target is not None or f.baseline or f.kind == "milestone"]
            found = (numbered if found else first) + found
        out += found
    return out


# --- codes -----------------------------------------------------------------------------------------

def initials(text: str, letters: int) -> str:
    """Pinyin initials of the Chinese, letters and digits as they are, in capitals: 招商引资 -> ZSYZ."""
    parts = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    code = re.sub(r"[^A-Za-z0-9]", "", "".join(parts)).upper()
    return code[:letters]


def _unique(code: str, taken: set[str]) -> str:
    n, out = 2, code
    while out in taken:
        out, n = f"{code}{n}", n + 1
    taken.add(out)
    return out


def area_name(heading: str) -> str:
    """The short name of an area from its heading: 进一步加大招商引资力度 -> 招商引资."""
    name, changed = heading, True
    while changed:
        changed = False
        for word in AREA_PREFIXES:
            if name.startswith(word) and len(name) - len(word) >= 2:
                name, changed = name[len(word):], True
        for word in AREA_SUFFIXES:
            if name.endswith(word) and len(name) - len(word) >= 2:
                name, changed = name[:-len(word)], True
    return name


# --- the plan's data -------------------------------------------------------------------------------

def _say(key: str, lang: str, params: dict) -> str:
    return t(key, lang, **{k: v(lang) if isinstance(v, Localized) else v for k, v in params.items()})


def _plan_data(shape: Outline, period, plan_id: str, source: str | None, areas, ctx: Context) -> dict:
    data: dict = {"id": plan_id, "title": shape.title or t("draft.untitled", "zh", span=period.label)}
    if shape.issuer:
        data["issuer"] = shape.issuer
    if shape.published:
        data["published"] = shape.published
    if source:
        data["source"] = source
    data["span"] = {"start": period.start, "end": period.end}
    area_codes: set[str] = set()
    data["areas"] = []
    for section, found in areas:
        name = area_name(section.heading) or section.heading or t("draft.whole_area", "zh")
        code = _unique(initials(name, AREA_CODE_LETTERS) or "A", area_codes)
        if not code[0].isalpha():
            code = _unique("A" + code, area_codes)
        item_codes: set[str] = set()
        area = {"code": code, "name": name}
        if section.heading:
            area["heading"] = section.heading
        area["items"] = [_item(f, code, item_codes, ctx) for f in found]
        area["review"] = ["name", "code"] + (["heading"] if shape.whole else [])  # no sections: our reading
        data["areas"].append(area)
    return data


def _item(f: Found, area: str, taken: set[str], ctx: Context) -> dict:
    code = _unique(f"{area}-{initials(f.name, ITEM_CODE_LETTERS) or 'X'}", taken)
    item: dict = {"code": code, "name": f.name or f.source[:20], "kind": f.kind}
    review = list(f.review)
    if f.unit and f.kind != "milestone":
        item["unit"] = f.unit
    if f.direction != "at_least":
        item["direction"] = f.direction
    notes = list(f.notes)
    if f.target is not None:
        every = f.every
        if every and sum(p.days for p in periods_in_span(ctx.start, ctx.end, every)) != (ctx.end - ctx.start).days + 1:
            notes.append(("draft.note_every", {"grain": Localized(f"draft.grain.{every}")}))
            every = None  # 每年 in a half-year plan: the span is not made of whole years; the target is the span's
        if every:
            item["every"] = every
        item["target"] = f.target
    if f.due:
        item["due"] = f.due
    if f.baseline:
        value, date, note = f.baseline
        item["baseline"] = {"value": value, "date": date, **({"note": note} if note else {})}
    item["source"] = f.source
    if notes:
        item["note"] = {"zh": "；".join(_say(k, "zh", p) for k, p in notes),
                        "en": "; ".join(_say(k, "en", p) for k, p in notes)}
    item["review"] = list(dict.fromkeys(review))
    return item
