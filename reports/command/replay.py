"""A repeated report, printed again from the text kept beside the statement cache.

A ``yosan report`` or ``yosan export`` that prints to standard output is kept
beside the ledger's statement-cache entry (``yosan_ledger.reports.loading.cache``).
The same command — the same parameters as click parsed them, in the same
folder — on a ledger whose entry still verifies prints it again, before pandas
or anything else heavy is imported.  A command whose output depends on more than
the ledger's verified entry is never replayed: one that writes a file or reads
another (any path parameter but the ledger), or checks the sources anew
(``--no-foreign-plugins``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

import click

from yosan_ledger.plugins.core.messages import localized
from yosan_ledger.reports.loading import cache
from yosan_ledger.reports.loading.cache import ledger_filename

LEDGER_PARAMETER = "ledger_path"
KEY = "yosan_replay_key"  # where the command's key waits in click's context.meta


def replay_key(ctx: click.Context) -> str | None:
    """The key under which the command's printed output is kept: the command, its
    parameters and the working folder (paths print relative to it); None for a
    command whose output depends on more than the ledger's verified entry."""
    for parameter in ctx.command.params:
        value = ctx.params.get(parameter.name)
        reads_a_file = isinstance(parameter.type, click.Path) and value is not None
        if reads_a_file and parameter.name != LEDGER_PARAMETER:
            return None
    if ctx.params.get("foreign_plugins") is False or ctx.params.get("no_cache"):
        return None
    params = {name: str(value) for name, value in sorted(ctx.params.items())}
    seen = json.dumps([ctx.command_path, params, os.getcwd()], ensure_ascii=False)
    return hashlib.sha256(seen.encode("utf-8")).hexdigest()[:32]


def start(ctx: click.Context, *, replayable: bool) -> None:
    """Begin verifying the ledger's cache entry on another thread (the command goes
    on importing meanwhile) and, for a replayable command already printed from
    that entry, print it again and exit."""
    if ctx.params.get("no_cache"):
        return
    ledger = ledger_filename(ctx.params[LEDGER_PARAMETER])
    if not os.path.isfile(ledger):
        return
    cache.start_verifying(ledger)
    key = replay_key(ctx) if replayable else None
    if key is None:
        return
    text = cache.printed(ledger, key)
    if text is None:
        ctx.meta[KEY] = (ledger, key)
        return
    try:
        click.echo(text, nl=False)
        sys.stdout.flush()
    except OSError as error:  # a closed pipe, a full disk, a closed standard output
        raise click.ClickException(
            localized("cannot write to standard output: {error}", error=str(error))
        ) from None
    ctx.exit(0)


def keep(text: str) -> None:
    """Keep what the current command printed, to replay it (if it may be)."""
    ctx = click.get_current_context(silent=True)
    found = ctx.meta.get(KEY) if ctx is not None else None
    if found is not None:
        cache.store_printed(*found, text)
