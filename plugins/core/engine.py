"""The statement engine: checked entries in, the three statements out.

A pure function of the entries.  Postings become one frame of exact integers
(yen, int64) with categorical accounts and segments; three group-bys give every
account's opening balance, flow over the year, and flow in cash-relevant
transactions, per segment.  The layouts then turn account figures into rows.

Signs: Beancount keeps assets and expenses positive, the rest negative.  A
balance-sheet or income-statement row shows its accounts with the sign flipped
for Liabilities, Equity and Income, so every published figure reads positive
unless it is a loss or a deficit.  A 資金計画 row shows its cash contribution
(see layouts/cf.toml), negated under a heading of ``sign = -1``.
"""

from __future__ import annotations

import datetime
import itertools
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from beancount.core import data

from yosan_ledger.plugins.core import walk
from yosan_ledger.plugins.core.accounts import map_accounts
from yosan_ledger.plugins.core.budget import TOTAL, Budget, Segment, declared_segments, find_budget
from yosan_ledger.plugins.core.layout import Layouts, Row
from yosan_ledger.plugins.core.messages import Message, _
from yosan_ledger.plugins.core.units import Unit, scale_frame
from yosan_ledger.plugins.core.walk import Memo

CURRENCY = "JPY"
LARGEST = 10**15  # yen in one posting (1,000兆円); sums of such stay far inside int64
NEGATIVE_ROOTS = ("Liabilities", "Equity", "Income")


@dataclass(frozen=True)
class CheckFailure:
    """A layout equality (資産合計 = 負債純資産合計, plan cash = balance sheet) broken."""

    row: Row
    other: Row
    segment: str
    value: int
    expected: int


def failure_message(failure: CheckFailure, statements: Statements) -> Message:
    """``予定貸借対照表 (甲事業): 資産合計 is 1,000 yen but 負債純資産合計 is 900 yen …``"""
    layouts = statements.layouts
    names = {s.key: s.name for s in statements.segments}
    other: str = failure.other.label
    if failure.other.statement != failure.row.statement:
        other = _(
            "{row} in {statement}", row=other, statement=layouts[failure.other.statement].title
        )
    return _(
        "{statement} ({segment}): {row} is {value:,} yen but {other} is "
        "{expected:,} yen (difference {difference:+,})",
        statement=layouts[failure.row.statement].title,
        segment=names.get(failure.segment, "合計"),
        row=failure.row.label,
        value=failure.value,
        other=other,
        expected=failure.expected,
        difference=failure.value - failure.expected,
    )


@dataclass(frozen=True)
class Statements:
    """The three statements of one budget, every segment and the total.

    ``figures[statement]`` is a frame indexed by row key (value rows, in layout
    order) with one int64 column of yen per segment key and ``total`` last.
    """

    budget: Budget
    segments: tuple[Segment, ...]
    layouts: Layouts
    figures: dict[str, pd.DataFrame]
    accounts: dict[str, tuple[str, ...]]  # row ref -> the accounts feeding it
    failures: tuple[CheckFailure, ...] = ()
    cash_leaks: tuple[int, ...] = field(default=(), repr=False)  # entry indexes
    # Entry indexes of transactions whose cash part the plan cannot tell apart
    # from their non-cash part (see _CashPlan.split).
    cash_ambiguous: tuple[int, ...] = field(default=(), repr=False)
    # (entry index, posting index) of each posting to an account that feeds no line
    unplaced: tuple[tuple[int, int], ...] = field(default=(), repr=False)
    # Per account of the postings (rows, name order) and segment (columns, total
    # last), signed as Beancount keeps them: "opening" balance, the year's net
    # "flow", the year's "credits" (a sum of the negative postings), and the number
    # of "postings".  What a schedule by account (前受金) is made of.
    account_figures: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    actual: bool = False  # the statements of an actual journal (実績), not of a budget

    @property
    def columns(self) -> list[str]:
        return [s.key for s in self.segments] + [TOTAL]

    def figure(self, reference: str, segment: str = TOTAL) -> int:
        """One figure in yen, by ``stmt:key`` reference."""
        row = self.layouts.row(reference)
        return int(self.figures[row.statement].at[row.key, segment])


