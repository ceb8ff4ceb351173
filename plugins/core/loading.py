"""Beancount's load, step by step, with the work each step does for nothing left out.

This is the one module that uses Beancount's private API (``loader._parse_recursive``,
and the knowledge of the wording of two of its messages); ``core.booking`` calls
Beancount's booking of one transaction.  Beancount's public ``load_file`` either
reads and writes a pickle cache beside the ledger (unpickling a file that came
with a ledger runs it as code) or, uncached, runs every step whether it has work
or not.  ``tests/test_pipeline.py`` proves that ``load`` gives what
``loader._load`` gives, on every ledger of the repository and of the tests.

Every load goes through ``load``: the ``yosan`` command's, ``yosan fava``'s, and
a ledger's that another names (the comparison budget, the budget an actual journal
executes).  The rules run as the ledger names them; a ledger that names none of
them gets ``yosan_ledger.plugins.all`` after its own plugins, so the command
checks what it prints.  It runs Beancount's own steps, in Beancount's order —
parse, sort, book, the plugins, validate — with these differences:

- Each file is parsed by ``core.parsing``: read once and hashed (``read``: the
  statement cache keeps the hashes of the bytes parsed, not of the files
  afterwards), its parse kept and taken back for the same bytes (``parsed``), and
  the files a file includes parsed ahead by worker processes when there is enough
  to parse.  Beancount's recursive parse stays whole: its order, errors, options.
- A transaction of whole numbers in one currency, without cost or price, is
  booked and checked for balance by ``core.booking``, without Beancount's
  per-account inventories; any other by Beancount's own code.
- After a rule of this project (``yosan_ledger.plugins.…``) the entries are not
  sorted again.  The rules read the entries and hand back the same list
  untouched (tested); Beancount sorts after every plugin because it cannot know.
- A built-in step with nothing to do is not run: ``beancount.ops.documents``
  without an ``option "documents"`` or a ``document`` directive,
  ``beancount.ops.pad`` without a ``pad`` directive and ``beancount.ops.balance``
  without a ``balance`` directive.  Each would walk every entry and hand back the
  same entries in the same order.  The one difference this can make: a step left
  out cannot fail.  Beancount's ``pad`` step crashes on a ``custom`` directive
  without values, pad directive or not; ``yosan`` refuses such a ledger at that
  line before loading it (``core.sources``, the gate every file passes).
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

from beancount import loader
from beancount.core import data
from beancount.parser import booking as beancount_booking
from beancount.parser import parser
from beancount.utils.misc_utils import log_time

from yosan_ledger.plugins import RULES_PLUGIN
from yosan_ledger.plugins.core import booking, parsing, sources, walk
from yosan_ledger.plugins.core.messages import _

Log = Callable[[str], None] | None


def _lacks(kind: type) -> Callable[[list[data.Directive], dict], bool]:
    return lambda entries, options: kind not in walk.by_type(entries)


# Beancount's built-in steps, each with the test that it has nothing to do.
_IDLE: dict[str, Callable[[list[data.Directive], dict], bool]] = {
    "beancount.ops.documents": lambda entries, options: (
        not options["documents"] and _lacks(data.Document)(entries, options)
    ),
    "beancount.ops.pad": _lacks(data.Pad),
    "beancount.ops.balance": _lacks(data.Balance),
}


def load(
    filename: str,
    log_timings: Log = None,
    *,
    rules: bool = True,
    read: dict[str, str] | None = None,
    parsed: parsing.ParsedFiles | None = None,
) -> tuple[list, list, dict]:
    """Entries, errors and options of the ledger at ``filename`` (absolute); with
    ``rules``, the project's rules run whether the ledger names them or not.  Given
    ``read``, it is filled with the SHA-256 of the bytes parsed, per file: what the
    load actually read, whatever happens to the files during or after it.  Given
    ``parsed``, each file's parse is kept there and taken back for the same bytes."""
    with _parsing(read, parsed):
        return _load(filename, log_timings, rules)


