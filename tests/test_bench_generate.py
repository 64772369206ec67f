"""`python -m bench generate` writes plans and a CSV that the command line loads and imports whole."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, run_cli


def test_a_generated_city_loads_and_imports_by_hand(tmp_path):
    out, db = tmp_path / "city", tmp_path / "city.duckdb"
    made = subprocess.run([sys.executable, "-m", "bench", "generate", "--observations", "2500", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    plans = sorted(p.stem for p in (out / "plans").glob("*.yaml"))
    assert len(plans) == 3  # 1,200 monthly values per plan
    assert len((out / "actuals.csv").read_text(encoding="utf-8").splitlines()) == 2500 + 1
    loaded = run_cli("init", "--db", str(db), "--plan", str(out / "plans"))
    assert loaded.returncode == 0, loaded.stderr
    imported = run_cli("import", "--db", str(db), str(out / "actuals.csv"))
    assert imported.returncode == 0, imported.stderr
    assert "2500" in imported.stdout
    status = run_cli("status", "--db", str(db), "--plan", plans[0], "--format", "json")
    rows = json.loads(status.stdout)
    assert len(rows) == 100 and all(r["actual"] is not None for r in rows)
