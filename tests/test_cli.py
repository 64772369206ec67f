"""`python -m kpi` as a user runs it, on both engines: exit codes, JSON fields, the acceptance figures, help for every
command."""

from __future__ import annotations

import json
import os

import pytest

from kpi.cli import build_parser
from kpi.store import shown
from tests.conftest import run_cli

pytestmark = pytest.mark.engines


def _status(db, *args) -> dict:
    out = run_cli("status", "--db", str(db), "--format", "json", *args)
    assert out.returncode == 0, out.stderr
    return {r["indicator"]: r for r in json.loads(out.stdout)}


def _init(path, *args: str):
    out = run_cli("init", "--db", str(path), *args)
    assert out.returncode == 0, out.stderr
    return path


@pytest.fixture
def db(location):
    """The 2023-H2 plan alone (batch 1), so batch numbers in these tests are known."""
    return _init(location, "--plan", "data/plans/2023-H2.yaml")


def test_init_then_status_lists_every_item_with_targets(db):
    rows = _status(db, "--period", "2023-H2")
    assert len(rows) >= 30
    assert {r["area"] for r in rows.values()} == {"INV", "HK", "INNO", "SCI", "TAL", "ENT"}
    targets = {"INV-EVENTS": 6, "INV-VISITS": 20, "INV-FIRMS": 100, "INNO-HTE-TRAIN": 6, "INNO-IP-TRAIN": 4,
               "INNO-IP-VISITS": 2}
    for code, target in targets.items():
        assert rows[code]["target"] == target
        assert rows[code]["status"] == "no_data"
    assert (rows["HK-BASES"]["target"], rows["HK-BASES"]["status"]) == (None, "no_target")  # the plan sets none
    for r in rows.values():
        assert {"indicator", "area", "period", "target", "actual", "progress", "status"} <= set(r)


def test_acceptance_figures(db, tmp_path):
    csv = tmp_path / "ok.csv"
    csv.write_text("indicator,period,value\nINV-EVENTS,2023-Q3,2\nINV-EVENTS,2023-Q4,5\n"
                   "INNO-IP-TRAIN,2023-Q3,2\nINNO-IP-TRAIN,2023-Q4,1\nINV-VISITS,2023-07,3\n")
    out = run_cli("import", str(csv), "--db", str(db))
    assert out.returncode == 0, out.stderr
    h2 = _status(db, "--period", "2023-H2", "--as-of", "2024-01-15")
    assert h2["INV-EVENTS"]["actual"] == 7
    assert h2["INV-EVENTS"]["progress"] == pytest.approx(7 / 6)
    assert h2["INV-EVENTS"]["status"] == "met"
    assert h2["INNO-IP-TRAIN"]["status"] == "missed"
    assert _status(db, "--period", "2023-Q3", "--as-of", "2024-01-15")["INNO-IP-TRAIN"]["status"] == "met"
    assert _status(db, "--period", "2023-Q4", "--as-of", "2024-01-15")["INNO-IP-TRAIN"]["status"] == "missed"
    mid = _status(db, "--period", "2023-H2", "--as-of", "2023-08-15")["INV-VISITS"]
    assert mid["status"] == "off_track"
    assert mid["expected"] == pytest.approx(5.0)


def test_bad_row_exit_1_names_row_and_writes_nothing(db, tmp_path):
    ok = tmp_path / "ok.csv"
    ok.write_text("indicator,period,value\nINV-EVENTS,2023-Q3,2\n")
    assert run_cli("import", str(ok), "--db", str(db)).returncode == 0
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    assert run_cli("export", "--db", str(db), "-o", str(before)).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,period,value\nINV-EVENTS,2023-Q3,1\nINV-VISITS,2023-Q3,oops\n")
    out = run_cli("import", str(bad), "--db", str(db))
    assert out.returncode == 1
    assert "row 3, column value: 'oops' is not a number" in out.stderr
    zh = run_cli("import", str(bad), "--db", str(db), "--lang", "zh")
    assert "第3行，“value”列：“oops”不是数字" in zh.stderr
    assert run_cli("export", "--db", str(db), "-o", str(after)).returncode == 0
    assert before.read_bytes() == after.read_bytes()


def test_dry_run_writes_nothing_and_same_file_is_recognised(db, tmp_path):
    csv = tmp_path / "a.csv"
    csv.write_text("indicator,period,value\nINV-EVENTS,2023-Q3,2\n")
    dry = run_cli("import", str(csv), "--db", str(db), "--dry-run")
    assert dry.returncode == 0 and "nothing written" in dry.stdout
    assert json.loads(run_cli("history", "--db", str(db), "--format", "json").stdout)[0]["kind"] == "plan"
    assert run_cli("import", str(csv), "--db", str(db)).returncode == 0
    again = run_cli("import", str(csv), "--db", str(db))
    assert again.returncode == 0 and "imported before as batch 2" in again.stdout