@dataclass(frozen=True)
class Postings:
    """Every posting of the period and the opening balances, as parallel arrays."""

    transactions: list[data.Transaction]  # every transaction of the entries, in order
    transaction: np.ndarray  # int64: the posting's transaction, an index into the above
    posting_index: np.ndarray  # int64: index of the posting in its transaction
    account: pd.Categorical
    segment: np.ndarray  # int64 code into the segment list
    amount: np.ndarray  # int64 yen
    opening: np.ndarray  # bool: an opening balance (前期末)


# Transactions per batch: each batch's postings stay in the CPU's cache through
# the passes over them, which halves the time on a large ledger.
BATCH = 2048


def collect_postings(
    entries: Sequence[data.Directive], budget: Budget, segment_keys: Sequence[str]
) -> Postings:
    """The postings the statements are made of.

    Transactions without exactly one declared segment tag or dated outside the
    budget, and postings in another currency or beyond ``LARGEST`` yen, are left
    out: the plugins report each of them.  One pass per attribute, each in C
    (``map``, numpy), over a batch of transactions at a time; no Python code runs
    per posting.
    """
    code = {key: i for i, key in enumerate(segment_keys)}
    opening_date, end = budget.opening_date, budget.end

    def segment_of(tags: frozenset[str] | None) -> int:
        found = [code[t] for t in tags or () if t in code]
        return found[0] if len(found) == 1 else -1

    def period_of(date: datetime.date) -> int:
        """0 outside the budget, 1 in the year, 2 the opening balances (前期末)."""
        if date == opening_date:
            return 2
        return 1 if opening_date < date <= end else 0

    transactions = walk.transactions(entries)
    segments, periods = Memo(segment_of), Memo(period_of)
    accounts = Memo(lambda name: len(accounts))
    batches = [
        _batch(transactions, start, segments, periods, accounts)
        for start in range(0, max(len(transactions), 1), BATCH)
    ]
    transaction, position, account_code, segment, amount, opening = (
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
        transactions=transactions,
        transaction=transaction,
        posting_index=position,
        account=pd.Categorical.from_codes(rank[account_code], categories=names[order]),
        segment=segment,
        amount=amount,
        opening=opening,
    )


def _batch(
    transactions: list[data.Transaction],
    start: int,
    segments: Memo,
    periods: Memo,
    accounts: Memo,
) -> tuple[np.ndarray, ...]:
    """(transaction, position in it, account code, segment, yen, opening) of the
    postings kept from the batch of transactions from ``start``."""
    batch = transactions[start : start + BATCH]
    size = len(batch)
    segment = np.fromiter(map(segments.__getitem__, map(_TAGS, batch)), np.int64, size)
    period = np.fromiter(map(periods.__getitem__, map(_DATE, batch)), np.int8, size)
    lists = list(map(_POSTINGS, batch))
    counts = np.fromiter(map(len, lists), np.int64, size)
    n = int(counts.sum())
    # Transposed by zip, in C: each posting and each amount is read once, which is
    # what costs on a large ledger (its objects lie all over memory).
    names, units, *_ = zip(*itertools.chain.from_iterable(lists), strict=True) if n else ((), ())
    numbers, currencies = zip(*units, strict=True) if n else ((), ())
    account_code = np.fromiter(map(accounts.__getitem__, names), np.int64, n)
    keep = np.repeat((segment >= 0) & (period > 0), counts)
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
        np.repeat(period == 2, counts)[selected],
    )


_TAGS = operator.attrgetter("tags")
_DATE = operator.attrgetter("date")
_POSTINGS = operator.attrgetter("postings")


