"""Reading and checking an upload in a child process, under a memory and a time budget.

An uploaded file is input to parsers (zip, XML, CSV) whose cost the file decides. The limits of rows, columns
and cells stop the shapes we know of; this is the backstop for the rest: the work runs in a child process that
may add at most ``KPI_UPLOAD_MEMORY_MB`` of address space (RLIMIT_AS) and take at most ``KPI_UPLOAD_SECONDS``
(the parent kills it then), so no file can take the server down.

Children come from a small fork server: a fresh interpreter started once per process, which imports pandas,
pyarrow, DuckDB and openpyxl once and then only forks. A job costs a fork and the pickling of its arguments and
result, not an interpreter start. (multiprocessing's own forkserver is not used: its children re-run the
parent's ``__main__`` script, and under Streamlit that is the page being run.)

Protocol: the parent hands the server one end of a fresh socket pair per job (SCM_RIGHTS); the forked child
writes its pid, reads the pickled job, lowers its limits, runs it, and writes back a status and the pickled
result. A child that dies without a result (an allocation that failed where Python could not raise) counts as
over the memory budget.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import logging
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

from kpi.problems import Problem

ROOT = Path(__file__).resolve().parents[2]
PRELOAD = ("pandas", "pyarrow", "pyarrow.compute", "duckdb", "openpyxl", "kpi.ingest.pipeline")
_START_SECONDS = 120  # the server's imports, once; a loaded machine takes several seconds
_BOOT = ("import sys; sys.path.insert(0, sys.argv[2]); from kpi.ingest.sandbox import serve; "
         "serve(int(sys.argv[1]))")
_LEN = struct.Struct("!Q")
_log = logging.getLogger(__name__)


class OverBudget(Exception):
    """The work took more memory or time than one upload may; ``problem`` says so in the user's language."""

    def __init__(self, key: str, limit: float):
        super().__init__(key)
        self.problem = Problem(None, None, None, key, {"limit": f"{limit:g}"})


# --- the parent's side ------------------------------------------------------------------------------------
class _Server:
    def __init__(self):
        ours, theirs = socket.socketpair()
        # few threads and allocators that do not reserve address space ahead: the budget is for the file
        env = {**os.environ, "MALLOC_ARENA_MAX": "2", "ARROW_DEFAULT_MEMORY_POOL": "system",
               "JE_ARROW_MALLOC_CONF": "background_thread:false", "OPENBLAS_NUM_THREADS": "1"}
        self.proc = subprocess.Popen([sys.executable, "-c", _BOOT, str(theirs.fileno()), str(ROOT)],
                                     pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL)
        theirs.close()
        self.control = ours
        ours.settimeout(_START_SECONDS)
        try:
            if ours.recv(1) != b"R":
                raise OSError("the upload worker did not start")
        except OSError:
            self.close()
            raise
        ours.settimeout(None)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        self.control.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


_server: _Server | None = None
_lock = threading.Lock()


def _connect() -> socket.socket:
    """A socket to a new child of the fork server (started, or restarted, on first need)."""
    global _server
    mine, theirs = socket.socketpair()
    with _lock:
        for attempt in (1, 2):
            if _server is None or not _server.alive():
                _server = _Server()
                atexit.register(_server.close)  # the server would go anyway (its socket closes); say goodbye
            try:
                socket.send_fds(_server.control, [b"J"], [theirs.fileno()])
                break
            except OSError:
                _server.close()
                _server = None
                if attempt == 2:
                    raise
    theirs.close()
    return mine


def _recv_exact(sock: socket.socket, size: int, deadline: float) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        chunk = sock.recv(min(size - len(buf), 1 << 20))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


