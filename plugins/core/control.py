"""Execution control (予算執行管理): nothing is committed beyond the 予算現額 of its line.

A line's commitments are its obligations (支出負担行為, ``yosan-obligation``) and
its payments that name none (a payment without an obligation commits and pays
at once).  On every day they may not exceed the line's 予算現額 of that day: 当初
+ 前年度繰越 + the revisions adopted by then + the transfers (予備費充用, 流用) dated
by then.  The line is an account of a local government's budget (a 節); of any
other budget, the statement line the account feeds (its lines are the budget's
limits).  Expenditure only: revenue has no limit.

A day's budget changes come first (revisions, then transfers in file order), then
its obligations, then its payments, each in file order.  An act that would take
its line's commitments beyond the 予算現額 is refused, and counts for nothing
after: each error is one act to mend.  A transfer is refused when it would
leave its source with less than is committed; a revision that does is reported
at the journal's ``yosan-actuals`` directive.

Payments naming an obligation pay that obligation: on its account and segment,
not before it is made, and never more than it (as changed by then) leaves.
"""

from __future__ import annotations

import datetime
import operator
from collections import defaultdict
from dataclasses import dataclass

from beancount.core import data

from yosan_ledger.plugins.core import actuals, results, walk
from yosan_ledger.plugins.core.accounts import map_accounts
from yosan_ledger.plugins.core.acts import PAYS, Obligation, acts, local_of, where
from yosan_ledger.plugins.core.appropriations import appropriations
from yosan_ledger.plugins.core.budget import declared_segments
from yosan_ledger.plugins.core.flows import Flow, flows, transaction_flows, year_transactions
from yosan_ledger.plugins.core.local import EXPENDITURE, side
from yosan_ledger.plugins.core.memo import of_entries
from yosan_ledger.plugins.core.messages import Message, _

Unit = tuple[str, str]  # (the line: an account or a statement row ref, segment)


@dataclass(frozen=True)
class Refusal:
    """An act the control refuses, and why."""

    entry: data.Directive
    message: Message


@dataclass(frozen=True)
class Lines:
    """How a journal's accounts are controlled: the line of each expenditure account,
    and how a message names it."""

    unit_of: dict[str, str]  # expenditure account -> its line
    names: dict[str, str]  # line -> as a message names it
    segments: dict[str, str]  # segment key -> name

    def shown(self, unit: Unit) -> tuple[str, str]:
        return self.names.get(unit[0], unit[0]), self.segments.get(unit[1], unit[1])


def lines(entries: list[data.Directive]) -> Lines | None:
    """The lines of control of an actual journal: each account of a local
    government's budget, else the statement line an account feeds."""
    segments = {k: s.name for k, s in declared_segments(walk.of_type(entries, data.Custom)).items()}
    opened = [e.account for e in walk.of_type(entries, data.Open) if side(e.account) == EXPENDITURE]
    if local_of(entries) is not None:
        return Lines({a: a for a in opened}, {}, segments)
    layouts = results.layouts(entries)
    if layouts is None:
        return None
    row_of = map_accounts(walk.of_type(entries, data.Open), layouts)[0]
    unit_of = {a: row_of[a] for a in opened if a in row_of}
    names = {}
    for ref in set(unit_of.values()):
        row = layouts.row(ref)
        names[ref] = f"{layouts[row.statement].title} {row.label}"
    return Lines(unit_of, names, segments)


@of_entries
def control(entries: list[data.Directive]) -> tuple[Refusal, ...]:
    """The acts of an actual journal the control refuses, in date and file order."""
    if not actuals.declared(entries):
        return ()
    found = actuals.actuals_of(entries)
    budget = actuals.period(entries)[0]
    mapped = lines(entries)
    if found is None or found.budget is None or budget is None or mapped is None:
        return ()
    simulation = _Simulation(entries, found.directive, budget.start, mapped)
    return simulation.run(found.budget_entries) + _payments_of_obligations(entries, mapped)


