"""The statement engine: checked entries in, the three statements out.

A pure function of the entries.  Their transactions' postings are summed per
account and segment (``yosan_ledger.plugins.core.sums``: the opening balances, the
flow over the year, its credits, and what each cash statement counts; per file,
then merged); the layouts then turn account figures into rows
(``statements_of``), a pure function of those sums.

Signs: Beancount keeps assets and expenses positive, the rest negative.  A
balance-sheet or income-statement row shows its accounts with the sign flipped
for Liabilities, Equity and Income, so every published figure reads positive
unless it is a loss or a deficit.  A 資金計画 row shows its cash contribution
(see layouts/cf.toml), negated under a heading of ``sign = -1``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from beancount.core import data

from yosan_ledger.plugins.core import walk
from yosan_ledger.plugins.core.accounts import map_accounts
from yosan_ledger.plugins.core.budget import (
    TOTAL,
    VERSION,
    Budget,
    Segment,
    canonical,
    declared_segments,
    find_budget,
)
from yosan_ledger.plugins.core.cash import CashRule
from yosan_ledger.plugins.core.layout import Layouts, Row
from yosan_ledger.plugins.core.messages import Message, _
from yosan_ledger.plugins.core.sums import (
    AMOUNT,
    CREDITS,
    MEASURES,
    OPENING,
    POSTINGS,
    Basis,
    Contribution,
    Postings,
    contribution_of,
    month_of,
    postings_of,
)
from yosan_ledger.plugins.core.units import Unit, scale_frame

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


def basis_of(entries: Sequence[data.Directive], layouts: Layouts, budget: Budget) -> Basis:
    """What the sums of the ledger's transactions are worked out against: the
    budget's year, the declared segments, each opened account's line, the cash
    statements' rules; from its directives and layouts alone."""
    customs = walk.of_type(entries, data.Custom)
    row_of_account, _problems = map_accounts(walk.of_type(entries, data.Open), layouts)
    rules = {
        plan.statement: CashRule.of(layouts, row_of_account, plan.statement)
        for plan in layouts.of_kind("cash")
    }
    segments = tuple(declared_segments(customs).values())
    return Basis(budget, segments, row_of_account, rules)


def collect_postings(
    entries: Sequence[data.Directive], budget: Budget, segment_keys: Sequence[str]
) -> Postings:
    """The postings the statements are made of (``sums.postings_of``)."""
    return postings_of(walk.transactions(entries), budget, segment_keys)


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
    if budget is None:
        budget, _directive = find_budget(walk.of_type(entries, data.Custom))
    if budget is None:
        return None
    basis = basis_of(entries, layouts, budget)
    sums = contribution_of(walk.transactions(entries), basis)
    return statements_of(sums, basis, layouts, actual=actual, entries=entries)


Entries = Sequence[data.Directive] | Callable[[], Sequence[data.Directive]]