def test_revert_and_reapply(db, tmp_path):
    csv = tmp_path / "a.csv"
    csv.write_text("indicator,period,value\nINV-EVENTS,2023-Q3,2\n")
    run_cli("import", str(csv), "--db", str(db), "--editor", "王科长")
    assert run_cli("revert", "2", "--db", str(db)).returncode == 0
    assert _status(db, "--period", "2023-Q3")["INV-EVENTS"]["actual"] is None
    assert _status(db, "--period", "2023-Q3", "--data", "2")["INV-EVENTS"]["actual"] == 2
    history = json.loads(run_cli("history", "--db", str(db), "--format", "json").stdout)
    assert [(b["batch_id"], b["kind"], b["reverted"]) for b in history][:2] == [(3, "revert", False),
                                                                                (2, "import", True)]
    assert history[1]["editor"] == "王科长 (cli)"
    assert run_cli("revert", "2", "--db", str(db)).returncode == 2  # already reverted
    assert run_cli("revert", "2", "--reapply", "--db", str(db)).returncode == 0
    assert _status(db, "--period", "2023-Q3")["INV-EVENTS"]["actual"] == 2


def test_init_is_idempotent_and_loads_the_sample_once(new_location):
    db = new_location("s")
    first = run_cli("init", "--db", str(db), "--sample")
    assert first.returncode == 0 and "sample data: batch 3, 4" in first.stdout  # plans are batches 1 and 2
    second = run_cli("init", "--db", str(db), "--sample")
    assert "unchanged" in second.stdout and "already loaded" in second.stdout
    rows = _status(db, "--period", "2023-H2", "--as-of", "2023-12-31")
    statuses = {r["status"] for r in rows.values()}
    assert {"met", "missed", "done", "overdue", "no_target"} <= statuses
    assert all(r["sample"] for r in rows.values() if r["actual"] is not None)


@pytest.mark.parametrize("args", [
    ["status", "--db", "{db}", "--period", "2023-Q9"],
    ["status", "--db", "{db}", "--period", "2024-Q1"],
    ["status", "--db", "{missing}"],
    ["import", "{nofile}", "--db", "{db}"],
    ["revert", "99", "--db", "{db}"],
    ["status", "--nope"],
    [],
])
def test_usage_errors_exit_2(db, new_location, tmp_path, args):
    filled = [a.format(db=db, missing=new_location("missing"), nofile=tmp_path / "missing.csv") for a in args]
    out = run_cli(*filled)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(("args", "zh", "en"), [
    (["status", "--db", "{db}", "--period", "2023-Q9"], "错误：“2023-Q9”不是可识别的期间：请写成 2023-Q3",
     "error: '2023-Q9' is not a period: write it like 2023-Q3"),
    (["status", "--db", "{db}", "--period", "2024-Q1"],
     "错误：2024-Q1 不在计划 2023-H2 的期间内（2023-07-01 至 2023-12-31）",
     "error: 2024-Q1 is outside the span of plan 2023-H2 (2023-07-01 to 2023-12-31)"),
    (["status", "--db", "{db}", "--as-of", "soon"], "错误：“soon”不是日期：请写成 2023-12-31",
     "error: 'soon' is not a date: write it like 2023-12-31"),
    (["status", "--db", "{db}", "--plan", "1999"], "错误：没有计划 1999：已有的计划为 2023-H2",
     "error: no plan 1999; known: 2023-H2"),
    (["status", "--db", "{missing}"], "错误：没有数据库 {missing}：请先运行 python -m kpi init --db {missing} 创建",
     "error: no database at {missing}; create it with: python -m kpi init --db {missing}"),
    (["import", "{nofile}", "--db", "{db}"], "错误：没有文件 {nofile}", "error: no file {nofile}"),
    (["export", "--db", "{db}", "--format", "xlsx"], "错误：导出 xlsx 需要用 -o 指定文件", "error: xlsx needs -o FILE"),
])
def test_usage_errors_in_the_users_language(db, new_location, tmp_path, args, zh, en):
    fill = {"db": db, "missing": new_location("missing"), "nofile": tmp_path / "missing.csv"}
    said = {key: shown(value) for key, value in fill.items()}  # a server's URL is said without its password
    for lang, words in (("zh", zh), ("en", en)):
        out = run_cli(*[a.format(**fill) for a in args], "--lang", lang)
        assert out.returncode == 2
        assert out.stderr.strip().startswith(words.format(**said)), out.stderr


