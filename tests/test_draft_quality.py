"""How well the draft reads plans: recall and precision of the quantified targets, over every plan text we have.

Each text in tests/data/drafts/ has a `*.expected.yaml` written with it (before the reader was made): the
quantified commitments a careful reader takes from it, its baselines, its dated milestones and its areas. A
drafted target is right when its number is exact and its kind and recurrence (and direction) are the
expected ones, and it is read from the same words (its source holds the expected quote, or the quote holds its
source). Recall: right / expected; precision: right / every target the draft proposed. The figures are
printed (the README quotes them) and must stay at 90 % or more.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from kpi.plan.draft import draft_plan
from tests.conftest import ROOT

HERE = ROOT / "tests" / "data" / "drafts"
GOAL = 0.9


def _cases() -> list[tuple[str, dict, str]]:
    out = []
    for path in sorted(HERE.glob("*.expected.yaml")):
        expected = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = (HERE / expected["text"]).resolve().read_text(encoding="utf-8")
        out.append((path.name.removesuffix(".expected.yaml"), expected, text))
    return out


CASES = _cases()


def _same_words(quote: str, source: str) -> bool:
    return quote in source or source in quote


def _score(expected: dict, text: str) -> dict:
    draft = draft_plan(text)
    items = draft.plan.indicators() if draft.ok else []  # a text the reader cannot read: every target missed
    found = [i for i in items if i.target is not None]
    right, wrong = [], []
    for want in expected["targets"]:
        match = [i for i in found if i.target == want["number"] and _same_words(want["quote"], i.source)]
        ok = [i for i in match if i.kind == want["kind"] and i.every == want.get("every")
              and i.direction == want.get("direction", "at_least")]
        (right if ok else wrong).append((want, match[0] if match else None))
    baselines = [b for b in expected["baselines"] if any(
        i.baseline and i.baseline.value == b["number"] and _same_words(b["quote"], i.source) and i.target is None
        or i.baseline and i.baseline.value == b["number"] and i.target is not None and b["quote"] in i.source
        for i in items)]
    milestones = [m for m in expected["milestones"] if any(
        i.kind == "milestone" and i.due == m["due"] and _same_words(m["quote"], i.source) for i in items)]
    return {"draft": draft, "found": len(found), "expected": len(expected["targets"]), "right": right,
            "wrong": wrong, "baselines": (len(baselines), len(expected["baselines"])),
            "milestones": (len(milestones), len(expected["milestones"])),
            "areas": [a.heading.zh for a in draft.plan.areas] if draft.ok else None}


@pytest.fixture(scope="module")
def scores() -> dict[str, dict]:
    return {name: _score(expected, text) for name, expected, text in CASES}


def test_there_are_the_seed_and_at_least_two_plans_of_our_own():
    names = [c[0] for c in CASES]
    assert "luohu-2023-H2" in names and len(names) >= 3


@pytest.mark.parametrize(("name", "expected", "text"), CASES, ids=[c[0] for c in CASES])
def test_the_areas_are_the_sections_with_their_headings(name, expected, text, scores):
    assert scores[name]["areas"] == expected["areas"], [p.message("en") for p in scores[name]["draft"].problems]
    assert scores[name]["draft"].plan.span.start == dt.date(int(str(expected["span"])[:4]),
                                                           7 if str(expected["span"]).endswith("H2") else 1, 1)


def test_recall_and_precision_of_quantified_targets(scores, capsys):
    lines, totals = [], {"found": 0, "expected": 0, "right": 0}
    for name, s in scores.items():
        right = len(s["right"])
        totals["found"] += s["found"]
        totals["expected"] += s["expected"]
        totals["right"] += right
        lines.append(f"{name:<16} targets expected {s['expected']:>3}  proposed {s['found']:>3}  right {right:>3}  "
                     f"recall {right / s['expected']:.0%}  precision {right / max(s['found'], 1):.0%}  "
                     f"baselines {s['baselines'][0]}/{s['baselines'][1]}  "
                     f"milestones {s['milestones'][0]}/{s['milestones'][1]}")
        lines += [f"    missed or wrong: {want} -> {(got.code, got.target, got.kind, got.every) if got else None}"
                  for want, got in s["wrong"]]
    recall = totals["right"] / totals["expected"]
    precision = totals["right"] / totals["found"]
    lines.append(f"{'all texts':<16} targets expected {totals['expected']:>3}  proposed {totals['found']:>3}  "
                 f"right {totals['right']:>3}  recall {recall:.1%}  precision {precision:.1%}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert recall >= GOAL and precision >= GOAL


def test_baselines_and_milestones_are_found(scores):
    for name, s in scores.items():
        assert s["baselines"][0] == s["baselines"][1], name
        assert s["milestones"][0] >= 0.8 * s["milestones"][1], name


def test_every_source_is_the_texts_own_words(scores):
    for name, _, text in CASES:
        assert scores[name]["draft"].ok, name
        for item in scores[name]["draft"].plan.indicators():
            assert item.source in text, (name, item.source)


def test_expected_files_name_real_words_of_their_texts():
    """The expectations quote their texts (a typo in a quote would make a target unfindable, not the reader
    wrong)."""
    for name, expected, text in CASES:
        for entry in expected["targets"] + expected["baselines"] + expected["milestones"]:
            assert entry["quote"] in text, (name, entry["quote"])


def _kinds(path: Path) -> set[str]:
    return {t["kind"] for t in yaml.safe_load(path.read_text(encoding="utf-8"))["targets"]}


def test_the_texts_of_our_own_exercise_every_kind_and_recurrence():
    kinds = set().union(*(_kinds(p) for p in HERE.glob("*.expected.yaml")))
    assert kinds == {"count", "stock", "rate"}
    every = {t.get("every") for _, e, _ in CASES for t in e["targets"]}
    assert {"month", "quarter", "half", "year"} <= every
