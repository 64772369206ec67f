"""deploy.cluster's watch over its app processes, with stand-in processes: one that ends is started again on its
port; one that keeps ending soon after its start is left stopped and said so; --no-restart only reports."""

from __future__ import annotations

import subprocess
import sys

from deploy import cluster
from deploy.cluster import App, Cluster


def _ending(code: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", f"raise SystemExit({code})"])
    proc.wait()
    return proc


class _Stand(Cluster):
    """A cluster whose app processes end at once with code 3 (a crash loop), counting its starts."""

    def __init__(self, restart: bool = True):
        super().__init__("en", restart=restart)
        self.said: list[str] = []
        self.spawned: list[int] = []

    def say(self, key: str, **values: object) -> None:
        self.said.append(key)

    def _spawn(self, index: int, address: str, port: int) -> App:
        import time

        self.spawned.append(port)
        return App(index, address, port, _ending(3), time.monotonic())


def test_an_app_that_keeps_ending_at_its_start_is_started_again_then_left_stopped(monkeypatch):
    monkeypatch.setattr(cluster, "RESTART_AFTER_S", 0.0)
    stand = _Stand()
    stand.apps = [stand._spawn(1, "127.0.0.1", 8511)]
    assert stand.watch() == 1  # no front: every app left stopped ends the watch
    assert stand.spawned == [8511] * cluster.CRASH_LIMIT  # the first start and the restarts, all on its port
    assert stand.said == ["cluster.app_ended", "cluster.app_restarting"] * (cluster.CRASH_LIMIT - 1) + [
        "cluster.app_ended", "cluster.app_left_stopped"]


def test_without_restarts_an_app_that_ends_is_only_reported():
    stand = _Stand(restart=False)
    stand.apps = [stand._spawn(1, "127.0.0.1", 8511)]
    assert stand.watch() == 1
    assert stand.spawned == [8511] and stand.said == ["cluster.app_ended"]


def test_an_app_that_ran_a_while_starts_its_count_again(monkeypatch):
    """Ending long after its start is not a crash loop: the count of quick ends starts again."""
    monkeypatch.setattr(cluster, "RESTART_AFTER_S", 0.0)
    stand = _Stand()
    first = stand._spawn(1, "127.0.0.1", 8511)
    first.started -= cluster.CRASH_WINDOW_S + 1  # it ran longer than the window
    first.quick_ends = cluster.CRASH_LIMIT - 1
    stand.apps = [first]
    assert stand.watch() == 1
    assert len(stand.spawned) == 1 + cluster.CRASH_LIMIT  # started again CRASH_LIMIT times before it was left
