"""The receipts and payments of an actual journal: what each transaction of the year
posts to each revenue (Income) and expenditure (Expenses) account.

A transaction's postings to one account are one flow (two postings of 50 are a
receipt of 100, as one posting of 100 is).  A flow carries what the execution's
rules read of its transaction: whether it is assessed when received (随時収入:
``assessment: "随時"`` on the transaction, or on the account's Open) and the
obligation (支出負担行為) it pays (``obligation: "key"`` on the transaction).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from beancount.core import data

from yosan_ledger.plugins.core import actuals, walk
from yosan_ledger.plugins.core.acts import PAYS, local_of
from yosan_ledger.plugins.core.budget import declared_segments
from yosan_ledger.plugins.core.local import ASSESSMENT, ON_RECEIPT, REVENUE, side
from yosan_ledger.plugins.core.memo import of_entries


@dataclass(frozen=True)
class Flow:
    date: datetime.date
    account: str
    segment: str
    amount: int  # yen, signed as Beancount keeps it (a receipt negative, a payment positive)
    transaction: data.Transaction
    on_receipt: bool  # a receipt assessed when received (随時)
    pays: str | None  # the obligation a payment names

    @property
    def yen(self) -> int:
        """Received (revenue) or paid (expenditure): positive."""
        return -self.amount if side(self.account) == REVENUE else self.amount


@of_entries
def flows(entries: list[data.Directive]) -> tuple[Flow, ...]:
    """Every flow of the year (its closing period included), in date and file order."""
    context = _context(entries)
    found = []
    for entry in year_transactions(entries):
        found += transaction_flows(entries, entry, context)
    found.sort(key=lambda f: (f.date, *place(f.transaction)))
    return tuple(found)


def place(entry: data.Directive) -> tuple[str, int]:
    return entry.meta.get("filename", ""), entry.meta.get("lineno", 0)


def year_transactions(entries: list[data.Directive]) -> list[data.Transaction]:
    """The transactions of the year (its closing period included), not the opening balances."""
    budget = actuals.period(entries)[0]
    if budget is None:
        return []
    start, last = budget.start, budget.last_day
    return [e for e in walk.transactions(entries) if start <= e.date <= last]


def transaction_flows(
    entries: list[data.Directive],
    entry: data.Transaction,
    context: tuple[frozenset[str], frozenset[str]] | None = None,
) -> list[Flow]:
    """A transaction's flows: its postings to each revenue and expenditure account, added."""
    segments, on_receipt = context or _context(entries)
    tags = [t for t in entry.tags or () if t in segments]
    if len(tags) != 1:
        return []  # the segments rule reports it
    by_account: dict[str, int] = {}
    for posting in entry.postings:
        if side(posting.account) is None or posting.units is None:
            continue
        number = posting.units.number
        if number is None or number != number.to_integral_value():
            continue  # the yen rule reports it
        by_account[posting.account] = by_account.get(posting.account, 0) + int(number)
    marked = entry.meta.get(ASSESSMENT) == ON_RECEIPT
    pays = entry.meta.get(PAYS)
    return [
        Flow(
            entry.date,
            account,
            tags[0],
            amount,
            entry,
            marked or account in on_receipt,
            str(pays).strip() if pays is not None else None,
        )
        for account, amount in by_account.items()
        if amount
    ]


@of_entries
def _context(entries: list[data.Directive]) -> tuple[frozenset[str], frozenset[str]]:
    """The declared segments, and the revenue accounts assessed when received."""
    local = local_of(entries)
    segments = frozenset(declared_segments(walk.of_type(entries, data.Custom)))
    return segments, (local.on_receipt if local is not None else frozenset())
