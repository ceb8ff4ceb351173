"""A local government's budget (地方自治法): 歳入歳出 by 款・項・目・節, executed line by line.

    2027-03-10 custom "yosan-local-government" 2028-05-31
    2027-03-10 custom "yosan-item-transfers" "給料" "職員手当等" "共済費"
    2027-12-15 custom "yosan-carryover-allowed" "町道改良事業" Expenses:08-土木費 60000000 JPY
      segment: "ippan"

The first directive, in the budget ledger, declares the budget a local
government's, whose year closes with a closing period (出納整理期間) through the
day given (5月31日 of the next year): the receipts and payments of the year's
assessments and commitments made in it belong to the year.  Its revenue (歳入,
the Income accounts) and expenditure (歳出, the Expenses accounts) are named by
款, 項, 目 and 節, the components of the account below its root, each with its
code (``Expenses:02-総務費:01-総務管理費:01-一般管理費:02-給料``); the budget is
booked, and executed, on each account.  ``role: "予備費"`` on an account's Open
marks the reserve (予備費), ``role: "繰越金"`` the revenue the previous year's
surplus and the carried-over work's funds come in on, ``assessment: "随時"`` a
revenue whose every receipt is assessed when received (随時収入).

``yosan-item-transfers`` names the 節 whose amounts the budget allows to be
moved (流用) between the 項 of one 款 (予算第N条, 地方自治法第220条第2項);
``yosan-carryover-allowed`` is a 繰越明許費 of the budget (第2表): the work, the
account under which it may be carried into the next year, and the most that may.
``yosan_ledger.plugins.local_government`` checks them.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from beancount.core import account_types, amount, data

from yosan_ledger.plugins.core import walk
from yosan_ledger.plugins.core.budget import declared_segments, find_budget, values
from yosan_ledger.plugins.core.memo import of_entries
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.problem import Problem

LOCAL = "yosan-local-government"
ITEM_TRANSFERS = "yosan-item-transfers"
CARRYOVER_ALLOWED = "yosan-carryover-allowed"
LOCAL_FORM = _(
    'custom "yosan-local-government" LAST-DAY-OF-THE-CLOSING-PERIOD (in the budget ledger)'
)
ITEM_TRANSFERS_FORM = _('custom "yosan-item-transfers" "節" "節" … (the 節 the budget names)')
ALLOWED_FORM = _(
    'custom "yosan-carryover-allowed" "事業" Expenses:… AMOUNT JPY (segment: "key" below)'
)

REVENUE, EXPENDITURE = "Income", "Expenses"
SIDES = (REVENUE, EXPENDITURE)
LEVELS = ("款", "項", "目", "節")
ROLE, RESERVE, SURPLUS = "role", "予備費", "繰越金"
ASSESSMENT, ON_RECEIPT = "assessment", "随時"  # metadata: a receipt assessed when received
SEGMENT = "segment"  # metadata of a directive: the segment (会計) it belongs to
CODE = re.compile(r"\d+-")


@dataclass(frozen=True)
class Allowance:
    """A 繰越明許費 of the budget: the work, the account under which it is carried."""

    work: str
    account: str
    segment: str
    limit: int
    entry: data.Custom


@dataclass(frozen=True)
class LocalGovernment:
    """What a budget ledger declares of its execution under 地方自治法."""

    closing: datetime.date  # the last day of the closing period (出納整理期間)
    directive: data.Custom
    item_transfers: frozenset[str]  # 節 that may move between the 項 of one 款
    reserves: frozenset[str]  # the 予備費 accounts
    surplus: str | None  # the 繰越金 account
    on_receipt: frozenset[str]  # revenue accounts assessed when received (随時)
    allowances: tuple[Allowance, ...]


def label(component: str) -> str:
    """A 款, 項, 目 or 節 as printed: its account component without the code."""
    return CODE.sub("", component, count=1)


def path(account: str) -> tuple[str, ...]:
    """款, 項, 目, 節 of an account (its components below the root; a 細節 below
    the 節 is part of its 節)."""
    parts = account.split(":")[1:]
    return (*parts[:3], ":".join(parts[3:])) if len(parts) > 4 else tuple(parts)


def order(component: str) -> tuple[int, str]:
    """Components by their code's number (``2-`` before ``10-``), then by name."""
    found = CODE.match(component)
    return (int(found.group()[:-1]) if found else 1 << 62, component)


