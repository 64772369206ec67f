"""Explanations and overrides: recorded as batches, shown with the status, 待说明 when missing, revertible."""

from __future__ import annotations

import datetime as dt

import pytest

from kpi.report import query
from tests.conftest import EDITOR, import_csv

END = dt.date(2023, 12, 31)


def _row(store, code: str, period: str | None = None, as_of: dt.date = END, batch: int | None = None):
    snap = query.snapshot(store, "2023-H2", batch)
    return next(r for r in snap.status(period, as_of) if r.indicator == code)


@pytest.fixture
def behind(store):
    """INNO-IP-VISITS missed in Q4 (0 visits), INV-EVENTS met."""
    import_csv(store, "indicator,period,value\nINNO-IP-VISITS,2023-Q3,1\nINNO-IP-VISITS,2023-Q4,0\n"
                      "INV-EVENTS,2023-Q3,3\nINV-EVENTS,2023-Q4,4\n")
    return store


def test_missed_without_a_note_needs_explanation(behind):
    assert _row(behind, "INNO-IP-VISITS", "2023-Q4").needs_note
    assert _row(behind, "INNO-IP-VISITS").needs_note  # the whole plan too
    assert not _row(behind, "INV-EVENTS").needs_note  # met: nothing to explain
    assert not _row(behind, "INNO-IP-VISITS", "2023-Q3").needs_note


def test_a_note_for_the_period_explains_it_and_shows_its_author(behind):
    behind.write_note("INNO-IP-VISITS", "2023-Q4", "分窗口人员调整", EDITOR)
    row = _row(behind, "INNO-IP-VISITS", "2023-Q4")
    assert (row.note, row.note_by, row.needs_note) == ("分窗口人员调整", "tester (test)", False)
    assert _row(behind, "INNO-IP-VISITS").note == "分窗口人员调整"  # a note inside the period explains the whole
    assert _row(behind, "INNO-IP-VISITS", "2023-Q3").note is None  # not another quarter


def test_a_note_from_the_upload_file_counts_too(store):
    import_csv(store, "indicator,period,value,note\nINNO-IP-VISITS,2023-Q4,0,人员调整\nINNO-IP-VISITS,2023-Q3,1,\n")
    row = _row(store, "INNO-IP-VISITS", "2023-Q4")
    assert (row.note, row.note_by, row.needs_note) == ("人员调整", None, False)


def test_an_empty_note_clears_and_a_revert_brings_it_back(behind):
    first = behind.write_note("INNO-IP-VISITS", "2023-Q4", "说明一", EDITOR)
    cleared = behind.write_note("INNO-IP-VISITS", "2023-Q4", "", EDITOR)
    assert _row(behind, "INNO-IP-VISITS", "2023-Q4").needs_note
    behind.revert(cleared, EDITOR)
    assert _row(behind, "INNO-IP-VISITS", "2023-Q4").note == "说明一"
    assert _row(behind, "INNO-IP-VISITS", "2023-Q4", batch=first - 1).needs_note  # pinned before the note


def test_override_keeps_the_computed_status_beside_it(behind):
    batch = behind.write_override("INNO-IP-VISITS", "2023-Q4", "met", "领导认定：线上对接视同走访", EDITOR)
    row = _row(behind, "INNO-IP-VISITS", "2023-Q4")
    assert (row.status, row.computed_status) == ("met", "missed")
    assert (row.override_reason, row.override_by) == ("领导认定：线上对接视同走访", "tester (test)")
    assert not row.needs_note
    assert _row(behind, "INNO-IP-VISITS").status == "missed"  # only the period it names
    behind.revert(batch, EDITOR)
    assert _row(behind, "INNO-IP-VISITS", "2023-Q4").status == "missed"
    assert _row(behind, "INNO-IP-VISITS", "2023-Q4", batch=batch).status == "met"  # the pinned view keeps it


def test_override_needs_a_reason_and_an_editor(behind):
    with pytest.raises(ValueError):
        behind.write_override("INNO-IP-VISITS", "2023-Q4", "met", "  ", EDITOR)
    with pytest.raises(PermissionError):
        behind.write_override("INNO-IP-VISITS", "2023-Q4", "met", "reason", None)
    with pytest.raises(PermissionError):
        behind.write_note("INNO-IP-VISITS", "2023-Q4", "x", None)


def test_matrix_cells_carry_overrides_and_notes(behind):
    from kpi.periods import periods_in_span

    behind.write_override("INNO-IP-VISITS", "2023-Q4", "met", "认定", EDITOR)
    snap = query.snapshot(behind, "2023-H2")
    rows = snap.status_grid(periods_in_span(snap.plan.span.start, snap.plan.span.end, "quarter"), END)
    cells = {(r.indicator, r.period): r for r in rows}
    assert cells[("INNO-IP-VISITS", "2023-Q4")].status == "met"
    assert cells[("INNO-IP-VISITS", "2023-Q4")].computed_status == "missed"
    assert cells[("INNO-IP-VISITS", "2023-Q3")].computed_status is None