def _load(filename: str, log_timings: Log, rules: bool) -> tuple[list, list, dict]:
    with log_time("parse", log_timings, indent=1):
        entries, parse_errors, options = loader._parse_recursive(
            [(filename, True)], log_timings, None
        )
        entries.sort(key=data.entry_sortkey)
    with log_time("booking", log_timings, indent=1):
        if booking.fast(entries):
            entries, balance_errors = booking.book(entries, options)
        else:
            entries, balance_errors = beancount_booking.book(entries, options)
        parse_errors.extend(balance_errors)
    with log_time("run_transformations", log_timings, indent=1):
        saved_path = list(sys.path)
        try:
            sys.path[0:0] = options.get("pythonpath", ())
            entries, errors = _run_plugins(entries, parse_errors, options, log_timings, rules)
        finally:
            sys.path[:] = saved_path
    with log_time("beancount.ops.validate", log_timings, indent=1):
        errors.extend(booking.validate(entries, options, log_timings))
    options["input_hash"] = loader.compute_input_hash(options["include"])
    return entries, errors, options


class _ParserInFront:
    """Beancount's parser module as ``loader._parse_recursive`` calls it, with each
    file's parse done by ``parsing.Files``: read once, hashed, kept and parsed
    ahead."""

    def __init__(self, files: parsing.Files) -> None:
        self.files = files

    def __getattr__(self, name: str) -> object:
        return getattr(parser, name)

    def parse_file(self, filename: str, **kwargs: object) -> tuple[list, list, dict]:
        return self.files.parse(filename, **kwargs)


def parse(filename: str) -> tuple[list, list, dict]:
    """Beancount's parse of a ledger and its includes, and nothing else: no plugin
    runs, so what it names can be judged before any of its code does.  A file
    that is not a regular one raises ``sources.FileProblem``."""
    with _parsing(None, None):
        return loader._parse_recursive([(filename, True)], None, None)


@contextlib.contextmanager
def _parsing(read: dict[str, str] | None, store: parsing.ParsedFiles | None) -> Iterator[None]:
    """Within the block, every file Beancount parses (the ledger's, and those of a
    ledger a plugin loads, such as the comparison budget) goes through one
    ``parsing.Files``."""
    if isinstance(loader.parser, _ParserInFront):
        yield
        return
    saved = loader.parser
    files = parsing.Files(read, store)
    loader.parser = _ParserInFront(files)  # type: ignore[assignment]
    try:
        yield
    finally:
        loader.parser = saved
        files.close()


PROJECT = "yosan_ledger.plugins."
# Beancount's wording of a plugin it could not import or that failed, and of a
# pushtag never popped (beancount/loader.py, beancount/parser/grammar.py).
PLUGIN_FAILURE = re.compile(r'Error (importing|applying plugin) "([^"]+)"')
UNPOPPED_TAG = re.compile(r"Unbalanced pushed tag: '([^']+)'")


def plugin_failure(message: str) -> tuple[str, bool] | None:
    """(plugin, whether it failed rather than could not be imported) of an error
    about a plugin; None for any other."""
    found = PLUGIN_FAILURE.match(message)
    return (found[2], found[1] != "importing") if found else None


def unpopped_tag(message: str) -> str | None:
    """The tag of an error about a pushtag never popped; None for any other."""
    found = UNPOPPED_TAG.match(message)
    return found[1] if found else None


def names_rules(options: dict) -> bool:
    """Whether the ledger names any rule of this project."""
    return any(name.startswith(PROJECT) for name, _ in options["plugin"])


def _plugins(options: dict, rules: bool) -> list[tuple[str, str | None]]:
    """The plugins Beancount would run, in its order (``loader.run_transformations``),
    with the project's rules after the ledger's own where it names none of them
    (and ``rules`` asks for them)."""
    named = list(options["plugin"])
    if rules and not names_rules(options):
        named.append((RULES_PLUGIN, None))
    if options["plugin_processing_mode"] == "raw":
        return named
    return list(
        itertools.chain(loader.PLUGINS_PRE, named, loader.PLUGINS_AUTO, loader.PLUGINS_POST)
    )


