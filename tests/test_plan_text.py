"""The plans read against their text: a target is a number the text states, a reading of ours says so,
the text's deliverables are items, states are levels, and the example plan and sample data stay plausible."""

from __future__ import annotations

import csv
import datetime as dt
import re

import pytest
from conftest import ROOT

from kpi.plan.models import Plan, Range, load_plan, parse_plan_text

PLAN_FILES = sorted((ROOT / "data" / "plans").glob("*.yaml"))
SAMPLE_FILES = sorted((ROOT / "data" / "sample").glob("*.csv"))
SEED = ROOT / "data" / "plans" / "source" / "2023-H2-luohu-sti.txt"
READING = ("我们的解读", "our reading")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_EVERY_WORDS = {"month": ("每月",), "quarter": ("每季度", "每季"), "half": ("每半年",), "year": ("每年",)}


def _chinese_number(text: str) -> int:
    """一 → 1, 十二 → 12, 一百 → 100, 二十五 → 25 (the numerals a plan writes in words)."""
    total = section = digit = 0
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (digit or 1) * _CN_UNITS[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10_000
            section = digit = 0
    return total + section + digit


def stated_numbers(text: str) -> set[float]:
    """Every number a sentence states, in digits or in Chinese numerals."""
    found = {float(m) for m in re.findall(r"\d+(?:\.\d+)?", text)}
    found |= {float(_chinese_number(m)) for m in re.findall(r"[零〇一二两三四五六七八九十百千万]+", text)}
    return found


def target_values(item) -> list[float]:
    values = ([item.target] if item.target is not None else []) + [t.value for t in item.targets]
    out: list[float] = []
    for v in values:
        out += [v.low, v.high] if isinstance(v, Range) else [float(v)]
    return out


def invented_targets(plan: Plan) -> list[str]:
    """Items whose target is not a number their source states (or whose recurrence the source does not state)."""
    bad = []
    for item in plan.indicators():
        numbers = stated_numbers(item.source)
        for value in target_values(item):
            if value not in numbers:
                bad.append(f"{item.code}: target {value:g} is not stated in its source {item.source!r}")
        if item.every is not None and not any(w in item.source for w in _EVERY_WORDS[item.every]):
            bad.append(f"{item.code}: every {item.every} is not stated in its source {item.source!r}")
    return bad


def _docs_example() -> Plan:
    doc = (ROOT / "docs" / "plan-format.md").read_text(encoding="utf-8")
    return parse_plan_text(re.search(r"```yaml\n(.*?)```", doc, flags=re.S).group(1), "docs/plan-format.md")


@pytest.fixture(params=[p.name for p in PLAN_FILES])
def any_plan(request) -> Plan:
    return load_plan(ROOT / "data" / "plans" / request.param)


# --- the reading of numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "numbers"), [
    ("精准上门招商不少于20次", {20.0}),
    ("每月开展至少一场国高培训会", {1.0}),
    ("一季度不少于8次、二季度不少于十二次", {1.0, 8.0, 2.0, 12.0}),
    ("不少于一百家", {100.0}),
    ("二十五家", {25.0}),
    ("办结率保持在90%至100%", {90.0, 100.0}),
    ("增速9.5%", {9.5}),
    ("推动尚创峰Upper Point、迈思深港澳青年创新梦工场等载体平台提升运营质量", set()),
])
def test_stated_numbers(text, numbers):
    assert stated_numbers(text) == numbers


def test_an_invented_target_is_caught():
    """HK-BASES once had a target of 3 that its source (three named bases) does not state: the check finds it."""
    plan = load_plan(ROOT / "data" / "plans" / "2023-H2.yaml")
    raw = plan.model_dump()
    bases = next(i for a in raw["areas"] for i in a["items"] if i["code"] == "HK-BASES")
    bases.update(target=3, baseline=None)
    events = next(i for a in raw["areas"] for i in a["items"] if i["code"] == "INV-EVENTS")
    events.update(target=8)  # the text says 不少于6场
    training = next(i for a in raw["areas"] for i in a["items"] if i["code"] == "INNO-IP-TRAIN")
    training.update(every="month")  # the text says 每季度
    bad = invented_targets(Plan.model_validate(raw))
    assert [b.split(":")[0] for b in bad] == ["INV-EVENTS", "HK-BASES", "INNO-IP-TRAIN"]