def test_init_and_revert_speak_chinese(new_location):
    db = new_location("zh")
    out = run_cli("init", "--db", str(db), "--plan", "data/plans/2023-H2.yaml", "--sample", env={"KPI_LANG": "zh"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["计划 2023-H2：第 1 版（已载入）", "示例数据：批次 2",
                                       f"数据库：{shown(db)}（数据版本 2）"]
    out = run_cli("revert", "2", "--db", str(db), "--lang", "zh")
    assert out.stdout.strip() == "批次 2：已撤销（记录为批次 3）"
    out = run_cli("plan", "check", "data/plans/2023-H2.yaml", "--lang", "zh")
    assert out.stdout.strip() == "data/plans/2023-H2.yaml：通过（2023-H2，6 个领域，53 项工作）"


def test_every_command_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():
        assert command.description, name
        out = run_cli(name, "--help")
        assert out.returncode == 0 and "usage:" in out.stdout, name


def test_plan_check_ok_and_load(new_location):
    out = run_cli("plan", "check", "data/plans/2023-H2.yaml")
    assert out.returncode == 0 and "53 items" in out.stdout
    db = new_location("p")
    assert "revision 1 (loaded)" in run_cli("plan", "load", "data/plans/2023-H2.yaml", "--db", str(db)).stdout
    assert "revision 1 (unchanged)" in run_cli("plan", "load", "data/plans/2023-H2.yaml", "--db", str(db)).stdout


def test_status_works_for_both_plans(new_location):
    db = new_location("two")
    assert run_cli("init", "--db", str(db)).returncode == 0  # every plan in data/plans
    h2 = _status(db, "--plan", "2023-H2")
    year = _status(db, "--plan", "2024")
    assert (h2["INV-EVENTS"]["target"], h2["INV-EVENTS"]["period"]) == (6, "2023-H2")
    assert (year["INV-EVENTS"]["target"], year["INV-EVENTS"]["period"]) == (12, "2024")
    assert set(h2) == set(year) and len(year) == 53
    assert run_cli("status", "--db", str(db), "--plan", "1999").returncode == 2


@pytest.mark.parametrize("lang, words", [("zh", "正被另一个程序占用"), ("en", "in use by another program")])
def test_a_database_held_by_another_process_gets_a_clear_message_and_changes_nothing(tmp_path, lang, words):
    """Embedded mode: the file another process holds (past KPI_LOCK_WAIT) is refused plainly."""
    from tests.conftest import held_by_another_process

    db = _init(tmp_path / "held.duckdb", "--plan", "data/plans/2023-H2.yaml")
    before = run_cli("export", "--db", str(db)).stdout
    with held_by_another_process(db):
        out = run_cli("import", "--db", str(db), "--lang", lang, "data/sample/actuals-2023-H2.csv",
                      env={"KPI_LOCK_WAIT": "1"})
    assert out.returncode == 2
    assert words in out.stderr and str(db) in out.stderr
    assert "Traceback" not in out.stderr
    assert run_cli("export", "--db", str(db)).stdout == before


def test_two_imports_at_once_both_land_as_their_own_batches(db, tmp_path):
    """Two processes import at the same moment: on DuckDB the second waits for the file (KPI_LOCK_WAIT), on
    PostgreSQL both write beside each other; either way two whole batches with their own numbers."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    files = []
    for i, period in enumerate(("2023-Q3", "2023-Q4")):
        files.append(tmp_path / f"f{i}.csv")
        files[-1].write_text(f"indicator,period,value\nINV-EVENTS,{period},{i + 2}\nINV-VISITS,2023-0{7 + i},{i}\n")
    procs = [subprocess.Popen([sys.executable, "-m", "kpi", "import", str(f), "--db", str(db)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "KPI_LOCK_WAIT": "60"}) for f in files]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    history = json.loads(run_cli("history", "--db", str(db), "--format", "json").stdout)
    imports = sorted((b["batch_id"], b["source"], b["row_count"]) for b in history if b["kind"] == "import")
    assert [b[0] for b in imports] == [2, 3] and sorted(b[1] for b in imports) == ["f0.csv", "f1.csv"]
    assert [b[2] for b in imports] == [2, 2]
    rows = _status(db, "--period", "2023-H2", "--as-of", "2024-01-15")
    assert rows["INV-EVENTS"]["actual"] == 5 and rows["INV-VISITS"]["actual"] == 1