class _Simulation:
    """The year's budget and commitments of each line, day by day."""

    def __init__(
        self,
        entries: list[data.Directive],
        directive: data.Custom,
        start: datetime.date,
        mapped: Lines,
    ) -> None:
        self.entries, self.directive, self.start, self.lines = entries, directive, start, mapped
        self.refused: list[tuple[tuple, Refusal]] = []

    def run(self, budget_entries: list[data.Directive]) -> tuple[Refusal, ...]:
        unit_of = self.lines.unit_of
        budgeted = appropriations(budget_entries)
        initial: dict[Unit, int] = defaultdict(int)
        for (account, segment), yen in [*budgeted.original.items(), *budgeted.carried.items()]:
            if account in unit_of:
                initial[(unit_of[account], segment)] += yen
        changes: list[tuple[tuple, Unit, int, object]] = []  # (order, unit, yen, cause)
        for number, revision in enumerate(budgeted.revisions):
            day = max(revision.adopted, self.start)
            for (account, segment), yen in revision.amounts.items():
                if account in unit_of and yen:
                    changes.append(((day, 0, number), (unit_of[account], segment), yen, revision))
        done = acts(self.entries)
        for transfer in done.transfers:
            order = (transfer.date, 1, *where(transfer.entry))
            changes.append((order, (transfer.source, transfer.segment), -transfer.amount, transfer))
            changes.append((order, (transfer.target, transfer.segment), transfer.amount, transfer))
        at_most = self._most_committed(done.obligations, unit_of)
        least = dict(initial)
        running = dict(initial)
        for _order, unit, yen, _cause in sorted(changes, key=lambda c: c[0]):
            running[unit] = running.get(unit, 0) + yen
            least[unit] = min(least.get(unit, 0), running[unit])
        watched = {u for u, most in at_most.items() if most > least.get(u, 0)}
        watched |= {(t.source, t.segment) for t in done.transfers}
        watched |= {(t.target, t.segment) for t in done.transfers}
        if not watched:
            return ()
        return self._simulate(initial, changes, done.obligations, watched)

    def _most_committed(self, obligations: tuple[Obligation, ...], unit_of: dict) -> dict:
        """The most each line could have committed: its obligations' and payments'
        increases, added (a line that cannot pass its least 予算現額 needs no closer look)."""
        most: dict[Unit, int] = defaultdict(int)
        for obligation in obligations:
            if obligation.amount > 0 and obligation.account in unit_of:
                most[(unit_of[obligation.account], obligation.segment)] += obligation.amount
        statements = results.statements(self.entries)
        if statements is None or local_of(self.entries) is not None:
            for flow in flows(self.entries):
                if flow.account in unit_of and flow.pays is None and flow.amount > 0:
                    most[(unit_of[flow.account], flow.segment)] += flow.amount
            return most
        figures = statements.account_figures
        # Each account's postings of the year that add to it: its flow less its credits.
        added = figures["flow"] - figures["credits"]
        for account in added.index:
            if account in unit_of:
                for segment, yen in added.loc[account].items():
                    if segment in self.lines.segments and yen > 0:
                        most[(unit_of[account], str(segment))] += int(yen)
        return most

    def _simulate(
        self,
        initial: dict[Unit, int],
        changes: list[tuple[tuple, Unit, int, object]],
        obligations: tuple[Obligation, ...],
        watched: set[Unit],
    ) -> tuple[Refusal, ...]:
        unit_of = self.lines.unit_of
        events: list[tuple[tuple, str, object]] = []
        by_cause: dict[int, list[tuple[Unit, int]]] = defaultdict(list)
        for order, unit, yen, cause in changes:
            if unit in watched:
                if id(cause) not in by_cause:
                    events.append((order, "change", cause))
                by_cause[id(cause)].append((unit, yen))
        for obligation in obligations:
            unit = (unit_of.get(obligation.account, ""), obligation.segment)
            if unit in watched:
                events.append(
                    ((obligation.date, 2, *where(obligation.entry)), "obligation", obligation)
                )
        for transaction, unit, yen in _uncommitted_payments(self.entries, watched, unit_of):
            order = (transaction.date, 3, *where(transaction))
            events.append((order, "payment", (unit, yen, transaction)))
        budget = dict(initial)
        committed: dict[Unit, int] = defaultdict(int)
        refusals = []
        events.sort(key=lambda e: e[0])
        for order, kind, cause in events:
            if kind == "change":
                refusals += self._change(cause, by_cause[id(cause)], budget, committed, order[0])
                continue
            if kind == "obligation":
                unit = (unit_of[cause.account], cause.segment)
                yen, entry, what = cause.amount, cause.entry, _("Obligation")
            else:
                unit, yen, entry = cause
                what = _("Payment")
            before = committed[unit]
            limit = budget.get(unit, 0)
            if yen > 0 and before + yen > limit:
                line, segment = self.lines.shown(unit)
                refusals.append(
                    Refusal(
                        entry,
                        _(
                            "{what} of {amount:,} yen on {line} ({segment}) exceeds its 予算現額 "
                            "of {budget:,} yen on {date}: {committed:,} yen is already "
                            "committed, {excess:,} yen over",
                            what=what,
                            amount=yen,
                            line=line,
                            segment=segment,
                            budget=limit,
                            date=order[0],
                            committed=before,
                            excess=before + yen - limit,
                        ),
                    )
                )
                continue
            committed[unit] = before + yen
        return tuple(refusals)

    def _change(
        self,
        cause: object,
        moves: list[tuple[Unit, int]],
        budget: dict[Unit, int],
        committed: dict[Unit, int],
        day: datetime.date,
    ) -> list[Refusal]:
        """A revision or a transfer: refused (a transfer) or reported (a revision) when
        it leaves a line with less than is committed."""
        short = [
            (unit, yen)
            for unit, yen in moves
            if yen < 0 and committed[unit] > budget.get(unit, 0) + yen
        ]
        refusals = []
        if short and hasattr(cause, "source"):  # a transfer: refused, both ends
            unit, yen = short[0]
            line, segment = self.lines.shown(unit)
            return [
                Refusal(
                    cause.entry,
                    _(
                        "The transfer of {amount:,} yen from {line} ({segment}) leaves it "
                        "less than is committed on {date}: 予算現額 {budget:,} yen, "
                        "{committed:,} yen committed",
                        amount=-yen,
                        line=line,
                        segment=segment,
                        date=day,
                        budget=budget.get(unit, 0),
                        committed=committed[unit],
                    ),
                )
            ]
        for unit, yen in short:  # a revision: it stands, and is reported
            line, segment = self.lines.shown(unit)
            refusals.append(
                Refusal(
                    self.directive,
                    _(
                        "The budget's revision {revision!r} ({date}) leaves {line} ({segment}) "
                        "a 予算現額 of {budget:,} yen, below the {committed:,} yen already "
                        "committed",
                        revision=getattr(cause, "name", ""),
                        date=day,
                        line=line,
                        segment=segment,
                        budget=budget.get(unit, 0) + yen,
                        committed=committed[unit],
                    ),
                )
            )
        for unit, yen in moves:
            budget[unit] = budget.get(unit, 0) + yen
        return refusals


