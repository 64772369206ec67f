"""The HTTP API on a real server (serve.py on a free port, its own database), called as other programs call it.

Tokens are made with the command line before the server starts (DuckDB lets one process open the file). The last
test stops the server and checks that the command line gives the same JSON for the same view and history.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import pytest

from kpi.auth import hash_password
from kpi.report.export import to_xlsx_bytes
from kpi.store import Store
from tests.browser_kit import Server
from tests.conftest import ROOT, run_cli

DATA = ROOT / "tests" / "data"
EDITOR, PASSWORD = "王科长", "correct horse 2023"
LEAVING = "李干事"  # an editor of the secrets file, removed while the server runs
AREA_EDITOR = "赵干事"  # an editor of the INV work area only (not an admin)
LIMIT = 200_000  # the server's upload limit in these tests
GOOD = "indicator,period,value\nINV-EVENTS,2023-Q3,2\nINV-VISITS,2023-07,5\n"
VIEW = {"plan": "2023-H2", "period": "2023-Q3", "as_of": "2023-09-30"}


class Api:
    """The server, its environment, and the tokens made for it."""

    def __init__(self, folder: Path):
        self.db = folder / "kpi.duckdb"
        self.env = {"KPI_DB": str(self.db), "KPI_SECRETS_FILE": str(folder / "secrets.toml"),
                    "KPI_EDITORS": f"{EDITOR}={hash_password(PASSWORD)};{AREA_EDITOR}={hash_password(PASSWORD)}",
                    "KPI_EDITOR_AREAS": f"{AREA_EDITOR}=INV"}
        assert run_cli("init", "--sample", env=self.env).returncode == 0
        add = subprocess.run([sys.executable, "-m", "kpi", "editor", "add", LEAVING, "--password-stdin"], cwd=ROOT,
                             input="another horse 2024\n", text=True, capture_output=True,
                             env={**os.environ, **self.env})
        assert add.returncode == 0, add.stderr
        self.writer = self.token("ci", EDITOR)
        self.reader = self.token("wall", EDITOR, "--read-only")
        self.revoked = self.token("old", EDITOR)
        assert run_cli("token", "revoke", "old", env=self.env).returncode == 0
        self.leaving = self.token("leaving", LEAVING)
        self.area_writer = self.token("area", AREA_EDITOR)
        self.server = Server(self.db, KPI_EDITORS=self.env["KPI_EDITORS"],
                             KPI_EDITOR_AREAS=self.env["KPI_EDITOR_AREAS"], KPI_UPLOAD_MAX_BYTES=str(LIMIT))
        self.url = self.server.url

    def token(self, name: str, editor: str, *extra: str) -> str:
        out = run_cli("token", "add", name, "--editor", editor, *extra, env=self.env)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    def call(self, method: str, path: str, token: str | None = None, body: bytes | None = None,
             headers: dict | None = None, **query) -> tuple[int, dict, str]:
        """(status, headers, body text) of one request."""
        url = f"{self.url}/api/v1{path}" + ("?" + urlencode(query) if query else "")
        request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, dict(response.headers), response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode("utf-8")

    def post(self, token: str | None, data: bytes, **query) -> tuple[int, dict]:
        status, _, text = self.call("POST", "/batches", token, data, {"Content-Type": "text/csv"}, **query)
        return status, json.loads(text)

    def history(self) -> list[dict]:
        status, _, text = self.call("GET", "/batches", self.reader)
        assert status == 200, text
        return json.loads(text)

    def version(self) -> int:
        return json.loads(self.call("GET", "/health")[2])["data_version"]


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    a = Api(tmp_path_factory.mktemp("api"))
    yield a
    a.server.stop()


def test_health_answers_without_a_token(api):
    status, headers, text = api.call("GET", "/health")
    body = json.loads(text)
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert body["status"] == "ok" and body["api"] == "v1" and body["data_version"] >= 2


def test_an_import_with_a_token_is_a_batch_in_the_history(api):
    before = api.version()
    status, body = api.post(api.writer, GOOD.encode(), filename="2023年7月 actuals.csv")
    assert status == 201, body
    batch = body["batch"]
    assert batch["batch_id"] == before + 1 == api.version()
    assert (batch["kind"], batch["editor"], batch["source"], batch["row_count"]) == (
        "import", f"{EDITOR} (api)", "2023年7月 actuals.csv", 2)
    assert (body["rows"], body["same_file"], body["dry_run"]) == (2, [], False)
    assert api.history()[0] == batch  # the newest in the history, exactly as the answer gave it
    status, again = api.post(api.writer, GOOD.encode(), filename="again.csv")
    assert status == 201 and again["same_file"] == [batch["batch_id"]]
    assert api.history()[0]["batch_id"] == batch["batch_id"] + 1


def test_the_status_shows_what_the_api_imported(api):
    api.post(api.writer, b"indicator,period,value\nINV-FIRMS,2023-Q3,37\n", filename="firms.csv")
    status, _, text = api.call("GET", "/status", api.reader, **VIEW)
    assert status == 200
    rows = {r["indicator"]: r for r in json.loads(text)}
    assert rows["INV-FIRMS"]["actual"] == 37 and rows["INV-FIRMS"]["period"] == "2023-Q3"


def test_a_bad_file_is_422_with_every_problem_as_a_row_and_nothing_written(api):
    before = api.history()
    status, body = api.post(api.writer, (DATA / "bad" / "many_problems.csv").read_bytes(),
                            filename="many_problems.csv", lang="en")
    assert status == 422
    assert [(p["row"], p["column"], p["key"]) for p in body["problems"]] == [
        (3, "indicator", "ingest.unknown_indicator"), (4, "period", "ingest.bad_period"),
        (5, "value", "ingest.not_number"), (6, "value", "ingest.negative"), (7, "value", "ingest.bad_milestone")]
    assert body["problems"][0]["value"] == "INV-NOPE"
    assert body["problems"][0]["message"].startswith("row 3, column indicator: 'INV-NOPE' is not an indicator")
    assert body["error"]["message"] == "many_problems.csv: 5 problem(s); nothing was written"
    status, zh = api.post(api.writer, (DATA / "bad" / "many_problems.csv").read_bytes(), filename="m.csv")
    assert status == 422 and zh["problems"][0]["message"].startswith("第3行，“indicator”列：")  # Chinese first
    assert api.history() == before


def test_an_xlsx_file_and_a_multipart_upload_go_through_the_same_pipeline(api):
    frame = pd.DataFrame({"指标编码": ["INV-VISITS"], "期间": ["2023-08"], "实际值": [4]})
    status, _, text = api.call("POST", "/batches", api.writer, to_xlsx_bytes(frame), {
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, filename="八月.xlsx")
    assert status == 201, text
    assert json.loads(text)["batch"]["source"] == "八月.xlsx"
    status, _, text = api.call("POST", "/batches", api.writer, (DATA / "bad" / "bad_row.xlsx").read_bytes())
    assert status == 422 and [(p["row"], p["column"]) for p in json.loads(text)["problems"]] == [(3, "实际值")]
    boundary = uuid.uuid4().hex
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"form.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\nindicator,period,value\nINV-VISITS,2023-09,6\n\r\n--{boundary}--\r\n")
    status, _, text = api.call("POST", "/batches", api.writer, form.encode(),
                               {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert status == 201, text
    assert (json.loads(text)["batch"]["source"], json.loads(text)["rows"]) == ("form.csv", 1)


def test_a_file_over_the_limit_is_413_with_the_problem_and_nothing_written(api):
    before = api.version()
    big = GOOD.encode() + b"INV-EVENTS,2023-Q3,1\n" * (LIMIT // 20)
    status, body = api.post(api.writer, big, filename="big.csv", lang="en")
    assert status == 413
    assert [(p["key"], p["params"]) for p in body["problems"]] == [
        ("ingest.too_big", {"size": len(big), "limit": LIMIT})]
    assert api.version() == before


@pytest.mark.parametrize("case", ["none", "wrong", "revoked", "not bearer"])
def test_no_token_a_wrong_one_or_a_revoked_one_is_401_and_writes_nothing(api, case):
    before = api.version()
    headers = {"Content-Type": "text/csv"}
    token = {"none": None, "wrong": "kpi_" + "x" * 43, "revoked": api.revoked, "not bearer": None}[case]
    if case == "not bearer":
        headers["Authorization"] = f"Basic {api.writer}"
    status, answer_headers, text = api.call("POST", "/batches", token, GOOD.encode(), headers, lang="en")
    assert status == 401, text
    assert answer_headers["www-authenticate"].startswith("Bearer")
    assert json.loads(text)["error"]["key"] == ("api.no_token" if token is None else "api.bad_token")
    for path in ("/status", "/batches"):
        assert api.call("GET", path, token, headers=headers)[0] == 401
    assert api.version() == before


def test_a_dry_run_refuses_the_rows_the_write_would(api):
    """An area editor's dry run of rows outside their areas: 403 with every such row, as the write gives."""
    mixed = (GOOD + "HK-BASES,2023-Q3,1\n").encode()
    before = api.version()
    status, checked = api.post(api.area_writer, mixed, filename="m.csv", lang="en", dry_run="1")
    assert status == 403 and {p["row"] for p in checked["problems"]} == {4}, checked
    status, written = api.post(api.area_writer, mixed, filename="m.csv", lang="en")
    assert (status, written["problems"]) == (403, checked["problems"])
    assert api.version() == before
    status, body = api.post(api.area_writer, GOOD.encode(), filename="inv.csv", dry_run="1")
    assert status == 200 and body["rows"] == 2


