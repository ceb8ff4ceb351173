"""The statements balance, and the 資金計画 agrees with the balance sheet.

The statements are computed once per load (``yosan_ledger.plugins.core.results``),
and the ``yosan`` command and the Fava extension read the same computation.  Reports
as errors, per segment: a balance sheet whose 資産合計 differs from its
負債純資産合計; a cash-flow plan whose closing cash, computed from its own rows,
differs from the balance sheet's cash row; each transaction that moves
cash through an account no row of the plan takes (so the plan would miss it);
and each transaction whose cash part cannot be told from the non-cash entries
written in it (the plan counts only what moves against cash and working capital).

Nothing is lost silently: each posting to an account that feeds no statement
line is reported at the posting (the account's Open is reported by
``yosan_ledger.plugins.statement_lines``), and so is each ``pad`` directive, since the
padding transaction Beancount adds after the plugins have run is in no statement.
"""

from __future__ import annotations

import os
from collections import namedtuple
from collections.abc import Iterable

from beancount.core import data

from yosan_ledger.plugins.core import results, walk
from yosan_ledger.plugins.core.budget import TOTAL, declared_segments, find_budget
from yosan_ledger.plugins.core.engine import Statements, failure_message
from yosan_ledger.plugins.core.messages import Message, _
from yosan_ledger.plugins.core.problem import Consequence
from yosan_ledger.plugins.core.spelling import nearest

__plugins__ = ("check_statements",)

StatementError = namedtuple("StatementError", "source message entry")


class StatementCheckError(namedtuple("StatementCheckError", "source message entry"), Consequence):
    """A statement's totals disagree (資産合計 and 負債純資産合計, the plan's closing cash)."""


def check_statements(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[StatementError]]:
    statements = results.statements(entries)
    if statements is None:
        return entries, []  # yosan_ledger.plugins.fiscal_year reports the missing budget
    customs = walk.of_type(entries, data.Custom)
    _budget, directive = find_budget(customs)
    segments = declared_segments(customs)
    errors = []
    layouts = statements.layouts
    for failure in statements.failures:
        meta = directive.meta if failure.segment == TOTAL else segments[failure.segment].meta
        hint: str = ""
        if layouts[failure.row.statement].kind == "cash" and statements.cash_leaks:
            hint = _(
                "; see the transactions that move cash through accounts the plan does not take"
            )
        elif statements.unplaced:
            hint = _("; see the postings left out of every statement")
        errors.append(
            StatementCheckError(
                meta,
                _("{failure}{hint}", failure=failure_message(failure, statements), hint=hint),
                directive if failure.segment == TOTAL else None,
            )
        )
    errors += _lost_postings(entries, statements)
    plans = statements.layouts.of_kind("cash")
    planned = set()
    for plan in plans:
        for row in plan.value_rows():
            planned.update(statements.accounts[row.ref])
    plan_titles = "、".join(plan.title for plan in plans)
    for index in statements.cash_leaks:
        entry = entries[index]
        missed = sorted({p.account for p in entry.postings if p.account not in planned})
        errors.append(
            StatementError(
                entry.meta,
                _(
                    "Transaction moves cash through {accounts}, which no row of "
                    "{plans} takes; record the cash movement against an account the plan "
                    "covers, or keep non-cash entries in a transaction of their own",
                    accounts=", ".join(missed),
                    plans=plan_titles,
                ),
                entry,
            )
        )
    for index in statements.cash_ambiguous:
        entry = entries[index]
        errors.append(
            StatementError(
                entry.meta,
                _(
                    "Transaction moves cash and holds non-cash entries, and which of its "
                    "postings are paid in cash cannot be told (more than one set of them "
                    "balances by itself, or too many postings to try); write the non-cash "
                    "entries (depreciation, provisions) as a transaction of their own"
                ),
                entry,
            )
        )
    return entries, errors


def _never_opened(account: str, opened: Iterable[str]) -> Message:
    """Why a posting's account feeds nothing: never opened, and the opened account
    its name is nearest to, if one is near (a mistyped 雑収人 for 雑収入)."""
    guess = nearest(account, opened)
    if guess is None:
        return _("it is never opened")
    return _("it is never opened (did you mean {account}?)", account=guess)


def _lost_postings(entries: list[data.Directive], statements: Statements) -> list[StatementError]:
    opened = {e.account: e.meta for e in entries if isinstance(e, data.Open)}
    errors = []
    for index, position in statements.unplaced:
        entry = entries[index]
        posting = entry.postings[position]
        meta = opened.get(posting.account)
        why = (
            _(
                "its Open ({where}) names no statement line",
                where=f"{os.path.basename(meta['filename'])}:{meta['lineno']}",
            )
            if meta
            else _never_opened(posting.account, opened)
        )
        errors.append(
            StatementError(
                posting.meta or entry.meta,
                _(
                    "Posting of {number:,} yen to {account} is left out of every statement: {why}",
                    number=posting.units.number,
                    account=posting.account,
                    why=why,
                ),
                entry,
            )
        )
    for entry in entries:
        if isinstance(entry, data.Pad):
            errors.append(
                StatementError(
                    entry.meta,
                    _(
                        "pad is not used in a budget: the transaction Beancount would add is "
                        "in no statement; write the transaction, with its segment tag"
                    ),
                    entry,
                )
            )
    return errors
