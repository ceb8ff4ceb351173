"""How a cash statement counts a transaction: the rule, in one place.

A cash statement (資金計画, a 予算 of 収入 and 支出) names its cash (``cash =
"bs:現金"``); its opening and closing rows name its working capital (未収金,
未払金 …), whose movements they carry; its flow rows name the accounts they take.
Each cash statement counts every transaction by its own rows, alone:

- A transaction that moves none of the statement's cash or working capital is
  not counted (depreciation, a provision, a new lease; and, in a statement
  without working-capital rows, an accrual to 未払金 or 未収金).
- A transaction that moves them is counted by its other postings, each on the
  flow row that takes its account: what those rows say moved is what the cash
  and working capital moved.
- A transaction is counted as the finest transactions it could be written as:
  its postings split into groups that each balance and cannot be split further.
  A group that moves no cash is a non-cash entry written beside a payment (a
  月次決算仕訳: 減価償却費 50 against 建物 −50) and is not counted.  Where two such
  splits would count differently (either of two expenses could be the one paid,
  or a receipt and a payment could be netted into a barter), the transaction is
  refused at its line: whether it is written as one transaction or as several,
  the figures are the same, or an error says why not.
- In a group that moves cash, a posting to an account no flow row of the
  statement takes (未払金 in a 予算 without working-capital rows) is the part not
  paid: when the group's other postings all feed one row and the cash is part
  of them, that row counts the cash (受託研究費 35,000, 未払金 −15,000, 現金
  −20,000 counts 20,000, as the payment and the accrual written apart do).
  Otherwise the cash moved through that account is explained by no row, and the
  transaction is an error naming the statement, the account and the amount.

So each cash statement reconciles on its own: its flow rows, with its opening
and closing working capital, add up to the change of its cash, in every segment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from yosan_ledger.plugins.core.layout import Layouts

# Postings of one transaction whose splits are tried (2**14 subsets), and sets of
# them balancing by themselves that are compared; beyond, the transaction is refused.
SPLIT_LIMIT = 14
ZERO_SETS_LIMIT = 256


@dataclass(frozen=True)
class Counted:
    """What a cash statement counts of one transaction's postings."""

    parts: tuple[int, ...]  # per posting: the yen counted on its account's flow row
    unexplained: tuple[tuple[str, int], ...] = ()  # (account, yen) that no row explains
    ambiguous: bool = False  # two ways of splitting it count differently

    @property
    def refused(self) -> bool:
        return self.ambiguous or bool(self.unexplained)


@dataclass(frozen=True)
class CashRule:
    """One cash statement's accounts: its cash and working capital, and the flow
    row that takes each other account."""

    statement: str
    side: frozenset[str]  # cash and working capital
    row_of: Mapping[str, str]  # account -> the flow row (ref) that takes it

    @classmethod
    def of(cls, layouts: Layouts, row_of_account: Mapping[str, str], statement: str) -> CashRule:
        accounts_of: dict[str, set[str]] = {}
        for account, ref in row_of_account.items():
            accounts_of.setdefault(ref, set()).add(account)

        def accounts(references: Sequence[str]) -> set[str]:
            found: set[str] = set()
            for reference in references:
                for ref in layouts.reach(reference):
                    found |= accounts_of.get(ref, set())
            return found

        layout = layouts[statement]
        side = accounts([layout.cash]) if layout.cash else set()
        row_of: dict[str, str] = {}
        for row in layout.rows:
            if row.kind != "cash":
                continue
            if row.basis == "flow":
                row_of.update(dict.fromkeys(accounts(row.of), row.ref))
            else:
                side |= accounts(row.of)
        return cls(statement, frozenset(side), row_of)

    def count(self, postings: Sequence[tuple[str, int]]) -> Counted:
        """What the statement counts of one transaction's postings of the year
        ((account, yen)), by the rule of this module."""
        nonzero = [i for i, (_account, amount) in enumerate(postings) if amount]
        counted = count(
            tuple(postings[i][1] for i in nonzero),
            tuple(postings[i][0] in self.side for i in nonzero),
            tuple(self.row_of.get(postings[i][0]) for i in nonzero),
        )
        parts = [0] * len(postings)
        for i, part in zip(nonzero, counted.parts, strict=True):
            parts[i] = part
        unexplained = tuple((postings[nonzero[i]][0], a) for i, a in counted.unexplained)
        return Counted(tuple(parts), unexplained, counted.ambiguous)


@dataclass(frozen=True)
class _Counted:
    parts: tuple[int, ...]
    unexplained: tuple[tuple[int, int], ...] = ()  # (position, yen)
    ambiguous: bool = False


Outcome = tuple[tuple[str, int], ...]  # yen per flow row, sorted


@lru_cache(maxsize=4096)
def count(
    amounts: tuple[int, ...], sides: tuple[bool, ...], rows: tuple[str | None, ...]
) -> _Counted:
    """What a cash statement counts of one transaction's non-zero postings: its
    ``amounts``, which of them are cash or working capital (``sides``), and the
    flow row that takes each of the others (``rows``: None for none)."""
    if not any(sides) or all(sides):
        return _Counted((0,) * len(amounts))
    return _Transaction(amounts, sides, rows).counted()


