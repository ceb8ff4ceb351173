"""Advances (前受金) by purpose, tied to the statements per segment.

    2027-03-31 open Liabilities:4-固定負債:42-長期前受金:421-施設更新  JPY
      line: "長期前受金"
      advance: "施設更新"
    2017-03-31 custom "yosan-advance-published" "施設更新" 200000 1200000 "千円"

An account whose Open names an ``advance`` purpose holds the advances received
for it.  予定前受金 is what the year receives into such accounts (their credits in
the year), 累積前受金 their balance at its end.  Once a ledger declares a purpose,
in every segment the 累積前受金 must equal the balance sheet's 長期前受金 and the
予定前受金 the 資金計画's その他 (資金収入) (rows named in layouts/advances.toml).
A broken tie is an error at each transaction that makes the difference (one
posting to 長期前受金 outside an advance account, cash received under その他 that
is no advance …).  An advance account that feeds another row is an error at its
Open.  A published figure (予定前受金, 累積前受金 of a purpose or of 合計) the
ledger no longer gives is an error at its line.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
from decimal import Decimal

import pandas as pd
from beancount.core import data

from yosan_ledger.plugins.core import results, walk
from yosan_ledger.plugins.core.accounts import map_accounts
from yosan_ledger.plugins.core.advances import (
    ADVANCE,
    LAYOUT_FILE,
    AdvancesLayout,
    advance_accounts,
    advances_layout,
    advances_of,
    by_purpose,
)
from yosan_ledger.plugins.core.budget import declared_segments, values
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.sums import CURRENCY
from yosan_ledger.plugins.core.units import BY_LABEL, discrepancy, round_half_up, unknown_unit

__plugins__ = ("check_advances",)

AdvanceError = namedtuple("AdvanceError", "source message entry")

ADVANCE_PUBLISHED = "yosan-advance-published"
PUBLISHED_FORM = 'custom "yosan-advance-published" "purpose|合計" RECEIVED CUMULATIVE "千円"'


def _segment_transactions(
    entries: list[data.Directive], statements: Statements
) -> Iterator[tuple[data.Transaction, str, bool]]:
    """(transaction, its segment, whether it is the opening balance) in the budget."""
    budget = statements.budget
    keys = {s.key for s in statements.segments}
    for entry in walk.transactions(entries):
        if not budget.opening_date <= entry.date <= budget.end:
            continue
        tags = (entry.tags or set()) & keys
        if len(tags) == 1:
            yield entry, next(iter(tags)), entry.date == budget.opening_date


def _yen(posting: data.Posting) -> int:
    units = posting.units
    if units is None or units.currency != CURRENCY or units.number is None:
        return 0
    return int(units.number)


def _contributions(
    entries: list[data.Directive], statements: Statements, layout: AdvancesLayout
) -> dict[int, tuple[data.Transaction, dict, str, int, int]]:
    """Per transaction (by id): where to report it, its segment, and how much it
    widens each tie — (balance-sheet row − 累積前受金, cash-flow row − 予定前受金),
    in yen."""
    advances = set(advance_accounts(entries))
    rows = statements.layouts
    balance_accounts = set(statements.accounts[rows.row(layout.balance).ref]) - advances
    receipt_accounts = set(statements.accounts[rows.row(layout.receipts).ref])
    receipts = statements.layouts.row(layout.receipts)
    rule = statements.cash_rules.get(receipts.statement)
    found = {}
    for entry, segment, opening in _segment_transactions(entries, statements):
        stray = [p for p in entry.postings if p.account in balance_accounts]
        outside = sum(-_yen(p) for p in stray)
        received = planned = 0
        if not opening:
            received = sum(max(-_yen(p), 0) for p in entry.postings if p.account in advances)
            if any(p.account in receipt_accounts for p in entry.postings):
                postings = [(p.account, _yen(p)) for p in entry.postings]
                parts = rule.count(postings).parts if rule else [a for _, a in postings]
                planned = receipts.sign * sum(
                    -part
                    for (account, _), part in zip(postings, parts, strict=True)
                    if account in receipt_accounts
                )
        if outside or planned != received:
            where = (stray[0].meta or entry.meta) if stray else entry.meta
            found[id(entry)] = (entry, where, segment, outside, planned - received)
    return found


def _open_errors(
    entries: list[data.Directive], statements: Statements, layout: AdvancesLayout
) -> list[AdvanceError]:
    row_of_account, _rows = map_accounts(entries, statements.layouts)
    balance = statements.layouts.row(layout.balance)
    errors = []
    for name, entry in advance_accounts(entries).items():
        ref = row_of_account.get(name)
        if ref is not None and ref != balance.ref:
            errors.append(
                AdvanceError(
                    entry.meta,
                    _(
                        "Account {account} holds the advance {purpose!r} but feeds {row}, "
                        "not {balance}",
                        account=name,
                        purpose=entry.meta[ADVANCE],
                        row=statements.layouts.row(ref).label,
                        balance=balance.label,
                    ),
                    entry,
                )
            )
    return errors


def _tie_errors(
    entries: list[data.Directive],
    statements: Statements,
    layout: AdvancesLayout,
    frame: pd.DataFrame,
) -> list[AdvanceError]:
    by_segment = frame.groupby("segment")[["received", "cumulative"]].sum()
    segments = declared_segments(entries)
    balance, receipts = (
        statements.layouts.row(layout.balance),
        statements.layouts.row(layout.receipts),
    )
    culprits = None
    errors = []
    for segment in segments.values():
        got = by_segment.loc[segment.key] if segment.key in by_segment.index else None
        received = int(got["received"]) if got is not None else 0
        cumulative = int(got["cumulative"]) if got is not None else 0
        ties = (
            (
                0,
                layout.cumulative_header,
                cumulative,
                f"{statements.layouts[balance.statement].title} {balance.label}",
                statements.figure(layout.balance, segment.key),
            ),
            (
                1,
                layout.received_header,
                received,
                f"{statements.layouts[receipts.statement].title} {receipts.label} "
                f"({receipts.section})",
                statements.figure(layout.receipts, segment.key),
            ),
        )
        for which, label, value, other, expected in ties:
            if value == expected:
                continue
            if culprits is None:
                culprits = _contributions(entries, statements, layout)
            head = _(
                "{label} ({segment}) is {value:,} yen but {other} is {expected:,} yen "
                "(difference {difference:+,})",
                label=label,
                segment=segment.name,
                value=value,
                other=other,
                expected=expected,
                difference=expected - value,
            )
            found = [
                (entry, meta if which == 0 else entry.meta, widths[which])
                for entry, meta, key, *widths in culprits.values()
                if key == segment.key and widths[which]
            ]
            for entry, where, width in found:
                why = (
                    _(
                        "this transaction posts {width:+,} yen to {balance} outside any "
                        "advance account (give the account an `advance:` purpose)",
                        width=width,
                        balance=balance.label,
                    )
                    if which == 0
                    else _(
                        "this transaction accounts for {width:+,} yen of it (cash under "
                        "{receipts} that is no advance received, or an advance received "
                        "without cash)",
                        width=width,
                        receipts=receipts.label,
                    )
                )
                message = _("{head}; {why}", head=head, why=why)
                errors.append(AdvanceError(where, message, entry))
            if not found:
                errors.append(AdvanceError(segment.meta, head, None))
    return errors


def _published_errors(
    entries: list[data.Directive], layout: AdvancesLayout, frame: pd.DataFrame
) -> list[AdvanceError]:
    sums = by_purpose(frame, layout.total_label)
    errors = []
    for entry in walk.customs(entries, ADVANCE_PUBLISHED):
        args = values(entry)
        if (
            len(args) != 4
            or not isinstance(args[0], str)
            or not isinstance(args[3], str)
            or not all(isinstance(a, Decimal) and a == a.to_integral_value() for a in args[1:3])
        ):
            errors.append(
                AdvanceError(
                    entry.meta,
                    _("Malformed published advance: {form}", form=PUBLISHED_FORM),
                    entry,
                )
            )
            continue
        purpose, received, cumulative, unit_label = args
        unit = BY_LABEL.get(unit_label)
        if unit is None:
            errors.append(AdvanceError(entry.meta, unknown_unit(unit_label), entry))
            continue
        if purpose not in sums.index:
            known = ", ".join([*sums.index])
            errors.append(
                AdvanceError(
                    entry.meta,
                    _("No advance is kept for {purpose!r}: {known}", purpose=purpose, known=known),
                    entry,
                )
            )
            continue
        for header, column, published in (
            (layout.received_header, "received", received),
            (layout.cumulative_header, "cumulative", cumulative),
        ):
            computed = round_half_up(int(sums.at[purpose, column]), unit)
            if computed != int(published):
                errors.append(
                    AdvanceError(
                        entry.meta,
                        _(
                            "{table} {purpose} ({header}): {discrepancy}",
                            table=layout.title,
                            purpose=purpose,
                            header=header,
                            discrepancy=discrepancy(int(published), computed, unit),
                        ),
                        entry,
                    )
                )
    return errors


def check_advances(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[AdvanceError]]:
    """Per segment, 累積前受金 is the balance sheet's 長期前受金 and 予定前受金 the cash
    statement's receipts row; an advance account feeds the balance row it ties to; each
    published advance is what the ledger gives."""
    statements = results.statements(entries)
    if statements is None:
        return entries, []
    layout, error = advances_layout(entries)
    if error is not None:
        return entries, [AdvanceError(*results.layout_problem(error, None))]
    if layout is None:
        what = _("published advances")
        problems = results.undeclared(entries, ADVANCE_PUBLISHED, LAYOUT_FILE, what)
        return entries, [AdvanceError(*p) for p in problems]
    accounts = advance_accounts(entries)
    frame = advances_of(entries).frame
    if not accounts:
        return entries, [
            AdvanceError(
                e.meta,
                _(
                    "Published advances, but no account holds an advance "
                    "(give its Open an `advance:` purpose)"
                ),
                e,
            )
            for e in walk.customs(entries, ADVANCE_PUBLISHED)
        ]
    errors = _open_errors(entries, statements, layout)
    errors += _tie_errors(entries, statements, layout, frame)
    errors += _published_errors(entries, layout, frame)
    return entries, errors
