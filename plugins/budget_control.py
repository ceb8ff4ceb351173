"""Nothing is committed beyond the 予算現額 of its line (予算執行管理).

    2027-12-20 custom "yosan-obligation" "R9-001" Expenses:08-土木費:…:14-工事請負費 120000000 JPY
      segment: "ippan"
    2028-01-10 * "町道桜通線改良工事 前払金" #ippan
      obligation: "R9-001"
      Expenses:08-土木費:02-道路橋りょう費:02-道路新設改良費:14-工事請負費  48000000 JPY
      Assets:1-歳計現金

In an actual journal, an obligation (支出負担行為) or a payment that names none,
which would take its line's commitments beyond the line's 予算現額 on its day,
is an error at its line naming the line, the 予算現額, what was already committed
and the excess; so is a transfer that would leave its source less than is
committed.  A payment naming an obligation pays it: on its account and segment,
not before it is made, within what it leaves.  The line is an account of a local
government's budget, else the statement line an account feeds
(``yosan_ledger.plugins.core.control``).
"""

from __future__ import annotations

from collections import namedtuple

from beancount.core import data

from yosan_ledger.plugins.core.control import control

__plugins__ = ("validate_budget_control",)

ControlError = namedtuple("ControlError", "source message entry")


def validate_budget_control(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[ControlError]]:
    return entries, [ControlError(r.entry.meta, r.message, r.entry) for r in control(entries)]
