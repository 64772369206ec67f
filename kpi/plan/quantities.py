"""Quantities in a plan's sentences: which numbers are commitments, which are facts, which are neither.

A clause of a Chinese work plan states a target with a number and a unit (``不少于6场``,
``增长12%以上``), a recurring minimum with 每月 / 每季度 / 每半年 / 每年, a fact already done with
已 / 现有 / 目前 (a baseline), and a due date with ``6月底前``, ``年底前``, ``9月举办``. Years, ordinals
(第七届), spans (近三年), dates, numbers inside quotes or names (“一对一”, 三大产业) are none of these.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
CN_NUM = "零〇一二两三四五六七八九十百千万"

# units a plan counts in, longest first (so 人次 wins over 人, 亿元 over 元)
UNITS = ("个百分点", "个工作日", "亿美元", "万美元", "万人次", "工作日", "人次", "家次", "亿元", "万元", "美元",
         "平方米", "小时", "%", "％", "场", "次", "家", "个", "项", "件", "名", "人", "期", "篇", "所", "套", "台",
         "户", "条", "份", "座",
         "支", "天", "元", "亩")
RATE_UNITS = {"%", "％", "个百分点"}
MONEY_UNITS = {"亿元", "万元", "元", "亿美元", "万美元", "美元"}
TIME_UNITS = {"个工作日", "工作日", "小时", "天"}  # a time limit: a level, usually at most
EVENT_UNITS = {"次", "场", "期", "批"}  # how often something is done
ENTITY_UNITS = {"家", "个", "名", "所", "座", "支", "户"}  # things that exist (firms, centres): totals are levels

AT_MOST_BEFORE = ("不超过", "不高于", "控制在", "压缩至", "压缩到", "压减至", "缩短至", "缩短到", "降低至", "降至",
                  "少于", "低于")
AT_LEAST_BEFORE = ("不少于", "不低于", "至少", "超过", "突破", "达到", "达", "保持在", "提高到", "提高至",
                   "提升到", "提升至", "增长", "提高", "提升", "新增", "完成")
GROWTH_BEFORE = ("增长", "提高", "提升", "增加", "下降", "降低")  # a change in per cent: a rate
STOCK_WORDS = ("总数", "总量", "累计", "保持", "保有", "达到", "突破", "拥有", "总规模")
ADDED_WORDS = ("新增", "新建", "新认定", "新引进", "新培育", "新设立")  # added in the period: counts
CONTACT_VERBS = ("对接", "走访", "联系", "帮扶", "挂点服务")  # firms contacted: distinct firms, a level
BASELINE_WORDS = ("已", "现有", "目前", "截至", "截止", "拥有")  # a fact already done
CONTEXT_LEADS = ("围绕", "聚焦", "依托", "结合", "按照", "根据", "对照", "立足", "面向", "瞄准", "借助")
RECURRENCE = (("每个月", "month"), ("每月", "month"), ("每季度", "quarter"), ("每个季度", "quarter"),
              ("每季", "quarter"), ("每半年", "half"), ("每年度", "year"), ("每年", "year"))
# a Chinese numeral is a quantity only right after one of these (elsewhere it is part of a word: 一体化, 统一)
CN_LEADS = AT_MOST_BEFORE + AT_LEAST_BEFORE + tuple(w for w, _ in RECURRENCE) + (
    "举办", "开展", "组织", "召开", "选派", "引进", "培育", "建设", "新建", "打造", "研究", "发布", "评选", "安排",
    "走访", "培训", "服务", "下乡", "参加", "设立", "建成", "推出")

_UNIT_RE = "|".join(re.escape(u) for u in UNITS)
QUANTITY = re.compile(rf"(?P<num>\d+(?:\.\d+)?|[{CN_NUM}]+)\s*(?P<unit>{_UNIT_RE})(?P<after>以上|以内|以下|左右)?")
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|《[^》]*》|「[^」]*」")


def cn_number(text: str) -> float | None:
    """二十 -> 20, 一千二百 -> 1200, 两 -> 2, 12 -> 12, 2.8 -> 2.8; None when it is not a number."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if not text or any(c not in CN_NUM for c in text):
        return None
    total, section, digit = 0, 0, None
    for char in text:
        if char in CN_DIGITS:
            digit = CN_DIGITS[char]
        elif char == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * CN_UNITS[char]
            digit = None
    return float(total + section + (digit or 0))


