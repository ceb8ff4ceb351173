"""Loading a ledger for the reports: entries, errors and statements, or a clear failure.

Every plugin of ``plugins.PLUGIN_CHAIN`` runs on every load: through the ledger's
own ``plugin`` lines, or, for a ledger that names none of them, here.

``load_ledger`` is the one way the ``yosan`` command loads a ledger.  It answers
from the statement cache (``reports.cache``) when every file of the ledger is
unchanged, and otherwise loads it with Python's cyclic garbage collector paused:
Beancount builds millions of objects and no cycles worth collecting, and the
collector walking them again and again was over a quarter of a large load.  On a
terminal, a load over a second shows its phase (``reports.progress``).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from beancount.core import data

from plugins import PLUGIN_CHAIN
from plugins.engine import Statements
from plugins.statements import OPTION, statements_of
from reports import cache as statement_cache
from reports.progress import Progress

DEFAULT_LEDGER = Path("ledger") / "main.beancount"


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


def _message(text: str) -> str:
    """The first line of a message, and the exception for a plugin's traceback."""
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    if not lines:
        return "error"
    if "Traceback" in text:
        return f"{lines[0].rstrip(':')}: {lines[-1]}"
    return " ".join(lines) if len(lines) <= 3 else lines[0]


# A problem as stored: (file, line, message); no file means the ledger's main file.
RawProblem = tuple[str | None, int | None, str]


def raw_problem(error: object) -> RawProblem:
    source = getattr(error, "source", None) or {}
    filename = source.get("filename") if isinstance(source, dict) else None
    lineno = source.get("lineno") if isinstance(source, dict) else None
    if not filename or filename.startswith("<"):
        filename, lineno = None, None
    return filename, lineno or None, _message(getattr(error, "message", error))


def shown_problems(raw: list[RawProblem], ledger: Path) -> list[Problem]:
    """Problems as printed: paths relative to the working directory, each once, in
    file and line order."""
    problems = {
        Problem(_shown_path(filename or str(ledger)), lineno, message)
        for filename, lineno, message in raw
    }
    return sorted(problems, key=lambda p: (p.filename or "", p.lineno or 0, p.message))


def problem(error: object, ledger: Path) -> Problem:
    return shown_problems([raw_problem(error)], ledger)[0]


def _run_chain(
    entries: list[data.Directive], options: dict, status: Progress
) -> tuple[list[data.Directive], list[object]]:
    named = {name for name, _ in options.get("plugin", ())}
    errors: list[object] = []
    if named & set(PLUGIN_CHAIN):
        return entries, errors
    status.phase("running the plugins")
    for name in PLUGIN_CHAIN:
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
    from beancount import loader  # only a full load needs the parser

    cached = loader.get_cache_filename(loader.PICKLE_CACHE_FILENAME, filename)
    if os.path.exists(cached):
        progress.phase("reading Beancount's cache")
    else:
        progress.phase("parsing")
    entries, errors, options = loader.load_file(filename, log_timings=progress.log_timings)
    if options.get("filename") != filename:
        # Beancount's cache beside a copied ledger answers for the original (it
        # checks the original's files); drop it and load what was asked for.
        with contextlib.suppress(OSError):
            os.remove(cached)
        progress.phase("parsing")
        entries, errors, options = loader.load_file(filename, log_timings=progress.log_timings)
    return entries, list(errors), options


def load_ledger(
    path: Path | str,
    *,
    cache: bool = True,
    pause_collector: bool = True,
    progress: TextIO | None = None,
) -> LoadedLedger:
    """Load a ledger: from the statement cache when it is verified (``cache``), else
    in full, with the collector paused (``pause_collector``).  A terminal given as
    ``progress`` (stderr by default) shows the phase of a load over a second."""
    path = Path(path)
    if not path.exists():
        raise LedgerError(f"{path}: no such ledger (give another with --ledger)")
    if not path.is_file():
        raise LedgerError(f"{path}: not a file")
    filename = os.path.normpath(os.path.abspath(os.path.expanduser(str(path))))
    with Progress(f"loading {path}", progress) as status:
        if cache:
            status.phase("checking the statement cache")
            hit = statement_cache.read(filename)
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
        with collector_paused(pause_collector):
            entries, errors, options = _beancount_load(filename, status)
            entries, found = _run_chain(entries, options, status)
        errors += found
        raw = [raw_problem(e) for e in errors]
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
