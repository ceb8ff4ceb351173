"""What a file's transactions add to the statements: sums per file, which merge.

Every figure of the statements is a function of sums of postings: per account and
segment, the opening balances (前期末), the year's flow and its credits, the number
of postings, and what each cash statement counts of them (its rule,
``yosan_ledger.plugins.core.cash``, which reads one transaction at a time).  Sums
add up, so a ledger's are its files': each file's ``Contribution`` is worked out
from that file's transactions alone, against the ledger's ``Basis`` (its year, its
segments, the line each account feeds, its cash statements), and the statements
(``engine.statements_of``) are made of the contributions ``merged``: what a kept
contribution of an unchanged file would stand on (README, "An edit's cost").

A contribution keeps its sums apart per version of the budget (the revision its
transactions name, None for the original) and per period (the opening balances,
then each month), so that one version's statements, or an actual journal's
through a month, are a selection of the same sums.  It also keeps what no sum
can hold: each posting on no line, and each transaction a cash statement cannot
count (by the transaction itself, for the rule reporting it).

Nothing here runs Python code per posting: one ``map``/numpy pass per attribute
over batches of transactions, and numpy sums.
"""

from __future__ import annotations

import datetime
import itertools
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from beancount.core import data

from yosan_ledger.plugins.core.budget import VERSION, Budget, Segment, canonical
from yosan_ledger.plugins.core.cash import CashRule
from yosan_ledger.plugins.core.walk import Memo

CURRENCY = "JPY"
LARGEST = 10**15  # yen in one posting (1,000兆円); sums of such stay far inside int64

OPENING = 0  # the period of the opening balances; a month is ``month_of(date)``
OUTSIDE = -1  # a transaction outside the budget's year: in no sum
# The measures of a contribution, then one per cash statement: what it counts.
AMOUNT, CREDITS, POSTINGS = 0, 1, 2
MEASURES = 3


def month_of(date: datetime.date) -> int:
    """A month as a period: after ``OPENING``, in the order of months."""
    return date.year * 12 + date.month


@dataclass(frozen=True)
class Basis:
    """What a file's sums depend on besides its transactions: the budget's year, the
    declared segments (the columns), the line each account feeds, and the cash
    statements (their rules, in layout order).  All of it comes from the ledger's
    directives and layouts, never from a transaction."""

    budget: Budget
    segments: tuple[Segment, ...]
    row_of_account: Mapping[str, str]
    rules: Mapping[str, CashRule]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.segments)


@dataclass(frozen=True)
class Postings:
    """The postings of some transactions that lie in the budget's year (the opening
    balances included), as parallel arrays."""

    transactions: list[data.Transaction]  # the transactions read, in order
    transaction: np.ndarray  # int64: the posting's transaction, an index into the above
    posting_index: np.ndarray  # int64: index of the posting in its transaction
    account: pd.Categorical
    segment: np.ndarray  # int64 code into the segment list
    amount: np.ndarray  # int64 yen
    period: np.ndarray  # int64: OPENING, or the month (``month_of``)
    version: np.ndarray  # int64 code into ``versions``
    versions: tuple[str | None, ...]  # the revisions named (None: the original budget)

    @property
    def opening(self) -> np.ndarray:
        """bool: an opening balance (前期末)."""
        return self.period == OPENING


# Transactions per batch: each batch's postings stay in the CPU's cache through
# the passes over them, which halves the time on a large ledger.
BATCH = 2048

_TAGS = operator.attrgetter("tags")
_DATE = operator.attrgetter("date")
_POSTINGS = operator.attrgetter("postings")
_META = operator.attrgetter("meta")


