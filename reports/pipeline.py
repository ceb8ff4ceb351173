"""Beancount's load, step by step, leaving out the steps that cannot change anything.

``load`` returns what ``beancount.loader`` returns without its pickle cache: the
same entries, errors and options (``tests/test_pipeline.py`` compares the two on
every ledger of the tests).  It runs Beancount's own steps, in Beancount's order
— parse, sort, book, the plugins, validate — with two differences:

- After a plugin of this project's chain (``plugins.PLUGIN_CHAIN``) the entries are
  not sorted again.  Those plugins read the entries and hand back the same list
  untouched (tested); Beancount sorts after every plugin because it cannot know.
- A built-in step with nothing to do is not run: ``beancount.ops.documents``
  without an ``option "documents"`` or a ``document`` directive,
  ``beancount.ops.pad`` without a ``pad`` directive and ``beancount.ops.balance``
  without a ``balance`` directive.  Each would walk every entry and hand back the
  same entries in the same order.

At 100,000 transactions these are about two and a half seconds of a load.  Every
other plugin runs exactly as Beancount runs it.  The one difference a step left
out can make: it cannot fail.  Beancount's ``pad`` step crashes on a ``custom``
directive without values, pad directive or not; ``yosan`` refuses such a ledger
at that line before loading it (``reports.sources``).
"""

from __future__ import annotations

import importlib
import itertools
import sys
import traceback
from collections.abc import Callable

from beancount import loader
from beancount.core import data
from beancount.ops import validation
from beancount.parser import booking
from beancount.utils.misc_utils import log_time

from plugins import PLUGIN_CHAIN

Log = Callable[[str], None] | None


def _lacks(kind: type) -> Callable[[list[data.Directive], dict], bool]:
    return lambda entries, options: not any(type(e) is kind for e in entries)


# Beancount's built-in steps, each with the test that it has nothing to do.
_IDLE: dict[str, Callable[[list[data.Directive], dict], bool]] = {
    "beancount.ops.documents": lambda entries, options: (
        not options["documents"] and _lacks(data.Document)(entries, options)
    ),
    "beancount.ops.pad": _lacks(data.Pad),
    "beancount.ops.balance": _lacks(data.Balance),
}


def load(filename: str, log_timings: Log = None) -> tuple[list, list, dict]:
    """Entries, errors and options of the ledger at ``filename`` (absolute)."""
    with log_time("parse", log_timings, indent=1):
        entries, parse_errors, options = loader._parse_recursive(
            [(filename, True)], log_timings, None
        )
        entries.sort(key=data.entry_sortkey)
    with log_time("booking", log_timings, indent=1):
        entries, balance_errors = booking.book(entries, options)
        parse_errors.extend(balance_errors)
    with log_time("run_transformations", log_timings, indent=1):
        saved_path = list(sys.path)
        try:
            sys.path[0:0] = options.get("pythonpath", ())
            entries, errors = _run_plugins(entries, parse_errors, options, log_timings)
        finally:
            sys.path[:] = saved_path
    with log_time("beancount.ops.validate", log_timings, indent=1):
        errors.extend(validation.validate(entries, options, log_timings, None))
    options["input_hash"] = loader.compute_input_hash(options["include"])
    return entries, errors, options


def _plugins(options: dict) -> list[tuple[str, str | None]]:
    """The plugins Beancount would run, in its order (``loader.run_transformations``)."""
    if options["plugin_processing_mode"] == "raw":
        return list(options["plugin"])
    return list(
        itertools.chain(
            loader.PLUGINS_PRE, options["plugin"], loader.PLUGINS_AUTO, loader.PLUGINS_POST
        )
    )


def _run_plugins(
    entries: list[data.Directive], parse_errors: list, options: dict, log_timings: Log
) -> tuple[list[data.Directive], list]:
    errors = list(parse_errors)
    for name, config in _plugins(options):
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
                except Exception:  # noqa: BLE001 - Beancount reports a failing plugin so
                    errors.append(_load_error(f'Error applying plugin "{name}"'))
            if name not in PLUGIN_CHAIN:
                entries.sort(key=data.entry_sortkey)
    return entries, errors


def _load_error(what: str) -> loader.LoadError:
    """Beancount's error for a plugin that cannot be imported or fails."""
    formatted = traceback.format_exc().replace("\n", "\n  ")
    return loader.LoadError(data.new_metadata("<load>", 0), f"{what}: {formatted}", None)
