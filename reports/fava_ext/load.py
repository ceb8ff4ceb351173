"""The load ``yosan fava`` serves Fava from: yosan's, not Beancount's.

Fava loads the whole ledger at start and again on the first request after any of
its files changes (a save in its editor included), through
``fava.core.load_uncached``.  ``yosan fava`` puts ``load_uncached`` below in its
place, in its own process: the same entries, errors and options
(``yosan_ledger.plugins.core.loading``, tested against Beancount's), with each
file's parse kept in the private statement cache and the files parsed ahead on
every core, so that after an edit only the file edited is parsed again.  The
ledger's plugins run as it names them, as in plain Fava; plain ``fava`` is not
touched.

Every load, the first and each reload, passes the gate the command's does
(``yosan_ledger.plugins.core.sources``: every file, the ledgers named and the
layouts); with ``--no-foreign-plugins`` it also refuses, before any plugin runs,
a directive that would run code from elsewhere (a plugin added while the ledger
is served included).  A refused load is no entries and the problems as Fava's
errors, each at its file and line; the files stay watched, so the fix reloads.
"""

from __future__ import annotations

import gc
import os
from typing import Any

from beancount import loader
from beancount.core import data
from beancount.parser import options as beancount_options

from yosan_ledger.plugins.core import loading
from yosan_ledger.plugins.core.sources import SourceProblem, read_sources
from yosan_ledger.reports.loading.cache import ParsedFileCache, unsafe_reason
from yosan_ledger.reports.loading.sources import foreign_plugin_problems, parsed_sources

_refusing_foreign_plugins = False  # `yosan fava --no-foreign-plugins`


def refused(path: str, *, foreign_plugins: bool) -> tuple[list[SourceProblem], list[str]]:
    """What the gate refuses of the ledger at ``path`` (and, without
    ``foreign_plugins``, what would run code from elsewhere), and the files it read."""
    sources = read_sources(path)
    problems = list(sources.problems)
    if not foreign_plugins:
        parsed = sources if sources.problems else parsed_sources(path, sources)
        if parsed is not sources:
            problems += parsed.problems
        problems += foreign_plugin_problems(parsed)
    return list(dict.fromkeys(problems)), [str(f) for f in dict.fromkeys(sources.files)]


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
    """``fava.beans.load.load_uncached``, through the gate and yosan's load."""
    if is_encrypted:  # Beancount decrypts it; nothing of it is kept
        from fava.beans.load import load_uncached as fava_load

        return fava_load(beancount_file_path, is_encrypted=is_encrypted)
    problems, files = refused(beancount_file_path, foreign_plugins=not _refusing_foreign_plugins)
    if problems:
        return _refusal(beancount_file_path, problems, files)
    kept = ParsedFileCache() if unsafe_reason() is None else None
    collecting = gc.isenabled()
    gc.disable()  # the collector walking a million new objects, over and over
    try:
        return loading.load(beancount_file_path, rules=False, parsed=kept)
    finally:
        if collecting:
            gc.enable()


def serve_fava_from_yosans_load(*, foreign_plugins: bool = True) -> None:
    import fava.core

    global _refusing_foreign_plugins
    _refusing_foreign_plugins = not foreign_plugins
    fava.core.load_uncached = load_uncached  # type: ignore[assignment]
