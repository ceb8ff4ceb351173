"""A carry-over (繰越) takes only what the year has not spent, as the law allows it.

    2028-03-31 custom "yosan-carryover" "繰越明許費" Expenses:…:工事請負費 50000000 JPY
      Income:…:国庫補助金 20000000 JPY   ; (on the same line: the funds not yet received)
      segment: "ippan"

On the actual journal of a local government's budget, at the year's settlement:
the carry-overs of a line never exceed its 予算現額 less what it paid (so 不用額 is
never negative); its 事故繰越 never exceed what it committed and did not pay
(事故繰越 carries a 支出負担行為, 地方自治法施行令第150条); a 繰越明許費 falls under
one the budget declares (``yosan-carryover-allowed``: its account and segment),
and those under one add up to no more than it allows; the funds not yet received
(未収入特定財源) named on a revenue line never exceed its 予算現額 less what it
received.  Each error is at the carry-over that passes the limit.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple

import pandas as pd
from beancount.core import data

from yosan_ledger.plugins.core import actuals
from yosan_ledger.plugins.core.acts import Carryover, acts, local_of
from yosan_ledger.plugins.core.appropriations import ACCIDENT, EXPLICIT
from yosan_ledger.plugins.core.local import Allowance
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.settlement import SettlementOverflow, settlement

__plugins__ = ("validate_carryovers",)

CarryoverError = namedtuple("CarryoverError", "source message entry")


def validate_carryovers(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[CarryoverError]]:
    local = local_of(entries)
    carried = acts(entries).carryovers
    if local is None or not carried:
        return entries, []
    try:
        settled = settlement(entries)
    except SettlementOverflow:
        return entries, []  # the acts rule reports what passes the limit
    found = actuals.actuals_of(entries)
    if settled is None or found is None:
        return entries, []
    leaves = settled.figures[settled.figures["segment"] != "total"].set_index(["key", "segment"])
    checks = _Checks(leaves, local.allowances)
    errors = []
    for carryover in carried:
        why = checks.refusal(carryover)
        if why is not None:
            errors.append(CarryoverError(carryover.entry.meta, why, carryover.entry))
    return entries, errors


class _Checks:
    """What the carry-overs so far have taken of each line, allowance and revenue."""

    def __init__(self, leaves: pd.DataFrame, allowances: tuple[Allowance, ...]) -> None:
        self.leaves, self.allowances = leaves, allowances
        self.carried: dict[tuple[str, str], int] = defaultdict(int)
        self.accident: dict[tuple[str, str], int] = defaultdict(int)
        self.allowed: dict[int, int] = defaultdict(int)
        self.financed: dict[tuple[str, str], int] = defaultdict(int)

    def figure(self, account: str, segment: str, column: str) -> int:
        key = (account, segment)
        return int(self.leaves.at[key, column]) if key in self.leaves.index else 0

    def refusal(self, carryover: Carryover) -> str | None:
        line = (carryover.account, carryover.segment)
        budget = self.figure(*line, "budget")
        paid = self.figure(*line, "paid")
        if self.carried[line] + carryover.amount > budget - paid:
            return _(
                "The carry-over of {amount:,} yen exceeds what {account} has not spent: "
                "予算現額 {budget:,} yen, paid {paid:,} yen, carried over already {carried:,} yen",
                amount=carryover.amount,
                account=carryover.account,
                budget=budget,
                paid=paid,
                carried=self.carried[line],
            )
        if carryover.kind == ACCIDENT:
            committed = self.figure(*line, "committed")
            if self.accident[line] + carryover.amount > committed - paid:
                return _(
                    "事故繰越 of {amount:,} yen exceeds what {account} committed and did not "
                    "pay ({unpaid:,} yen): 事故繰越 carries an obligation of the year",
                    amount=carryover.amount,
                    account=carryover.account,
                    unpaid=committed - paid - self.accident[line],
                )
        allowance = None
        if carryover.kind == EXPLICIT:
            covering = [
                (number, a)
                for number, a in enumerate(self.allowances)
                if a.segment == carryover.segment
                and (
                    carryover.account == a.account or carryover.account.startswith(a.account + ":")
                )
            ]
            if not covering:
                return _(
                    "No 繰越明許費 of the budget covers {account}: the budget declares each "
                    '(custom "yosan-carryover-allowed" "事業" Expenses:… AMOUNT JPY)',
                    account=carryover.account,
                )
            allowance = covering[0]
            number, allowed = allowance
            if self.allowed[number] + carryover.amount > allowed.limit:
                return _(
                    "繰越明許費 {work!r} allows {limit:,} yen; with this carry-over of "
                    "{amount:,} yen its carry-overs come to {total:,} yen",
                    work=allowed.work,
                    limit=allowed.limit,
                    amount=carryover.amount,
                    total=self.allowed[number] + carryover.amount,
                )
        for revenue, yen in carryover.financing:
            source = (revenue, carryover.segment)
            left = self.figure(*source, "budget") - self.figure(*source, "received")
            if self.financed[source] + yen > left:
                return _(
                    "Funds not yet received of {amount:,} yen on {account}: its 予算現額 less "
                    "what it received leaves {left:,} yen",
                    amount=yen,
                    account=revenue,
                    left=left - self.financed[source],
                )
        self.carried[line] += carryover.amount
        if carryover.kind == ACCIDENT:
            self.accident[line] += carryover.amount
        if allowance is not None:
            self.allowed[allowance[0]] += carryover.amount
        for revenue, yen in carryover.financing:
            self.financed[(revenue, carryover.segment)] += yen
        return None
