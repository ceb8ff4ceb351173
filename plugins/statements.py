"""The statements balance, and every cash statement accounts for its cash.

The statements are computed once per load (``yosan_ledger.plugins.core.results``),
and the ``yosan`` command and the Fava extension read the same computation.  Reports
as errors, per segment: a statement check that fails (資産合計 and 負債純資産合計,
the plan's closing cash and the balance sheet's); a cash statement whose rows do
not add up to the change of its cash and working capital; a sum beyond int64.
The cause of a cash statement that does not add up is reported at its line: each
transaction that moves the statement's cash through an account no row of it takes,
and each transaction two splits of which it would count differently (the rule is
``yosan_ledger.plugins.core.cash``).

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

from yosan_ledger.plugins.core import actuals, results, walk
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
    """Every statement balances, every cash statement accounts for its cash, and
    no posting is left out of every statement."""
    statements = results.statements(entries)
    if statements is None:
        return entries, []  # yosan_ledger.plugins.fiscal_year reports the missing budget
    customs = walk.of_type(entries, data.Custom)
    _budget, directive = find_budget(customs)
    if directive is None:  # an actual journal: its budget is in the ledger it names
        directive = actuals.declared(entries)[0]
    segments = declared_segments(customs)
    layouts = statements.layouts

    def at_segment(segment: str) -> tuple[dict, data.Directive | None]:
        """Where a segment's failure is said: its declaration; the total's, at the
        budget (or the journal's yosan-actuals)."""
        if segment == TOTAL or segment not in segments:
            return directive.meta, directive
        return segments[segment].meta, None

    errors = []
    for failure in statements.failures:
        hint: str = ""
        if layouts[failure.row.statement].kind == "cash" and statements.unexplained:
            hint = _("; see the transactions whose cash no row of the statement accounts for")
        elif statements.unplaced:
            hint = _("; see the postings left out of every statement")
        meta, entry = at_segment(failure.segment)
        errors.append(
            StatementCheckError(
                meta,
                _("{failure}{hint}", failure=failure_message(failure, statements), hint=hint),
                entry,
            )
        )
    checked = {(f.row.statement, f.segment) for f in statements.failures}
    names = {s.key: s.name for s in statements.segments}
    for mismatch in statements.mismatches:
        if (mismatch.statement, mismatch.segment) in checked:
            continue  # its own check says so already
        meta, entry = at_segment(mismatch.segment)
        errors.append(
            StatementCheckError(
                meta,
                _(
                    "{statement} ({segment}): its rows account for {counted:,} yen of cash "
                    "coming in, but its cash and working capital moved {moved:,} yen "
                    "(difference {difference:+,}); see the transactions whose cash no row "
                    "of it accounts for",
                    statement=layouts[mismatch.statement].title,
                    segment=names.get(mismatch.segment, "合計"),
                    counted=mismatch.counted,
                    moved=mismatch.moved,
                    difference=mismatch.counted - mismatch.moved,
                ),
                entry,
            )
        )
    for reference, segment in statements.overflows:
        row = layouts.row(reference)
        source = data.new_metadata(layouts[row.statement].source, row.lineno or 0)
        errors.append(
            StatementError(
                source,
                _(
                    "{statement} ({segment}): {row} adds up to more than a statement can "
                    "hold (9,223,372,036,854,775,807 yen); see the amounts and the totals "
                    "that make it",
                    statement=layouts[row.statement].title,
                    segment=names.get(segment, "合計"),
                    row=row.label,
                ),
                None,
            )
        )
    errors += _lost_postings(entries, statements)
    errors += _cash_errors(entries, statements)
    return entries, errors


def _cash_errors(entries: list[data.Directive], statements: Statements) -> list[StatementError]:
    """Each transaction a cash statement cannot count: what no row of it explains,
    or two ways of splitting it that it would count apart."""
    layouts = statements.layouts
    errors = []
    for statement, index, why in statements.unexplained:
        entry = entries[index]
        errors.append(
            StatementError(
                entry.meta,
                _(
                    "Transaction moves the cash of {statement} through {accounts}, which no "
                    "row of it takes: {amount:,} yen it cannot account for; put the account "
                    "on a row of {statement}, or write the part that moves no cash as a "
                    "transaction of its own",
                    statement=layouts[statement].title,
                    accounts=", ".join(dict.fromkeys(account for account, _ in why)),
                    amount=abs(sum(amount for _, amount in why)),
                ),
                entry,
            )
        )
    refused: dict[int, list[str]] = {}
    for statement, index in statements.ambiguous:
        refused.setdefault(index, []).append(layouts[statement].title)
    for index, titles in refused.items():
        entry = entries[index]
        errors.append(
            StatementError(
                entry.meta,
                _(
                    "Transaction can be split into transactions that balance in more than one "
                    "way, and {statements} would count them differently (which of its postings "
                    "move against cash cannot be told); write it as the separate transactions "
                    "it stands for (a payment, a depreciation or provision, a receipt)",
                    statements="、".join(titles),
                ),
                entry,
            )
        )
    return errors


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
