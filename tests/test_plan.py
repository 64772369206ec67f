"""The plan as data: the real 2023-H2 plan, validation with paths, `plan check`, canonical JSON."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import yaml

from kpi.plan.models import Plan, PlanError, load_plan, parse_plan_text, validate_plan
from tests.conftest import PLAN_FILE, ROOT, run_cli

SOURCE_TEXT = ROOT / "data" / "plans" / "source" / "2023-H2-luohu-sti.txt"

# The six items the plan text quantifies: code -> (kind, direction, target, every)
QUANTIFIED = {
    "INV-EVENTS": ("count", "at_least", 6, None),       # 不少于6场
    "INV-VISITS": ("count", "at_least", 20, None),      # 不少于20次
    "INV-FIRMS": ("stock", "at_least", 100, None),      # 不少于100家: distinct firms, a level since the plan's start
    "INNO-HTE-TRAIN": ("count", "at_least", 1, "month"),   # 每月开展至少一场
    "INNO-IP-TRAIN": ("count", "at_least", 2, "quarter"),  # 每季度不低于2场
    "INNO-IP-VISITS": ("count", "at_least", 1, "quarter"),  # 每季度不少于1次
}


# --- the real plan ----------------------------------------------------------------

def test_real_plan_loads(plan):
    assert isinstance(plan, Plan)
    assert plan.id == "2023-H2"
    assert plan.title.zh == "罗湖区科技创新局2023年下半年工作计划"
    assert plan.span.start == dt.date(2023, 7, 1)
    assert plan.span.end == dt.date(2023, 12, 31)
    assert plan.published == dt.date(2023, 7, 10)
    assert plan.source == "data/plans/source/2023-H2-luohu-sti.txt"


def test_real_plan_has_six_areas(plan):
    assert [a.code for a in plan.areas] == ["INV", "HK", "INNO", "SCI", "TAL", "ENT"]


def test_real_plan_items(plan):
    codes = [i.code for i in plan.indicators()]
    assert len(codes) >= 30
    assert len(codes) == len(set(codes))
    for area in plan.areas:
        assert area.items, area.code
        for item in area.items:
            assert item.area == area.code
            assert plan.indicator(item.code) is item
        assert plan.area(area.code) is area
    with pytest.raises(KeyError):
        plan.indicator("INV-NOPE")


@pytest.mark.parametrize(("code", "expected"), sorted(QUANTIFIED.items()))
def test_quantified_items_have_the_documented_targets(plan, code, expected):
    kind, direction, target, every = expected
    item = plan.indicator(code)
    assert item.kind == kind
    assert item.direction == direction
    assert item.target == target
    assert item.every == every
    assert item.targets == []
    assert item.monitored is False


def test_no_other_item_has_a_numeric_target(plan):
    """The plan invents no numbers: only the six quantified items have targets."""
    with_target = {i.code for i in plan.indicators() if i.target is not None or i.targets}
    assert with_target == set(QUANTIFIED)
    everies = {i.code for i in plan.indicators() if i.every is not None}
    assert everies == {"INNO-HTE-TRAIN", "INNO-IP-TRAIN", "INNO-IP-VISITS"}


def test_every_source_quote_is_verbatim_in_the_plan_text(plan):
    text = SOURCE_TEXT.read_text(encoding="utf-8")
    missing = [i.code for i in plan.indicators() if i.source not in text]
    assert missing == []


def test_every_item_has_zh_and_en_names(plan):
    for item in plan.indicators():
        assert item.name.zh.strip(), item.code
        assert item.name.en.strip(), item.code
        assert item.name.get("zh") == item.name.zh
        assert item.name.get("en") == item.name.en
    for area in plan.areas:
        assert area.name.zh.strip() and area.name.en.strip()


@pytest.mark.parametrize(("code", "baseline"), [("INV-TARGET-LIST", 25), ("INV-RESERVE", 139), ("HK-BASES", 3)])
def test_baselines_are_facts_not_targets(plan, code, baseline):
    item = plan.indicator(code)
    assert item.kind == "stock"
    assert item.baseline is not None
    assert item.baseline.value == baseline
    assert item.baseline.date == dt.date(2023, 7, 10)
    assert item.target is None
    assert item.targets == []
    assert item.monitored is True


def test_every_milestone_is_due_inside_the_span(plan):
    milestones = [i for i in plan.indicators() if i.kind == "milestone"]
    assert milestones
    for item in milestones:
        assert item.due is not None, item.code
        assert plan.span.start <= item.due <= plan.span.end, item.code
        assert item.monitored is False
    assert plan.indicator("SCI-DAY").due == dt.date(2023, 9, 30)
    assert plan.indicator("ENT-HITECH-FAIR").due == dt.date(2023, 11, 30)
    assert all(i.due is None for i in plan.indicators() if i.kind != "milestone")


def test_unquantified_non_milestones_are_monitored(plan):
    monitored = {i.code for i in plan.indicators() if i.monitored}
    expected = {i.code for i in plan.indicators() if i.kind != "milestone"} - set(QUANTIFIED)
    assert monitored == expected
    assert "INV-MAJOR-PROJ" in monitored
    assert "ENT-APPEALS-RATE" in monitored
    assert "HK-BASES" in monitored  # three bases named "等", asked to run better: no number of bases is set


# --- validation: one mistake per case --------------------------------------------------

def _t(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


def minimal_plan() -> dict:
    """A valid plan that uses every feature once (fresh dict on every call)."""
    return {
        "id": "TEST-1",
        "title": _t("测试计划", "Test plan"),
        "span": {"start": "2023-07-01", "end": "2023-12-31"},
        "areas": [
            {"code": "AA", "name": _t("甲", "A"), "items": [
                {"code": "AA-ONE", "name": _t("一", "One"), "kind": "count", "source": "q1"},
                {"code": "AA-TWO", "name": _t("二", "Two"), "kind": "count", "direction": "at_least",
                 "target": 5, "source": "q2"},
                {"code": "AA-MS", "name": _t("里程碑", "Milestone"), "kind": "milestone", "due": "2023-12-31",
                 "source": "q3"},
                {"code": "AA-PER", "name": _t("分期", "Phased"), "kind": "count",
                 "targets": [{"period": "2023-Q3", "value": 2}, {"period": "2023-Q4", "value": 3}],
                 "source": "q4"},
                {"code": "AA-RNG", "name": _t("区间", "Range"), "kind": "rate", "direction": "range",
                 "target": {"low": 1, "high": 2}, "source": "q5"},
                {"code": "AA-EVERY", "name": _t("每季", "Every"), "kind": "count", "every": "quarter",
                 "target": 1, "source": "q6"},
            ]},
            {"code": "BB", "name": _t("乙", "B"), "items": [
                {"code": "BB-ONE", "name": _t("一", "One"), "kind": "stock", "source": "q7"},
            ]},
        ],
    }


def _item(raw: dict, j: int, i: int = 0) -> dict:
    return raw["areas"][i]["items"][j]


def test_minimal_plan_is_valid():
    plan, issues = validate_plan(minimal_plan())
    assert issues == []
    assert plan is not None
    assert [i.code for i in plan.indicators()] == ["AA-ONE", "AA-TWO", "AA-MS", "AA-PER", "AA-RNG", "AA-EVERY",
                                                   "BB-ONE"]
    targets = plan.indicator("AA-PER").targets
    assert [(target.period, target.value) for target in targets] == [("2023-Q3", 2), ("2023-Q4", 3)]
    assert plan.indicator("AA-RNG").target.low == 1
    assert plan.indicator("AA-RNG").target.high == 2
    assert plan.indicator("AA-MS").due == dt.date(2023, 12, 31)


def test_period_targets_are_stored_canonically():
    raw = minimal_plan()
    _item(raw, 3)["targets"] = [{"period": "2023年第三季度", "value": 2}, {"period": "2023/10", "value": 1},
                                {"period": dt.date(2023, 11, 5), "value": 1}]
    plan, issues = validate_plan(raw)
    assert issues == []
    assert [target.period for target in plan.indicator("AA-PER").targets] == ["2023-Q3", "2023-10", "2023-11"]


def _set(path: list, value):
    def mutate(raw):
        node = raw
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return mutate


def _drop(path: list):
    def mutate(raw):
        node = raw
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return mutate


def _dup_area(raw):
    raw["areas"][1]["code"] = "AA"
    raw["areas"][1]["items"][0]["code"] = "AA-THREE"


ITEMS = ["areas", 0, "items"]  # the items of the first area

BAD_PLANS = [
    # (case, mutation, path, message fragment)
    ("duplicate indicator code", _set(ITEMS + [2, "code"], "AA-TWO"),
     "areas[0].items[2].code", "duplicate code AA-TWO (also areas[0].items[1])"),
    ("duplicate area code", _dup_area, "areas[1].code", "duplicate area code AA (also areas[0])"),
    ("unknown area", _set(ITEMS + [0, "code"], "ZZ-ONE"), "areas[0].items[0].code", "names an unknown area ZZ"),
    ("item under the wrong area", _set(ITEMS + [0, "code"], "BB-TWO"),
     "areas[0].items[0].code", "BB-TWO belongs to area BB but is listed under AA"),
    ("target zero", _set(ITEMS + [1, "target"], 0), "areas[0].items[1].target", "must be greater than 0"),
    ("target negative", _set(ITEMS + [1, "target"], -3), "areas[0].items[1].target", "must be greater than 0"),
    ("period target zero", _set(ITEMS + [3, "targets", 0, "value"], 0),
     "areas[0].items[3].targets[0].value", "must be greater than 0"),
    ("target not a number", _set(ITEMS + [1, "target"], "six"), "areas[0].items[1].target", "must be a number"),
    ("target period outside the span", _set(ITEMS + [3, "targets", 0, "period"], "2024-Q1"),
     "areas[0].items[3].targets[0].period", "2024-Q1 is outside the plan span 2023-07-01 to 2023-12-31"),
    ("overlapping period targets", _set(ITEMS + [3, "targets", 1, "period"], "2023-07"),
     "areas[0].items[3].targets[1].period", "2023-07 overlaps 2023-Q3"),
    ("milestone without due", _drop(ITEMS + [2, "due"]), "areas[0].items[2].due", "a milestone needs a due date"),
    ("milestone due outside the span", _set(ITEMS + [2, "due"], "2024-01-15"),
     "areas[0].items[2].due", "2024-01-15 is outside the plan span"),
    ("milestone due not a date", _set(ITEMS + [2, "due"], "someday"),
     "areas[0].items[2].due", "must be a date like 2023-12-31"),
    ("milestone with a target", _set(ITEMS + [2, "target"], 1),
     "areas[0].items[2].target", "a milestone has a due date, not a numeric target"),
    ("due on a non-milestone", _set(ITEMS + [0, "due"], "2023-12-31"),
     "areas[0].items[0].due", "only a milestone has a due date"),
    ("unknown kind", _set(ITEMS + [0, "kind"], "total"), "areas[0].items[0].kind", "must be one of"),
    ("unknown direction", _set(ITEMS + [1, "direction"], "more"), "areas[0].items[1].direction", "must be one of"),
    ("extra key", _set(ITEMS + [0, "colour"], "red"), "areas[0].items[0].colour", "unknown key"),
    ("extra key at the top", _set(["owner"], "me"), "owner", "unknown key"),
    ("missing source", _drop(ITEMS + [0, "source"]), "areas[0].items[0].source", "is required"),
    ("empty source", _set(ITEMS + [0, "source"], ""), "areas[0].items[0].source", "must not be empty"),
    ("missing zh name", _drop(ITEMS + [0, "name", "zh"]), "areas[0].items[0].name.zh", "is required"),
    ("bad code form", _set(ITEMS + [0, "code"], "aa-one"), "areas[0].items[0].code", "has the wrong form"),
    ("range with low > high", _set(ITEMS + [4, "target"], {"low": 5, "high": 2}),
     "areas[0].items[4].target", "low 5 is greater than high 2"),
    ("range direction with a plain number", _set(ITEMS + [4, "target"], 3),
     "areas[0].items[4].target", "a range target is written {low: A, high: B}"),
    ("low/high without range direction", _set(ITEMS + [1, "target"], {"low": 1, "high": 2}),
     "areas[0].items[1].target", "use direction: range"),
    ("every without target", _drop(ITEMS + [5, "target"]),
     "areas[0].items[5].every", "a recurring minimum needs a target per period"),
    ("target and targets", _set(ITEMS + [1, "targets"], [{"period": "2023-Q3", "value": 1}]),
     "areas[0].items[1].targets", "not both"),
    ("span end before start", _set(["span", "end"], "2023-06-30"), "span.end", "must not be before span.start"),
    ("unparseable period in targets", _set(ITEMS + [3, "targets", 0, "period"], "next quarter"),
     "areas[0].items[3].targets[0].period", "write it like 2023-Q3"),
    ("empty areas list", _set(["areas"], []), "areas", "must not be empty"),
    ("empty items list", _set(["areas", 1, "items"], []), "areas[1].items", "must not be empty"),
    ("bounds with low > high", _set(ITEMS + [0, "bounds"], {"low": 10, "high": 1}),
     "areas[0].items[0].bounds", "low 10 is greater than high 1"),
    ("bounds not a number", _set(ITEMS + [0, "bounds"], {"low": "zero"}), "areas[0].items[0].bounds.low",
     "must be a number"),
    ("bounds with an unknown key", _set(ITEMS + [0, "bounds"], {"min": 0}), "areas[0].items[0].bounds.min",
     "unknown key"),
]


@pytest.mark.parametrize("given", [{"low": -100, "high": 500}, {"high": 31}, {"low": -5}, {"low": 2, "high": 2}])
def test_bounds_take_either_side_or_both(given):
    raw = minimal_plan()
    raw["areas"][0]["items"][0]["bounds"] = given
    plan, issues = validate_plan(raw)
    assert issues == []
    item = plan.areas[0].items[0]
    assert (item.bounds.low, item.bounds.high) == (given.get("low"), given.get("high"))
    assert Plan.model_validate(json.loads(plan.canonical_json())) == plan


@pytest.mark.parametrize(("mutate", "path", "fragment"), [c[1:] for c in BAD_PLANS], ids=[c[0] for c in BAD_PLANS])
def test_bad_plan(mutate, path, fragment):
    raw = minimal_plan()
    mutate(raw)
    plan, issues = validate_plan(raw)
    assert plan is None
    # exactly the one mistake is reported, at its path
    assert [i.path for i in issues] == [path], issues
    assert fragment in issues[0].text("en")
    assert issues[0].line is None


def test_several_mistakes_are_all_reported():
    raw = minimal_plan()
    _item(raw, 1)["target"] = 0
    _item(raw, 0)["colour"] = "red"
    _item(raw, 2)["due"] = "2024-01-15"
    plan, issues = validate_plan(raw)
    assert plan is None
    assert sorted(i.path for i in issues) == [
        "areas[0].items[0].colour", "areas[0].items[1].target", "areas[0].items[2].due"]


def test_plan_error_lists_every_issue():
    with pytest.raises(PlanError) as info:
        parse_plan_text(yaml.safe_dump({**minimal_plan(), "areas": []}), "x.yaml")
    assert [i.path for i in info.value.issues] == ["areas"]
    assert str(info.value).splitlines()[0] == "x.yaml: 1 problem(s)"


# --- `plan check` on files ---------------------------------------------------------------

BAD_YAML = """\
id: TEST-1
title: {zh: 测试计划, en: Test plan}
span:
  start: 2023-07-01
  end: 2023-12-31
