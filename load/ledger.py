"""The load: the one way a ledger becomes entries, errors and options.

The ``yosan`` command (``yosan_ledger.reports.loading.ledger``, around the
statement cache), ``yosan fava`` (``yosan_ledger.reports.fava_ext.load``, each
load Fava makes) and a ledger a directive names (``load_named``: the budget an
actual journal executes, the budget a budget is compared with) all load through
``load``:

1. The gate (``yosan_ledger.plugins.core.sources``): every file the load would
   read — the ledger's, those of the ledgers it names, the layouts — is checked
   before anything parses it.  A file Beancount cannot read sensibly stops the
   load there, at its file and line.
2. Without ``foreign_plugins``, a directive that would run code from elsewhere
   stops it too (``foreign``), judged on Beancount's parse, which runs no plugin.
3. Beancount's steps (``steps``): parse, book, the plugins, validate, without
   Beancount's pickle cache beside the ledger (unpickling it runs code, and a
   copied one answers for the original), with Python's cyclic garbage collector
   paused: Beancount builds millions of objects and no cycles worth collecting,
   and the collector walking them again and again was a third of a large load.

What the gate or the refusal stops is ``Loaded.refused``, and nothing is loaded.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from yosan_ledger.load import foreign
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.sources import (
    RAW_MODE,
    FileProblem,
    Location,
    SourceProblem,
    Sources,
    gated,
    read_sources,
    shown,
)

if TYPE_CHECKING:
    from yosan_ledger.load.parsing import ParsedFiles

Log = Callable[[str], None] | None


@dataclass(frozen=True)
class Loaded:
    """A ledger as Beancount's load gives it, and what its files are; or, where
    ``refused`` holds a problem, no entries."""

    entries: list
    errors: list
    options: dict
    sources: Sources  # what the gate read: the files, where each directive stands
    refused: list[SourceProblem] = field(default_factory=list)


def gate(
    path: Path | str, *, foreign_plugins: bool = True, named: bool = True
) -> tuple[Sources, list[SourceProblem]]:
    """What the gate reads of the ledger at ``path`` (with ``named``, of the ledgers
    it names too), and what it refuses: a file not fit to parse, and, without
    ``foreign_plugins``, a directive that would run code from elsewhere."""
    sources = read_sources(path, named=named)
    refused = list(sources.problems)
    if not foreign_plugins:
        parsed = sources if sources.problems else foreign.parsed_sources(Path(path), sources)
        if parsed is not sources:
            refused += parsed.problems
        refused += foreign.foreign_plugin_problems(parsed)
    return sources, list(dict.fromkeys(refused))


@contextlib.contextmanager
def collector_paused(paused: bool = True, *, freeze: bool = False) -> Iterator[None]:
    """Python's cyclic garbage collector off for the block.  With ``freeze``, what
    the block built is then frozen (``gc.freeze``): the collector, back on, never
    walks the ledger's millions of objects, which then live as long as the process."""
    if not paused or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        gc.enable()


def load(
    path: Path | str,
    *,
    rules: bool = True,
    foreign_plugins: bool = True,
    named: bool = True,
    read: dict[str, str] | None = None,
    parsed: ParsedFiles | None = None,
    log_timings: Log = None,
    phase: Callable[[str], None] | None = None,
    pause_collector: bool = True,
) -> Loaded:
    """Load the ledger at ``path``: the gate (``named``: the ledgers it names too),
    the refusal of foreign code (unless ``foreign_plugins``), then Beancount's
    steps, with the project's rules whether the ledger names them or not
    (``rules``).  ``read`` is filled with the SHA-256 of the bytes parsed, per file;
    ``parsed`` keeps each file's parse; ``log_timings`` gets Beancount's timings and
    ``phase`` what the load does next."""
    if phase is not None:
        phase(_("checking the files"))
    sources, refused = gate(path, foreign_plugins=foreign_plugins, named=named)
    if refused:
        return Loaded([], [], {}, sources, refused)
    from yosan_ledger.load import steps  # only a load that passed the gate needs the parser

    if phase is not None:
        phase(_("parsing"))
    filename = os.path.normpath(os.path.abspath(path))
    try:
        with collector_paused(pause_collector), gated(filename):
            entries, errors, options = steps.load(
                filename, log_timings, rules=rules, read=read, parsed=parsed
            )
    except FileProblem as problem:  # a file replaced since the gate passed it
        where = Location(shown(problem.filename or filename), problem.lineno)
        return Loaded([], [], {}, sources, [SourceProblem(where, problem.message)])
    return Loaded(entries, errors, options, sources)


def where(error: object) -> str:
    """An error as ``file:line: message`` (its first line)."""
    source = getattr(error, "source", None) or {}
    message = str(getattr(error, "message", error)).strip().splitlines()[0]
    if isinstance(source, dict) and source.get("filename") and source.get("lineno"):
        return f"{source['filename']}:{source['lineno']}: {message}"
    return message


def _at(where: str, problem: str) -> str:
    return _("{where}: {problem}", where=where, problem=problem)


_other_ledgers: set[tuple[int, int]] = set()  # ledgers being loaded by one that names them


def load_named(path: Path) -> tuple[list, list[str], list[str]]:
    """Another ledger a ledger names (the budget it compares with, or executes):
    its entries, its errors as ``file:line: message``, and the files it is made
    of; a ledger that names itself, through any chain, or is missing, is one error.
    Its files pass the gate first, as the command's own do (the ledgers it names
    pass when they are loaded in turn): a file that does not is its error, and
    nothing of that ledger is parsed.  The path stays as named (a symbolic link is
    not resolved), so the files it is made of are the ones reached through it.
    Within a load, its files are parsed as the load's are (kept, hashed)."""
    path = Path(os.path.normpath(path.absolute()))
    try:
        status = path.stat()
    except OSError:
        return [], [_("{ledger}: no such ledger", ledger=path)], []
    identity = (status.st_dev, status.st_ino)
    if identity in _other_ledgers:
        return [], [_("{ledger}: names itself, through the ledgers it names", ledger=path)], []
    _other_ledgers.add(identity)
    try:
        loaded = load(path, named=False)
    finally:
        _other_ledgers.discard(identity)
    files = [str(f) for f in dict.fromkeys(loaded.sources.files)]
    if loaded.refused:
        return [], [_at(str(p.where), p.message) for p in loaded.refused], files
    shown_errors = [where(e) for e in loaded.errors]
    if loaded.options.get("plugin_processing_mode") == "raw":
        shown_errors.append(_at(shown(path), RAW_MODE))
    files = list(dict.fromkeys([*loaded.options.get("include", ()), *files]))
    return loaded.entries, shown_errors, files