def _uncommitted_payments(
    entries: list[data.Directive], watched: set[Unit], unit_of: dict[str, str]
) -> list[tuple[data.Transaction, Unit, int]]:
    """What each transaction that names no obligation pays on each watched line: the
    year's transactions that post to their accounts only are read."""
    lines = {line for line, _segment in watched}
    accounts = frozenset(a for a, line in unit_of.items() if line in lines)
    segments = {segment for _line, segment in watched}
    found = []
    for transaction in year_transactions(entries):
        if accounts.isdisjoint(map(_ACCOUNT, transaction.postings)):
            continue
        if transaction.meta.get(PAYS) is not None:
            continue  # it pays an obligation, committed when that was made
        tags = [t for t in transaction.tags or () if t in segments]
        if len(tags) != 1 or len(transaction.tags) != 1:
            continue  # another segment, or none: the segments rule reports it
        paid: dict[Unit, int] = defaultdict(int)
        for posting in transaction.postings:
            if posting.account in accounts and posting.units is not None:
                number = posting.units.number
                if number is not None and number == number.to_integral_value():
                    paid[(unit_of[posting.account], tags[0])] += int(number)
        found += [(transaction, unit, yen) for unit, yen in paid.items() if unit in watched and yen]
    return found


_ACCOUNT = operator.attrgetter("account")