# --- every plan file ------------------------------------------------------------------------------------------

def test_every_target_is_a_number_its_source_states(any_plan):
    """An item with a target quotes the words that state that number (a milestone has a date, not a number)."""
    assert invented_targets(any_plan) == []
    judged = [i for i in any_plan.indicators() if not i.monitored]
    assert {i.kind for i in judged if not target_values(i)} <= {"milestone"}


def test_the_docs_example_states_its_targets_too():
    example = _docs_example()
    assert example.example is True
    assert invented_targets(example) == []
    assert len([i for i in example.indicators() if target_values(i)]) == 4


def test_every_source_quote_is_verbatim_in_the_plans_own_text(any_plan):
    text = (ROOT / any_plan.source).read_text(encoding="utf-8")
    assert [i.code for i in any_plan.indicators() if i.source not in text] == []


def test_milestones_due_at_the_end_of_the_span_say_it_is_a_convention(any_plan):
    """The text gives no date for them: the note (shown to users) says the end of the span is our convention."""
    at_end = [i for i in any_plan.indicators() if i.kind == "milestone" and i.due == any_plan.span.end]
    assert len(at_end) == 11
    end = any_plan.span.end
    for item in at_end:
        assert item.note is not None, item.code
        assert f"{end.year}年{end.month}月{end.day}日" in item.note.zh and "按惯例" in item.note.zh, item.code
        assert f"{end.day} {end:%b} {end.year}" in item.note.en and "by convention" in item.note.en, item.code
    for item in any_plan.indicators():
        if item.kind == "milestone" and item.due != end:
            assert item.note is not None and "按惯例" not in item.note.zh, item.code  # its own reason, e.g. 每年9月


@pytest.mark.parametrize("code", ["INNO-PATENTS", "ENT-APPEALS-RATE", "SCI-ASSOC", "INNO-SW-REV", "HK-BASES",
                                  "INV-FIRMS", "INV-MAJOR-PROJ", "HK-PARK-PROJ", "INV-ASSOC", "INV-INST-LIST",
                                  "INNO-HTE-PASSED"])
def test_our_readings_say_so_in_the_note(any_plan, code):
    note = any_plan.indicator(code).note
    assert note is not None and READING[0] in note.zh and READING[1] in note.en


def test_the_hong_kong_bases_are_a_baseline_not_a_target(any_plan):
    """The text names three bases "等" and asks them to run better: no number of bases is set."""
    item = any_plan.indicator("HK-BASES")
    assert (item.kind, item.target, item.targets, item.every, item.monitored) == ("stock", None, [], None, True)
    assert item.baseline is not None and item.baseline.value == 3
    for name in ("尚创峰Upper Point", "迈思深港澳青年创新梦工场", "罗湖区瑞思港澳青年创新创业基地"):
        assert name in item.source and name in item.note.zh


@pytest.mark.parametrize(("code", "kind", "quote"), [
    ("INV-INST-LIST", "stock", "联合科研院所梳理招商目标企业"),
    ("HK-UNI-LIST", "milestone", "梳理近三年香港重点支持的高校科研项目"),
    ("INNO-HTE-PASSED", "count", "确保企业申报通过"),
])
def test_deliverables_the_text_names_are_items(any_plan, code, kind, quote):
    item = any_plan.indicator(code)
    assert item.kind == kind
    assert quote in item.source
    assert target_values(item) == []  # the text gives no number for them
    assert item.monitored is (kind != "milestone")
    assert item.due == (any_plan.span.end if kind == "milestone" else None)


