"""Reading one sentence of a plan into items: targets, baselines, milestones, monitored work.

A sentence is cut into clauses. A clause with a committed quantity is an item with a target; a fact already
done (已梳理25家) is a baseline (of the item whose target follows in the same sentence, else of an item of its
own); a clause with a due date and no quantity is a milestone. Work with neither becomes a monitored item (or a
milestone when it is a deliverable: 完成, 建立, 出台 … or a named event: 第七届…大赛, 年度…展).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kpi.plan.outline import clauses
from kpi.plan.quantities import (
    CONTEXT_LEADS,
    QUANTITY,
    RECURRENCE,
    Quantity,
    due_date,
    event_due,
    guess_kind,
    quantities,
    recurrence,
    unquoted,
)

# a clause that commits to work has one of these
ACTION_VERBS = (
    "推动", "推进", "加快", "加强", "开展", "举办", "组织", "完成", "建立", "建设", "建成", "实施", "落实", "做好",
    "办好", "提升", "提高", "深化", "优化", "完善", "培育", "引进", "支持", "对接", "走访", "梳理", "储备", "拓展",
    "探索", "打造", "新建", "新增", "出台", "制定", "发布", "选派", "健全", "促进", "强化", "扩大", "确保", "兑现",
    "帮助", "协助", "跟进", "收集", "发挥", "推广", "宣传", "召开", "办理", "联系", "监测", "解决", "挖掘", "承接",
    "链接", "引导", "提供", "报送", "上线", "评估", "创建", "争创", "申报", "跟踪", "培训", "解答", "激励", "加大",
    "参加", "形成", "印发", "编制", "落地", "孵化", "保持", "降低", "压缩", "增强", "扶持", "服务")
# a clause that starts with one of these starts a new piece of work within a sentence
STRONG_STARTS = ("组织", "举办", "开展", "完成", "建立", "落实", "办好", "召开", "出台", "制定", "选派", "发布",
                 "新建", "印发", "编制")
DELIVERABLE = ("完成", "建成", "出台", "制定", "印发", "建立", "上线", "形成", "编制", "启用", "投入使用", "挂牌",
               "揭牌", "竣工")
EVENT_VERBS = ("举办", "办好", "组织好", "组织", "召开", "开展", "举行")
NAMED_EVENTS = ("大会", "大赛", "论坛", "成果展", "博览会", "科普日", "活动周", "高交会", "交易会", "年会")
# words that say how or when, not what: left out of names
ADVERBS = ("进一步", "持续", "积极", "不断", "努力", "力争", "确保", "全年", "年内", "全力", "大力", "切实", "着力",
           "着重", "重点", "主动", "尽快", "深入", "继续", "同时", "并", "其中", "全县", "全市", "全区", "目前", "现有",
           "已")
KEPT_VERBS = ("新增", "新建", "引进", "选派", "发布", "培训", "对接", "走访", "入库")  # part of what is counted
DATE_WORDS = re.compile(  # 6月底前, 6月30日前, 年底前
    r"(\d{1,2}|[一二三四五六七八九十]+)月(\d{1,2}日)?(底|末)?(前|之前|以前)?|(年底|年末)(前|之前)?")
OBJECT_VERBS = ("开展", "举办", "召开", "组织实施", "参加")  # what follows them is what is held: 赴北京开展|招商活动
NAME_VERBS = ("完成", "实现", "组织实施", "组织好", "开展", "举办", "组织", "召开", "实施", "办好", "做好", "落实",
              "推动", "推进", "加快", "加强", "深化", "强化", "探索", "参加", "带动", "拥有", "梳理", "储备", "含")
UNIT_GUESSES = (("对接会", "场"), ("会", "场"), ("活动", "场"), ("大赛", "场"), ("讲堂", "场"), ("成果展", "场"),
                ("培训", "场"), ("项目", "个"), ("企业", "家"), ("公司", "家"), ("走访", "次"), ("诉求", "件"),
                ("人才", "人"), ("专利", "件"), ("基地", "个"), ("机构", "家"), ("平台", "个"))


@dataclass
class Found:
    """One item read from the text, before it gets its code."""

    name: str
    source: str
    kind: str
    review: list[str]
    unit: str | None = None
    direction: str = "at_least"
    target: float | None = None
    every: str | None = None
    due: dt.date | None = None
    baseline: tuple[float, dt.date, str] | None = None
    notes: list[tuple[str, dict]] = field(default_factory=list)  # catalogue keys and their parameters
    at: tuple[int, int] | None = None  # the clauses of the sentence it was read from (first, last)


@dataclass
class Context:
    start: dt.date
    end: dt.date
    facts_date: dt.date  # when the facts the text states as done were true (published, else the span's start)


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def clean_name(text: str, keep_verb: bool = False) -> str:
    """The words of a clause that say what: without adverbs, leading verbs, recurrence and trailing marks."""
    for word, _ in RECURRENCE:
        text = text.replace(word, "")
    text = DATE_WORDS.sub("", text)
    text = re.sub(r"^每[名个家位人](?=\S)", "每名", text)
    changed = True
    while changed:
        changed = False
        for word in sorted(ADVERBS, key=len, reverse=True):
            if text.startswith(word) and len(text) > len(word):
                text, changed = text[len(word):], True
        for word in ("力争", "确保", "全年", "年内", "上半年", "下半年"):
            if word in text:
                text, changed = text.replace(word, ""), True
    if not keep_verb:
        text = _strip_verbs(text)
        cuts = [text.rfind(v) + len(v) for v in OBJECT_VERBS if v in text]
        if cuts:
            text = text[max(cuts):]
    text = re.sub(r"[（(][^)）]*月[)）]", "", text)
    return text.strip("，,、：:；;。 的").strip()


def _leads_context(text: str) -> bool:
    return text.lstrip().startswith(CONTEXT_LEADS)


def _has_action(text: str) -> bool:
    return any(v in unquoted(text) for v in ACTION_VERBS)


def _strip_verbs(text: str, keep: tuple[str, ...] = ()) -> str:
    """Without the verbs and adverbs it starts with (but those in ``keep``)."""
    for word in sorted(NAME_VERBS + ADVERBS, key=len, reverse=True):
        if text.startswith(word) and not text.startswith(keep):
            return _strip_verbs(text[len(word):], keep)
    return text


def _strip_adverbs(text: str) -> str:
    for word in sorted(ADVERBS, key=len, reverse=True):
        if text.startswith(word):
            return _strip_adverbs(text[len(word):])
    return text


def read_sentence(sentence: str, ctx: Context) -> list[Found]:
    """The items one sentence commits to (see the module's doc)."""
    spans = clauses(sentence)
    texts = [sentence[a:b] for a, b in spans]
    year = re.match(r"^(\d{4})年", sentence)
    past = bool(year) and int(year.group(1)) < ctx.start.year
    found_in: dict[int, list[Found]] = {}
    for i, text in enumerate(texts):
        qs = quantities(text, past)
        for q in qs:
            if q.role == "baseline":
                date = dt.date(int(year.group(1)), 12, 31) if past else ctx.facts_date
                found_in.setdefault(i, []).append(_baseline_item(texts, spans, sentence, i, q, date))
            elif q.role == "target":
                found_in.setdefault(i, []).append(_target_item(texts, spans, sentence, i, q, qs, found_in, ctx))
        if not any(q.role != "ignore" for q in qs):
            due = due_date(text, ctx.start, ctx.end)
            if due and _has_action(text):
                found_in.setdefault(i, []).append(_dated_item(texts, spans, sentence, i, due, found_in))
    _attach_baselines(found_in)
    items = [f for i in sorted(found_in) for f in found_in[i]]
    for item in items:
        item.source = _source(sentence, spans, *item.at)
    last = max(found_in) if found_in else -1
    rest = [(a, b) for k, (a, b) in enumerate(spans) if k > last]
    if found_in and rest and not _leads_context(texts[last + 1] if last + 1 < len(texts) else ""):
        items += _work_items(sentence, rest, ctx)
    elif not found_in:
        items += _work_items(sentence, spans, ctx)
    return items


def _source(sentence: str, spans: list[tuple[int, int]], first: int, last: int) -> str:
    return sentence[spans[first][0]:spans[last][1]].strip()


def _target_item(texts, spans, sentence, i, q: Quantity, qs, found_in, ctx: Context) -> Found:
    text = texts[i]
    prev_end = max([p.end for p in qs if p.end <= q.start], default=0)
    next_start = min([p.start for p in qs if p.start >= q.end], default=len(text))
    before, after = text[prev_end:q.start], text[q.end:next_start]
    name = clean_name(before, keep_verb=True)
    name = clean_name(name) if not name.startswith(KEPT_VERBS) else name
    if len(clean_name(name)) <= 2 and not q.growth:  # 完成首批|2个|夜间经济集聚区认定: the number comes first
        name = clean_name(after.lstrip("的")) or name
    first = i
    if q.growth and name in ("", "同比", "较上年", "比上年", "比去年"):
        subject = next((f.name for f in found_in.get(i - 1, []) if f.target), None) if i else None
        subject = subject or (clean_name(texts[i - 1]) if i else "")
        name, first = subject + (name or ""), max(i - 1, 0)
    if not name:
        name = clean_name(after.lstrip("的"))
    if not name and i:
        name, first = clean_name(QUANTITY.sub("", texts[i - 1])), i - 1
    if q.growth and not name.endswith(("增长", "增速", "增幅", "下降", "降低")):
        name += "增长"
    kind, distinct = guess_kind(text, q)
    item = Found(name or clean_name(text), "", kind, ["name", "kind", "target"], unit=q.unit, direction=q.direction,
                 target=_num(q.value), at=(first, i))
    if q.direction != "at_least" or q.approximate:
        item.review.append("direction")
    if q.approximate:
        item.notes.append(("draft.note_about", {}))
    if re.search(r"每[名个家位人]", before):
        item.notes.append(("draft.note_each", {}))
    if q.every:
        item.every = q.every
        item.review.append("every")
    if distinct:
        item.baseline = (0, ctx.start, "")
        item.review.append("baseline")
        item.notes.append(("draft.note_distinct", {}))
    return item


def _baseline_item(texts, spans, sentence, i, q: Quantity, date: dt.date) -> Found:
    text = texts[i]
    name = clean_name(text[:q.start]) or clean_name(text[q.end:].lstrip("的"))
    source = _source(sentence, spans, i, i)
    return Found(name or source, source, "stock", ["name", "kind", "baseline"], unit=q.unit,
                 baseline=(_num(q.value), date, source), at=(i, i))


def _attach_baselines(found_in: dict[int, list[Found]]) -> None:
    """A baseline and a later target with its unit, a level, in the same sentence: one item (86 now, 95 by then)."""
    keys = sorted(found_in)
    for k in keys:
        for base in [f for f in found_in[k] if f.target is None and f.baseline]:
            later = [f for j in keys if j > k for f in found_in[j] if f.target and f.unit == base.unit
                     and f.kind == "stock" and not f.baseline]
            if later:
                target = later[0]
                target.baseline = base.baseline
                target.review.append("baseline")
                target.name = target.name if len(target.name) > 2 else base.name
                target.at = (min(base.at[0], target.at[0]), target.at[1])
                found_in[k].remove(base)
    for k in [k for k in keys if not found_in[k]]:
        del found_in[k]


def _dated_item(texts, spans, sentence, i, due, found_in) -> Found:
    date, a, b = due
    text = texts[i]
    rest = _strip_adverbs((text[:a] + text[b:]).strip())
    first = i
    if (i and i - 1 not in found_in and not _leads_context(texts[i - 1]) and not text[:a].strip()
            and not recurrence(texts[i - 1]) and not re.search(r"\d+日", texts[i - 1])):
        first = i - 1  # 加快…中心建设，年底前完成主体工程: the work is named before its date
    name = clean_name(_strip_verbs(rest), keep_verb=True)
    if first < i and len(name) <= 8:
        name = clean_name(texts[i - 1]) + name
    review = ["name", "kind"]
    explicit = re.search(r"(日|底|末)(前|之前|以前)?$", text[a:b])
    if not explicit:
        review.append("due")
    return Found(name, "", "milestone", review, due=date, at=(first, i))


def _work_items(sentence: str, spans: list[tuple[int, int]], ctx: Context) -> list[Found]:
    """Work without a number or a date: one item per group of clauses (a new group at 组织 / 举办 / 完成 …)."""
    groups: list[list[tuple[int, int]]] = []
    for a, b in spans:
        text = _strip_adverbs(sentence[a:b].strip())
        new = not groups or (text.startswith(STRONG_STARTS) and any(
            _has_action(sentence[x:y]) and not _leads_context(sentence[x:y]) for x, y in groups[-1]))
        if new:
            groups.append([(a, b)])
        else:
            groups[-1].append((a, b))
    out = []
    for group in groups:
        source = sentence[group[0][0]:group[-1][1]].strip()
        working = [sentence[a:b] for a, b in group if not _leads_context(sentence[a:b])]
        if not working or not _has_action(source) or len(source) < 4:
            continue
        out.append(_work_item(source, working, ctx))
    return out


def _work_item(source: str, working: list[str], ctx: Context) -> Found:
    head = _strip_adverbs(working[0].strip())
    name = clean_name(head) or clean_name(head, keep_verb=True)
    masked = unquoted(source)
    event = any(w in masked for w in EVENT_VERBS) and (
        any(w in masked for w in NAMED_EVENTS) or re.search(r"第[一二三四五六七八九十\d]+届|年度", masked))
    if event or any(w in masked for w in DELIVERABLE):
        known = event_due(source, ctx.start, ctx.end)
        done = _strip_verbs(head, keep=DELIVERABLE)  # 推动完成重点产业项目遴选 -> 完成重点产业项目遴选
        name = clean_name(done, keep_verb=True) if done.startswith(DELIVERABLE) else name
        item = Found(name, source, "milestone", ["name", "kind", "due"], due=known[0] if known else ctx.end)
        item.notes.append(("draft.note_due_event", {"event": known[1], "month": known[0].month}) if known
                          else ("draft.note_due_end", {"date": str(ctx.end)}))
        return item
    unit = next((u for word, u in UNIT_GUESSES if word in name), None) or next(
        (u for word, u in UNIT_GUESSES if word in masked), None)
    return Found(name, source, "count", ["name", "kind"] + (["unit"] if unit else []), unit=unit)
