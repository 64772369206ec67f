"""Every file in tests/data/good imports to the same current values, whatever its shape.

Encodings (UTF-8, UTF-8 with BOM, GBK), delimiters (comma, semicolon, tab), header languages and order,
long and wide (the template of export.template_frame) layouts, CSV and XLSX, thousands separators,
full-width digits, indicators by code or by name, trailing empty rows and columns. The files are built
by tests/data/make_bad_files.py.
"""

from __future__ import annotations

import datetime as dt
import importlib.util

import pandas as pd
import pytest

from kpi import ingest
from tests.conftest import EDITOR, ROOT

DATA = ROOT / "tests" / "data"
GOOD = DATA / "good"
FILES = sorted(p.name for p in GOOD.iterdir())

# (indicator, period) -> (value, done_on)
EXPECTED = {
    ("ENT-APPEALS-RATE", "2023-Q3"): (87.5, None),
    ("HK-BASES", "2023-Q3"): (3.0, None),
    ("INV-EVENTS", "2023-Q3"): (2.0, None),
    ("INV-FIRMS", "2023-Q3"): (1000.0, None),
    ("INV-VISITS", "2023-07"): (3.0, None),
    ("SCI-DAY", "2023-09"): (1.0, dt.date(2023, 9, 22)),
}


def _current(store) -> dict:
    return {(r.indicator, r.period): (r.value, None if pd.isna(r.done_on) else pd.Timestamp(r.done_on).date())
            for r in store.current().itertuples()}


def test_good_folder_is_what_the_generator_writes():
    spec = importlib.util.spec_from_file_location("make_bad_files", DATA / "make_bad_files.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.good_files()
    assert sorted(built) == FILES
    for name, data in built.items():
        assert (GOOD / name).read_bytes() == data, name


def test_the_folder_covers_every_shape():
    suffixes = {name.rsplit(".", 1)[1] for name in FILES}
    assert {"csv", "tsv", "xlsx"} <= suffixes
    assert any(name.startswith("wide") and name.endswith(".xlsx") for name in FILES)
    assert any(name.startswith("wide") and name.endswith(".csv") for name in FILES)
    assert len(FILES) >= 15


@pytest.mark.parametrize("name", FILES)
def test_good_file_imports_the_same_values(store, name):
    prepared = ingest.prepare(store, (GOOD / name).read_bytes(), name)
    assert [p.message("en") for p in prepared.problems] == []
    assert prepared.layout == ("wide" if name.startswith("wide") else "long")
    assert prepared.blanks == (53 * 3 - 6 if name.startswith("wide") else 0)  # 53 items × 3 periods, 6 filled
    ingest.commit(store, prepared, EDITOR)
    assert _current(store) == EXPECTED