def postings_of(
    transactions: Sequence[data.Transaction], budget: Budget, segment_keys: Sequence[str]
) -> Postings:
    """The postings the statements are made of.

    Transactions without exactly one declared segment tag or dated outside the
    budget, and postings in another currency or beyond ``LARGEST`` yen, are left
    out: the plugins report each of them.  One pass per attribute, each in C
    (``map``, numpy), over a batch of transactions at a time; no Python code runs
    per posting.
    """
    code = {key: i for i, key in enumerate(segment_keys)}
    opening_date, end = budget.opening_date, budget.last_day

    def segment_of(tags: frozenset[str] | None) -> int:
        found = [code[t] for t in tags or () if t in code]
        return found[0] if len(found) == 1 else -1

    def period_of(date: datetime.date) -> int:
        if date == opening_date:
            return OPENING
        return month_of(date) if opening_date < date <= end else OUTSIDE

    def version_of(value: object) -> int:
        name = None if value is None else canonical(str(value))
        return versions.setdefault(name, len(versions))

    versions: dict[str | None, int] = {}
    segments, periods, accounts = Memo(segment_of), Memo(period_of), Memo(lambda n: len(accounts))
    revisions = Memo(version_of)
    batches = [
        _batch(transactions, start, segments, periods, accounts, revisions)
        for start in range(0, max(len(transactions), 1), BATCH)
    ]
    transaction, position, account_code, segment, amount, period, version = (
        np.concatenate(column) for column in zip(*batches, strict=True)
    )
    # Categories: the accounts of the postings kept, in name order.
    names = np.array(list(accounts), dtype=object)
    used = np.bincount(account_code, minlength=len(names)) > 0
    order = np.argsort(names, kind="stable")
    order = order[used[order]]
    rank = np.full(len(names), -1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    return Postings(
        transactions=list(transactions),
        transaction=transaction,
        posting_index=position,
        account=pd.Categorical.from_codes(rank[account_code], categories=names[order]),
        segment=segment,
        amount=amount,
        period=period,
        version=version,
        versions=tuple(versions),
    )


def _batch(
    transactions: Sequence[data.Transaction],
    start: int,
    segments: Memo,
    periods: Memo,
    accounts: Memo,
    revisions: Memo,
) -> tuple[np.ndarray, ...]:
    """(transaction, position in it, account code, segment, yen, period, version) of
    the postings kept from the batch of transactions from ``start``."""
    batch = transactions[start : start + BATCH]
    size = len(batch)
    segment = np.fromiter(map(segments.__getitem__, map(_TAGS, batch)), np.int64, size)
    period = np.fromiter(map(periods.__getitem__, map(_DATE, batch)), np.int64, size)
    named = map(dict.get, map(_META, batch), itertools.repeat(VERSION))
    version = np.fromiter(map(revisions.__getitem__, named), np.int64, size)
    lists = list(map(_POSTINGS, batch))
    counts = np.fromiter(map(len, lists), np.int64, size)
    n = int(counts.sum())
    # Transposed by zip, in C: each posting and each amount is read once, which is
    # what costs on a large ledger (its objects lie all over memory).
    names, units, *_ = zip(*itertools.chain.from_iterable(lists), strict=True) if n else ((), ())
    numbers, currencies = zip(*units, strict=True) if n else ((), ())
    account_code = np.fromiter(map(accounts.__getitem__, names), np.int64, n)
    keep = np.repeat((segment >= 0) & (period >= 0), counts)
    keep &= np.fromiter(map(CURRENCY.__eq__, currencies), bool, n)
    try:
        amount = np.fromiter(map(int, numbers), np.int64, n)
    except (TypeError, ValueError, OverflowError):
        # An incomplete posting Beancount could not interpolate (no number), or a
        # figure int64 cannot hold: left out (yosan_ledger.plugins.yen reports the second).
        keep &= np.array([x is not None and abs(x) <= LARGEST for x in numbers], dtype=bool)
        kept = zip(numbers, keep, strict=True)
        amount = np.array([int(x) if k else 0 for x, k in kept], dtype=np.int64)
    keep &= np.abs(amount) <= LARGEST
    selected = np.flatnonzero(keep)
    first = np.cumsum(counts) - counts
    return (
        np.repeat(np.arange(start, start + size, dtype=np.int64), counts)[selected],
        (np.arange(n, dtype=np.int64) - np.repeat(first, counts))[selected],
        account_code[selected],
        np.repeat(segment, counts)[selected],
        amount[selected],
        np.repeat(period, counts)[selected],
        np.repeat(version, counts)[selected],
    )


@dataclass(frozen=True)
class CashCount:
    """What one cash statement counts of every posting (``cash.CashRule``)."""

    part: np.ndarray  # int64 per posting: the yen its flow row counts
    unexplained: list[tuple[int, tuple[tuple[str, int], ...]]]  # (transaction, why)
    ambiguous: list[int]  # transactions two splits of which count apart


def count_cash(rule: CashRule, postings: Postings, names: Sequence[str]) -> CashCount:
    """The cash rule over every posting: in numpy for a transaction whose other
    postings (not cash or working capital) share a sign and all lie on a flow row
    (the common case: each counts whole, however the transaction is split), one
    transaction at a time (``CashRule.count``) for the others."""
    n = len(postings.transactions)
    transaction, amount = postings.transaction, postings.amount
    code = postings.account.codes.astype(np.int64)
    on_side = np.isin(np.array(names, dtype=object), list(rule.side))
    on_row = np.isin(np.array(names, dtype=object), list(rule.row_of))
    counted = ~postings.opening & (amount != 0)
    side = on_side[code] & counted
    touches = np.bincount(transaction[side], minlength=n) > 0
    counted &= touches[transaction]
    other = counted & ~side
    positive = np.bincount(transaction[other & (amount > 0)], minlength=n) > 0
    negative = np.bincount(transaction[other & (amount < 0)], minlength=n) > 0
    untaken = np.bincount(transaction[other & ~on_row[code]], minlength=n) > 0
    slow = touches & ((positive & negative) | untaken)
    part = np.where(other & ~slow[transaction], amount, 0)
    unexplained, ambiguous = [], []
    chosen = np.flatnonzero(slow)
    starts = np.searchsorted(transaction, chosen, side="left")
    ends = np.searchsorted(transaction, chosen, side="right")
    for t, start, end in zip(chosen.tolist(), starts.tolist(), ends.tolist(), strict=True):
        where = start + np.flatnonzero(counted[start:end])
        found = rule.count([(names[code[i]], int(amount[i])) for i in where])
        part[where] = found.parts
        if found.unexplained:
            unexplained.append((t, found.unexplained))
        if found.ambiguous:
            ambiguous.append(t)
    return CashCount(part, unexplained, ambiguous)


Why = tuple[tuple[str, int], ...]  # (account, yen) a cash statement's rows do not explain


@dataclass(frozen=True)
class Contribution:
    """What some transactions (a file's) add to the statements.

    ``figures[version, period, account, column, measure]``: exact int64 yen (and
    counts) per version of ``versions``, period of ``periods`` (``OPENING``, then
    months), account of ``accounts`` (name order) and column (the segments of the
    basis, then their total, summed afresh), for the measures ``AMOUNT`` (the
    postings' sum), ``CREDITS`` (the sum of the negative ones), ``POSTINGS`` (their
    number) and, from ``MEASURES`` on, what each cash statement of the basis
    counts.  The postings left out of every sum (another currency, no segment,
    outside the year) are in none."""

    versions: tuple[str | None, ...]
    periods: tuple[int, ...]
    accounts: tuple[str, ...]
    figures: np.ndarray
    # What the statements rule reports, by the transaction itself.
    unplaced: tuple[tuple[data.Transaction, int], ...] = ()  # a posting to a line-less account
    unexplained: tuple[tuple[str, data.Transaction, Why], ...] = ()  # (statement, …)
    ambiguous: tuple[tuple[str, data.Transaction], ...] = ()

    @property
    def clean(self) -> bool:
        """Whether every posting is on a line and every cash statement counts every
        transaction: nothing for the statements rule to report."""
        return not (self.unplaced or self.unexplained or self.ambiguous)


def contribution_of(transactions: Sequence[data.Transaction], basis: Basis) -> Contribution:
    """The sums of these transactions, against the ledger's basis."""
    postings = postings_of(transactions, basis.budget, basis.keys)
    names = list(postings.account.categories)
    account = postings.account.codes.astype(np.int64)
    versions, version = np.unique(postings.version, return_inverse=True)
    periods, period = np.unique(postings.period, return_inverse=True)
    width = len(basis.segments) + 1
    measures = [
        postings.amount,
        np.where(postings.amount < 0, postings.amount, 0),
        np.ones_like(postings.amount),
    ]
    counts = {key: count_cash(rule, postings, names) for key, rule in basis.rules.items()}
    measures += [found.part for found in counts.values()]
    shape = (len(versions), len(periods), len(names), width, len(measures))
    figures = np.zeros(shape, dtype=np.int64)
    flat = figures.reshape(-1, width, len(measures))
    cell = (version * len(periods) + period) * len(names) + account
    values = np.column_stack(measures)
    np.add.at(flat, (cell, postings.segment), values)
    np.add.at(flat, (cell, width - 1), values)  # the total, summed afresh
    lost = ~np.isin(np.array(names, dtype=object), list(basis.row_of_account))[account]
    found = postings.transactions
    unexplained = tuple(
        (key, found[t], placed)
        for key, count in counts.items()
        for t, why in count.unexplained
        if (placed := tuple(w for w in why if w[0] in basis.row_of_account))
    )
    return Contribution(
        versions=tuple(postings.versions[v] for v in versions.tolist()),
        periods=tuple(periods.tolist()),
        accounts=tuple(names),
        figures=figures,
        unplaced=tuple(
            (found[t], j)
            for t, j in zip(
                postings.transaction[lost].tolist(),
                postings.posting_index[lost].tolist(),
                strict=True,
            )
        ),
        unexplained=unexplained,
        ambiguous=tuple((key, found[t]) for key, count in counts.items() for t in count.ambiguous),
    )


def merged(contributions: Iterable[Contribution], basis: Basis) -> Contribution:
    """The sums of several contributions (a ledger's files', against ``basis``), as one."""
    parts = list(contributions)
    if not parts:
        return contribution_of([], basis)
    if len(parts) == 1:
        return parts[0]
    versions = tuple(dict.fromkeys(v for part in parts for v in part.versions))
    periods = tuple(sorted({p for part in parts for p in part.periods}))
    accounts = tuple(sorted({a for part in parts for a in part.accounts}))
    tail = parts[0].figures.shape[3:]
    figures = np.zeros((len(versions), len(periods), len(accounts), *tail), dtype=np.int64)
    axes = {
        "versions": {v: i for i, v in enumerate(versions)},
        "periods": {p: i for i, p in enumerate(periods)},
        "accounts": {a: i for i, a in enumerate(accounts)},
    }
    for part in parts:
        if part.figures.size:  # each part's labels are distinct: one cell each
            at = [[place[x] for x in getattr(part, axis)] for axis, place in axes.items()]
            figures[np.ix_(*at)] += part.figures
    return Contribution(
        versions=versions,
        periods=periods,
        accounts=accounts,
        figures=figures,
        unplaced=tuple(p for part in parts for p in part.unplaced),
        unexplained=tuple(p for part in parts for p in part.unexplained),
        ambiguous=tuple(p for part in parts for p in part.ambiguous),
    )
