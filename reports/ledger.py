"""Loading a ledger for the reports: entries, errors and statements, or a clear failure.

The source files are checked first (``reports.sources``): a file Beancount cannot
read sensibly stops the load there, with its file and line.  Beancount's loader
then runs without its pickle cache (a ``.picklecache`` file beside a ledger is
unpickled, that is run as code, and may hand back stale entries).  Every plugin
of ``plugins.PLUGIN_CHAIN`` runs on every load: through the ledger's own
``plugin`` lines, and here for those the ledger does not name.
"""

from __future__ import annotations

import importlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from beancount import loader
from beancount.core import data

from plugins import PLUGIN_CHAIN
from plugins.engine import Statements
from plugins.statements import statements_of
from reports.sources import Sources, foreign_plugin_problems, read_sources

DEFAULT_LEDGER = Path("ledger") / "main.beancount"
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
    path: Path
    entries: list[data.Directive]
    options: dict
    problems: list[Problem]
    statements: Statements | None


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


def problem(error: object, ledger: Path, sources: Sources | None = None) -> Problem:
    source = getattr(error, "source", None) or {}
    filename = source.get("filename") if isinstance(source, dict) else None
    lineno = source.get("lineno") if isinstance(source, dict) else None
    message = str(getattr(error, "message", error))
    unpopped = UNPOPPED_TAG.match(message)
    if unpopped and filename and sources and not lineno:
        where = sources.unpopped_tags.get((_shown_path(filename), unpopped[1]))
        if where is not None:
            return Problem(where.filename, where.lineno, f"pushtag #{unpopped[1]} is never popped")
    if not filename or filename.startswith("<"):
        failure = PLUGIN_FAILURE.match(message)
        where = sources.plugin_location(failure[2]) if failure and sources else None
        if where is not None:
            return Problem(where.filename, where.lineno, _message(message))
        filename, lineno = str(ledger), None
    return Problem(_shown_path(filename), lineno or None, _message(message))


def _run_chain(entries: list[data.Directive], options: dict) -> list[object]:
    """Run the plugins of the chain the ledger does not name, so every rule holds
    for the command whatever the ledger's ``plugin`` lines say."""
    named = {name for name, _ in options.get("plugin", ())}
    errors: list[object] = []
    for name in PLUGIN_CHAIN:
        if name in named:
            continue
        module = importlib.import_module(name)
        for function in module.__plugins__:
            entries, found = getattr(module, function)(entries, options)
            errors.extend(found)
    return errors


def _sorted(problems: set[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.filename or "", p.lineno or 0, p.message))


def load_ledger(path: Path | str, *, foreign_plugins: bool = True) -> LoadedLedger:
    """Load and check a ledger.  With ``foreign_plugins=False`` a ledger naming a plugin
    from outside this project and Beancount is refused before any plugin runs."""
    path = Path(path)
    if not path.exists():
        raise LedgerError(f"{path}: no such ledger (give another with --ledger)")
    if not path.is_file():
        raise LedgerError(f"{path}: not a file")
    sources = read_sources(path)
    refused = sources.problems + ([] if foreign_plugins else foreign_plugin_problems(sources))
    if refused:
        problems = {Problem(p.where.filename, p.where.lineno, _shorten(p.message)) for p in refused}
        return LoadedLedger(path, [], {}, _sorted(problems), None)
    main = os.path.normpath(path.absolute())
    try:
        entries, errors, options = loader._load([(main, True)], None, None, None)  # no cache
    except Exception as error:  # noqa: BLE001 - Beancount's loader failed: say so, plainly
        if os.environ.get("YOSAN_DEBUG"):
            raise
        failure = Problem(
            _shown_path(main), None, _shorten(f"Beancount cannot load the ledger: {error!r}")
        )
        return LoadedLedger(path, [], {}, [failure], None)
    errors = list(errors) + _run_chain(entries, options)
    problems = {problem(e, path, sources) for e in errors}
    return LoadedLedger(path, entries, options, _sorted(problems), statements_of(options))
