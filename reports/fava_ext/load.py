"""``yosan fava``: Fava served from yosan's load, not Beancount's.

Fava loads the whole ledger at start and again on the first request after any of
its files changes (a save in its editor included), through
``fava.core.load_uncached``.  ``yosan fava`` puts ``load_uncached`` below in its
place, in its own process (``serve_fava_from_yosans_load``): the load the command
and the directives go through (``yosan_ledger.load.ledger``), with the ledger's
plugins run as it names them, as in plain Fava, and each file's parse kept in the
private statement cache, so that after an edit only the file edited is parsed
again.  Plain ``fava`` is not touched.

Every load, the first and each reload, passes the gate the command's does; with
``--no-foreign-plugins`` it also refuses, before any plugin runs, a directive that
would run code from elsewhere (a plugin added while the ledger is served
included).  A refused load is no entries and the problems as Fava's errors, each
at its file and line; the files stay watched, so the fix reloads.
"""

from __future__ import annotations

import os
from typing import Any

from beancount import loader
from beancount.core import data
from beancount.parser import options as beancount_options

from yosan_ledger.load import internals
from yosan_ledger.load.ledger import gate, load
from yosan_ledger.plugins.core.sources import SourceProblem
from yosan_ledger.reports.loading.cache import ParsedFileCache, unsafe_reason

_refusing_foreign_plugins = False  # `yosan fava --no-foreign-plugins`


def refused(path: str, *, foreign_plugins: bool) -> tuple[list[SourceProblem], list[str]]:
    """What the load refuses of the ledger at ``path`` (and, without
    ``foreign_plugins``, what would run code from elsewhere), and the files it read:
    what ``yosan fava`` checks before Fava starts."""
    sources, problems = gate(path, foreign_plugins=foreign_plugins)
    return problems, [str(f) for f in dict.fromkeys(sources.files)]


def _refusal(path: str, problems: list[SourceProblem], files: list[str]) -> Any:
    """A load of nothing but the problems, as Beancount's errors at their lines; the
    ledger's files as its includes, for Fava to watch."""
    options = beancount_options.OPTIONS_DEFAULTS.copy()
    options["filename"] = path
    options["include"] = files or [path]
    errors = [
        loader.LoadError(
            data.new_metadata(os.path.abspath(p.where.filename), p.where.lineno or 0),
            p.message,
            None,
        )
        for p in problems
    ]
    return [], errors, options


def load_uncached(beancount_file_path: str, *, is_encrypted: bool) -> Any:
    """``fava.beans.load.load_uncached``, through yosan's load."""
    if is_encrypted:  # Beancount decrypts it; nothing of it is kept
        return internals.favas_load(beancount_file_path, is_encrypted=is_encrypted)
    loaded = load(
        beancount_file_path,
        rules=False,
        foreign_plugins=not _refusing_foreign_plugins,
        parsed=ParsedFileCache() if unsafe_reason() is None else None,
    )
    if loaded.refused:
        files = [str(f) for f in dict.fromkeys(loaded.sources.files)]
        return _refusal(beancount_file_path, loaded.refused, files)
    return loaded.entries, loaded.errors, loaded.options


def serve_fava_from_yosans_load(*, foreign_plugins: bool = True) -> None:
    global _refusing_foreign_plugins
    _refusing_foreign_plugins = not foreign_plugins
    setattr(*internals.fava_loader(), load_uncached)
