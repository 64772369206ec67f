"""The throwaway PostgreSQL cluster of the tests and CI (deploy/postgres.py): nothing of it survives the run.

From the shell (``.ci/run``)::

    eval "$(python -m tests.pgcluster start)"   # exports KPI_TEST_PG (the URL) and KPI_TEST_PG_DIR
    python -m tests.pgcluster stop "$KPI_TEST_PG_DIR"
"""

from __future__ import annotations

import sys

from deploy.postgres import Cluster, bindir, start, stop

__all__ = ["Cluster", "bindir", "start", "stop"]


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