def run(func, args: tuple, memory_mb: int, seconds: float, shown: float | None = None):
    """``func(*args)`` in a child process within the budget; OverBudget past it (naming ``shown`` seconds, when
    this job had what was left of a longer budget). ``func`` must be importable (a module-level function) and
    its arguments and result picklable. Runs in this process, with a warning, when no child process can be
    started here."""
    try:
        sock = _connect()
    except OSError as exc:
        _log.warning("upload worker unavailable (%s): reading in this process, without a memory budget", exc)
        return func(*args)
    deadline = time.monotonic() + seconds
    pid = None
    try:
        pid = _LEN.unpack(_recv_exact(sock, _LEN.size, deadline))[0]
        head = pickle.dumps((sys.path, memory_mb, seconds))
        work = pickle.dumps((func, args), protocol=pickle.HIGHEST_PROTOCOL)  # unpickled under the budget
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        sock.sendall(_LEN.pack(len(head)) + head + _LEN.pack(len(work)))
        sock.sendall(work)
        del work
        status = _recv_exact(sock, 1, deadline)
        body = _recv_exact(sock, _LEN.unpack(_recv_exact(sock, _LEN.size, deadline))[0], deadline)
    except TimeoutError:
        if pid:
            _kill(pid)
        raise OverBudget("ingest.over_time", shown or seconds) from None
    except (EOFError, ConnectionError):
        raise OverBudget("ingest.over_memory", memory_mb) from None
    finally:
        sock.close()
    if status == b"M":
        raise OverBudget("ingest.over_memory", memory_mb)
    if status == b"E":
        raise RuntimeError("reading the upload failed in the worker:\n" + body.decode())
    return pickle.loads(body)  # noqa: S301 - our own child's answer


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# --- the server's side -------------------------------------------------------------------------------------
def serve(control_fd: int) -> None:
    """The fork server: import once, then fork a child per job until the parent goes away."""
    for name in PRELOAD:  # by name: the sandbox runs whatever it is given and knows no module of the pipeline
        module = importlib.import_module(name)
        if hasattr(module, "warm_up"):
            try:
                module.warm_up()  # e.g. the pipeline reads a two-row file once, so children find it all loaded
            except Exception:  # noqa: BLE001 - a warm-up only: the first job will say what is wrong
                _log.exception("upload worker warm-up failed in %s", name)
    gc.freeze()  # what is loaded stays out of the collector's walks: children share those pages, not copy them
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    control = socket.socket(fileno=control_fd)
    control.sendall(b"R")
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(control, 1, 1)
        except OSError:
            return
        if not msg:
            return  # the parent closed its end: it is gone
        for fd in fds[1:]:
            os.close(fd)
        if not fds:
            continue
        if os.fork() == 0:
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os._exit(_child(socket.socket(fileno=fds[0])))
        os.close(fds[0])


def _vm_bytes() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _child(sock: socket.socket) -> int:
    import resource  # POSIX only, like the fork server

    try:
        sock.sendall(_LEN.pack(os.getpid()))
        deadline = time.monotonic() + 60
        sys.path[:], memory_mb, seconds = pickle.loads(  # noqa: S301 - from our own parent
            _recv_exact(sock, _LEN.unpack(_recv_exact(sock, _LEN.size, deadline))[0], deadline))
        size = _vm_bytes()
        if size is not None:  # from here on, everything this child does counts against the budget
            resource.setrlimit(resource.RLIMIT_AS, (size + memory_mb * 1024 * 1024, resource.RLIM_INFINITY))
        cpu = int(seconds * 2) + 5  # a backstop for a child whose parent is gone; the parent's clock comes first
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        try:
            work = _recv_exact(sock, _LEN.unpack(_recv_exact(sock, _LEN.size, deadline))[0], deadline)
            func, args = pickle.loads(work)  # noqa: S301 - from our own parent
            del work
            status, body = b"O", pickle.dumps(func(*args), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            status, body = b"M", b""
        except Exception:  # noqa: BLE001 - the parent raises it with the traceback
            status, body = b"E", traceback.format_exc().encode()
        sock.settimeout(None)
        sock.sendall(status + _LEN.pack(len(body)))
        sock.sendall(body)
        return 0
    except BaseException:  # noqa: BLE001 - nothing to report to: the parent sees the socket close
        return 1