def test_a_read_only_token_reads_and_checks_but_cannot_write(api):
    before = api.version()
    status, body = api.post(api.reader, GOOD.encode(), filename="r.csv", lang="en")
    assert status == 403 and body["error"]["key"] == "api.read_only"
    status, body = api.post(api.reader, GOOD.encode(), filename="r.csv", dry_run="1")
    assert status == 200 and (body["rows"], body["batch"], body["dry_run"]) == (2, None, True)
    assert api.call("GET", "/status", api.reader, **VIEW)[0] == 200
    assert api.version() == before


def test_removing_the_editor_stops_their_token_at_once(api):
    before = api.version()
    status, body = api.post(api.leaving, b"indicator,period,value\nSCI-DAY,2023-09,2023-09-20\n", filename="d.csv")
    assert status == 201 and body["batch"]["editor"] == f"{LEAVING} (api)"
    removed = run_cli("editor", "remove", LEAVING, env=api.env)  # the secrets file, while the server runs
    assert removed.returncode == 0, removed.stderr
    status, body = api.post(api.leaving, GOOD.encode(), filename="d2.csv", lang="en")
    assert status == 401 and body["error"]["key"] == "api.editor_gone"
    assert api.call("GET", "/status", api.leaving)[0] == 401
    assert api.version() == before + 1


