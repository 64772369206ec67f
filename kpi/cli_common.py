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
from kpi.store import Editor, Store, StoreError, StoreLocked


class UsageError(Exception):
    """Exit 2 with this message."""


def _db(args: argparse.Namespace) -> Path:
    return Path(args.db) if args.db else get_settings().db


def _editor(args: argparse.Namespace) -> Editor:
    """The editor named (--editor, $KPI_EDITOR, else your login): a configured editor with their role and areas;
    any other name writes as an admin (the command line trusts whoever can run it on the server)."""
    name = args.editor or os.environ.get("KPI_EDITOR") or getpass.getuser() or "cli"
    return auth.editor_named(name, "cli") or Editor(name=name, via="cli")


def _open(args: argparse.Namespace, create: bool = False) -> Store:
    if not create and not _db(args).exists():
        raise UsageError(t("cli.no_db", args.lang, db=_db(args)))
    try:
        return Store.open(_db(args), create=create)
    except StoreLocked as exc:
        raise UsageError(t("cli.locked", args.lang, db=str(exc))) from exc
    except StoreError as exc:
        raise UsageError(str(exc)) from exc
