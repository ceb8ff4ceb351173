"""Loading a ledger for the reports: entries, errors and statements, or a clear failure.

Every plugin of ``plugins.PLUGIN_CHAIN`` runs on every load: through the ledger's
own ``plugin`` lines, or here, for each one the ledger does not name.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path

from beancount import loader
from beancount.core import data

from plugins import PLUGIN_CHAIN
from plugins.engine import Statements
from plugins.statements import statements_of

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


def _message(text: str) -> str:
    """The first line of a message, and the exception for a plugin's traceback."""
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    if not lines:
        return "error"
    if "Traceback" in text:
        return f"{lines[0].rstrip(':')}: {lines[-1]}"
    return " ".join(lines) if len(lines) <= 3 else lines[0]


def problem(error: object, ledger: Path) -> Problem:
    source = getattr(error, "source", None) or {}
    filename = source.get("filename") if isinstance(source, dict) else None
    lineno = source.get("lineno") if isinstance(source, dict) else None
    if not filename or filename.startswith("<"):
        filename, lineno = str(ledger), None
    return Problem(
        _shown_path(filename), lineno or None, _message(getattr(error, "message", error))
    )


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


def load_ledger(path: Path | str) -> LoadedLedger:
    path = Path(path)
    if not path.exists():
        raise LedgerError(f"{path}: no such ledger (give another with --ledger)")
    if not path.is_file():
        raise LedgerError(f"{path}: not a file")
    entries, errors, options = loader.load_file(str(path))
    errors = list(errors) + _run_chain(entries, options)
    problems = sorted(
        {problem(e, path) for e in errors},
        key=lambda p: (p.filename or "", p.lineno or 0, p.message),
    )
    return LoadedLedger(path, entries, options, problems, statements_of(options))
