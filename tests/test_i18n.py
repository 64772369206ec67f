"""The catalogue: both languages for every key, the same placeholders, every status with icon and word."""

from __future__ import annotations

import string

import pytest

from kpi.i18n import CATALOGUE, STATUS_COLOUR, STATUS_TEXT, status_label, t
from kpi.status import STATUSES


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_both_languages_and_same_placeholders(key):
    zh, en = CATALOGUE[key]
    assert zh.strip() and en.strip()
    assert _fields(zh) == _fields(en)


def test_every_status_has_icon_word_and_colour_and_icons_tell_verdicts_apart():
    assert set(STATUS_TEXT) == set(STATUSES) == set(STATUS_COLOUR)
    for status in STATUSES:
        icon, zh, en = STATUS_TEXT[status]
        assert icon and zh and en
        assert status_label(status, "zh") == f"{icon} {zh}"
        assert status_label(status, "en") == f"{icon} {en}"
    groups = {"good": ("met", "on_track"), "warn": ("at_risk",), "bad": ("off_track", "missed", "overdue")}
    icons = {g: {STATUS_TEXT[s][0] for s in members} for g, members in groups.items()}
    assert not (icons["good"] & icons["bad"]) and not (icons["warn"] & icons["bad"])


def test_t_formats_and_defaults_to_chinese():
    assert t("where.row_col", row=3, column="实际值") == "第3行，“实际值”列"
    assert t("where.row_col", "en", row=3, column="value") == "row 3, column value"
