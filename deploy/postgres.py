"""A PostgreSQL cluster on loopback from Debian's server programs: a throwaway one for the tests and CI, or the
lasting one ``make cluster`` keeps under ``data/postgres`` when ``KPI_DB`` names no server of its own.

``start()`` runs ``initdb`` (once per folder) and ``pg_ctl`` (as the ``postgres`` user when run as root: the folder
must be one that user can enter) on 127.0.0.1 and a free port, with a user ``kpi`` that has a random password (kept
in the folder's ``password`` file, 0600) and a database ``kpi``; ``stop()`` stops the server, and removes the folder
of a throwaway cluster. The cluster's default collation is ICU Chinese (as a bureau's server may well have), so a
query whose order depends on the collation shows up in the tests.

From the shell (``.ci/run``, through ``tests/pgcluster.py``)::

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
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER, DATABASE = "kpi", "kpi"
# a throwaway cluster trades durability for speed: it lives for one test run
FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
CONNECTIONS = "-c max_connections=200"


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


def _give_to_owner(path: Path) -> None:
    if os.geteuid() == 0:
        import pwd

        owner = pwd.getpwnam("postgres")
        os.chown(path, owner.pw_uid, owner.pw_gid)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _initdb(tools: Path, folder: Path, password: str) -> None:
    pwfile = folder / "password"
    pwfile.write_text(password + "\n")
    pwfile.chmod(0o600)
    _give_to_owner(pwfile)
    common = {"capture_output": True, "text": True, **_as_owner()}
    init = [str(tools / "initdb"), "-D", str(folder / "data"), "-U", USER, f"--pwfile={pwfile}", "-E", "UTF8",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"]
    done = subprocess.run([*init, "--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=zh"], **common)
    if done.returncode != 0:  # a server built without ICU: the C.UTF-8 collation
        shutil.rmtree(folder / "data", ignore_errors=True)
        done = subprocess.run([*init, "--locale=C.UTF-8"], **common)
    if done.returncode != 0:
        raise RuntimeError(f"initdb failed: {done.stderr.strip()}")


def start(folder: Path | None = None) -> Cluster:
    """Start a cluster: a throwaway one in a new temp folder, or the lasting one in ``folder`` (created on first use,
    started again later with its data and password). Raises RuntimeError (with the server's words) when it cannot."""
    tools = bindir()
    if tools is None:
        raise RuntimeError("no PostgreSQL server programs (initdb, pg_ctl): apt-get install postgresql")
    throwaway = folder is None
    if throwaway:
        folder = Path(tempfile.mkdtemp(prefix="kpi-pg-"))
    folder.mkdir(parents=True, exist_ok=True)
    _give_to_owner(folder)
    made = not (folder / "data" / "PG_VERSION").exists()
    try:
        if made:
            _initdb(tools, folder, secrets.token_urlsafe(16))
        password = (folder / "password").read_text().strip()
        port = free_port()
        options = f"-h 127.0.0.1 -p {port} -k {folder} {CONNECTIONS}" + (f" {FAST}" if throwaway else "")
        done = subprocess.run([str(tools / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"), "-w",
                               "-t", "60", "-o", options, "start"], capture_output=True, text=True, **_as_owner())
        if done.returncode != 0:
            log = (folder / "log").read_text() if (folder / "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed in {folder}: {done.stderr.strip()} {log[-2000:]}")
    except BaseException:
        if throwaway or made:
            shutil.rmtree(folder / "data" if not throwaway else folder, ignore_errors=True)
        raise
    cluster = Cluster(folder, port, password)
    import psycopg

    with psycopg.connect(cluster.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as con:
        if con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is None:
            con.execute(f"CREATE DATABASE {DATABASE}")  # a fixed name, no value
    return cluster


def stop(folder: Path | str, *, remove: bool = True) -> None:
    """Stop the cluster in ``folder``; a throwaway one fast (no waiting for clients) and its folder removed, a lasting
    one (``remove=False``) with a clean shutdown and its folder kept."""
    folder = Path(folder)
    tools = bindir()
    if tools is not None and (folder / "data").exists():
        subprocess.run([str(tools / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate" if remove else "fast",
                        "-w", "stop"], capture_output=True, **_as_owner())
    if remove:
        shutil.rmtree(folder, ignore_errors=True)
