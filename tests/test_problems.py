"""Problems speak both languages: every key the plan rules, the pydantic mapping, the targets editor and the CLI
use is in the catalogue, and every plan problem, produced from a real plan, formats in zh and en with its params."""

from __future__ import annotations

import ast
import re
import string

import pytest
import yaml

from kpi.i18n import CATALOGUE
from kpi.plan import models
from kpi.plan.models import PlanError, load_plan, parse_plan_text, validate_plan
from kpi.problems import Problem
from tests.conftest import ROOT
from tests.test_plan import BAD_PLANS, ITEMS, _set, minimal_plan

SOURCES = ["kpi/plan/rules.py", "kpi/plan/models.py", "kpi/plan/edit.py", "kpi/problems.py", "kpi/cli.py",
           "kpi/plan/draft.py", "kpi/plan/reading.py", "kpi/plan/documents.py",
           "kpi/plan/workbook.py", "kpi/plan/sheets.py", "kpi/plan/carry.py"]
NAMESPACES = {key.split(".", 1)[0] for key in CATALOGUE}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _literals(path: str) -> set[str]:
    """Every string literal of a module that names a catalogue namespace (plan.x, cli.x...), and the fixed part
    of every f-string that does (f"grains.{every}" -> "grains.")."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if re.fullmatch(r"[a-z]+\.[a-z_]+", node.value) and node.value.split(".")[0] in NAMESPACES:
                found.add(node.value)
        elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            head = str(node.values[0].value)
            if re.fullmatch(r"[a-z]+\.", head) and head[:-1] in NAMESPACES:
                found.add(head)
    return found


@pytest.mark.parametrize("path", SOURCES)
def test_every_key_named_in_the_code_is_in_the_catalogue(path):
    keys = _literals(path)
    assert keys, path  # the scan finds the keys of a module that has them
    for key in keys:
        if key.endswith("."):  # a family: f"grains.{every}" needs at least one member
            assert any(k.startswith(key) for k in CATALOGUE), key
        else:
            assert key in CATALOGUE, f"{path}: {key}"


def test_the_scan_sees_what_it_is_meant_to_see():
    rules = _literals("kpi/plan/rules.py")
    assert {"plan.duplicate_code", "plan.low_high", "plan.overlap", "grains."} <= rules
    assert "span.end" not in rules  # a YAML path, not a key
    assert set(models._KEYS.values()) <= _literals("kpi/plan/models.py")


# --- every plan problem from a real plan, in both languages -------------------------------------

def _item_set(j: int, key: str, value):
    return _set(ITEMS + [j, key], value)


EXTRA_PLANS = [  # beyond test_plan's BAD_PLANS: the remaining rules and pydantic types
    ("span start not the first of a month", _set(["span", "start"], "2023-07-02")),
    ("span end not the last of a month", _set(["span", "end"], "2023-12-30")),
    ("every on a span not made of whole years", _item_set(5, "every", "year")),
    ("range low below zero", _item_set(4, "target", {"low": -1, "high": 2})),
    ("span not a mapping", _set(["span"], "x")),  # a title may be a plain string now (the Chinese)
    ("areas not a list", _set(["areas"], "x")),
    ("a name that is not text", _set(["title", "zh"], 5)),
    ("example not true or false", _set(["example"], "maybe")),
]
CASES = [(c[0], c[1]) for c in BAD_PLANS] + EXTRA_PLANS


def _problems_of(mutate) -> list[Problem]:
    raw = minimal_plan()
    mutate(raw)
    plan, problems = validate_plan(raw)
    assert plan is None and problems
    return problems


def _file_problems() -> list[Problem]:
    """The problems of a whole file: not YAML; not readable."""
    out = []
    with pytest.raises(PlanError) as info:
        parse_plan_text("id: x\ntitle:\n  zh: a: b\n", "broken.yaml")
    out += info.value.issues
    with pytest.raises(PlanError) as info:
        load_plan(ROOT / "no-such-plan.yaml")
    out += info.value.issues
    return out


def _synthetic() -> list[Problem]:
    """pydantic types no field of today's models produces, and one pydantic does not name at all."""
    return [models._problem({"type": "greater_than", "ctx": {"gt": 1.0}, "msg": "x"}, "span.count"),
            models._problem({"type": "weird_new_type", "msg": "Input is odd"}, "id")]


def _all_problems() -> list[Problem]:
    return [p for _, mutate in CASES for p in _problems_of(mutate)] + _file_problems() + _synthetic()


def _check_both_languages(problem: Problem) -> None:
    for lang in ("zh", "en"):
        text = problem.text(lang)  # formats with the params given (a missing one raises KeyError)
        assert text.strip() and not re.search(r"\{[a-z_0-9]+\}", text), (problem.key, lang, text)
    assert CJK.search(problem.text("zh")), (problem.key, problem.text("zh"))
    assert problem.text("zh") != problem.text("en")


