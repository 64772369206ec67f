"""Synthetic plans and valid actuals of a given size: `python -m bench generate --observations N --out DIR`."""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

import yaml

YEARS = 10  # the synthetic plan spans ten years of months
START_YEAR = 2015
AREAS = 10


def plan_dict(observations: int) -> dict:
    months = YEARS * 12
    per_area = math.ceil(math.ceil(observations / months) / AREAS)
    areas = []
    for a in range(1, AREAS + 1):
        code = f"A{a:02d}"
        items = []
        for i in range(1, per_area + 1):
            item = {"code": f"{code}-I{i:04d}", "name": {"zh": f"指标{code}-{i}", "en": f"Indicator {code}-{i}"},
                    "unit": {"zh": "个", "en": "items"}, "kind": "count", "source": "synthetic"}
            if i % 3 == 0:
                item.update(direction="at_least", every="month", target=5)
            elif i % 3 == 1:
                item.update(direction="at_least", target=60 * YEARS * 12 // 12)
            items.append(item)
        areas.append({"code": code, "name": {"zh": f"领域{a}", "en": f"Area {a}"}, "items": items})
    return {"id": f"BENCH-{observations}", "title": {"zh": "基准测试计划", "en": "Benchmark plan"},
            "span": {"start": f"{START_YEAR}-01-01", "end": f"{START_YEAR + YEARS - 1}-12-31"}, "areas": areas}


def generate(observations: int, out: Path, seed: int = 7) -> tuple[Path, Path]:
    """Write plan.yaml and actuals.csv (exactly ``observations`` rows, long layout, monthly) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    plan = plan_dict(observations)
    plan_path = out / "plan.yaml"
    plan_path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    codes = [item["code"] for area in plan["areas"] for item in area["items"]]
    rng = random.Random(seed)
    months = [f"{START_YEAR + m // 12}-{m % 12 + 1:02d}" for m in range(YEARS * 12)]
    csv_path = out / "actuals.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["indicator", "period", "value", "note"])
        n = 0
        for code in codes:
            for month in months:
                if n == observations:
                    break
                w.writerow([code, month, rng.randint(0, 12), "" if n % 10 else "备注"])
                n += 1
    return plan_path, csv_path