class _Transaction:
    """One transaction's postings, split every finest way (``count``)."""

    def __init__(
        self, amounts: tuple[int, ...], sides: tuple[bool, ...], rows: tuple[str | None, ...]
    ) -> None:
        self.amounts, self.sides, self.rows, self.n = amounts, sides, rows, len(amounts)
        self.unexplained: tuple[tuple[int, int], ...] = ()

    def counted(self) -> _Counted:
        n, full = self.n, (1 << self.n) - 1
        others = [i for i in range(n) if not self.sides[i]]
        if all(self.rows[i] is not None for i in others) and (
            len({self.amounts[i] > 0 for i in others}) == 1
        ):
            # Every group that holds another posting also holds cash, however it is
            # split (its other postings share a sign): each counts whole.
            return _Counted(self.whole())
        if min(sum(a > 0 for a in self.amounts), sum(a < 0 for a in self.amounts)) <= 1:
            groups = self.unsplittable(full)  # one posting against the rest
        elif n > SPLIT_LIMIT:
            return _Counted(self.whole(), ambiguous=True)
        else:
            groups = self.splittable(full)
        if groups is None:
            return _Counted(self.whole(), ambiguous=True)
        counted = {outcome: way for outcome, way in groups.items() if outcome is not None}
        if len(counted) == 1:
            return _Counted(self.parts(next(iter(counted.values()))))
        if counted:
            return _Counted(self.parts(next(iter(counted.values()))), ambiguous=True)
        return _Counted(self.whole(), self.unexplained)

    def unsplittable(self, full: int) -> dict[Outcome | None, tuple[int, ...]]:
        return {self.group(full)[0]: (full,)}

    def splittable(self, full: int) -> dict[Outcome | None, tuple[int, ...]] | None:
        """Each way the transaction counts, with the groups of one split into it;
        None when there are too many sets of postings that balance to compare."""
        sums = np.zeros(1 << self.n, dtype=object)
        for i, amount in enumerate(self.amounts):
            sums[1 << i : 2 << i] = sums[: 1 << i] + amount
        if sums[full] != 0:  # postings left out of the transaction: reported elsewhere
            return {self.group(full)[0]: (full,)}
        zero = [int(m) for m in np.flatnonzero(sums == 0)[1:]]
        if len(zero) > ZERO_SETS_LIMIT:
            return None
        starting: dict[int, list[int]] = {}
        for group in zero:
            if not any(z != group and z & group == z for z in zero):  # cannot be split
                starting.setdefault(_lowest(group), []).append(group)
        found: dict[int, dict[Outcome | None, tuple[int, ...]]] = {0: {(): ()}}

        def ways(mask: int) -> dict[Outcome | None, tuple[int, ...]]:
            if mask not in found:
                here: dict[Outcome | None, tuple[int, ...]] = {}
                for group in starting.get(_lowest(mask), ()):
                    if group & mask == group:
                        outcome = self.group(group)[0]
                        for rest, groups in ways(mask & ~group).items():
                            here.setdefault(_add(outcome, rest), (group, *groups))
                    if len(here) > 2:  # two that count are enough to refuse
                        break
                found[mask] = here
            return found[mask]

        return ways(full)

    def group(self, group: int) -> tuple[Outcome | None, dict[int, int]]:
        """A group that balances and cannot be split: the yen of each flow row, and
        the part of each posting (None, and what no row explains, when refused)."""
        members = [i for i in range(self.n) if group >> i & 1]
        if not any(self.sides[i] for i in members):
            return (), {}
        taken = [i for i in members if not self.sides[i] and self.rows[i] is not None]
        untaken = [i for i in members if not self.sides[i] and self.rows[i] is None]
        parts = {i: self.amounts[i] for i in taken}
        if untaken:
            cash = -sum(self.amounts[i] for i in members if self.sides[i])
            on_rows = sum(parts.values())
            one_row = len({self.rows[i] for i in taken}) == 1
            if not (one_row and cash and (cash > 0) == (on_rows > 0) and abs(cash) <= abs(on_rows)):
                if not self.unexplained:
                    self.unexplained = tuple((i, self.amounts[i]) for i in untaken)
                return None, {}
            excess = on_rows - cash  # the part not paid, taken off postings of its sign
            for i in taken:
                if excess and (self.amounts[i] > 0) == (excess > 0):
                    cut = min(abs(self.amounts[i]), abs(excess)) * (1 if excess > 0 else -1)
                    parts[i] -= cut
                    excess -= cut
        by_row: dict[str, int] = {}
        for i, part in parts.items():
            row = self.rows[i]
            assert row is not None
            by_row[row] = by_row.get(row, 0) + part
        return tuple(sorted((r, a) for r, a in by_row.items() if a)), parts

    def parts(self, groups: tuple[int, ...]) -> tuple[int, ...]:
        parts = [0] * self.n
        for group in groups:
            for i, part in self.group(group)[1].items():
                parts[i] = part
        return tuple(parts)

    def whole(self) -> tuple[int, ...]:
        """Every posting but the cash side counted whole."""
        return tuple(0 if s else a for a, s in zip(self.amounts, self.sides, strict=True))


def _lowest(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


def _add(one: Outcome | None, other: Outcome | None) -> Outcome | None:
    if one is None or other is None:
        return None
    if not one or not other:
        return one or other
    total: dict[str, int] = dict(one)
    for row, amount in other:
        total[row] = total.get(row, 0) + amount
    return tuple(sorted((r, a) for r, a in total.items() if a))
