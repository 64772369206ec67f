"""A throwaway PostgreSQL cluster on loopback, for the tests and CI: nothing of it survives the run.

``start()`` runs Debian's ``initdb`` and ``pg_ctl`` (as the ``postgres`` user when run as root, in a folder that
user can enter) on 127.0.0.1 and a free port, with a user ``kpi`` that has a random password and a database
``kpi``; ``stop()`` stops the server and removes the folder. The cluster's default collation is ICU Chinese (as a
bureau's server may well have), so a query whose order depends on the collation shows up in the tests.

From the shell (``.ci/run``)::

    eval "$(python -m tests.pgcluster start)"   # exports KPI_TEST_PG (the URL) and KPI_TEST_PG_DIR
    python -m tests.pgcluster stop "$KPI_TEST_PG_DIR"
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER, DATABASE = "kpi", "kpi"
# speed over durability: the cluster lives for one test run
FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"


def bindir() -> Path | None:
    """Where initdb and pg_ctl are: Debian's /usr/lib/postgresql/<version>/bin (newest), else the PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


@dataclass
class Cluster:
    folder: Path
    port: int
    password: str

    @property
    def url(self) -> str:
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{DATABASE}"


def _as_owner() -> dict:
    """Run the server as ``postgres`` when we are root (initdb refuses root)."""
    return {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start() -> Cluster:
    """Create and start a cluster; raises RuntimeError (with the server's words) when it cannot."""
    tools = bindir()
    if tools is None:
        raise RuntimeError("no PostgreSQL server programs (initdb, pg_ctl): apt-get install postgresql")
    folder = Path(tempfile.mkdtemp(prefix="kpi-pg-"))
    if os.geteuid() == 0:
        import pwd

        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    password = secrets.token_urlsafe(16)
    pwfile = folder / "password"
    pwfile.write_text(password + "\n")
    if os.geteuid() == 0:
        os.chown(pwfile, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    common = {"capture_output": True, "text": True, **_as_owner()}
    init = [str(tools / "initdb"), "-D", str(folder / "data"), "-U", USER, f"--pwfile={pwfile}", "-E", "UTF8",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"]
    done = subprocess.run([*init, "--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=zh"], **common)
    if done.returncode != 0:  # a server built without ICU: the C.UTF-8 collation
        shutil.rmtree(folder / "data", ignore_errors=True)
        done = subprocess.run([*init, "--locale=C.UTF-8"], **common)
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
    options = f"-h 127.0.0.1 -p {port} -k {folder} {FAST}"
    done = subprocess.run([str(tools / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"), "-w",
                           "-t", "60", "-o", options, "start"], **common)
    if done.returncode != 0:
        log = (folder / "log").read_text() if (folder / "log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()} {log[-2000:]}")
    cluster = Cluster(folder, port, password)
    import psycopg

    with psycopg.connect(cluster.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as con:
        con.execute(f"CREATE DATABASE {DATABASE}")  # a fixed name, no value
    return cluster


def stop(folder: Path | str) -> None:
    """Stop the cluster in ``folder`` (fast: no waiting for clients) and remove the folder."""
    folder = Path(folder)
    tools = bindir()
    if tools is not None and (folder / "data").exists():
        subprocess.run([str(tools / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "-w", "stop"],
                       capture_output=True, **_as_owner())
    shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["start"]:
        cluster = start()
        print(f"export KPI_TEST_PG='{cluster.url}'; export KPI_TEST_PG_DIR='{cluster.folder}'")
        return 0
    if argv[:1] == ["stop"] and len(argv) == 2:
        stop(argv[1])
        return 0
    print("usage: python -m tests.pgcluster start | stop FOLDER", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
