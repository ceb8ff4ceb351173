"""The statements balance, and the 資金計画 agrees with the balance sheet.

Computes the three statements once per load (``plugins.engine``) and hands them
on in ``options_map`` for the ``yosan`` command and the Fava extension.  Reports
as errors, per segment: a balance sheet whose 資産合計 differs from its
負債純資産合計; a cash-flow plan whose closing cash, computed from its own rows,
differs from the balance sheet's 現金及び預金; and each transaction that moves
cash through an account no row of the plan takes (so the plan would miss it).
"""

from __future__ import annotations

from collections import namedtuple

from beancount.core import data

from plugins import walk
from plugins.budget import TOTAL, declared_segments, find_budget
from plugins.engine import Statements, compute_statements

__plugins__ = ("compute_and_check",)

StatementError = namedtuple("StatementError", "source message entry")

OPTION = "yosan_statements"  # where the computed statements travel in options_map


def statements_of(options_map: dict) -> Statements | None:
    """The statements a load computed, if the ledger ran this plugin."""
    return options_map.get(OPTION)


def compute_and_check(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[StatementError]]:
    statements = compute_statements(entries)
    options_map[OPTION] = statements
    if statements is None:
        return entries, []  # plugins.fiscal_year reports the missing budget
    customs = walk.of_type(entries, data.Custom)
    budget, directive = find_budget(customs)
    segments = declared_segments(customs)
    errors = []
    for failure in statements.failures:
        meta = directive.meta if failure.segment == TOTAL else segments[failure.segment].meta
        name = "合計" if failure.segment == TOTAL else segments[failure.segment].name
        errors.append(
            StatementError(
                meta,
                f"{failure.row.label} of {statements.layouts[failure.row.statement].title} "
                f"({name}) is {failure.value:,} yen but "
                f"{failure.other.label} of {statements.layouts[failure.other.statement].title} "
                f"is {failure.expected:,} yen (difference {failure.value - failure.expected:,})",
                directive if failure.segment == TOTAL else None,
            )
        )
    planned = set()
    for row in statements.layouts["cf"].value_rows():
        planned.update(statements.accounts[row.ref])
    for index in statements.cash_leaks:
        entry = entries[index]
        missed = sorted({p.account for p in entry.postings if p.account not in planned})
        errors.append(
            StatementError(
                entry.meta,
                f"Transaction moves cash through {', '.join(missed)}, which no row of "
                "資金計画 takes; record the cash movement against an account the plan "
                "covers, or keep non-cash entries in a transaction of their own",
                entry,
            )
        )
    return entries, errors
