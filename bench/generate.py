"""Synthetic plans and valid actuals of a given size: `python -m bench generate --observations N --out DIR`.

A city's worth of plans: districts × years, one full-year plan each (ten areas of ten items), with monthly
data. The same district keeps its indicator codes from year to year, as real plans do, so the history
grows while each plan stays the size of one plan. Repeat a measurement by hand with:

    python -m kpi init --db x.duckdb --plan DIR/plans
    python -m kpi import DIR/actuals.csv --db x.duckdb
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

import yaml

FIRST_YEAR = 2015
YEARS = 10
AREAS, ITEMS = 10, 10  # per plan: 100 indicators
ROWS_PER_PLAN = AREAS * ITEMS * 12


def plan_dict(district: int, year: int) -> dict:
    areas = []
    for a in range(AREAS):
        code = f"D{district:03d}{chr(ord('A') + a)}"
        items = []
        for i in range(1, ITEMS + 1):
            item = {"code": f"{code}-I{i:02d}", "name": {"zh": f"指标{code}-{i}", "en": f"Indicator {code}-{i}"},
                    "unit": {"zh": "个", "en": "items"}, "kind": "count", "source": "synthetic"}
            if i % 3 == 0:
                item.update(every="month", target=5)
            elif i % 3 == 1:
                item.update(target=60)
            items.append(item)
        name = {"zh": f"{district}区领域{a + 1}", "en": f"District {district} area {a + 1}"}
        areas.append({"code": code, "name": name, "items": items})
    return {"id": f"D{district:03d}-{year}", "title": {"zh": f"第{district}区{year}年工作计划（合成）",
                                                       "en": f"District {district} work plan {year} (synthetic)"},
            "example": True, "span": {"start": f"{year}-01-01", "end": f"{year}-12-31"}, "areas": areas}


def layout(observations: int) -> list[tuple[int, int]]:
    """(district, year) of every plan needed for this many observations, years first."""
    plans = math.ceil(observations / ROWS_PER_PLAN)
    return [(d, FIRST_YEAR + y) for d in range(1, math.ceil(plans / YEARS) + 1) for y in range(YEARS)][:plans]


def generate(observations: int, out: Path, seed: int = 7) -> tuple[Path, Path]:
    """Write DIR/plans/*.yaml and DIR/actuals.csv (exactly ``observations`` rows, long layout, monthly)."""
    folder = out / "plans"
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    csv_path = out / "actuals.csv"
    written = 0
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["indicator", "period", "value", "note"])
        for district, year in layout(observations):
            plan = plan_dict(district, year)
            (folder / f"{plan['id']}.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False),
                                                        encoding="utf-8")
            for area in plan["areas"]:
                for item in area["items"]:
                    for month in range(1, 13):
                        if written == observations:
                            break
                        w.writerow([item["code"], f"{year}-{month:02d}", rng.randint(0, 12),
                                    "" if written % 10 else "备注"])
                        written += 1
    return folder, csv_path
