"""What every command of ``python -m kpi`` shares: the usage error (exit 2), the database, the editor, the store.

``kpi.cli`` (the core commands and the parser) and ``kpi.cli_supervision`` (period, due) both import it, so neither
imports the other's module at load time.
"""

from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path

from kpi import auth
from kpi.i18n import t
from kpi.settings import get_settings
from kpi.store import Editor, Store, StoreError, StoreLocked, StoreMissing, StoreUnreachable, is_server


class UsageError(Exception):
    """Exit 2 with this message."""


def _db(args: argparse.Namespace) -> Path | str:
    """The store: ``--db``, else ``KPI_DB``, else data/kpi.duckdb; a ``postgresql://`` URL is server mode."""
    location = args.db or get_settings().db
    return str(location) if is_server(location) else Path(location)


def _exists(args: argparse.Namespace) -> bool:
    """A DuckDB file that exists, or a server (whether it holds a store, opening it tells)."""
    location = _db(args)
    return is_server(location) or Path(location).exists()


def _editor(args: argparse.Namespace) -> Editor:
    """The editor named (--editor, $KPI_EDITOR, else your login): a configured editor with their role and areas;
    any other name writes as an admin (the command line trusts whoever can run it on the server)."""
    name = args.editor or os.environ.get("KPI_EDITOR") or getpass.getuser() or "cli"
    return auth.editor_named(name, "cli") or Editor(name=name, via="cli")


def _open(args: argparse.Namespace, create: bool = False, location: Path | str | None = None) -> Store:
    location = _db(args) if location is None else location
    if not create and not is_server(location) and not Path(location).exists():
        raise UsageError(t("cli.no_db", args.lang, db=location))
    try:
        return Store.open(location, create=create)
    except StoreLocked as exc:
        raise UsageError(t("cli.locked", args.lang, db=str(exc), seconds=f"{get_settings().lock_wait:g}")) from exc
    except StoreMissing as exc:
        raise UsageError(t("cli.no_db", args.lang, db=exc.where)) from exc
    except StoreUnreachable as exc:
        raise UsageError(t("cli.store_unreachable", args.lang, db=exc.where, reason=exc.reason)) from exc
    except StoreError as exc:
        raise UsageError(str(exc)) from exc
