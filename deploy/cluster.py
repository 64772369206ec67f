"""``make cluster``: the dashboard as N Streamlit processes on one PostgreSQL store, behind nginx on one address.

On one machine (the default)::

    python -m deploy.cluster [--processes 2] [--port 8501]

starts PostgreSQL (a lasting cluster under ``data/postgres``, unless ``KPI_DB`` is a ``postgresql://`` URL of a
server of your own), creates or migrates the store with the plans and the sample data as ``make run`` does, starts
N app processes (``serve.py``) on 127.0.0.1:8511, 8512, … and nginx in front on 127.0.0.1:8501, and stops them all
on Ctrl-C (or SIGTERM). A process that ends is reported and started again on its port (nginx sends its visitors
to the others meanwhile); one that keeps ending soon after its start is left stopped, and said so
(``--no-restart``: only report).

On several machines (the same files, other addresses)::

    app machines:   KPI_DB=postgresql://… python -m deploy.cluster --apps-only --address 0.0.0.0
    front machine:  python -m deploy.cluster --proxy-only --upstream 10.0.0.2:8511,10.0.0.2:8512,10.0.0.3:8511

Every app process must sign cookies with the same keys: they come from the secrets file (``[sessions] key``, made
here before the processes start), so copy that file (or set ``KPI_SESSION_SECRET``) to every app machine.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from deploy import postgres
from kpi.i18n import norm_lang, t

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("nginx.conf")
TEMP_FOLDERS = ("body", "proxy", "fastcgi", "uwsgi", "scgi")
# nginx's workers run as this user when the front is started by root; they write only the temp folders
WORKER_USER = "www-data"


RESTART_AFTER_S = 2.0  # an app process that ended is started again this long after
CRASH_WINDOW_S, CRASH_LIMIT = 60.0, 3  # ending this many times in a row, each this soon after its start: left stopped


@dataclass
class App:
    index: int
    address: str
    port: int
    proc: subprocess.Popen
    started: float = 0.0  # time.monotonic() at its start
    quick_ends: int = 0  # how many times in a row it ended within CRASH_WINDOW_S of its start

    @property
    def url(self) -> str:
        """Where this machine reaches it."""
        return f"http://{_reachable(self.address)}:{self.port}"


def render_nginx(upstream: list[str], listen: str, run: Path, max_body_mb: int = 200, user: str | None = None) -> str:
    """deploy/nginx.conf with its addresses filled in: ``upstream`` the app processes (host:port), ``listen`` the
    front's address, ``run`` the folder of its pid, logs and temp files."""
    servers = "\n".join(f"        server {address} max_fails=1 fail_timeout=10s;" for address in upstream)
    words = {"@USER@": f"user {user};" if user else "", "@RUN@": str(run), "@SERVERS@": servers,
             "@LISTEN@": listen, "@MAX_BODY@": str(max_body_mb)}
    text = TEMPLATE.read_text(encoding="utf-8")
    for word, value in words.items():
        text = text.replace(word, value)
    return text