def _sum_by(codes: np.ndarray, amounts: np.ndarray, size: int) -> np.ndarray:
    """Exact int64 sums of amounts grouped by integer codes 0..size-1."""
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, codes, amounts)
    return out


class _Evaluator:
    """Row values (one int64 vector over segments + total) with memoised totals."""

    def __init__(
        self,
        layouts: Layouts,
        account_names: Sequence[str],
        row_of_account: dict[str, str],
        opening: np.ndarray,
        flow: np.ndarray,
        cash: np.ndarray,
    ) -> None:
        self.layouts = layouts
        self.names = list(account_names)
        self.position = {name: i for i, name in enumerate(self.names)}
        self.opening, self.flow, self.cash = opening, flow, cash
        self.closing = opening + flow
        self.width = opening.shape[1]
        sign = np.array(
            [-1 if n.startswith(NEGATIVE_ROOTS) else 1 for n in self.names], dtype=np.int64
        )
        self.sign = sign[:, None]
        self.feeding: dict[str, list[str]] = {}
        for name in self.names:
            ref = row_of_account.get(name)
            if ref is not None:
                self.feeding.setdefault(ref, []).append(name)
        self.values: dict[str, np.ndarray] = {}

    def accounts_of(self, reference: str) -> list[str]:
        """The accounts feeding a row, through totals and `plus` terms."""
        row = self.layouts.row(reference)
        found = list(self.feeding.get(row.ref, ()))
        for term in row.terms:
            found += self.accounts_of(term.ref)
        for ref in row.of:
            found += self.accounts_of(ref)
        return list(dict.fromkeys(found))

    def _rows(self, accounts: Sequence[str]) -> np.ndarray:
        return np.array([self.position[a] for a in accounts], dtype=np.int64)

    def value(self, reference: str) -> np.ndarray:
        row = self.layouts.row(reference)
        if row.ref not in self.values:
            self.values[row.ref] = self._compute(row)
        return self.values[row.ref]

    def _compute(self, row: Row) -> np.ndarray:
        total = np.zeros(self.width, dtype=np.int64)
        if row.kind in ("line", "total"):
            # A total adds the accounts that feed it directly (a summary-level
            # ledger's) to its terms; a line adds its `plus` terms to its accounts.
            rows = self._rows(self.feeding.get(row.ref, ()))
            balance = self.layouts[row.statement].kind == "balance"
            basis = self.closing if balance else self.flow
            total += (basis[rows] * self.sign[rows]).sum(axis=0, dtype=np.int64)
            for term in row.terms:
                total += term.coefficient * self.value(term.ref)
        elif row.kind == "cash":
            rows = self._rows(self._cash_accounts(row))
            if row.basis == "flow":
                contribution = -self.cash[rows].sum(axis=0, dtype=np.int64)
            elif row.basis == "opening":
                contribution = self.opening[rows].sum(axis=0, dtype=np.int64)
            else:
                contribution = -self.closing[rows].sum(axis=0, dtype=np.int64)
            total += row.sign * contribution
        return total

    def _cash_accounts(self, row: Row) -> list[str]:
        found: list[str] = []
        for ref in row.of:
            found += self.accounts_of(ref)
        return list(dict.fromkeys(found))


def cash_plan_accounts(
    layouts: Layouts, row_of_account: dict[str, str]
) -> tuple[set[str], set[str], set[str]]:
    """(cash accounts, working-capital accounts, accounts of some flow row) of the
    ledger's cash plans (none without one)."""
    cash, working, flow_rows = _plan_rows(layouts, row_of_account)
    flowing: set[str] = set()
    for accounts in flow_rows.values():
        flowing |= accounts
    return cash, working, flowing