def _run_plugins(
    entries: list[data.Directive], parse_errors: list, options: dict, log_timings: Log, rules: bool
) -> tuple[list[data.Directive], list]:
    errors = list(parse_errors)
    for name, config in _plugins(options, rules):
        name = loader.RENAMED_MODULES.get(name, name)
        idle = _IDLE.get(name)
        if idle is not None and idle(entries, options):
            continue
        try:
            module = importlib.import_module(name)
        except ImportError:
            errors.append(_load_error(f'Error importing "{name}"'))
            continue
        if not hasattr(module, "__plugins__"):
            continue
        with log_time(name, log_timings, indent=2):
            for function in module.__plugins__:
                callback = getattr(module, function) if isinstance(function, str) else function
                args = () if config is None else (config,)
                try:
                    entries, found = callback(entries, options, *args)
                    errors.extend(found)
                except MemoryError:
                    raise  # out of memory, not a plugin that failed: said as such
                except Exception:  # noqa: BLE001 - Beancount reports a failing plugin so
                    errors.append(_load_error(f'Error applying plugin "{name}"'))
            if not name.startswith(PROJECT):
                entries.sort(key=data.entry_sortkey)
    return entries, errors


def _load_error(what: str) -> loader.LoadError:
    """Beancount's error for a plugin that cannot be imported or fails."""
    formatted = traceback.format_exc().replace("\n", "\n  ")
    return loader.LoadError(data.new_metadata("<load>", 0), f"{what}: {formatted}", None)


_other_ledgers: set[tuple[int, int]] = set()  # ledgers being loaded by one that names them


def where(error: object) -> str:
    """An error as ``file:line: message`` (its first line)."""
    source = getattr(error, "source", None) or {}
    message = str(getattr(error, "message", error)).strip().splitlines()[0]
    if isinstance(source, dict) and source.get("filename") and source.get("lineno"):
        return f"{source['filename']}:{source['lineno']}: {message}"
    return message


def _at(where: str, problem: str) -> str:
    return _("{where}: {problem}", where=where, problem=problem)


def load_named(path: Path) -> tuple[list, list[str], list[str]]:
    """Another ledger a ledger names (the budget it compares with, or executes):
    its entries, its errors as ``file:line: message``, and the files it is made
    of; a ledger that names itself, through any chain, or is missing, is one error.
    Its files pass the gate first (``sources``), as the command's own do: a file
    that does not is its error, and nothing of that ledger is parsed.  The path
    stays as named (a symbolic link is not resolved), so the files it is made of
    are the ones reached through it."""
    path = Path(os.path.normpath(path.absolute()))
    try:
        status = path.stat()
    except OSError:
        return [], [_("{ledger}: no such ledger", ledger=path)], []
    identity = (status.st_dev, status.st_ino)
    if identity in _other_ledgers:
        return [], [_("{ledger}: names itself, through the ledgers it names", ledger=path)], []
    gate = sources.read_sources(path, named=False)
    files = [str(f) for f in dict.fromkeys(gate.files)]
    if gate.problems:
        return [], [_at(str(p.where), p.message) for p in gate.problems], files
    _other_ledgers.add(identity)
    try:
        entries, errors, options = load(str(path))
    except sources.FileProblem as problem:  # replaced since the gate passed it
        return [], [_at(sources.shown(path), problem.message)], files
    finally:
        _other_ledgers.discard(identity)
    shown = [where(e) for e in errors]
    if options.get("plugin_processing_mode") == "raw":
        shown.append(_at(sources.shown(path), sources.RAW_MODE))
    return entries, shown, list(dict.fromkeys([*options.get("include", ()), *files]))
