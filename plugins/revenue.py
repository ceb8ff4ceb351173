"""A local government receives only what it has assessed (調定).

    2027-06-01 custom "yosan-assessment" Income:01-町税:01-町民税:01-個人 310000000 JPY
      segment: "ippan"
    2027-06-30 * "町民税（個人）第1期" #ippan
      Assets:1-歳計現金                   100000000 JPY
      Income:01-町税:01-町民税:01-個人

In the actual journal of a local government's budget, a receipt beyond what its
account (and segment) has assessed and not yet received by its day, a write-off
(不納欠損) beyond what is outstanding, and a reduced assessment below what is
received and written off are errors at their line.  A receipt marked ``assessment:
"随時"`` (or on an account so marked) is assessed when received
(``yosan_ledger.plugins.core.revenue``).
"""

from __future__ import annotations

from collections import namedtuple

from beancount.core import data

from yosan_ledger.plugins.core.revenue import revenue_refusals

__plugins__ = ("validate_revenue",)

RevenueError = namedtuple("RevenueError", "source message entry")


def validate_revenue(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[RevenueError]]:
    refused = revenue_refusals(entries)
    return entries, [RevenueError(r.entry.meta, r.message, r.entry) for r in refused]