def _plan_rows(
    layouts: Layouts, row_of_account: dict[str, str]
) -> tuple[set[str], set[str], dict[str, set[str]]]:
    """(cash accounts, working-capital accounts, the accounts of each flow row by
    ref) of the ledger's cash plans."""
    lines: dict[str, set[str]] = {}
    for account, ref in row_of_account.items():
        lines.setdefault(ref, set()).add(account)

    def feeding(reference: str) -> set[str]:
        row = layouts.row(reference)
        found = set(lines.get(row.ref, ()))
        for term in row.terms:
            found |= feeding(term.ref)
        return found

    cash: set[str] = set()
    working: set[str] = set()
    flow_rows: dict[str, set[str]] = {}
    for plan in layouts.of_kind("cash"):
        cash |= feeding(plan.cash) if plan.cash else set()
        for row in plan.rows:
            if row.kind != "cash" or row.of == (plan.cash,):
                continue
            for ref in row.of:
                if row.basis == "flow":
                    flow_rows.setdefault(row.ref, set()).update(feeding(ref))
                else:
                    working |= feeding(ref)
    return cash, working, flow_rows


# Non-cash postings of one transaction the plan will try to split (2**12 subsets),
# and sets of them summing to zero it will compare; beyond, the split is refused.
SPLIT_LIMIT = 12
ZERO_SETS_LIMIT = 256


@dataclass(frozen=True)
class CashSplit:
    """What the 資金計画 counts of each posting, and the transactions it cannot."""

    part: np.ndarray  # int64 per posting: the yen of it that moves against cash
    leaking: np.ndarray  # transactions moving cash through an account no row takes
    ambiguous: np.ndarray  # transactions whose cash part cannot be told apart


@dataclass(frozen=True)
class _CashPlan:
    """The rule by which a transaction's postings split into cash and non-cash.

    A transaction's cash side is its postings to cash and working capital.  Its
    other postings move against the cash side, except a part of them that sums
    to zero by itself: a non-cash entry (depreciation, a provision) written in
    the same transaction, as a 月次決算仕訳 does.  When the other postings all
    have one sign, none of them sums to zero with another and all are cash (the
    common case, done in numpy).  Otherwise the non-cash part is a largest set
    of postings (by inclusion) summing to zero; when two such sets leave
    different figures on the plan's rows, the transaction cannot be split and
    is refused at its line.
    """

    side: np.ndarray  # bool per account: cash or working capital
    group: np.ndarray  # int64 per account: its flow row; OUTSIDE; NOWHERE
    outside: int  # the group of accounts on a line no row of the plan takes

    @classmethod
    def of(
        cls, layouts: Layouts, row_of_account: dict[str, str], names: Sequence[str]
    ) -> _CashPlan:
        cash, working, flow_rows = _plan_rows(layouts, row_of_account)
        refs = list(flow_rows)
        outside, nowhere = len(refs), len(refs) + 1
        group = np.full(len(names), nowhere, dtype=np.int64)
        for i, name in enumerate(names):
            if name in row_of_account:
                group[i] = next((g for g, r in enumerate(refs) if name in flow_rows[r]), outside)
        side = np.isin(np.array(names, dtype=object), list(cash | working))
        return cls(side=side, group=group, outside=outside)

    def split(self, postings: Postings, account_code: np.ndarray) -> CashSplit:
        n = len(postings.transactions)
        transaction, amount = postings.transaction, postings.amount
        in_year = ~postings.opening
        side = self.side[account_code] & in_year
        touches = np.zeros(n, dtype=bool)
        touches[transaction[side]] = True
        other = in_year & ~side & touches[transaction]
        part = np.where(other, amount, 0)
        # A transaction whose other postings have both signs may hold a non-cash entry.
        positive = np.zeros(n, dtype=bool)
        negative = np.zeros(n, dtype=bool)
        positive[transaction[other & (amount > 0)]] = True
        negative[transaction[other & (amount < 0)]] = True
        ambiguous = []
        # The postings are in transaction order: each transaction's lie together.
        mixed = np.flatnonzero(positive & negative)
        starts = np.searchsorted(transaction, mixed, side="left")
        ends = np.searchsorted(transaction, mixed, side="right")
        for t, start, end in zip(mixed.tolist(), starts.tolist(), ends.tolist(), strict=True):
            where = start + np.flatnonzero(other[start:end] & (amount[start:end] != 0))
            kept = self._cash_part(amount[where], self.group[account_code[where]])
            if kept is None:
                ambiguous.append(t)
            else:
                part[where] = np.where(kept, amount[where], 0)
        leaking = np.unique(transaction[(self.group[account_code] == self.outside) & (part != 0)])
        return CashSplit(part, leaking, np.array(ambiguous, dtype=np.int64))

    @staticmethod
    def _cash_part(amounts: np.ndarray, groups: np.ndarray) -> np.ndarray | None:
        """Which of one transaction's non-cash-side postings move against cash
        (True), or None when that cannot be told."""
        k = len(amounts)
        if k > SPLIT_LIMIT:
            return None
        sums = np.zeros(1 << k, dtype=np.int64)
        for i in range(k):
            sums[1 << i : 2 << i] = sums[: 1 << i] + amounts[i]
        zero = sorted(np.flatnonzero(sums == 0)[1:].tolist(), key=int.bit_count, reverse=True)
        if len(zero) > ZERO_SETS_LIMIT:
            return None
        largest: list[int] = []
        for subset in zero:
            if not any(subset & other == subset for other in largest):
                largest.append(subset)
        if not largest:
            return np.ones(k, dtype=bool)
        outcomes = set()
        choices = []
        for subset in largest:
            kept = np.array([not subset >> i & 1 for i in range(k)], dtype=bool)
            by_group: dict[int, int] = {}
            for g, a in zip(groups[kept].tolist(), amounts[kept].tolist(), strict=True):
                by_group[g] = by_group.get(g, 0) + a
            outcomes.add(frozenset((g, a) for g, a in by_group.items() if a))
            choices.append(kept)
        return choices[0] if len(outcomes) == 1 else None


