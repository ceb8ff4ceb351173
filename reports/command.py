"""The ``yosan`` entry point.

Before anything heavy is imported (pandas alone takes over half a second), the
statement cache's entry for the ledger the command names starts being verified
on another thread (``reports.cache.start_verifying``); the command then runs as
usual and its load takes that outcome.  A command line this reading gets wrong
costs nothing but the early start: the load verifies the entry it needs itself.

A ``report`` or ``export`` that prints is kept beside the entry; the same command,
in the same folder, on a ledger whose entry still verifies, prints it again
without importing pandas at all (``reports.cache.printed``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from pathlib import Path

DEFAULT_LEDGER = Path("ledger") / "main.beancount"
LEDGER_ENV = "YOSAN_LEDGER"
LOADING_COMMANDS = ("report", "export", "check", "segments")
REPLAYED_COMMANDS = ("report", "export")
UNREPLAYED_OPTIONS = ("-o", "--output", "--against", "--no-foreign-plugins", "-h", "--help")


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


def replay_key(args: list[str]) -> str | None:
    """The key under which a command's printed output is kept: its arguments, the
    working directory (paths print relative to it) and ``YOSAN_LEDGER``.  None for
    a command whose output depends on more than its ledger's verified entry: one
    writing a file, comparing with another ledger, or checking sources anew."""
    command = next((a for a in args if not a.startswith("-")), None)
    if command not in REPLAYED_COMMANDS:
        return None
    if any(a.split("=")[0] in UNREPLAYED_OPTIONS or a.startswith("-o") for a in args):
        return None
    seen = json.dumps([args, os.getcwd(), os.environ.get(LEDGER_ENV)], ensure_ascii=False)
    return hashlib.sha256(seen.encode("utf-8")).hexdigest()[:32]


def run() -> None:
    args = sys.argv[1:]
    ledger = ledger_named(args)
    key = None
    if ledger is not None and os.path.isfile(ledger):
        from reports import cache

        cache.start_verifying(ledger)
        key = replay_key(args)
        text = cache.printed(ledger, key) if key else None
        if text is not None:
            try:
                sys.stdout.write(text)
                sys.stdout.flush()
            except (OSError, ValueError):
                os._exit(1)  # a closed pipe: nothing more to say
            os._exit(0)
    from reports import cli

    if key is not None:
        cli.record_printed = functools.partial(cache.store_printed, ledger, key)
    cli.run()
