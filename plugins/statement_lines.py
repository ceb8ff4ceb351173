"""Every account feeds exactly one line of the ledger's statements.

An account says where it belongs with metadata on its Open directive:

    2027-03-31 open Assets:1-流動資産:11-現金預金  JPY
      line: "現金預金"

Assets, Liabilities and Equity accounts name a row of the ledger's balance
statement, Income and Expenses accounts a row of its flow statement (the kinds
its layouts declare), by label or by ``section/label`` where the label stands
twice.  An account with no ``line``, with two (``line: "建物, 備品"``), with a
line its statement does not have, or with no statement of its kind to feed is
an error at its Open directive, and so is an account under a root other than
the five standard ones (Assets, Liabilities, Equity, Income, Expenses: the
statements read an account's side and sign from its root, so the ``name_…``
options are not used).  A cash plan is fed through these lines.

A ledger known only in totals (a previous year's budget, kept for comparison)
may instead name a total its account feeds directly, below the lines:

    2015-03-31 open Assets:19-内訳不明の資産  JPY
      total: "資産合計"

An account names a line or a total, never both.
"""

from __future__ import annotations

from collections import namedtuple

from beancount.core import data

from yosan_ledger.plugins.core import results
from yosan_ledger.plugins.core.accounts import map_accounts

__plugins__ = ("validate_statement_lines",)

StatementLineError = namedtuple("StatementLineError", "source message entry")


def validate_statement_lines(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[StatementLineError]]:
    """Each opened account names exactly one existing line of the statement its root
    feeds (or, in a summary-level ledger, one total)."""
    layouts = results.layouts(entries)
    if layouts is None:
        return entries, []  # yosan_ledger.plugins.layouts reports why
    _, problems = map_accounts(entries, layouts)
    return entries, [StatementLineError(*p) for p in problems]
