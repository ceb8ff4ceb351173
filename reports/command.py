"""The ``yosan`` entry point.

Before anything heavy is imported (pandas alone takes over half a second), the
statement cache's entry for the ledger the command names starts being verified
on another thread (``reports.cache.start_verifying``); the command then runs as
usual and its load takes that outcome.  A command line this reading gets wrong
costs nothing but the early start: the load verifies the entry it needs itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_LEDGER = Path("ledger") / "main.beancount"
LEDGER_ENV = "YOSAN_LEDGER"
LOADING_COMMANDS = ("report", "export", "check", "segments")


def ledger_named(args: list[str]) -> str | None:
    """The ledger (absolute, as the load names it) a command that may use the
    statement cache would load; None for other commands and with ``--no-cache``."""
    command = next((a for a in args if not a.startswith("-")), None)
    if command not in LOADING_COMMANDS or "--no-cache" in args:
        return None
    ledger = os.environ.get(LEDGER_ENV) or str(DEFAULT_LEDGER)
    for i, arg in enumerate(args):
        if arg in ("--ledger", "-l") and i + 1 < len(args):
            ledger = args[i + 1]
        elif arg.startswith("--ledger="):
            ledger = arg.removeprefix("--ledger=")
        elif arg.startswith("-l") and len(arg) > 2:
            ledger = arg[2:]
    return ledger_filename(ledger)


def ledger_filename(path: Path | str) -> str:
    """A ledger's main file as the load and the statement cache name it."""
    return os.path.normpath(os.path.abspath(os.path.expanduser(str(path))))


def run() -> None:
    ledger = ledger_named(sys.argv[1:])
    if ledger is not None and os.path.isfile(ledger):
        from reports import cache

        cache.start_verifying(ledger)
    from reports.cli import run as run_command

    run_command()