def nginx_binary() -> str | None:
    for candidate in (os.environ.get("KPI_NGINX"), "/usr/sbin/nginx", shutil.which("nginx")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def cookie_secret() -> str:
    """The key Streamlit signs its XSRF cookie with, the same in every process (derived from the session key that
    every process shares), so an upload still passes when a visitor is moved to another process."""
    from kpi.accounts import session_key

    return hmac.new(session_key(), b"streamlit server.cookieSecret", hashlib.sha256).hexdigest()


def _reachable(address: str) -> str:
    """Where this machine reaches a server listening on ``address`` (every address: loopback)."""
    return "127.0.0.1" if address == "0.0.0.0" else address


def answers(url: str, timeout: float = 2) -> bool:
    """Whether the Streamlit server at ``url`` says it is healthy now."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout):
            return True
    except OSError:
        return False


def wait_healthy(url: str, proc: subprocess.Popen | None = None, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{url}: the process ended with code {proc.returncode}")
        if answers(url):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


class Cluster:
    """The processes this command started, stopped in the reverse order."""

    def __init__(self, lang: str, quiet: bool = False, restart: bool = True):
        self.lang, self.quiet, self.restart = lang, quiet, restart
        self.apps: list[App] = []
        self.app_env: dict[str, str] = {}
        self.front: subprocess.Popen | None = None
        self.run: Path | None = None
        self.pg_folder: Path | None = None

    def say(self, key: str, **values: object) -> None:
        if not self.quiet:
            print(t(key, self.lang, **values), flush=True)

    def database(self, pg_dir: Path) -> str:
        """KPI_DB when it is a server's URL; else the lasting cluster in ``pg_dir``, started here."""
        from kpi.settings import get_settings
        from kpi.store.engine import is_server, shown

        db = get_settings().db
        if is_server(db):
            self.say("cluster.postgres_given", url=shown(db))
            return db
        cluster = postgres.start(pg_dir)
        self.pg_folder = cluster.folder
        self.say("cluster.postgres_started", url=shown(cluster.url), folder=cluster.folder)
        return cluster.url

    def prepare(self, db: str, sample: bool = True) -> None:
        """What ``make run`` does before serving: the store with the plans (and the sample data on first run: not
        on the app machines of a deployment, whose shared store is real), the first editor."""
        env = {**os.environ, "KPI_DB": db}
        for command in (["init", "--sample"] if sample else ["init"], ["editor", "init"]):
            subprocess.run([sys.executable, "-m", "kpi", *command, "--lang", self.lang], cwd=ROOT, env=env,
                           check=True)

    def start_apps(self, db: str, count: int, address: str, first_port: int) -> None:
        self.app_env = {**os.environ, "KPI_DB": db, "STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret()}
        self.apps = [self._spawn(index + 1, address, first_port + index) for index in range(count)]
        for app in self.apps:
            wait_healthy(app.url, app.proc)
            self.say("cluster.app_started", index=app.index, address=app.address, port=app.port, pid=app.proc.pid)

    def _spawn(self, index: int, address: str, port: int) -> App:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port),
             "--server.address", address, "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=self.app_env, start_new_session=True)
        return App(index, address, port, proc, time.monotonic())

    def start_front(self, upstream: list[str], address: str, port: int) -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError(t("cluster.no_nginx", self.lang))
        self.run = Path(tempfile.mkdtemp(prefix="kpi-nginx-"))
        self.run.chmod(0o755)  # nginx's workers enter it to write their temp files
        user = None
        if os.geteuid() == 0:
            import pwd

            try:
                worker = pwd.getpwnam(WORKER_USER)
                user = WORKER_USER
            except KeyError:
                worker = None
        for name in TEMP_FOLDERS:
            (self.run / name).mkdir()
            if user:
                os.chown(self.run / name, worker.pw_uid, worker.pw_gid)
        conf = self.run / "nginx.conf"
        conf.write_text(render_nginx(upstream, f"{address}:{port}", self.run, user=user), encoding="utf-8")
        self.front = subprocess.Popen([binary, "-c", str(conf), "-p", str(self.run)], start_new_session=True)
        wait_healthy(f"http://{_reachable(address)}:{port}", self.front, 30)
        self.say("cluster.front_started", address=address, port=port, count=len(upstream))

    def watch(self) -> int:
        """Until Ctrl-C: an app process that ends is reported and started again on its port (the others serve
        meanwhile), unless restarting is off or it keeps ending soon after its start; stop when nginx ends."""
        ended: set[int] = set()  # left stopped
        waiting: dict[int, float] = {}  # started again, not yet healthy: index -> when to stop asking
        while True:
            for slot, app in enumerate(self.apps):
                if app.index in ended:
                    continue
                if app.proc.poll() is None:
                    if app.index in waiting and answers(app.url, timeout=1):
                        del waiting[app.index]
                        self.say("cluster.app_started", index=app.index, address=app.address, port=app.port,
                                 pid=app.proc.pid)
                    elif app.index in waiting and time.monotonic() > waiting[app.index]:
                        del waiting[app.index]  # it runs but does not answer: nginx keeps its visitors elsewhere
                    continue
                waiting.pop(app.index, None)
                self.say("cluster.app_ended", index=app.index, port=app.port, code=app.proc.returncode)
                quick = app.quick_ends + 1 if time.monotonic() - app.started < CRASH_WINDOW_S else 0
                if not self.restart or quick >= CRASH_LIMIT:
                    ended.add(app.index)
                    if self.restart:
                        self.say("cluster.app_left_stopped", index=app.index, count=quick,
                                 seconds=f"{CRASH_WINDOW_S:g}")
                    continue
                time.sleep(RESTART_AFTER_S)
                self.apps[slot] = self._spawn(app.index, app.address, app.port)
                self.apps[slot].quick_ends = quick
                waiting[app.index] = time.monotonic() + 120
                self.say("cluster.app_restarting", index=app.index, port=app.port)
            if self.front is not None and self.front.poll() is not None:
                self.say("cluster.front_ended", code=self.front.returncode, log=self.run / "error.log")
                return 1
            if self.front is None and len(ended) == len(self.apps):
                return 1
            time.sleep(0.5)

    def stop(self) -> None:
        if not self.apps and self.front is None and self.pg_folder is None:
            return  # nothing was started
        self.say("cluster.stopping")
        procs = ([self.front] if self.front else []) + [app.proc for app in self.apps]
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.pg_folder is not None:
            postgres.stop(self.pg_folder, remove=False)
        if self.run is not None:
            shutil.rmtree(self.run, ignore_errors=True)
        self.say("cluster.stopped")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m deploy.cluster", description=__doc__.split("\n\n")[0])
    p.add_argument("--processes", "-n", type=int, default=int(os.environ.get("N", "2")),
                   help="app processes on this machine (default 2, or N): one per core")
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8501")), help="the front's port")
    p.add_argument("--address", default="127.0.0.1",
                   help="where the front and the apps listen (0.0.0.0 to be reached from other machines)")
    p.add_argument("--first-port", type=int, default=8511, help="the first app process's port; the next ones follow")
    p.add_argument("--pg-dir", type=Path, default=ROOT / "data" / "postgres",
                   help="the lasting PostgreSQL cluster's folder, used when KPI_DB is not a postgresql:// URL")
    p.add_argument("--apps-only", action="store_true", help="only the app processes (the machines behind a front)")
    p.add_argument("--proxy-only", action="store_true", help="only nginx (the front machine); needs --upstream")
    p.add_argument("--upstream", default="", help="the app processes for --proxy-only: HOST:PORT,HOST:PORT")
    p.add_argument("--print-nginx", action="store_true", help="print the front's nginx.conf and exit")
    p.add_argument("--no-restart", action="store_true",
                   help="report an app process that ends, without starting it again")
    p.add_argument("--lang", choices=("zh", "en"), default=norm_lang(os.environ.get("KPI_LANG", "zh")))
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    upstream = [u.strip() for u in args.upstream.split(",") if u.strip()]
    if args.proxy_only and not upstream:
        print(t("cluster.no_upstream", args.lang), file=sys.stderr)
        return 2
    if not upstream:
        upstream = [f"127.0.0.1:{args.first_port + i}" for i in range(args.processes)]
    if args.print_nginx:
        print(render_nginx(upstream, f"{args.address}:{args.port}", Path("/var/lib/kpi-nginx")))
        return 0
    cluster = Cluster(args.lang, restart=not args.no_restart)
    stopping = False

    def on_signal(signum, frame):  # Ctrl-C or SIGTERM: stop everything, once
        nonlocal stopping
        if not stopping:
            stopping = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        if not args.proxy_only:
            if args.apps_only:
                from kpi.settings import get_settings
                from kpi.store.engine import is_server

                db = get_settings().db
                if not is_server(db):
                    print(t("cluster.not_server", args.lang, db=db), file=sys.stderr)
                    return 2
            else:
                db = cluster.database(args.pg_dir)
            cluster.prepare(db, sample=not args.apps_only)
            cluster.start_apps(db, args.processes, args.address, args.first_port)
        if args.apps_only:
            cluster.say("cluster.apps_only", count=len(cluster.apps))
        else:
            cluster.start_front(upstream, args.address, args.port)
        return cluster.watch()
    except KeyboardInterrupt:
        return 0
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        print(t("cluster.failed", args.lang, error=exc), file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
