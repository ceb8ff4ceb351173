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
from yosan_ledger.plugins.core.cash import CashRule
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


@dataclass(frozen=True)
class CashMismatch:
    """A cash statement whose rows do not account for the change of its cash."""

    statement: str
    segment: str
    counted: int  # what its flow rows say moved (yen, cash in positive)
    moved: int  # what its cash and working capital moved


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
    # Cash statements whose rows do not add up to the change of their cash (and
    # working capital), per segment: what each transaction refused below explains.
    mismatches: tuple[CashMismatch, ...] = ()
    # Per cash statement: the transactions (entry indexes) it cannot count, with what
    # no row explains (cash.Counted.unexplained), and those two splits count apart.
    unexplained: tuple[tuple[str, int, tuple[tuple[str, int], ...]], ...] = field(
        default=(), repr=False
    )
    ambiguous: tuple[tuple[str, int], ...] = field(default=(), repr=False)
    # How each cash statement counts a transaction (for the postings behind a figure).
    cash_rules: dict[str, CashRule] = field(default_factory=dict, repr=False)
    # (entry index, posting index) of each posting to an account that feeds no line
    unplaced: tuple[tuple[int, int], ...] = field(default=(), repr=False)
    # Rows whose sum leaves int64: (row ref, segment), never a wrapped figure.
    overflows: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    # Per account of the postings (rows, name order) and segment (columns, total
    # last), signed as Beancount keeps them: "opening" balance, the year's net
    # "flow", the year's "credits" (a sum of the negative postings), the number
    # of "postings", and, for each cash statement, "counted:<statement>": the part
    # of the year's flow that statement counts (its rule, plugins/core/cash.py).
    # What a schedule by account (前受金, a 歳入歳出決算書) is made of.
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
    opening_date, end = budget.opening_date, budget.last_day

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
    """Row values (one int64 vector over segments + total), each row after the rows
    it is made of (``Layouts.order``), every sum checked to stay inside int64."""

    def __init__(
        self,
        layouts: Layouts,
        account_names: Sequence[str],
        row_of_account: dict[str, str],
        opening: np.ndarray,
        flow: np.ndarray,
        cash: dict[str, np.ndarray],
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
        self.overflows: list[tuple[str, str]] = []
        self.values: dict[str, np.ndarray] = {}
        for ref in layouts.order:
            self.values[ref] = self._compute(layouts.row(ref))

    def accounts_of(self, reference: str) -> list[str]:
        """The accounts feeding a row, through totals, `plus` terms and `of`."""
        found: list[str] = []
        seen: set[str] = set()
        pending = [reference]
        while pending:
            ref = self.layouts.row(pending.pop()).ref
            if ref not in seen:
                seen.add(ref)
                found += self.feeding.get(ref, ())
                pending.extend(reversed(self.layouts.parts(ref)))
        return list(dict.fromkeys(found))

    def _rows(self, accounts: Sequence[str]) -> np.ndarray:
        return np.array([self.position[a] for a in accounts], dtype=np.int64)

    def value(self, reference: str) -> np.ndarray:
        return self.values[self.layouts.row(reference).ref]

    def _compute(self, row: Row) -> np.ndarray:
        if row.kind == "cash":
            rows = self._rows(self.accounts_of(row.ref))
            if row.basis == "flow":
                contribution = -self.cash[row.statement][rows].sum(axis=0, dtype=np.int64)
            elif row.basis == "opening":
                contribution = self.opening[rows].sum(axis=0, dtype=np.int64)
            else:
                contribution = -self.closing[rows].sum(axis=0, dtype=np.int64)
            return row.sign * contribution
        # A total adds the accounts that feed it directly (a summary-level ledger's)
        # to its terms; a line adds its `plus` terms to its accounts.
        rows = self._rows(self.feeding.get(row.ref, ()))
        balance = self.layouts[row.statement].kind == "balance"
        basis = self.closing if balance else self.flow
        total = (basis[rows] * self.sign[rows]).sum(axis=0, dtype=np.int64).astype(object)
        for term in row.terms:
            total = total + term.coefficient * self.value(term.ref).astype(object)
        outside = (total > INT64_MAX) | (total < -INT64_MAX)
        if outside.any():
            columns = np.flatnonzero(outside).tolist()
            self.overflows += [(row.ref, i) for i in columns]  # type: ignore[misc]
            total = np.where(outside, 0, total)
        return total.astype(np.int64)


INT64_MAX = 2**63 - 1
COUNTED = "counted:"  # Statements.account_figures: what a cash statement counts, per account


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

    cell = account_code * (n_segments + 1) + postings.segment
    size = n_accounts * (n_segments + 1)

    def by_account(mask: np.ndarray, amounts: np.ndarray = postings.amount) -> np.ndarray:
        per_segment = _sum_by(cell[mask], amounts[mask], size).reshape(n_accounts, n_segments + 1)
        # The total column is summed afresh, not from the segment columns, so
        # that the assertion below compares two computations.
        per_segment[:, n_segments] = _sum_by(account_code[mask], amounts[mask], n_accounts)
        return per_segment

    everything = np.ones(len(cell), dtype=bool)
    opening = by_account(postings.opening)
    flow = by_account(~postings.opening)
    columns = keys + [TOTAL]
    account_figures = {
        name: pd.DataFrame(matrix, index=names, columns=columns)
        for name, matrix in (
            ("opening", opening),
            ("flow", flow),
            ("credits", by_account(~postings.opening & (postings.amount < 0))),
            ("postings", by_account(everything, np.ones_like(cell))),
        )
    }

    rules = {
        plan.statement: CashRule.of(layouts, row_of_account, plan.statement)
        for plan in layouts.of_kind("cash")
    }
    counts = {key: count_cash(rule, postings, names) for key, rule in rules.items()}
    cash_flow = {key: by_account(everything, found.part) for key, found in counts.items()}
    account_figures |= {
        f"{COUNTED}{key}": pd.DataFrame(matrix, index=names, columns=columns)
        for key, matrix in cash_flow.items()
    }

    evaluator = _Evaluator(layouts, names, row_of_account, opening, flow, cash_flow)
    figures: dict[str, pd.DataFrame] = {}
    for layout in layouts:
        rows = layout.value_rows()
        matrix = np.array([evaluator.value(r.ref) for r in rows], dtype=np.int64)
        matrix = matrix.reshape(len(rows), len(columns))
        frame = pd.DataFrame(matrix, index=[r.key for r in rows], columns=columns)
        assert evaluator.overflows or (frame[keys].sum(axis=1) == frame[TOTAL]).all(), (
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

    position = {name: i for i, name in enumerate(names)}
    mismatches = []
    for key, rule in rules.items():
        taken = [position[a] for a in rule.row_of if a in position]
        side = [position[a] for a in rule.side if a in position]
        counted = -cash_flow[key][taken].sum(axis=0, dtype=np.int64)
        moved = flow[side].sum(axis=0, dtype=np.int64)
        for i in np.flatnonzero(counted != moved).tolist():
            mismatches.append(CashMismatch(key, columns[i], int(counted[i]), int(moved[i])))

    # An account on no line at all is reported as such, not as what a cash row misses.
    placed = np.isin(np.array(names, dtype=object), list(row_of_account))
    lost = ~placed[account_code] if n_accounts else np.zeros(0, dtype=bool)
    refused = [int(t) for found in counts.values() for t, _why in found.unexplained]
    refused += [int(t) for found in counts.values() for t in found.ambiguous]
    where = _entry_indexes(entries, postings, lost | np.isin(postings.transaction, refused))
    # A posting to an account on no line is reported as such (``unplaced``), not here.
    unexplained = tuple(
        sorted(
            (key, where[t], placed_why)
            for key, found in counts.items()
            for t, why in found.unexplained
            if (placed_why := tuple(w for w in why if w[0] in row_of_account))
        )
    )
    ambiguous = tuple(
        sorted((key, where[int(t)]) for key, found in counts.items() for t in found.ambiguous)
    )
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
        mismatches=tuple(mismatches),
        unexplained=unexplained,
        ambiguous=ambiguous,
        cash_rules=rules,
        unplaced=unplaced,
        overflows=tuple((ref, columns[i]) for ref, i in evaluator.overflows),
        account_figures=account_figures,
        actual=actual,
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
    """Every row of every statement shown for every segment and the total, one
    figure a row (statement, section, line, segment, amount in the unit, signed as
    shown); a hidden statement or row is left out, and so is a row the layout
    hides when zero where it is zero throughout."""
    columns = statements.columns
    parts = []
    for layout in statements.layouts.shown():
        frame = statements.figures[layout.statement]
        rows = tuple(
            r
            for r in layout.value_rows()
            if not r.hidden and (not r.hide_zero or frame.loc[r.key].any())
        )
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
