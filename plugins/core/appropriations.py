"""予算現額 by account: what each line of a budget holds on a day.

Read from the budget ledger's transactions, per account (a 節 of a local
government's budget, any account of another) and segment, in yen, positive on
both sides (revenue to be received, expenditure allowed):

- 当初予算: the transactions of no revision;
- 前年度繰越: the transactions with ``carryover: "繰越明許費"`` (or ``"事故繰越"``), the
  spending authority carried from the year before and its funds, written into
  this budget by ``yosan rollover`` of last year's actual journal;
- 補正予算: each revision's transactions, from the day it is adopted.

The transfers of the actual journal (予備費充用, 流用) change the 予算現額 from
their day too (``yosan_ledger.plugins.core.acts``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from beancount.core import data

from yosan_ledger.plugins.core import revisions, walk
from yosan_ledger.plugins.core.budget import declared_segments, find_budget
from yosan_ledger.plugins.core.local import REVENUE, side
from yosan_ledger.plugins.core.memo import of_entries

CARRYOVER = "carryover"  # metadata of a budget transaction: 前年度繰越, and of which kind
EXPLICIT, ACCIDENT = "繰越明許費", "事故繰越"
CARRYOVER_KINDS = (EXPLICIT, ACCIDENT)

Line = tuple[str, str]  # (account, segment)


@dataclass(frozen=True)
class Revised:
    name: str
    adopted: datetime.date
    amounts: dict[Line, int]


@dataclass(frozen=True)
class Appropriations:
    """A budget ledger's amounts per line: 当初, 前年度繰越, and each revision's."""

    original: dict[Line, int]
    carried: dict[Line, int]
    revisions: tuple[Revised, ...]  # in the order they were adopted

    def lines(self) -> set[Line]:
        found = set(self.original) | set(self.carried)
        for revision in self.revisions:
            found |= set(revision.amounts)
        return found

    def revised(self, line: Line, day: datetime.date) -> int:
        """補正予算額: the revisions adopted by ``day``."""
        return sum(r.amounts.get(line, 0) for r in self.revisions if r.adopted <= day)

    def on(self, line: Line, day: datetime.date) -> int:
        """当初 + 前年度繰越 + the revisions adopted by ``day`` (transfers apart)."""
        return self.original.get(line, 0) + self.carried.get(line, 0) + self.revised(line, day)


@of_entries
def appropriations(entries: list[data.Directive]) -> Appropriations:
    """The budget's amounts per line, from a budget ledger's entries."""
    budget = find_budget(entries)[0]
    segments = set(declared_segments(walk.of_type(entries, data.Custom)))
    known = {r.name: r for r in revisions.revisions(entries)}
    original: dict[Line, int] = defaultdict(int)
    carried: dict[Line, int] = defaultdict(int)
    revised: dict[str, dict[Line, int]] = {name: defaultdict(int) for name in known}
    if budget is None:
        return Appropriations({}, {}, ())
    for entry in walk.transactions(entries):
        if not budget.start <= entry.date <= budget.end:
            continue
        tags = [t for t in entry.tags or () if t in segments]
        if len(tags) != 1:
            continue  # the segments rule reports it
        revision = revisions.revision_of(entry)
        if revision is not None and revision not in known:
            continue  # the revisions rule reports it
        into = (
            revised[revision]
            if revision is not None
            else carried
            if CARRYOVER in entry.meta
            else original
        )
        for posting in entry.postings:
            where = side(posting.account)
            if where is None or posting.units is None or posting.units.number is None:
                continue
            yen = int(posting.units.number)
            into[(posting.account, tags[0])] += -yen if where == REVENUE else yen
    return Appropriations(
        dict(original),
        dict(carried),
        tuple(Revised(name, r.adopted, dict(revised[name])) for name, r in known.items()),
    )
