"""Loading a ledger for the reports: entries, errors and statements, or a clear failure.

``load_ledger`` is the one way the ``yosan`` command loads a ledger.

- The source files are checked first (``reports.sources``): a file Beancount cannot
  read sensibly stops the load there, with its file and line.
- A verified entry of the statement cache (``reports.cache``) answers when every file
  of the ledger is unchanged.
- Otherwise Beancount's load runs (``reports.pipeline``: Beancount's steps, less
  those that cannot change anything), without its pickle cache (a ``.picklecache``
  file beside a ledger is unpickled, that is run as code, and may hand back stale
  entries), with Python's cyclic garbage collector paused: Beancount builds
  millions of objects and no cycles worth collecting, and the collector walking
  them again and again was a third of a large load.
- Every plugin of ``plugins.PLUGIN_CHAIN`` runs: through the ledger's own ``plugin``
  lines, and here for those the ledger does not name.

On a terminal, a load over a second shows its phase (``reports.progress``).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pandas as pd
from beancount.core import data

from plugins import PLUGIN_CHAIN
from plugins.advances import OPTION as ADVANCES
from plugins.commitments import OPTION as COMMITMENTS
from plugins.engine import Statements
from plugins.statements import OPTION, statements_of
from reports import cache as statement_cache
from reports.command import ledger_filename
from reports.progress import Progress
from reports.sources import Sources, foreign_plugin_problems, read_sources

MAX_MESSAGE = 400  # characters: a message quoting a huge token is cut short
PLUGIN_FAILURE = re.compile(r'Error (importing|applying plugin) "([^"]+)"')
UNPOPPED_TAG = re.compile(r"Unbalanced pushed tag: '([^']+)'")


class LedgerError(Exception):
    """A ledger that cannot be read at all (missing, not a file)."""


@dataclass(frozen=True)
class Problem:
    """One error as an accountant reads it: where, and what."""

    filename: str | None
    lineno: int | None
    message: str

    def __str__(self) -> str:
        if self.filename and self.lineno:
            return f"{self.filename}:{self.lineno}: {self.message}"
        if self.filename:
            return f"{self.filename}: {self.message}"
        return self.message


@dataclass(frozen=True)
class LoadedLedger:
    """A ledger as the reports use it.  Answered from the statement cache, it
    holds no entries until something asks for them (then it loads in full)."""

    path: Path
    options: dict
    problems: list[Problem]
    statements: Statements | None
    from_cache: bool = False
    _entries: list[data.Directive] | None = field(default=None, repr=False, compare=False)

    @property
    def advances(self) -> pd.DataFrame:
        """予定前受金及び累積前受金 by purpose and segment (``plugins.advances``)."""
        return self.options[ADVANCES]

    @property
    def commitments(self) -> pd.DataFrame:
        """債務負担行為 (``plugins.commitments``)."""
        return self.options[COMMITMENTS]

    @property
    def entries(self) -> list[data.Directive]:
        if self._entries is None:
            object.__setattr__(self, "_entries", load_ledger(self.path, cache=False)._entries)
        return self._entries  # type: ignore[return-value]


def _shown_path(filename: str) -> str:
    try:
        relative = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if relative.startswith("..") else relative


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _message(text: str) -> str:
    """The first line of a message, and the exception for a plugin's traceback."""
    text = str(text)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return "error"
    failure = PLUGIN_FAILURE.match(lines[0])
    if failure:
        what = "cannot be imported" if failure[1] == "importing" else "failed"
        return _shorten(f'plugin "{failure[2]}" {what}: {lines[-1]}')
    if "Traceback" in text:
        return _shorten(f"{lines[0].split('Traceback')[0].rstrip(': ')}: {lines[-1]}")
    return _shorten(" ".join(lines) if len(lines) <= 3 else lines[0])


# A problem as stored in the cache: (absolute file, line, message).
RawProblem = tuple[str | None, int | None, str]


def raw_problem(error: object, ledger: Path, sources: Sources | None = None) -> RawProblem:
    """Where and what, with the file absolute so that it is shown right from any
    working directory (a cached problem is printed again later)."""
    source = getattr(error, "source", None) or {}
    filename = source.get("filename") if isinstance(source, dict) else None
    lineno = source.get("lineno") if isinstance(source, dict) else None
    message = str(getattr(error, "message", error))
    unpopped = UNPOPPED_TAG.match(message)
    if unpopped and filename and sources and not lineno:
        where = sources.unpopped_tags.get((_shown_path(filename), unpopped[1]))
        if where is not None:
            return (
                os.path.abspath(where.filename),
                where.lineno,
                f"pushtag #{unpopped[1]} is never popped",
            )
    if not filename or filename.startswith("<"):
        failure = PLUGIN_FAILURE.match(message)
        where = sources.plugin_location(failure[2]) if failure and sources else None
        if where is not None:
            return os.path.abspath(where.filename), where.lineno, _message(message)
        filename, lineno = str(ledger), None
    return os.path.abspath(filename), lineno or None, _message(message)


