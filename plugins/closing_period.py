"""The closing period (出納整理期間) holds the year's receipts and payments only.

    2027-03-10 custom "yosan-local-government" 2028-05-31   ; in the budget ledger

From the day after the year's last to the last day of its closing period, the
actual journal of a local government's budget holds the receipts of what the year
assessed and the payments of what it committed, which belong to the year though
the cash moves in the next: a transaction then that receives or pays nothing, a
receipt assessed when received (随時: it belongs to the year it is received in),
and a payment that names no obligation of the year are errors at their line.  A
transaction after the closing period is outside the year
(``yosan_ledger.plugins.fiscal_year``).
"""

from __future__ import annotations

from collections import namedtuple

from beancount.core import data

from yosan_ledger.plugins.core import actuals, walk
from yosan_ledger.plugins.core.acts import PAYS, local_of
from yosan_ledger.plugins.core.budget import declared_segments
from yosan_ledger.plugins.core.flows import transaction_flows
from yosan_ledger.plugins.core.local import EXPENDITURE, REVENUE, side
from yosan_ledger.plugins.core.messages import _

__plugins__ = ("validate_closing_period",)

ClosingPeriodError = namedtuple("ClosingPeriodError", "source message entry")


def validate_closing_period(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[ClosingPeriodError]]:
    budget = actuals.period(entries)[0]
    if budget is None or budget.closing is None or local_of(entries) is None:
        return entries, []
    segments = declared_segments(walk.of_type(entries, data.Custom))
    errors = []
    for entry in walk.transactions(entries):
        if not budget.end < entry.date <= budget.closing:
            continue
        if len([t for t in entry.tags or () if t in segments]) != 1:
            continue  # the segments rule reports it
        found = transaction_flows(entries, entry)
        about = dict(date=entry.date, end=budget.end, closing=budget.closing)
        if not found:
            message = _(
                "Transaction dated {date}, in the closing period (出納整理期間, to {closing}): "
                "the year's journal then holds only receipts and payments of the year",
                **about,
            )
        elif any(f.on_receipt and side(f.account) == REVENUE for f in found):
            message = _(
                "A receipt assessed when received (随時) dated {date} belongs to the year it "
                "is received in, not to the year that ended {end}: in the closing period "
                "the year receives only what it assessed",
                **about,
            )
        elif entry.meta.get(PAYS) is None and any(side(f.account) == EXPENDITURE for f in found):
            message = _(
                "A payment dated {date}, in the closing period (出納整理期間, to {closing}), "
                'pays an obligation made in the year: name it (obligation: "key")',
                **about,
            )
        else:
            continue
        errors.append(ClosingPeriodError(entry.meta, message, entry))
    return entries, errors