areas:
  - code: AA
    name: {zh: 甲, en: A}
    items:
      - code: AA-ONE
        name: {zh: 一, en: One}
        kind: count
        colour: red
        source: q1
      - code: AA-TWO
        name: {zh: 二, en: Two}
        kind: count
        target: 0
        source: q2
      - code: AA-MS
        name: {zh: 里程碑, en: Milestone}
        kind: milestone
        due: 2024-01-15
        source: q3
"""


def _line_of(text: str, needle: str) -> int:
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def test_plan_check_names_every_mistake_with_its_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_YAML, encoding="utf-8")
    result = run_cli("plan", "check", str(path))
    assert result.returncode == 1, result.stderr
    # the lines of the three mistakes in BAD_YAML
    assert (_line_of(BAD_YAML, "colour: red"), _line_of(BAD_YAML, "target: 0"),
            _line_of(BAD_YAML, "due: 2024-01-15")) == (13, 18, 23)
    assert result.stderr.splitlines() == [
        f"{path}: 3 problem(s)",
        "line 13, areas[0].items[0].colour: unknown key; remove it or check its spelling",
        "line 18, areas[0].items[1].target: must be greater than 0",
        "line 23, areas[0].items[2].due: 2024-01-15 is outside the plan span 2023-07-01 to 2023-12-31",
    ]
    assert "ok" not in result.stdout


@pytest.mark.parametrize("how", [["--lang", "zh"], []])
def test_plan_check_speaks_chinese_with_lang_or_kpi_lang(tmp_path, how):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_YAML, encoding="utf-8")
    result = run_cli("plan", "check", str(path), *how, env={"KPI_LANG": "zh"} if not how else None)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{path}：发现 3 个问题",
        "第13行，areas[0].items[0].colour：未知的字段：请删除或检查拼写",
        "第18行，areas[0].items[1].target：目标必须大于 0",
        "第23行，areas[0].items[2].due：2024-01-15 不在计划期 2023-07-01 至 2023-12-31 内",
    ]


def test_a_missing_key_is_reported_at_its_items_line(tmp_path):
    text = BAD_YAML.replace("        colour: red\n", "").replace("target: 0", "target: 4").replace(
        "due: 2024-01-15", "due: 2023-12-31").replace("        source: q1\n", "")
    path = tmp_path / "missing.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("plan", "check", str(path))
    assert result.returncode == 1
    assert f"line {_line_of(text, 'code: AA-ONE')}, areas[0].items[0].source: is required" in result.stderr


def test_plan_check_accepts_a_valid_file(tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump(minimal_plan(), allow_unicode=True), encoding="utf-8")
    result = run_cli("plan", "check", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{path}: ok (TEST-1, 2 areas, 7 items)"
    assert result.stderr == ""


def test_plan_check_accepts_the_real_plan(plan):
    result = run_cli("plan", "check", str(PLAN_FILE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{PLAN_FILE}: ok (2023-H2, 6 areas, {len(plan.indicators())} items)"


def test_plan_check_fails_if_any_file_fails(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_YAML, encoding="utf-8")
    result = run_cli("plan", "check", str(PLAN_FILE), str(bad))
    assert result.returncode == 1
    assert f"{PLAN_FILE}: ok" in result.stdout
    assert f"{bad}: 3 problem(s)" in result.stderr


def test_plan_check_reports_invalid_yaml_with_its_line(tmp_path):
    text = "id: TEST-1\ntitle:\n  zh: 测试: 计划\n  en: Test plan\n"
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("plan", "check", str(path))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path}: 1 problem(s)"
    assert lines[1].startswith("line 3, (file): not valid YAML: ")


def test_plan_check_reports_an_unreadable_file(tmp_path):
    result = run_cli("plan", "check", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1
    assert "(file): cannot read" in result.stderr


# --- canonical JSON ------------------------------------------------------------------------

def test_real_plan_round_trips_through_canonical_json(plan):
    text = PLAN_FILE.read_text(encoding="utf-8")
    parsed = parse_plan_text(text)
    assert parsed == plan
    again = Plan.model_validate(json.loads(parsed.canonical_json()))
    assert again == parsed
    assert again.canonical_json() == parsed.canonical_json()
    assert again.sha256() == parsed.sha256()


def test_sha256_is_stable(plan):
    text = PLAN_FILE.read_text(encoding="utf-8")
    first = parse_plan_text(text).sha256()
    assert len(first) == 64
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert parse_plan_text(text).sha256() == first
    assert plan.sha256() == first
    # comments and blank lines are not part of the plan
    assert parse_plan_text("# a new comment\n\n" + text).sha256() == first


def test_sha256_changes_with_the_plan():
    text = PLAN_FILE.read_text(encoding="utf-8")
    changed = text.replace("target: 6\n", "target: 7\n", 1)
    assert changed != text
    assert parse_plan_text(changed).sha256() != parse_plan_text(text).sha256()


def test_canonical_json_is_sorted_and_keeps_chinese(plan):
    data = plan.canonical_json()
    assert "罗湖区科技创新局" in data
    assert data == json.dumps(json.loads(data), ensure_ascii=False, sort_keys=True)


def test_load_plan_equals_parse_plan_text(plan):
    assert load_plan(PLAN_FILE) == parse_plan_text(PLAN_FILE.read_text(encoding="utf-8"))