def test_the_new_deliverables_are_in_the_seed_and_beside_their_neighbours():
    plan = load_plan(ROOT / "data" / "plans" / "2023-H2.yaml")
    seed = SEED.read_text(encoding="utf-8")
    codes = [i.code for i in plan.indicators()]
    for code, after in [("INV-INST-LIST", "INV-PLATFORM"), ("HK-UNI-LIST", "HK-PARK-PROJ"),
                        ("INNO-HTE-PASSED", "INNO-HTE-APPS")]:
        assert plan.indicator(code).source in seed
        assert codes.index(code) == codes.index(after) + 1
    assert len(codes) == 53


@pytest.mark.parametrize("code", ["INV-FIRMS", "INV-MAJOR-PROJ", "HK-PARK-PROJ", "INV-ASSOC"])
def test_what_would_double_count_across_periods_is_a_level(any_plan, code):
    assert any_plan.indicator(code).kind == "stock"


def test_distinct_firms_are_paced_from_zero_at_the_start_of_the_plan(any_plan):
    """不少于N家 distinct firms: a level counted from the plan's start, so the pace runs from 0 to the target."""
    from kpi.status import pace_curve

    item = any_plan.indicator("INV-FIRMS")
    assert item.baseline is not None
    assert (item.baseline.value, item.baseline.date) == (0, any_plan.span.start)
    start, end = any_plan.span.start, any_plan.span.end
    middle = start + dt.timedelta(days=(end - start).days // 2)
    first, half, last = pace_curve(any_plan, item, [start, middle, end])
    days = (end - start).days + 1
    assert first == pytest.approx(item.target / days)  # one day elapsed at the end of the first day
    assert half == pytest.approx(item.target * ((middle - start).days + 1) / days)
    assert last == pytest.approx(item.target)


# --- the example plan -----------------------------------------------------------------------------------------

def test_the_2024_plan_is_an_invented_example():
    real = load_plan(ROOT / "data" / "plans" / "2023-H2.yaml")
    example = load_plan(ROOT / "data" / "plans" / "2024.yaml")
    assert example.example is True and real.example is False
    assert "示例" in example.title.zh and "example" in example.title.en
    assert example.issuer is not None and example.issuer != real.issuer
    assert "虚构" in example.issuer.zh and "invented" in example.issuer.en
    assert example.published is None  # no authority published it
    text = (ROOT / example.source).read_text(encoding="utf-8")
    assert "虚构" in text.splitlines()[0] and text != SEED.read_text(encoding="utf-8")
    assert [i.code for i in example.indicators()] == [i.code for i in real.indicators()]  # year-on-year pairs
    assert example.indicator("INV-EVENTS").target == 12 and "不少于12场" in example.indicator("INV-EVENTS").source


# --- the sample data --------------------------------------------------------------------------------------------

def _sample_rows() -> list[dict]:
    rows = []
    for path in SAMPLE_FILES:
        with path.open(encoding="utf-8") as f:
            rows += [dict(r, file=path.name) for r in csv.DictReader(f)]
    return rows


def test_sample_rates_are_percentages():
    kinds = {i.code: i.kind for p in PLAN_FILES for i in load_plan(p).indicators()}
    rates = [r for r in _sample_rows() if kinds[r["指标编码"]] == "rate"]
    assert rates
    outside = [(r["file"], r["指标编码"], r["期间"], r["实际值"]) for r in rates if not 0 <= float(r["实际值"]) <= 100]
    assert outside == []


def test_sample_covers_every_item_and_distinct_firms_never_fall():
    rows = _sample_rows()
    for path, sample in [("2023-H2.yaml", "actuals-2023-H2.csv"), ("2024.yaml", "actuals-2024-example.csv")]:
        plan = load_plan(ROOT / "data" / "plans" / path)
        mine = [r for r in rows if r["file"] == sample]
        assert {r["指标编码"] for r in mine} == {i.code for i in plan.indicators()}, sample
        firms = [(r["期间"], float(r["实际值"])) for r in mine if r["指标编码"] == "INV-FIRMS"]
        levels = [v for _, v in sorted(firms)]
        assert len(levels) == (12 if plan.id == "2024" else 6)  # monthly, the whole span
        assert levels == sorted(levels), sample  # distinct firms contacted so far only grow
        assert dt.date.fromisoformat(sorted(firms)[-1][0] + "-01") >= plan.span.end.replace(day=1)