def test_status_refuses_a_bad_view_with_400_saying_what_to_change(api):
    status, _, text = api.call("GET", "/status", api.reader, period="2030-Q1", lang="en")
    error = json.loads(text)["error"]
    assert status == 400 and error["key"] == "cli.outside_plan" and error["message"].startswith("2030-Q1 ")
    status, _, text = api.call("GET", "/status", api.reader, data="latest")
    assert status == 400 and json.loads(text)["error"]["key"] == "api.bad_number"
    status, _, text = api.call("GET", "/status", api.reader, plan="1999")
    assert status == 400 and json.loads(text)["error"]["key"] == "cli.unknown_plan"


def _cli_import(api: Api, name: str, *args: str, token: str | None = None, **env) -> subprocess.CompletedProcess:
    return run_cli("import", str(DATA / "bad" / name) if "/" not in name else name, *args,
                   env={"KPI_SERVER": api.url, "KPI_TOKEN": token or api.writer, "KPI_DB": "/nonexistent.duckdb",
                        **env})


def test_kpi_import_server_writes_through_the_dashboard(api, tmp_path):
    good = tmp_path / "九月.csv"
    good.write_text("指标编码,期间,实际值\nINV-EVENTS,2023-09,1\nINV-VISITS,2023-09,3\n", encoding="utf-8")
    checked = _cli_import(api, str(good), "--dry-run")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == "check passed (nothing written): 2 rows would import\n"
    before = api.version()
    done = _cli_import(api, str(good))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"imported batch {before + 1}: 2 rows (九月.csv)\n"
    newest = api.history()[0]
    assert (newest["batch_id"], newest["editor"], newest["source"]) == (before + 1, f"{EDITOR} (api)", "九月.csv")
    again = _cli_import(api, str(good), "--lang", "zh")
    assert again.returncode == 0
    assert again.stdout == (f"提示：同一文件已于批次 {before + 1} 导入过\n"
                            f"已导入批次 {before + 2}：2 行（九月.csv）\n")


def test_kpi_import_server_prints_every_problem_as_a_local_import_does(api, tmp_path):
    local_db = tmp_path / "local.duckdb"
    assert run_cli("init", "--db", str(local_db), "--plan", "data/plans/2023-H2.yaml").returncode == 0
    before = api.version()
    for name in ("many_problems.csv", "bad_row.xlsx"):
        for lang in ("en", "zh"):
            remote = _cli_import(api, name, "--lang", lang)
            local = run_cli("import", str(DATA / "bad" / name), "--db", str(local_db), "--lang", lang,
                            env={"KPI_SERVER": ""})
            assert (remote.returncode, local.returncode) == (1, 1)
            assert remote.stdout == local.stdout == ""
            sending, *problems = remote.stderr.splitlines()
            assert name in sending and api.url in sending
            assert problems == local.stderr.splitlines() and len(problems) >= 2
    assert api.version() == before


