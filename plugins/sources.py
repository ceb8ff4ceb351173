"""Every file of the ledger passes the gate, whoever loads it.

``yosan`` and ``yosan fava`` check a ledger's files before Beancount parses them
(``yosan_ledger.plugins.core.sources``, README "A ledger from an untrusted source")
and refuse the ledger at the first file not fit to parse.  ``bean-check`` and plain
Fava parse first and run the rules after; this rule then reads the same files
through the same gate and reports each problem at its file and line: a file with
CR-only line endings (one long comment to Beancount), a file included a second time
under another path (its figures counted twice), a control character, an empty
``custom``.  The figures computed meanwhile are not to be trusted, and the load is
not clean.  The ledgers a directive names and the layouts pass the gate where their
rules read them; ``option "plugin_processing_mode" "raw"`` runs no rule at all, so
only ``yosan`` can refuse it.
"""

from __future__ import annotations

import os
from collections import namedtuple

from beancount.core import data

from yosan_ledger.plugins.core.sources import passed_the_gate, read_sources

__plugins__ = ("check_sources",)

SourceError = namedtuple("SourceError", "source message entry")


def check_sources(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[SourceError]]:
    """The gate's problems with the ledger's own files, for a load that did not pass
    the gate before its parse."""
    main = options_map.get("filename")
    if not main or not os.path.isfile(main) or passed_the_gate(main):
        return entries, []
    found = read_sources(main, named=False, layouts=False)
    errors = [
        SourceError(
            data.new_metadata(os.path.abspath(problem.where.filename), problem.where.lineno or 0),
            problem.message,
            None,
        )
        for problem in found.problems
    ]
    return entries, errors
