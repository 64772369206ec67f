"""Stores of a given size, built once per run through the real code: the plans, then the observations."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from bench.generate import generate, layout
from kpi.setup import load_plans
from kpi.store import Editor, Store

EDITOR = Editor("bench", via="bench")


@dataclass
class Built:
    observations: int
    template: Path  # the plans only
    csv: Path
    plan_id: str  # the plan the pages open on: the first district's latest year
    plans: int
    build_s: float
    db: Path | None = None  # plans and observations, after the import benchmark

    def fresh(self, name: str) -> Path:
        """A copy of the plans-only store."""
        path = self.template.with_name(name)
        shutil.copyfile(self.template, path)
        return path


def build(observations: int, folder: Path) -> Built:
    start = time.perf_counter()
    plans_dir, csv_path = generate(observations, folder)
    template = folder / "plans.duckdb"
    store = Store.open(template)
    try:
        load_plans(store, EDITOR, [plans_dir])
    finally:
        store.close()
    district, year = max((d, y) for d, y in layout(observations) if d == 1)
    return Built(observations, template, csv_path, f"D{district:03d}-{year}", len(layout(observations)),
                 time.perf_counter() - start)
