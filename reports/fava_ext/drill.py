"""Where a statement figure comes from, as a Fava journal filter.

A figure links to Fava's journal narrowed to the accounts feeding its row
(``Statements.accounts``) and, for a segment, to the segment's tag.  A cash
statement's row takes only part of those accounts' transactions, so its journal
is narrowed the way the engine narrows it (``yosan_ledger.plugins.core.cash``):

- a *flow* row counts the year's transactions that touch the statement's own
  cash or working capital: the journal adds that condition and leaves the
  opening balances (the transactions dated the day before the year) out;
- an *opening* row is the balance before the year: the opening transactions;
- a *closing* row, like a balance-sheet line, is every transaction up to the
  end of the year.

A total of a cash statement adds rows of different bases, so it has no journal
of its own; its lines have.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.plugins.core.engine import Statements


@dataclass(frozen=True)
class JournalFilter:
    """Fava's ``account`` and ``filter`` filters.  Fava's ``time`` filter is not used:
    it folds the transactions before the period into opening-balance entries."""

    account: str
    filter: str

    def params(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


def accounts_pattern(accounts: Iterable[str]) -> str:
    """A regular expression matching exactly these accounts (not their children).

    Beancount account names hold no regex metacharacter but ``-``, which is
    literal outside a character class; escaping it would only clutter the
    filter box.
    """
    names = "|".join(re.escape(a).replace("\\-", "-") for a in accounts)
    return f"^(?:{names})$"


def cash_moving_accounts(statements: Statements, statement: str) -> tuple[str, ...]:
    """A cash statement's cash and working capital: what a transaction touches to
    count in one of its flow rows."""
    rule = statements.cash_rules.get(statement)
    return tuple(sorted(rule.side)) if rule is not None else ()


def journal_filter(statements: Statements, ref: str, segment: str) -> JournalFilter | None:
    """The journal of the transactions behind one figure; None where no account feeds it."""
    accounts = statements.accounts.get(ref, ())
    row = statements.layouts.row(ref)
    kind = statements.layouts[row.statement].kind
    if not accounts or (kind == "cash" and row.kind == "total"):
        return None  # a total of the plan adds rows of different bases: see its lines
    conditions = [] if segment == TOTAL else [f"#{segment}"]
    opening = f'date:"{statements.budget.opening_date.isoformat()}"'
    if row.kind == "cash" and row.basis == "flow":
        moving = cash_moving_accounts(statements, row.statement)
        if moving:
            conditions.append(f'any(account:"{accounts_pattern(moving)}")')
        conditions.append(f"-{opening}")
    elif row.kind == "cash" and row.basis == "opening":
        conditions.append(opening)
    return JournalFilter(accounts_pattern(accounts), " ".join(conditions))


def basis(statements: Statements, ref: str) -> str:
    """Which transactions make a figure: ``balance`` (every one to the end of the
    year), ``flow`` (the year's), ``cash`` (the year's that move cash or working
    capital) or ``opening`` (the opening balances)."""
    row = statements.layouts.row(ref)
    if row.kind == "cash" and row.basis in ("flow", "opening"):
        return "cash" if row.basis == "flow" else "opening"
    return "balance" if statements.layouts[row.statement].kind == "balance" else "flow"