def compute_statements(
    entries: Sequence[data.Directive],
    layouts: Layouts,
    budget: Budget | None = None,
    *,
    actual: bool = False,
) -> Statements | None:
    """The statements of the budget the entries declare (or of ``budget``'s period:
    an actual journal's, or a budget's up to a day), in the ledger's layouts; None
    without a budget."""
    customs = walk.of_type(entries, data.Custom)
    if budget is None:
        budget, _directive = find_budget(customs)
    if budget is None:
        return None
    segments = tuple(declared_segments(customs).values())
    keys = [s.key for s in segments]
    opens = walk.of_type(entries, data.Open)
    row_of_account, _problems = map_accounts(opens, layouts)
    postings = collect_postings(entries, budget, keys)

    names = list(postings.account.categories)
    n_accounts, n_segments = len(names), len(keys)
    account_code = postings.account.codes.astype(np.int64)

    split = _CashPlan.of(layouts, row_of_account, names).split(postings, account_code)
    leaking_transactions, ambiguous_transactions = split.leaking, split.ambiguous

    cell = account_code * (n_segments + 1) + postings.segment
    size = n_accounts * (n_segments + 1)

    def by_account(mask: np.ndarray, amounts: np.ndarray = postings.amount) -> np.ndarray:
        per_segment = _sum_by(cell[mask], amounts[mask], size).reshape(n_accounts, n_segments + 1)
        # The total column is summed afresh, not from the segment columns, so
        # that the assertion below compares two computations.
        per_segment[:, n_segments] = _sum_by(account_code[mask], amounts[mask], n_accounts)
        return per_segment

    opening = by_account(postings.opening)
    flow = by_account(~postings.opening)
    cash_flow = by_account(np.ones(len(cell), dtype=bool), split.part)
    columns = keys + [TOTAL]
    account_figures = {
        name: pd.DataFrame(matrix, index=names, columns=columns)
        for name, matrix in (
            ("opening", opening),
            ("flow", flow),
            ("credits", by_account(~postings.opening & (postings.amount < 0))),
            ("postings", by_account(np.ones(len(cell), dtype=bool), np.ones_like(cell))),
        )
    }

    evaluator = _Evaluator(layouts, names, row_of_account, opening, flow, cash_flow)
    figures: dict[str, pd.DataFrame] = {}
    for layout in layouts:
        rows = layout.value_rows()
        matrix = np.array([evaluator.value(r.ref) for r in rows], dtype=np.int64)
        matrix = matrix.reshape(len(rows), len(columns))
        frame = pd.DataFrame(matrix, index=[r.key for r in rows], columns=columns)
        assert (frame[keys].sum(axis=1) == frame[TOTAL]).all(), (
            f"{layout.title}: segment columns do not add up to the total"
        )
        figures[layout.statement] = frame

    failures = []
    for layout in layouts:
        for check in layout.checks:
            row, other = layouts.row(check.row), layouts.row(check.equals)
            got, expected = evaluator.value(check.row), evaluator.value(check.equals)
            for i, column in enumerate(columns):
                if got[i] != expected[i]:
                    failures.append(CheckFailure(row, other, column, int(got[i]), int(expected[i])))

    # An account on no line at all is reported as such, not as a leak of the plan.
    placed = np.isin(np.array(names, dtype=object), list(row_of_account))
    lost = ~placed[account_code] if n_accounts else np.zeros(0, dtype=bool)
    reported = lost | np.isin(postings.transaction, leaking_transactions)
    reported |= np.isin(postings.transaction, ambiguous_transactions)
    where = _entry_indexes(entries, postings, reported)
    leaks = tuple(sorted(where[int(i)] for i in leaking_transactions))
    ambiguous = tuple(sorted(where[int(i)] for i in ambiguous_transactions))
    unplaced = tuple(
        (where[i], int(j))
        for i, j in zip(postings.transaction[lost], postings.posting_index[lost], strict=True)
    )

    accounts = {
        row.ref: tuple(evaluator.accounts_of(row.ref))
        for layout in layouts
        for row in layout.value_rows()
    }
    return Statements(
        budget=budget,
        segments=segments,
        layouts=layouts,
        figures=figures,
        accounts=accounts,
        failures=tuple(failures),
        cash_leaks=leaks,
        cash_ambiguous=ambiguous,
        unplaced=unplaced,
        account_figures=account_figures,
        actual=actual,
    )


