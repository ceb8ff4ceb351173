"""Every account feeds exactly one line of the balance sheet or income statement.

An account says where it belongs with metadata on its Open directive:

    2016-03-31 open Assets:11-流動資産:111-現金及び預金  JPY
      line: "現金及び預金"

Balance-sheet accounts (Assets, Liabilities, Equity) name a row of 予定貸借対照表,
income-statement accounts (Income, Expenses) a row of 予定損益計算書, by label or by
``section/label`` where the label stands twice.  An account with no ``line``, with
two (``line: "建物, 備品"``), or with a line its statement does not have is an error
at its Open directive, and so is an account under a root other than the five
standard ones (Assets, Liabilities, Equity, Income, Expenses: the statements read
an account's side and sign from its root, so the ``name_…`` options are not used).
The 資金計画 is fed through these lines (layouts/cf.toml).

A ledger known only in totals (a previous year's budget, kept for comparison)
may instead name a total its account feeds directly, below the lines:

    2015-03-31 open Assets:19-内訳不明の資産  JPY
      total: "資産合計"

An account names a line or a total, never both.
"""

from __future__ import annotations

from collections import namedtuple

from beancount.core import data

from yosan_ledger.plugins.core.accounts import map_accounts
from yosan_ledger.plugins.core.layout import default_layouts

__plugins__ = ("validate_statement_lines",)

StatementLineError = namedtuple("StatementLineError", "source message entry")


def validate_statement_lines(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[StatementLineError]]:
    _, problems = map_accounts(entries, default_layouts())
    return entries, [StatementLineError(*p) for p in problems]