@dataclass(frozen=True)
class Quantity:
    """A number with its unit found in a clause, and how the clause uses it."""

    value: float
    unit: str
    start: int  # where the quantity phrase starts in the clause (its marker included)
    end: int
    role: str  # "target", "baseline" or "ignore"
    direction: str = "at_least"
    every: str | None = None
    approximate: bool = False  # 左右: a target the text gives as about this much
    growth: bool = False  # 增长 12%: a rate of change

    @property
    def kind_hint(self) -> str:
        return "rate" if self.unit in RATE_UNITS else "count"


def unquoted(clause: str) -> str:
    """The clause with quoted words and titles blanked out (same length): numbers there are names."""
    return QUOTED.sub(lambda m: "□" * len(m.group()), clause)


def _marker_before(text: str, words: tuple[str, ...]) -> str | None:
    return next((w for w in sorted(words, key=len, reverse=True) if text.endswith(w)), None)


def recurrence(before: str) -> str | None:
    """每月 / 每季度 / 每半年 / 每年 in the words before a number: the grain of a recurring minimum."""
    found = [(before.rfind(word), grain) for word, grain in RECURRENCE if word in before]
    return max(found)[1] if found else None


def quantities(clause: str, past_year: bool = False) -> list[Quantity]:
    """Every quantity of a clause with its role: a target, a baseline (a fact done), or ignored."""
    masked = unquoted(clause)
    out = []
    for m in QUANTITY.finditer(masked):
        num, unit = m.group("num"), m.group("unit")
        before = masked[:m.start()]
        value = cn_number(num)
        if unit == "期" and re.match(r"(工程|项目|建设|改造|用地|厂房)", masked[m.end():]):
            continue  # 一期工程: a phase, named
        if value is None or before.endswith("第") or masked[m.end():m.end() + 1] in ("性", "届", "年", "号"):
            continue  # an ordinal (第七届), 一次性, a year
        recurring = bool(re.search(r"每(个)?(月|季度?|半年|年度?)[^，,；;。每]{0,6}$", before)) and unit in EVENT_UNITS
        if not num[0].isdigit() and not (_marker_before(before, CN_LEADS) or before.endswith("于") or recurring):
            continue  # 一体化, 统一: a Chinese numeral inside a word (每月报送一次: a recurring count)
        marker = _marker_before(before, AT_MOST_BEFORE + AT_LEAST_BEFORE) or ""
        start = m.start() - len(marker)
        after = m.group("after") or ""
        direction = "at_most" if (marker in AT_MOST_BEFORE or after in ("以内", "以下")) else "at_least"
        growth = unit in RATE_UNITS and bool(_marker_before(before, GROWTH_BEFORE) or re.search(
            r"(增长|提高|增加|下降|降低)[^，,；。]{0,4}$", before))
        head = before.lstrip()
        if value <= 0:
            role = "ignore"
        elif past_year or any(w in before for w in BASELINE_WORDS):
            role = "baseline"
        elif head.startswith(CONTEXT_LEADS) and not marker and not after:
            role = "ignore"  # 围绕20个重点产业链: the setting of the work, not its measure
        else:
            role = "target"
        out.append(Quantity(value, "%" if unit == "％" else unit, start, m.end(), role, direction,
                            recurrence(before) if role == "target" else None, after == "左右", growth))
    return out