def statements_of(
    sums: Contribution,
    basis: Basis,
    layouts: Layouts,
    *,
    actual: bool = False,
    versions: Collection[str | None] | None = None,
    through: int | None = None,
    entries: Entries = (),
) -> Statements:
    """The statements made of the sums of a ledger's transactions (its files'
    contributions, ``sums.merged``): of the versions of the budget ``versions`` names
    (None: every one), through the period ``through`` (None: the whole year).
    ``entries`` (or a function giving them) are the ledger's, for the place of each
    transaction the statements rule reports: asked for only when there is one."""
    keys = [s.key for s in basis.segments]
    columns = [*keys, TOTAL]
    chosen = [i for i, v in enumerate(sums.versions) if versions is None or v in versions]
    periods = np.array(sums.periods, dtype=np.int64)
    in_year = (periods != OPENING) & (True if through is None else periods <= through)
    figures_of = sums.figures[chosen]
    opening_part = figures_of[:, periods == OPENING].sum(axis=(0, 1), dtype=np.int64)
    year_part = figures_of[:, in_year].sum(axis=(0, 1), dtype=np.int64)
    both = opening_part + year_part
    # The accounts of the postings kept, in name order.
    used = both[:, len(keys), POSTINGS] > 0 if both.size else np.zeros(0, dtype=bool)
    names = [a for a, kept in zip(sums.accounts, used.tolist(), strict=True) if kept]
    opening, year, both = opening_part[used], year_part[used], both[used]
    flow = year[:, :, AMOUNT]
    account_figures = {
        name: pd.DataFrame(matrix, index=names, columns=columns)
        for name, matrix in (
            ("opening", opening[:, :, AMOUNT]),
            ("flow", flow),
            ("credits", year[:, :, CREDITS]),
            ("postings", both[:, :, POSTINGS]),
        )
    }
    cash_flow = {key: both[:, :, MEASURES + i] for i, key in enumerate(basis.rules)}
    account_figures |= {
        f"{COUNTED}{key}": pd.DataFrame(matrix, index=names, columns=columns)
        for key, matrix in cash_flow.items()
    }
    row_of_account = basis.row_of_account
    evaluator = _Evaluator(layouts, names, row_of_account, opening[:, :, AMOUNT], flow, cash_flow)
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
    for key, rule in basis.rules.items():
        taken = [position[a] for a in rule.row_of if a in position]
        side = [position[a] for a in rule.side if a in position]
        counted = -cash_flow[key][taken].sum(axis=0, dtype=np.int64)
        moved = flow[side].sum(axis=0, dtype=np.int64)
        for i in np.flatnonzero(counted != moved).tolist():
            mismatches.append(CashMismatch(key, columns[i], int(counted[i]), int(moved[i])))

    unplaced, unexplained, ambiguous = _reported(sums, basis, versions, through, entries)
    accounts = {
        row.ref: tuple(evaluator.accounts_of(row.ref))
        for layout in layouts
        for row in layout.value_rows()
    }
    return Statements(
        budget=basis.budget,
        segments=basis.segments,
        layouts=layouts,
        figures=figures,
        accounts=accounts,
        failures=tuple(failures),
        mismatches=tuple(mismatches),
        unexplained=unexplained,
        ambiguous=ambiguous,
        cash_rules=dict(basis.rules),
        unplaced=unplaced,
        overflows=tuple((ref, columns[i]) for ref, i in evaluator.overflows),
        account_figures=account_figures,
        actual=actual,
    )


def _reported(
    sums: Contribution,
    basis: Basis,
    versions: Collection[str | None] | None,
    through: int | None,
    entries: Entries,
) -> tuple[tuple, tuple, tuple]:
    """(unplaced, unexplained, ambiguous) of the transactions chosen, each by its
    index in the entries (``Statements``)."""
    if sums.clean:
        return (), (), ()
    opening = basis.budget.opening_date

    def chosen(entry: data.Transaction) -> bool:
        named = (entry.meta or {}).get(VERSION)
        version = None if named is None else canonical(str(named))
        if versions is not None and version not in versions:
            return False
        return through is None or entry.date == opening or month_of(entry.date) <= through

    unplaced = [(e, j) for e, j in sums.unplaced if chosen(e)]
    unexplained = [(key, e, why) for key, e, why in sums.unexplained if chosen(e)]
    ambiguous = [(key, e) for key, e in sums.ambiguous if chosen(e)]
    wanted = {id(e) for e, _ in unplaced} | {id(e) for _, e, _ in unexplained}
    wanted |= {id(e) for _, e in ambiguous}
    if not wanted:
        return (), (), ()
    listed = entries() if callable(entries) else entries
    index = {id(entry): n for n, entry in enumerate(listed) if id(entry) in wanted}
    return (
        tuple(sorted((index[id(e)], j) for e, j in unplaced)),
        tuple(sorted((key, index[id(e)], why) for key, e, why in unexplained)),
        tuple(sorted((key, index[id(e)]) for key, e in ambiguous)),
    )


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
