"""Tests that keep the docs honest: settings, commands and the quick start are the ones that exist."""

from __future__ import annotations

import re

from kpi.cli import build_parser
from kpi.settings import Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    for name, field in Settings.model_fields.items():
        assert f"`KPI_{name.upper()}`" in README, name
        assert field.description, name


def test_every_command_is_documented():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"python -m kpi {name}" in README, name


def test_quick_start_is_the_two_make_targets_and_ci_runs_the_test_one():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^(make \w+)", quick, flags=re.M)
    assert commands == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run: ", makefile, flags=re.M) and re.search(r"^test: ", makefile, flags=re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_field_of_the_plan_models_is_in_the_plan_format_document():
    """docs/plan-format.md has a section per model, and each field of the model in its table."""
    from kpi.plan import models

    doc = (ROOT / "docs" / "plan-format.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (\w+)\n(.*?)(?=^### |^## |\Z)", doc, flags=re.M | re.S))
    for model in (models.Plan, models.Span, models.Area, models.Indicator, models.PeriodTarget, models.Range,
                  models.Bounds, models.Baseline, models.Text):
        assert model.__name__ in sections, f"no section for {model.__name__}"
        for field in model.model_fields:
            assert f"| `{field}` |" in sections[model.__name__], f"{model.__name__}.{field} is not documented"


def test_the_annotated_example_in_the_plan_format_document_is_a_valid_plan():
    from kpi.plan.models import parse_plan_text

    doc = (ROOT / "docs" / "plan-format.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", doc, flags=re.S).group(1)
    plan = parse_plan_text(example, "docs/plan-format.md")
    assert len(plan.indicators()) == 6