def _entry_indexes(
    entries: Sequence[data.Directive], postings: Postings, mask: np.ndarray
) -> dict[int, int]:
    """Transaction index -> index in the entries, for the postings of the mask (a
    scan of the entries only when some posting needs reporting)."""
    wanted = {int(i) for i in np.unique(postings.transaction[mask])}
    if not wanted:
        return {}
    by_id = {id(postings.transactions[i]): i for i in wanted}
    return {by_id[id(entry)]: n for n, entry in enumerate(entries) if id(entry) in by_id}


TIDY_COLUMNS = ["statement", "section", "line", "segment", "amount"]


def tidy(statements: Statements, unit: Unit) -> pd.DataFrame:
    """Every row of every statement for every segment and the total, one figure a
    row (statement, section, line, segment, amount in the unit, signed as shown);
    a row the layout hides when zero is left out when it is zero throughout."""
    columns = statements.columns
    parts = []
    for layout in statements.layouts:
        frame = statements.figures[layout.statement]
        rows = tuple(r for r in layout.value_rows() if not r.hide_zero or frame.loc[r.key].any())
        figures = scale_frame(frame.loc[[r.key for r in rows]], unit).to_numpy()
        parts.append(
            pd.DataFrame(
                {
                    "statement": layout.statement,
                    "section": np.repeat([r.section for r in rows], len(columns)),
                    "line": np.repeat([r.label for r in rows], len(columns)),
                    "segment": np.tile(columns, len(rows)),
                    "amount": figures.reshape(-1),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[TIDY_COLUMNS]
