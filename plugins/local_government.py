"""A local government's budget is declared whole.

    2027-03-10 custom "yosan-local-government" 2028-05-31
    2027-03-10 custom "yosan-item-transfers" "給料" "職員手当等" "共済費"
    2027-12-15 custom "yosan-carryover-allowed" "町道改良事業" Expenses:08-土木費 60000000 JPY
      segment: "ippan"

In the budget ledger: one declaration, whose closing period (出納整理期間) ends
after the year's last day and at most two months after it; the 節 that may move
between 項, and the 繰越明許費 of the budget (a work, an Expenses account under
which accounts are opened, a positive amount, a declared segment), each after
the declaration; every account of 歳入歳出 named down to its 項 at least; one
account with ``role: "繰越金"``; ``role`` and ``assessment`` on the accounts they
fit (``yosan_ledger.plugins.core.local`` describes each).
"""

from __future__ import annotations

from collections import namedtuple

from beancount.core import data

from yosan_ledger.plugins.core import local

__plugins__ = ("validate_local_government",)

LocalGovernmentError = namedtuple("LocalGovernmentError", "source message entry")


def validate_local_government(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[LocalGovernmentError]]:
    return entries, [LocalGovernmentError(*p) for p in local.problems(entries)]
