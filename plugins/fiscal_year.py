"""The ledger declares one budget, and every transaction lies in its fiscal year.

    2016-02-25 custom "yosan-budget" "平成28年度予算（案）" 2016-04-01 2017-03-31

Transactions fall between the first and last day of the fiscal year, except the
opening balances (前期末残高), dated the day before it starts, which may post to
balance-sheet accounts only.  The actual journal of a local government's budget
(``custom "yosan-local-government"``) runs on to the last day of its closing
period (出納整理期間); what it may hold then, ``yosan_ledger.plugins.closing_period`` says.
"""

from __future__ import annotations

from collections import namedtuple

from beancount.core import account_types, data

from yosan_ledger.plugins.core import actuals
from yosan_ledger.plugins.core.budget import BUDGET, Budget, find_budget
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.walk import customs

__plugins__ = ("validate_fiscal_year",)

FiscalYearError = namedtuple("FiscalYearError", "source message entry")

FORM = _('custom "yosan-budget" "title" FIRST-DAY LAST-DAY (dated the day it was adopted)')


def validate_fiscal_year(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[FiscalYearError]]:
    """The ledger declares one well-formed budget, and every transaction lies in its
    fiscal year (opening balances, the day before, post to balance-sheet accounts only)."""
    budget, directive = find_budget(entries)
    if directive is None and actuals.declared(entries):
        # An actual journal: its year is its budget's (yosan_ledger.plugins.actuals).
        budget, _declaration = actuals.period(entries)
        if budget is None:
            return entries, []
        return entries, _outside(entries, budget)
    if directive is None:
        meta = data.new_metadata(options_map.get("filename", "<ledger>"), 0)
        message = _("The ledger declares no budget: {form}", form=FORM)
        return entries, [FiscalYearError(meta, message, None)]
    declared = customs(entries, BUDGET)
    if len(declared) > 1:
        # The ledger's budget is the one its main file declares: a stray one in an
        # include (a copied file of another year) is the second, whatever its date.
        # Which year the transactions must lie in is then in doubt: no error says so.
        main = options_map.get("filename")
        in_main = [e for e in declared if e.meta.get("filename") == main]
        kept = in_main[0] if len(in_main) == 1 else directive
        return entries, [
            FiscalYearError(e.meta, _("A second budget in one ledger; declare one"), e)
            for e in declared
            if e is not kept
        ]
    if budget is None:
        message = _("Malformed budget: {form}", form=FORM)
        return entries, [FiscalYearError(directive.meta, message, directive)]
    errors = []
    if budget.end < budget.start:
        errors.append(
            FiscalYearError(
                directive.meta,
                _(
                    "The budget ends ({end}) before it starts ({start})",
                    end=budget.end,
                    start=budget.start,
                ),
                directive,
            )
        )
        return entries, errors
    errors += _outside(entries, budget)
    return entries, errors


def _outside(entries: list[data.Directive], budget: Budget) -> list[FiscalYearError]:
    """Each transaction outside the fiscal year (and its closing period, where it has
    one), and opening balances of flows."""
    errors = []
    opening, start, end = budget.opening_date, budget.start, budget.last_day
    outside = [e for e in entries if type(e) is data.Transaction and not start <= e.date <= end]
    for entry in outside:
        if entry.date == opening:
            flows = [
                p.account
                for p in entry.postings
                if account_types.get_account_type(p.account) in ("Income", "Expenses")
            ]
            if flows:
                errors.append(
                    FiscalYearError(
                        entry.meta,
                        _(
                            "An opening balance ({opening}) may post to balance-sheet accounts "
                            "only, not {account}",
                            opening=opening,
                            account=flows[0],
                        ),
                        entry,
                    )
                )
        elif budget.closing is not None:
            errors.append(
                FiscalYearError(
                    entry.meta,
                    _(
                        "Transaction dated {date} lies outside the fiscal year "
                        "{start} .. {end} and its closing period (出納整理期間), which ends "
                        "{closing}",
                        date=entry.date,
                        start=budget.start,
                        end=budget.end,
                        closing=budget.closing,
                    ),
                    entry,
                )
            )
        else:
            errors.append(
                FiscalYearError(
                    entry.meta,
                    _(
                        "Transaction dated {date} lies outside the fiscal year "
                        "{start} .. {end} (opening balances are dated {opening})",
                        date=entry.date,
                        start=budget.start,
                        end=budget.end,
                        opening=opening,
                    ),
                    entry,
                )
            )
    return errors
