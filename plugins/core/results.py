"""What a budget ledger's entries give, computed once: its statements, and the
decorator each schedule's result is computed once with.

Each result is a function of the entries alone.  The rules (``yosan_ledger.plugins``)
ask for it while they check a load; the ``yosan`` command and the Fava extension
ask for it afterwards; all of them get the one computation: a result is kept for
the last few lists of entries it was asked for.  Nothing travels in
``options_map``, which Beancount's plugins only read.

A list is known again by identity, length and first and last entry: Beancount's
loader hands every plugin the same list, sorting it in place, and a plugin that
adds or removes entries changes its length or its ends.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from beancount.core import data

from yosan_ledger.plugins.core.engine import Statements, compute_statements

Result = TypeVar("Result")
KEPT = 2  # lists of entries remembered per result: a ledger and the one it compares with


def _known_by(entries: Sequence[data.Directive]) -> tuple[int, int, int, int]:
    if not entries:
        return id(entries), 0, 0, 0
    return id(entries), len(entries), id(entries[0]), id(entries[-1])


def of_entries(compute: Callable[[list], Result]) -> Callable[[list], Result]:
    """``compute(entries)``, computed once for the same list of entries."""
    kept: list[tuple[tuple[int, int, int, int], list, Any]] = []

    @functools.wraps(compute)
    def memoised(entries: list[data.Directive]) -> Result:
        key = _known_by(entries)
        for known, held, value in kept:
            if known == key and held is entries:
                return value
        value = compute(entries)
        kept.insert(0, (key, entries, value))
        del kept[KEPT:]
        return value

    return memoised


@of_entries
def statements(entries: list[data.Directive]) -> Statements | None:
    """The statements of the budget the entries declare; None without a budget."""
    return compute_statements(entries)