def side(account: str) -> str | None:
    """歳入 (Income) or 歳出 (Expenses), None for any other account."""
    root = account_types.get_account_type(account)
    return root if root in SIDES else None


@of_entries
def local_government(entries: list[data.Directive]) -> LocalGovernment | None:
    """The declaration of a budget ledger's entries; None: not a local government's
    (or a declaration that is malformed, which ``problems`` reports)."""
    found = walk.customs(entries, LOCAL)
    if not found:
        return None
    args = values(found[0])
    if len(args) != 1 or not isinstance(args[0], datetime.date):
        return None
    opens = walk.of_type(entries, data.Open)
    transfers = {
        a.strip() for e in walk.customs(entries, ITEM_TRANSFERS) for a in values(e) if _text(a)
    }
    roles = [(e.account, e.meta.get(ROLE)) for e in opens]
    surplus = [a for a, role in roles if role == SURPLUS]
    return LocalGovernment(
        closing=args[0],
        directive=found[0],
        item_transfers=frozenset(transfers),
        reserves=frozenset(a for a, role in roles if role == RESERVE),
        surplus=surplus[0] if len(surplus) == 1 else None,
        on_receipt=frozenset(e.account for e in opens if e.meta.get(ASSESSMENT) == ON_RECEIPT),
        allowances=tuple(a for a in map(_allowance, walk.customs(entries, CARRYOVER_ALLOWED)) if a),
    )


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _allowance(entry: data.Custom) -> Allowance | None:
    args = values(entry)
    if (
        len(args) != 3
        or not _text(args[0])
        or not isinstance(args[1], str)
        or side(args[1]) != EXPENDITURE
        or not isinstance(args[2], amount.Amount)
        or args[2].number is None
        or args[2].number <= 0
        or args[2].number != args[2].number.to_integral_value()
    ):
        return None
    segment = entry.meta.get(SEGMENT)
    if not isinstance(segment, str):
        return None
    return Allowance(args[0].strip(), args[1], segment, int(args[2].number), entry)


def problems(entries: list[data.Directive]) -> list[Problem]:
    """What is wrong with the declarations of a ledger's entries."""
    found = walk.customs(entries, LOCAL)
    declared = [
        *found,
        *walk.customs(entries, ITEM_TRANSFERS),
        *walk.customs(entries, CARRYOVER_ALLOWED),
    ]
    budget = find_budget(entries)[0]
    if declared and find_budget(entries)[1] is None:
        return [
            Problem(
                e.meta,
                _(
                    '{directive} belongs in the budget ledger (the one with custom "yosan-budget")',
                    directive=e.type,
                ),
                e,
            )
            for e in declared
        ]
    errors = [
        Problem(e.meta, _("A second declaration of a local government's budget"), e)
        for e in found[1:]
    ]
    if found:
        args = values(found[0])
        if len(args) != 1 or not isinstance(args[0], datetime.date):
            errors.append(Problem(found[0].meta, _("Malformed: {form}", form=LOCAL_FORM), found[0]))
        elif budget is not None and not budget.end < args[0] <= _two_months_after(budget.end):
            errors.append(
                Problem(
                    found[0].meta,
                    _(
                        "The closing period ends {closing}: it follows the year's last day "
                        "({end}) by at most two months (地方自治法第235条の5: 5月31日)",
                        closing=args[0],
                        end=budget.end,
                    ),
                    found[0],
                )
            )
    elif declared:
        errors += [
            Problem(
                e.meta,
                _(
                    "{directive} is for a local government's budget: declare custom "
                    '"yosan-local-government" first',
                    directive=e.type,
                ),
                e,
            )
            for e in declared
        ]
        return errors
    for entry in walk.customs(entries, ITEM_TRANSFERS):
        args = values(entry)
        if not args or not all(_text(a) for a in args):
            errors.append(
                Problem(entry.meta, _("Malformed: {form}", form=ITEM_TRANSFERS_FORM), entry)
            )
    segments = declared_segments(entries)
    opened = {e.account for e in walk.of_type(entries, data.Open)}
    for entry in walk.customs(entries, CARRYOVER_ALLOWED):
        allowance = _allowance(entry)
        if allowance is None:
            errors.append(Problem(entry.meta, _("Malformed: {form}", form=ALLOWED_FORM), entry))
        elif allowance.segment not in segments:
            errors.append(Problem(entry.meta, unknown_segment(allowance.segment, segments), entry))
        elif not any(
            a == allowance.account or a.startswith(allowance.account + ":") for a in opened
        ):
            errors.append(
                Problem(
                    entry.meta,
                    _("No account is opened under {account}", account=allowance.account),
                    entry,
                )
            )
    if found:
        errors += _account_problems(entries)
    return errors


