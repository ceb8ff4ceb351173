"""A result computed once per list of entries.

Each result of a ledger is a function of its entries alone.  The rules ask for it
while they check a load, the ``yosan`` command and the Fava extension afterwards:
all of them get the one computation, kept for the last few lists of entries it
was asked for.  A list is known again by identity, length and first and last
entry: Beancount's loader hands every plugin the same list, sorting it in place,
and a plugin that adds or removes entries changes its length or its ends.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from beancount.core import data

Result = TypeVar("Result")
KEPT = 2  # lists of entries remembered per result: a ledger and the one it compares with


def _known_by(entries: Sequence[data.Directive]) -> tuple[int, int, int, int]:
    if not entries:
        return id(entries), 0, 0, 0
    return id(entries), len(entries), id(entries[0]), id(entries[-1])


def of_entries(compute: Callable[[list], Result] | None = None, *, lists: int = KEPT) -> Any:
    """``compute(entries)``, computed once for the same list of entries, for the
    last ``lists`` lists (``@of_entries`` or ``@of_entries(lists=n)``)."""
    if compute is None:
        return functools.partial(of_entries, lists=lists)
    kept: list[tuple[tuple[int, int, int, int], list, Any]] = []

    @functools.wraps(compute)
    def memoised(entries: list[data.Directive]) -> Result:
        key = _known_by(entries)
        for known, held, value in kept:
            if known == key and held is entries:
                return value
        value = compute(entries)
        kept.insert(0, (key, entries, value))
        del kept[lists:]
        return value

    return memoised