@pytest.mark.parametrize(("mutate"), [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_every_plan_problem_formats_in_both_languages(mutate):
    for problem in _problems_of(mutate):
        assert problem.key in CATALOGUE and problem.path
        _check_both_languages(problem)


def test_every_plan_key_of_the_catalogue_is_produced_by_some_plan():
    produced = {p.key for p in _all_problems()}
    for problem in _file_problems() + _synthetic():
        _check_both_languages(problem)
    defined = {k for k in CATALOGUE if k.startswith("plan.")} - {"plan.problems"}  # the heading, not a problem
    assert defined - produced == set(), "keys no plan produces (dead, or missing a case here)"
    assert produced - set(CATALOGUE) == set()


def test_an_unknown_pydantic_type_keeps_pydantics_words():
    problem = _synthetic()[1]
    assert problem.key == "plan.invalid"
    assert problem.message("en") == "id: Input is odd"
    assert problem.message("zh") == "id：不符合要求（Input is odd）"


def test_a_target_and_any_other_field_say_greater_than_differently():
    target = _problems_of(_item_set(1, "target", 0))[0]
    other = _synthetic()[0]
    assert (target.key, other.key) == ("plan.target_greater_than", "plan.greater_than")
    assert (target.text("zh"), other.text("zh")) == ("目标必须大于 0", "必须大于 1")


# --- where, in words ----------------------------------------------------------------------------

@pytest.mark.parametrize(("problem", "en", "zh"), [
    (Problem(None, None, None, "plan.target_greater_than", {"limit": 0}, path="areas[2].items[3].target", line=42),
     "line 42, areas[2].items[3].target: must be greater than 0", "第42行，areas[2].items[3].target：目标必须大于 0"),
    (Problem.at("span.end", "plan.span_order"), "span.end: must not be before span.start",
     "span.end：不能早于 span.start（计划开始日期）"),
    (Problem(3, "value", "oops", "ingest.not_number", {"value": "oops"}),
     "row 3, column value: 'oops' is not a number: enter a number such as 12",
     "第3行，“value”列：“oops”不是数字：请填写数字，如 12"),
    (Problem(3, "value", "oops", "ingest.not_number", {"value": "oops"}, sheet="Q3"),
     "sheet Q3, row 3, column value: 'oops' is not a number: enter a number such as 12",
     "工作表“Q3”，第3行，“value”列：“oops”不是数字：请填写数字，如 12"),
    (Problem(2, "target", None, "plan.target_greater_than", {"limit": 0}, path="areas[0].items[4].target",
             code="INV-EVENTS"),
     "row 2, column target: INV-EVENTS: must be greater than 0", "第2行，“target”列：INV-EVENTS：目标必须大于 0"),
    (Problem(None, None, None, "ingest.empty"), "file: the file is empty: add at least one row under the header",
     "文件：文件是空的：请在表头下填写至少一行数据"),
])
def test_message_says_where_in_the_users_language(problem, en, zh):
    assert problem.message("en") == en
    assert problem.message("zh") == zh


def test_plan_error_in_both_languages():
    with pytest.raises(PlanError) as info:
        parse_plan_text(yaml.safe_dump({**minimal_plan(), "areas": []}), "x.yaml")
    assert info.value.message("en").splitlines() == ["x.yaml: 1 problem(s)", "line 1, areas: must not be empty"]
    assert info.value.message("zh").splitlines() == ["x.yaml：发现 1 个问题", "第1行，areas：不能为空"]
    assert str(info.value) == info.value.message("en")


# --- the CLI prints no English of its own ---------------------------------------------------------

def _english_literals(tree: ast.AST) -> list[str]:
    """String literals (and the fixed parts of f-strings) handed to print() or UsageError() that hold words."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("print", "UsageError"):
            for arg in node.args:
                parts = arg.values if isinstance(arg, ast.JoinedStr) else [arg]
                out += [p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str)
                        and re.search(r"[A-Za-z]{2,}", p.value)]
    return out


def test_the_cli_prints_no_hard_coded_english():
    tree = ast.parse((ROOT / "kpi" / "cli.py").read_text(encoding="utf-8"))
    assert _english_literals(tree) == []
    sample = ast.parse('print(f"plan {x}: ok")\nraise UsageError("no file")\nprint(t("cli.error", lang))')
    assert _english_literals(sample) == ["plan ", ": ok", "no file"]  # the check finds English where it is


def test_placeholders_of_the_plan_keys_are_named():
    """Plan messages take named parameters (a0, a1 were positions into English text)."""
    for key, (_zh, en) in CATALOGUE.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(en) if f}
        assert not any(re.fullmatch(r"a\d+", f) for f in fields), key
