"""Walking the entries cheaply: every plugin walks them on every load.

A ledger of a year's execution holds hundreds of thousands of transactions, and
Beancount runs each plugin over all of them.  These helpers keep the per-entry
work in C: a comprehension that only compares types, and a memo that works a
value out once for the few distinct tag sets, dates or accounts a ledger has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from beancount.core import data

from yosan_ledger.plugins.core.memo import of_entries

Directive = TypeVar("Directive")


def of_type(entries: Iterable[Any], kind: type[Directive]) -> list[Directive]:
    """The entries of one directive type, in order (Beancount's directives are
    namedtuples, never subclassed, so the type is compared, not ``isinstance``).
    For a list the entries are sorted by type once, and each type's share kept
    with the list (``memo.of_entries``): the rules ask a hundred times per load."""
    if isinstance(entries, list):
        return list(by_type(entries).get(kind, ()))
    return [entry for entry in entries if type(entry) is kind]


@of_entries(lists=8)  # an actual journal, its budget, the budget's comparison …
def by_type(entries: list[Any]) -> dict[type, list[Any]]:
    """The entries of each directive type, in order."""
    found: dict[type, list[Any]] = {}
    for entry in entries:
        kind = type(entry)
        share = found.get(kind)
        if share is None:
            share = found[kind] = []
        share.append(entry)
    return found


def transactions(entries: Iterable[Any]) -> list[data.Transaction]:
    return of_type(entries, data.Transaction)


def customs(entries: Iterable[Any], name: str) -> list[data.Custom]:
    """The ``custom "name"`` directives."""
    return [entry for entry in of_type(entries, data.Custom) if entry.type == name]


class Memo(dict):
    """``memo[key]`` is ``compute(key)``, computed once per distinct key; mapped
    over a list (``map(memo.__getitem__, keys)``) it costs one lookup in C per item."""

    def __init__(self, compute: Callable[[Any], Any]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.compute(key)
        return value