def _two_months_after(day: datetime.date) -> datetime.date:
    """The last day of the second month after ``day``'s (3月31日 → 5月31日)."""
    month = day.month + 3  # the first day of the third month, less a day
    first = datetime.date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return first - datetime.timedelta(days=1)


def _account_problems(entries: list[data.Directive]) -> list[Problem]:
    errors = []
    roles: dict[str, list[data.Open]] = {}
    opened = {e.account for e in walk.of_type(entries, data.Open) if side(e.account)}
    for entry in walk.of_type(entries, data.Open):
        where = side(entry.account)
        role = entry.meta.get(ROLE)
        parts = entry.account.split(":")
        parents = [p for p in (":".join(parts[:n]) for n in range(2, len(parts))) if p in opened]
        if parents:
            errors.append(
                Problem(
                    entry.meta,
                    _(
                        "{account} is opened under {parent}, another account: a line of "
                        "歳入歳出 is an account with none below it (its 款, 項 and 目 are "
                        "the sums of the lines below them)",
                        account=entry.account,
                        parent=parents[0],
                    ),
                    entry,
                )
            )
        if where is not None and len(path(entry.account)) < 2:
            errors.append(
                Problem(
                    entry.meta,
                    _(
                        "{account}: an account of 歳入歳出 names its 款 and 項 at least "
                        "({root}:01-款:01-項:01-目:01-節)",
                        account=entry.account,
                        root=where,
                    ),
                    entry,
                )
            )
        if role is not None:
            wanted = {RESERVE: EXPENDITURE, SURPLUS: REVENUE}.get(role)
            if wanted is None or where != wanted:
                errors.append(
                    Problem(
                        entry.meta,
                        _(
                            'role: "{role}" marks the reserve ("予備費", an Expenses account) or '
                            'the surplus brought forward ("繰越金", an Income account)',
                            role=role,
                        ),
                        entry,
                    )
                )
            else:
                roles.setdefault(role, []).append(entry)
        marked = entry.meta.get(ASSESSMENT)
        if marked is not None and (marked != ON_RECEIPT or where != REVENUE):
            errors.append(
                Problem(
                    entry.meta,
                    _(
                        'assessment: "随時" marks a revenue whose receipts are assessed when '
                        "received; {account} with {value!r}",
                        account=entry.account,
                        value=marked,
                    ),
                    entry,
                )
            )
    for role, opened in roles.items():
        if role == SURPLUS:
            errors += [
                Problem(
                    e.meta,
                    _('A second account with role: "{role}"', role=role),
                    e,
                )
                for e in opened[1:]
            ]
    return errors


def unknown_segment(segment: object, segments: dict) -> str:
    if segment is None:
        return _('The directive names no segment: segment: "key" below it')
    return _(
        "Unknown segment {segment!r}: one of {known}",
        segment=segment,
        known=", ".join(segments),
    )
