"""Beancount's load, step by step, with the work each step does for nothing left out.

Beancount's public ``load_file`` either reads and writes a pickle cache beside the
ledger (unpickling a file that came with a ledger runs it as code) or, uncached,
runs every step whether it has work or not.  ``load`` runs Beancount's own steps,
in Beancount's order — parse, sort, book, the plugins, validate — through the
parts of Beancount ``internals`` lists, with these differences:

- Each file is parsed by ``parsing``: read once and hashed (``read``: the
  statement cache keeps the hashes of the bytes parsed, not of the files
  afterwards), its parse kept and taken back for the same bytes (``parsed``), and
  the files a file includes parsed ahead by worker processes when there is enough
  to parse.  Beancount's recursive parse stays whole: its order, errors, options.
- A transaction of whole numbers in one currency, without cost or price, is
  booked and checked for balance by ``booking``, without Beancount's per-account
  inventories; any other by Beancount's own code.
- After a rule of this project (``yosan_ledger.plugins.…``) the entries are not
  sorted again.  The rules read the entries and hand back the same list
  untouched (tested); Beancount sorts after every plugin because it cannot know.
- A built-in step with nothing to do is not run (``internals.idle``):
  ``beancount.ops.documents`` without an ``option "documents"`` or a ``document``
  directive, ``beancount.ops.pad`` without a ``pad`` directive and
  ``beancount.ops.balance`` without a ``balance`` directive.  Each would walk every
  entry and hand back the same entries in the same order.  The one difference this
  can make: a step left out cannot fail.  Beancount's ``pad`` step crashes on a
  ``custom`` directive without values, pad directive or not; ``yosan`` refuses
  such a ledger at that line before loading it (the gate every file passes,
  ``yosan_ledger.plugins.core.sources``).

The rules run as the ledger names them; a ledger that names none of them gets
``yosan_ledger.plugins.all`` after its own plugins (``rules``), so the command
checks what it prints.  ``tests/test_pipeline.py`` proves that ``load`` gives what
Beancount's own load gives, on every ledger of the repository and of the tests.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Callable, Iterator

from beancount import loader
from beancount.core import data
from beancount.parser import booking as beancount_booking
from beancount.utils.misc_utils import log_time

from yosan_ledger.load import booking, internals, parsing
from yosan_ledger.plugins import RULES_PLUGIN

Log = Callable[[str], None] | None
PROJECT = "yosan_ledger.plugins."


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
        entries, parse_errors, options = internals.parse_recursive(filename, log_timings)
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


def parse(filename: str) -> tuple[list, list, dict]:
    """Beancount's parse of a ledger and its includes, and nothing else: no plugin
    runs, so what it names can be judged before any of its code does.  A file
    that is not a regular one raises ``sources.FileProblem``."""
    with _parsing(None, None):
        return internals.parse_recursive(filename)


@contextlib.contextmanager
def _parsing(read: dict[str, str] | None, store: parsing.ParsedFiles | None) -> Iterator[None]:
    """Within the block, every file Beancount parses (the ledger's, and those of a
    ledger a plugin loads, such as the comparison budget) goes through one
    ``parsing.Files``."""
    if internals.parse_file_replaced():
        yield
        return
    files = parsing.Files(read, store)
    try:
        with internals.each_file_parsed_by(files.parse):
            yield
    finally:
        files.close()


def names_rules(options: dict) -> bool:
    """Whether the ledger names any rule of this project."""
    return any(name.startswith(PROJECT) for name, _ in options["plugin"])


def _plugins(options: dict, rules: bool) -> list[tuple[str, str | None]]:
    """The plugins Beancount would run, in its order, with the project's rules
    after the ledger's own where it names none of them (and ``rules`` asks for
    them)."""
    named = list(options["plugin"])
    if rules and not names_rules(options):
        named.append((RULES_PLUGIN, None))
    return internals.plugins(named, options["plugin_processing_mode"])


def _run_plugins(
    entries: list[data.Directive], parse_errors: list, options: dict, log_timings: Log, rules: bool
) -> tuple[list[data.Directive], list]:
    errors = list(parse_errors)
    for name, config in _plugins(options, rules):
        name = internals.renamed(name)
        if internals.idle(name, entries, options):
            continue
        try:
            module = importlib.import_module(name)
        except ImportError:
            errors.append(internals.plugin_error(name, imported=False))
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
                    errors.append(internals.plugin_error(name, imported=True))
            if not name.startswith(PROJECT):
                entries.sort(key=data.entry_sortkey)
    return entries, errors