def guess_kind(clause: str, q: Quantity) -> tuple[str, bool]:
    """The kind of a target (count, stock, rate) and whether it is a level counted from zero (distinct firms).

    Per cents and growth are rates; money adds up (a count); a time limit is a level; a total reached
    (总数, 达到, 突破, 保持 with 家 / 个 …) is a level; firms contacted (对接 / 走访 … 家) are distinct firms, a
    level from zero; things held, added or done in the period add up.
    """
    before = unquoted(clause)[:q.start + 6]
    if q.unit in RATE_UNITS:
        return "rate", False
    if q.unit in MONEY_UNITS:
        return "count", False
    if q.unit in TIME_UNITS:
        return "stock", False
    if q.unit in ENTITY_UNITS and not any(w in before for w in ADDED_WORDS) and not q.every:
        if any(w in before for w in STOCK_WORDS):
            return "stock", False
        if q.unit == "家" and any(w in before for w in CONTACT_VERBS):
            return "stock", True
    return "count", False


# --- due dates -------------------------------------------------------------------------------------

_M = r"(\d{1,2}|十[一二]?|[一二三四五六七八九十])"
_DUE_PATTERNS = (
    (re.compile(rf"{_M}月{_M}日(?:前|之前|以前)"), "day"),
    (re.compile(rf"{_M}月(?:底|末|份)(?:前|之前|以前)?"), "month_end"),
    (re.compile(rf"{_M}月(?:前|之前|以前)"), "month_before"),
    (re.compile(r"(?:年底|年末|年内|年终)(?:前|之前)?"), "year_end"),
    (re.compile(r"上半年"), "h1"),
    (re.compile(r"下半年"), "h2"),
    (re.compile(rf"第?{_M}季度(?:末|底)?"), "quarter"),
    (re.compile(rf"[（(]{_M}月[)）]"), "month_end"),
    (re.compile(rf"{_M}月(?:举办|召开|开展|启动|组织|举行|完成)"), "month_end"),
)


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))


def _in_span(month: int, day: int | None, start: dt.date, end: dt.date) -> dt.date | None:
    """The date with that month (and day) inside the span, in whichever of its years fits."""
    for year in range(start.year, end.year + 1):
        try:
            date = dt.date(year, month, day) if day else _month_end(year, month)
        except ValueError:
            return None
        if start <= date <= end:
            return date
    return None


def due_date(clause: str, start: dt.date, end: dt.date) -> tuple[dt.date, int, int] | None:
    """The due date a clause names (and where it is), inside the plan span; None when it names none.

    A recurring deadline (每月10日前) is not a due date.
    """
    masked = unquoted(clause)
    for pattern, kind in _DUE_PATTERNS:
        for m in pattern.finditer(masked):
            if re.search(r"每(个)?(月|季度|年|半年)$", masked[:m.start()]) or masked[:m.start()].endswith("第"):
                continue
            date = _due(kind, m, start, end)
            if date:
                return date, m.start(), m.end()
    return None


def _due(kind: str, m: re.Match, start: dt.date, end: dt.date) -> dt.date | None:
    nums = [int(cn_number(g)) for g in m.groups() if g]
    if kind == "day":
        return _in_span(nums[0], nums[1], start, end) if 1 <= nums[0] <= 12 else None
    if kind == "month_end":
        return _in_span(nums[0], None, start, end) if 1 <= nums[0] <= 12 else None
    if kind == "month_before":
        return _in_span(nums[0] - 1, None, start, end) if 2 <= nums[0] <= 12 else None
    if kind == "year_end":
        return _in_span(12, None, start, end)
    if kind in ("h1", "h2"):
        return _in_span(6 if kind == "h1" else 12, None, start, end)
    if kind == "quarter":
        return _in_span(nums[0] * 3, None, start, end) if 1 <= nums[0] <= 4 else None
    return None


# yearly events a plan names without their month (the month they are held in, every year)
EVENT_MONTHS = (("全国科普日", 9), ("科技活动周", 5), ("高交会", 11))


def event_due(text: str, start: dt.date, end: dt.date) -> tuple[dt.date, str] | None:
    """A yearly event the text names (全国科普日: September): the end of its month inside the span."""
    for name, month in EVENT_MONTHS:
        if name in text:
            date = _in_span(month, None, start, end)
            if date:
                return date, name
    return None