def shown_problems(raw: list[RawProblem], ledger: Path) -> list[Problem]:
    """Problems as printed: paths relative to the working directory, each once, in
    file and line order."""
    problems = {
        Problem(_shown_path(filename or str(ledger)), lineno, message)
        for filename, lineno, message in raw
    }
    return sorted(problems, key=lambda p: (p.filename or "", p.lineno or 0, p.message))


def problem(error: object, ledger: Path, sources: Sources | None = None) -> Problem:
    return shown_problems([raw_problem(error, ledger, sources)], ledger)[0]


def _run_chain(
    entries: list[data.Directive], options: dict, status: Progress
) -> tuple[list[data.Directive], list[object]]:
    """Run the plugins of the chain the ledger does not name, so every rule holds
    for the command whatever the ledger's ``plugin`` lines say."""
    named = {name for name, _ in options.get("plugin", ())}
    errors: list[object] = []
    missing = [name for name in PLUGIN_CHAIN if name not in named]
    if missing:
        status.phase("running the plugins")
    for name in missing:
        module = importlib.import_module(name)
        for function in module.__plugins__:
            entries, found = getattr(module, function)(entries, options)
            errors.extend(found)
    return entries, errors


@contextlib.contextmanager
def collector_paused(paused: bool = True) -> Iterator[None]:
    """Python's cyclic garbage collector off for the block.  What the block built
    is then frozen (``gc.freeze``): the collector, back on, never walks the ledger's
    millions of objects, which live as long as the command anyway."""
    if not paused or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _beancount_load(filename: str, progress: Progress) -> tuple[list, list, dict]:
    from reports import pipeline  # only a full load needs the parser

    progress.phase("parsing")
    entries, errors, options = pipeline.load(filename, progress.log_timings)
    return entries, list(errors), options


def load_ledger(
    path: Path | str,
    *,
    foreign_plugins: bool = True,
    cache: bool = True,
    pause_collector: bool = True,
    progress: TextIO | None = None,
) -> LoadedLedger:
    """Load and check a ledger.  With ``foreign_plugins=False`` a ledger naming a plugin
    from outside this project and Beancount is refused before any plugin runs.  The
    statement cache answers when it is verified (``cache``); a full load runs with the
    collector paused (``pause_collector``).  A terminal given as ``progress`` (stderr
    by default) shows the phase of a load over a second."""
    path = Path(path)
    if not path.exists():
        raise LedgerError(f"{path}: no such ledger (give another with --ledger)")
    if not path.is_file():
        raise LedgerError(f"{path}: not a file")
    filename = ledger_filename(path)
    with Progress(f"loading {path}", progress) as status:
        # A cache entry is only ever written for files that passed the source checks,
        # and is only used while every file is unchanged: a hit needs no new check,
        # but for --no-foreign-plugins, which the entry does not record.
        hit = None
        if cache:
            status.phase("checking the statement cache")
            hit = statement_cache.read(filename)
        if hit is None or not foreign_plugins:
            status.phase("checking the files")
            sources = read_sources(path)
            refused = sources.problems + (
                [] if foreign_plugins else foreign_plugin_problems(sources)
            )
            if refused:
                raw = [
                    (os.path.abspath(p.where.filename), p.where.lineno, _shorten(p.message))
                    for p in refused
                ]
                return LoadedLedger(path, {}, shown_problems(raw, path), None, _entries=[])
        if hit is not None:
            options = {**hit["options"], OPTION: hit["statements"]}
            return LoadedLedger(
                path,
                options,
                shown_problems(hit["problems"], path),
                hit["statements"],
                from_cache=True,
            )
        started = time.time_ns()
        try:
            with collector_paused(pause_collector):
                entries, errors, options = _beancount_load(filename, status)
                entries, found = _run_chain(entries, options, status)
        except Exception as error:  # noqa: BLE001 - Beancount's loader failed: say so, plainly
            if os.environ.get("YOSAN_DEBUG"):
                raise
            failure = (filename, None, _shorten(f"Beancount cannot load the ledger: {error!r}"))
            return LoadedLedger(path, {}, shown_problems([failure], path), None, _entries=[])
        errors += found
        raw = [raw_problem(e, path, sources) for e in errors]
        statements = statements_of(options)
        if cache:
            status.phase("writing the statement cache")
            stored = {k: v for k, v in options.items() if k != OPTION}
            statement_cache.write(
                filename,
                options,
                {"options": stored, "statements": statements, "problems": raw},
                unchanged_since=started,
            )
    return LoadedLedger(path, options, shown_problems(raw, path), statements, _entries=entries)
