"""Next year's ledger from this year's: ``yosan rollover --ledger L -o DIR``.

The new folder holds the same accounts, segments and layouts; a budget directive
for the next fiscal year (its title to be edited); the opening balances (前期末),
dated the day before the new year, one file per segment inside ``pushtag`` /
``poptag``, equal to L's closing balance of every balance-statement account and
segment, with the year's result carried into the account of the line the
balance statement names (``closes_into``, else its line with ``plus`` terms: for
FY2016, 積立金); and a ``yosan-comparison`` pointing back at L.  Before any new
transaction, the new ledger's balance sheet is L's closing balance sheet, line for
line and segment for segment.  The folder is written whole or not at all, and an
existing one is refused.

A local government's ledger (its budget, or the actual journal of one) rolls over
otherwise (``yosan_ledger.reports.ledgers.carryover``): its year closes into next
year's 繰越金, not into opening balances, and what it carried over opens next
year's budget.
"""

from __future__ import annotations

import datetime
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from beancount.core import account_types, data
from beancount.parser import printer
from beancount.scripts.format import align_beancount

from yosan_ledger.plugins.core import results, walk
from yosan_ledger.plugins.core.accounts import map_accounts
from yosan_ledger.plugins.core.budget import Budget
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.era import fiscal_year_bounds, fiscal_year_of, format_fiscal_year
from yosan_ledger.plugins.core.messages import _, reason
from yosan_ledger.plugins.core.overview import year_header
from yosan_ledger.plugins.core.sums import CURRENCY
from yosan_ledger.reports.ledgers import carryover
from yosan_ledger.reports.ledgers.comments import comment
from yosan_ledger.reports.output import create_directory_atomically

BALANCE_ROOTS = ("Assets", "Liabilities", "Equity")
KEPT_CUSTOMS = ("fava-option", "fava-extension")  # carried into the new main file


class RolloverError(Exception):
    """The ledger cannot be rolled over as it stands (the message says why)."""


@dataclass(frozen=True)
class Opening:
    """One segment's opening balances: (account, yen) in account order."""

    segment: str
    name: str
    postings: tuple[tuple[str, int], ...]


def closing_account(statements: Statements, entries: list[data.Directive]) -> str:
    """The account the year's result is carried into."""
    rows = [lay.closing_row() for lay in statements.layouts.of_kind("balance")]
    rows = [row for row in rows if row is not None]
    if len(rows) != 1:
        raise RolloverError(
            _(
                "the balance statement names no line to carry the year's result into: "
                'give it closes_into = "<line>" in its layout'
            )
        )
    row_of_account = map_accounts(entries, statements.layouts)[0]
    accounts = sorted(a for a, ref in row_of_account.items() if ref == rows[0].ref)
    if len(accounts) != 1:
        raise RolloverError(
            _(
                "the year's result is carried into {row}, which {count} "
                "accounts feed; open one account for it (or name another line in closes_into)",
                row=rows[0].label,
                count=len(accounts),
            )
        )
    return accounts[0]


def openings(statements: Statements, entries: list[data.Directive]) -> list[Opening]:
    """Each segment's closing balances (every balance account), and the year's
    result carried into the closing account, as next year's opening balances."""
    figures = statements.account_figures
    closing = figures["opening"] + figures["flow"]
    balance = [a for a in closing.index if account_types.get_account_type(a) in BALANCE_ROOTS]
    carried = closing_account(statements, entries)
    found = []
    for segment in statements.segments:
        column = closing.loc[balance, segment.key]
        amounts = {a: int(v) for a, v in column.items() if v}
        result = -sum(amounts.values())  # what balances the segment: its year's result
        if result:
            amounts[carried] = amounts.get(carried, 0) + result
        postings = tuple((a, v) for a, v in sorted(amounts.items()) if v)
        found.append(Opening(segment.key, segment.name, postings))
    return found


def _next_year(budget: Budget) -> tuple[datetime.date, datetime.date]:
    return fiscal_year_bounds(fiscal_year_of(budget.start) + 1)


def _title(budget: Budget, start: datetime.date) -> str:
    """平成29年度予算（案）: the next year's budget, named as this one is."""
    this = format_fiscal_year(fiscal_year_of(budget.start), budget.adopted)
    following = format_fiscal_year(fiscal_year_of(start), start)
    return budget.title.replace(this, following) if this in budget.title else f"{following}予算"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _opens(entries: Iterable[data.Directive]) -> str:
    closed = {e.account for e in walk.of_type(entries, data.Close)}
    lines = [
        printer.format_entry(e) for e in walk.of_type(entries, data.Open) if e.account not in closed
    ]
    return "".join(lines)