def test_kpi_import_server_without_the_right_token_exits_2(api):
    before = api.version()
    for token, words in ((api.reader, "read-only"), (api.revoked, "not valid"), ("kpi_nope", "not valid")):
        out = _cli_import(api, "many_problems.csv", token=token)
        assert out.returncode == 2 and words in out.stderr and out.stdout == ""
    assert api.version() == before


def test_a_closed_period_changes_only_by_an_admins_correction_with_a_reason(api, tmp_path):
    """Rows of a closed period: 422 without a reason, 403 for an area editor with one, 201 for an admin, whose batch
    is a correction with that reason; `kpi import --server --correct` sends the reason."""
    closed = run_cli("period", "close", "2023-11", "--reason", "已向区里报送", "--editor", EDITOR, env=api.env)
    assert closed.returncode == 0, closed.stderr
    late = b"indicator,period,value\nINV-VISITS,2023-11,9\n"
    before = api.version()
    status, body = api.post(api.writer, late, filename="late.csv", lang="en")
    assert status == 422 and [p["key"] for p in body["problems"]] == ["close.row_closed"], body
    status, body = api.post(api.area_writer, late, filename="late.csv", lang="en", correction="补报")
    assert status == 403 and [p["key"] for p in body["problems"]] == ["role.admin_only"], body
    status, checked = api.post(api.area_writer, late, filename="late.csv", lang="en", correction="补报", dry_run="1")
    assert (status, checked["problems"]) == (403, body["problems"])  # a dry run answers as the write does
    status, body = api.post(api.writer, late, filename="late.csv", correction="补报", dry_run="1")
    assert status == 200 and (body["rows"], body["batch"]) == (1, None)
    assert api.version() == before  # nothing written
    status, body = api.post(api.writer, late, filename="late.csv", lang="en", correction="区里退回：11月漏报")
    assert status == 201, body
    assert body["batch"]["batch_id"] == before + 1 == api.version()
    store = Store.open(api.db, create=False)
    try:
        fixed = store.current_corrections()
    finally:
        store.close()
    assert fixed[["indicator", "period", "batch_id"]].values.tolist() == [["INV-VISITS", "2023-11", before + 1]]
    assert fixed["reason"].tolist() == ["区里退回：11月漏报"]
    again = tmp_path / "again.csv"
    again.write_bytes(b"indicator,period,value\nINV-VISITS,2023-11,10\n")
    refused = _cli_import(api, str(again), "--lang", "en")
    assert refused.returncode == 1 and "closed period" in refused.stderr, refused.stderr
    by_area_editor = _cli_import(api, str(again), "--lang", "en", "--correct", "补报", token=api.area_writer)
    assert by_area_editor.returncode == 1 and "needs an admin" in by_area_editor.stderr, by_area_editor.stderr
    done = _cli_import(api, str(again), "--lang", "en", "--correct", "再次更正")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"imported batch {before + 2}: 1 rows (again.csv)\n"


def test_status_and_history_are_the_same_json_as_the_command_line(api):
    """Last: the server is stopped, so the command line can open the same database."""
    version = api.version()
    views = [{**VIEW, "data": str(version)}, {"period": "2023-H2", "as_of": "2023-12-31", "data": str(version - 2),
                                              "lang": "en"}]
    answers = [api.call("GET", "/status", api.writer, **view) for view in views]
    history = api.call("GET", "/batches", api.writer)
    outside = api.call("GET", "/status", api.writer, period="2024-Q1", lang="en")
    api.server.stop()
    for view, (status, _, text) in zip(views, answers, strict=True):
        assert status == 200
        args = [f"--{k.replace('_', '-')}={v}" for k, v in view.items()]
        out = run_cli("status", "--format", "json", *args, env=api.env)
        assert out.returncode == 0, out.stderr
        assert out.stdout == text + "\n"
    assert json.loads(answers[0][2]) != json.loads(answers[1][2])
    out = run_cli("history", "--format", "json", env=api.env)
    assert history[0] == 200 and out.stdout == history[2] + "\n"
    out = run_cli("status", "--period", "2024-Q1", "--lang", "en", env=api.env)
    assert outside[0] == 400 and out.returncode == 2
    assert out.stderr.strip() == "error: " + json.loads(outside[2])["error"]["message"]