def _payments_of_obligations(entries: list[data.Directive], mapped: Lines) -> tuple[Refusal, ...]:
    """Each payment naming an obligation pays it: on its account and segment, after
    it is made, within what it (as changed by then) leaves; an obligation is never
    reduced below what it has paid."""
    done = acts(entries)
    budget = actuals.period(entries)[0]
    if budget is None:
        return ()
    start, last = budget.start, budget.last_day
    named = [
        e
        for e in walk.transactions(entries)
        if e.meta.get(PAYS) is not None and start <= e.date <= last
    ]
    if not named and not done.obligations:
        return ()
    made: dict[str, list[Obligation]] = defaultdict(list)
    for obligation in done.obligations:
        made[obligation.key].append(obligation)
    by_transaction: dict[int, list[Flow]] = {}
    order = []
    refusals = []
    for transaction in named:
        paying = transaction_flows(entries, transaction)
        if any(side(f.account) == EXPENDITURE for f in paying):
            by_transaction[id(transaction)] = paying
            order.append(transaction)
        elif paying or _one_segment(entries, transaction):
            refusals.append(
                Refusal(
                    transaction,
                    _(
                        "The transaction names obligation {key!r} but pays no expenditure",
                        key=str(transaction.meta[PAYS]),
                    ),
                )
            )
    events: list[tuple[tuple, str, object]] = [
        ((o.date, 0, *where(o.entry)), "change", o) for o in done.obligations
    ]
    events += [((t.date, 1, *where(t)), "payment", t) for t in order]
    events.sort(key=lambda e: e[0])
    amount: dict[str, int] = defaultdict(int)
    paid: dict[str, int] = defaultdict(int)
    for _order, kind, cause in events:
        if kind == "change":
            key = cause.key
            if amount[key] + cause.amount < paid[key]:
                refusals.append(
                    Refusal(
                        cause.entry,
                        _(
                            "The change reduces obligation {key!r} to {amount:,} yen, below "
                            "the {paid:,} yen it has paid",
                            key=key,
                            amount=amount[key] + cause.amount,
                            paid=paid[key],
                        ),
                    )
                )
                continue
            amount[key] += cause.amount
            continue
        transaction = cause
        paying = by_transaction[id(transaction)]
        key = str(transaction.meta[PAYS]).strip()
        refusal = _payment_refusal(
            transaction, key, paying, made.get(key, []), amount, paid, mapped
        )
        if refusal is not None:
            refusals.append(refusal)
            continue
        paid[key] += sum(f.amount for f in paying if side(f.account) == EXPENDITURE)
    return tuple(refusals)


def _one_segment(entries: list[data.Directive], entry: data.Transaction) -> bool:
    segments = declared_segments(walk.of_type(entries, data.Custom))
    return len([t for t in entry.tags or () if t in segments]) == 1


def _payment_refusal(
    transaction: data.Transaction,
    key: str,
    paying: list[Flow],
    made: list[Obligation],
    amount: dict[str, int],
    paid: dict[str, int],
    mapped: Lines,
) -> Refusal | None:
    if not made:
        return Refusal(
            transaction,
            _(
                'The transaction pays obligation {key!r}, which no custom "yosan-obligation" makes',
                key=key,
            ),
        )
    first = made[0]
    if transaction.date < first.date:
        return Refusal(
            transaction,
            _(
                "The transaction pays obligation {key!r} before it is made ({date})",
                key=key,
                date=first.date,
            ),
        )
    spent = [f for f in paying if side(f.account) == EXPENDITURE]
    elsewhere = [f for f in spent if (f.account, f.segment) != (first.account, first.segment)]
    if elsewhere or not spent:
        other = elsewhere[0] if elsewhere else paying[0]
        return Refusal(
            transaction,
            _(
                "The transaction pays obligation {key!r}, made on {account} ({segment}), "
                "on {other} ({other_segment})",
                key=key,
                account=first.account,
                segment=mapped.segments.get(first.segment, first.segment),
                other=other.account,
                other_segment=mapped.segments.get(other.segment, other.segment),
            ),
        )
    yen = sum(f.amount for f in spent)
    if yen > 0 and paid[key] + yen > amount[key]:
        return Refusal(
            transaction,
            _(
                "Payment of {amount:,} yen on obligation {key!r} exceeds what is left of it "
                "on {date}: {committed:,} yen committed, {paid:,} yen paid, {excess:,} yen over",
                amount=yen,
                key=key,
                date=transaction.date,
                committed=amount[key],
                paid=paid[key],
                excess=paid[key] + yen - amount[key],
            ),
        )
    return None