def _segments(statements: Statements, start: datetime.date) -> str:
    return "".join(
        f'{start.isoformat()} custom "yosan-segment" {_quote(s.key)} '
        f"{_quote(s.name)} {_quote(','.join(s.areas))}\n"
        for s in statements.segments
    )


def _segment_file(opening: Opening, day: datetime.date) -> str:
    out = [
        comment(
            _(
                "{segment}: the opening balances (前期末), carried over by yosan rollover.",
                segment=opening.name,
            )
        )
    ]
    out.append(f"pushtag #{opening.segment}\n\n")
    if opening.postings:
        out.append(f'{day.isoformat()} * "前期末残高"\n')
        out += [f"  {a}  {v} {CURRENCY}\n" for a, v in opening.postings]
        out.append("\n" + comment(_("The year's transactions of this segment go below.")) + "\n")
    out.append(f"poptag #{opening.segment}\n")
    return align_beancount("".join(out))


def _main_file(
    ledger_path: Path,
    folder: Path,
    options: dict,
    entries: list[data.Directive],
    statements: Statements,
    segments: list[Opening],
) -> str:
    budget = statements.budget
    start, end = _next_year(budget)
    opening_day = start - datetime.timedelta(days=1)
    title = _title(budget, start)
    organisation = str(options.get("title") or "").replace(budget.title, title)
    kept = [
        printer.format_entry(e._replace(date=start)).rstrip("\n") + "\n"
        for e in walk.of_type(entries, data.Custom)
        if e.type in KEPT_CUSTOMS
    ]
    back = os.path.relpath(ledger_path.resolve(), folder.resolve())
    lines = [
        comment(
            _(
                "{title}: rolled over from {file} of {budget} by yosan rollover. Edit the "
                "budget's title and date (the day it is adopted), then add the year's "
                "transactions to the segment files.",
                title=title,
                file=ledger_path.name,
                budget=budget.title,
            )
        ),
        *([f'option "title" {_quote(organisation)}\n'] if organisation else []),
        f'option "operating_currency" "{CURRENCY}"\n\n',
        *kept,
        "\n",
        f'{opening_day.isoformat()} custom "yosan-budget" {_quote(title)} '
        f"{start.isoformat()} {end.isoformat()}\n",
        f'{opening_day.isoformat()} custom "yosan-layouts" "layouts"\n',
        comment(
            _("The budget the 予算の概要 compares with: the year this one was rolled over from.")
        ),
        f'{opening_day.isoformat()} custom "yosan-comparison" '
        f"{_quote(year_header(budget))} {_quote(back)}\n\n",
        'plugin "yosan_ledger.plugins.all"\n\n',
        'include "accounts.beancount"\n',
        'include "segments.beancount"\n',
        *(f'include "segments/{s.segment}.beancount"\n' for s in segments),
    ]
    return "".join(lines)


def roll_over(ledger_path: Path, entries: list[data.Directive], options: dict, out: Path) -> None:
    """Write next year's ledger folder ``out`` from the loaded ledger."""
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise RolloverError(_("{path}: there is no folder {folder}", path=out, folder=parent))
    statements = results.statements(entries)
    layouts = results.layout_folder(entries)
    if statements is None or layouts.folder is None:
        raise RolloverError(
            _("{ledger}: the ledger declares no budget or no layouts", ledger=ledger_path)
        )
    local = carryover.declaration(entries)
    if local is not None:
        try:
            carryover.roll_over(
                ledger_path, entries, options, out, statements, layouts.folder, local
            )
        except (carryover.CarryoverError, FileExistsError) as error:
            raise RolloverError(reason(error)) from None
        return
    segments = openings(statements, entries)
    start = _next_year(statements.budget)[0]
    opening_day = start - datetime.timedelta(days=1)

    def fill(folder: Path) -> None:
        shutil.copytree(layouts.folder, folder / "layouts")
        (folder / "segments").mkdir()
        main = _main_file(ledger_path, out, options, entries, statements, segments)
        (folder / "main.beancount").write_text(main, encoding="utf-8")
        (folder / "accounts.beancount").write_text(
            comment(_("The accounts, as in the ledger rolled over from.")) + _opens(entries),
            encoding="utf-8",
        )
        (folder / "segments.beancount").write_text(_segments(statements, start), "utf-8")
        for opening in segments:
            (folder / "segments" / f"{opening.segment}.beancount").write_text(
                _segment_file(opening, opening_day), encoding="utf-8"
            )

    try:
        create_directory_atomically(out, fill)
    except FileExistsError as error:
        raise RolloverError(reason(error)) from None
