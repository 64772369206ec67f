"""A plan as YAML text: what `plan export --format yaml` and `plan next` write, and `plan check` reads back.

The text holds only what differs from the defaults (no ``direction: at_least``, no empty lists), writes a Text
without English as a plain string (the Chinese), and whole numbers without ``.0``. Parsing it gives the same
plan (``parse_plan_text(plan_yaml(plan)) == plan``).
"""

from __future__ import annotations

from typing import Any

import yaml

from kpi.plan.models import Plan


def plan_data(plan: Plan) -> dict:
    """The plan as plain data, ready to dump: defaults left out, Chinese-only texts as strings."""
    return _tidy(plan.model_dump(mode="python", exclude_defaults=True))


def _tidy(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"zh"}:  # a Text with Chinese alone
            return value["zh"]
        return {k: _tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


class _Dumper(yaml.SafeDumper):
    """Plain YAML a person edits: no anchors for repeated dates, short lists on one line (review: [kind, due])."""

    def ignore_aliases(self, data) -> bool:
        return True


def _short_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    """Review flags (``review: [due, target]``) on one line; other lists as blocks."""
    flow = bool(data) and all(isinstance(v, str) and v.isidentifier() for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _short_list)


def yaml_text(data: dict, header: str | None = None) -> str:
    """Plan data (a plan's, or a draft's) as YAML text; ``header`` lines become comments at the top."""
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)
    if header:
        text = "".join(f"# {line}\n" for line in header.splitlines()) + text
    return text


def plan_yaml(plan: Plan, header: str | None = None) -> str:
    """The plan as YAML text; ``header`` lines become comments at the top."""
    return yaml_text(plan_data(plan), header)
