"""Next year's budget of a local government: ``yosan rollover`` of its budget or of the
actual journal of one.

A local government's year does not open with the last year's balances: its cash
(歳計現金) starts empty and the last year's surplus (歳計剰余金) comes in as revenue,
繰越金 (地方自治法第233条の2).  What the year carries over (繰越明許費, 事故繰越:
its 翌年度繰越額) becomes part of next year's 予算現額 (前年度繰越), with its funds:
the revenue it had not yet received (未収入特定財源) on that revenue's line, the
rest in the 繰越金 the surplus brings (翌年度へ繰り越すべき財源).  The new folder
holds the accounts, segments and layouts, a budget for the next fiscal year with
its closing period and the budget's 項間流用 allowance, an empty file per segment
for the year's budget (当初予算), and ``carryovers.beancount``: each carry-over as
budget transactions marked ``carryover: "繰越明許費"``.  A next year's budget
already written includes that file instead.
"""

from __future__ import annotations

import datetime
import shutil
import unicodedata
from collections import defaultdict
from pathlib import Path

from beancount.core import data
from beancount.parser import printer

from yosan_ledger.plugins.core import walk
from yosan_ledger.plugins.core.acts import Carryover, acts
from yosan_ledger.plugins.core.actuals import actuals_of, declared
from yosan_ledger.plugins.core.appropriations import CARRYOVER
from yosan_ledger.plugins.core.budget import Segment
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.era import fiscal_year_bounds, fiscal_year_of, format_fiscal_year
from yosan_ledger.plugins.core.local import LocalGovernment, local_government
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.sums import CURRENCY
from yosan_ledger.reports.output import create_directory_atomically

KEPT_CUSTOMS = ("fava-option", "fava-extension")
CARRYOVERS_FILE = "carryovers.beancount"


class CarryoverError(Exception):
    """The ledger's carry-overs cannot be written into next year's budget."""


def declaration(entries: list[data.Directive]) -> LocalGovernment | None:
    """A local government's declaration: of the ledger, or of the budget it executes."""
    if declared(entries):
        found = actuals_of(entries)
        return local_government(found.budget_entries) if found is not None else None
    return local_government(entries)


def roll_over(
    ledger_path: Path,
    entries: list[data.Directive],
    options: dict,
    out: Path,
    statements: Statements,
    layouts: Path,
    local: LocalGovernment,
) -> None:
    """Write next year's budget folder ``out`` of a local government's ledger; raises
    ``CarryoverError`` for carry-overs it cannot write, ``FileExistsError`` for a folder
    that exists."""
    budget = statements.budget
    start, end = fiscal_year_bounds(fiscal_year_of(budget.start) + 1)
    opening_day = start - datetime.timedelta(days=1)
    carried = acts(entries).carryovers if declared(entries) else ()
    carryovers = _carryovers(carried, statements, local, start, ledger_path, budget.title)
    this = format_fiscal_year(fiscal_year_of(budget.start), budget.adopted)
    following = format_fiscal_year(fiscal_year_of(start), start)
    title = budget.title.replace(this, following) if this in budget.title else f"{following}予算"
    closing = local.closing.replace(year=local.closing.year + 1)
    kept = [
        printer.format_entry(e._replace(date=start)).rstrip("\n") + "\n"
        for e in walk.of_type(entries, data.Custom)
        if e.type in KEPT_CUSTOMS
    ]
    organisation = str(options.get("title") or "")
    transfers = " ".join(_quote(t) for t in sorted(local.item_transfers))
    main = [
        f"; {title}: rolled over from {ledger_path.name} of {budget.title} by yosan rollover.\n",
        "; Edit the budget's title and date (the day it is adopted), then write the year's\n",
        "; budget in the segment files; carryovers.beancount holds what last year carried\n",
        "; into this one (前年度繰越) and its funds.\n",
        *([f'option "title" {_quote(organisation)}\n'] if organisation else []),
        f'option "operating_currency" "{CURRENCY}"\n\n',
        *kept,
        "\n",
        f'{opening_day} custom "yosan-budget" {_quote(title)} {start} {end}\n',
        f'{opening_day} custom "yosan-layouts" "layouts"\n',
        f'{opening_day} custom "yosan-local-government" {closing}\n',
        *([f'{opening_day} custom "yosan-item-transfers" {transfers}\n'] if transfers else []),
        '\nplugin "yosan_ledger.plugins.all"\n\n',
        'include "accounts.beancount"\n',
        'include "segments.beancount"\n',
        f'include "{CARRYOVERS_FILE}"\n',
        *(f'include "segments/{s.key}.beancount"\n' for s in statements.segments),
    ]
    opens = [
        printer.format_entry(e)
        for e in walk.of_type(entries, data.Open)
        if e.account not in {c.account for c in walk.of_type(entries, data.Close)}
    ]

    def fill(folder: Path) -> None:
        shutil.copytree(layouts, folder / "layouts")
        (folder / "segments").mkdir()
        (folder / "main.beancount").write_text("".join(main), encoding="utf-8")
        (folder / "accounts.beancount").write_text(
            "; The accounts, as in the ledger rolled over from.\n" + "".join(opens),
            encoding="utf-8",
        )
        (folder / "segments.beancount").write_text(
            "".join(
                f'{start} custom "yosan-segment" {_quote(s.key)} {_quote(s.name)} '
                f"{_quote(','.join(s.areas))}\n"
                for s in statements.segments
            ),
            encoding="utf-8",
        )
        (folder / CARRYOVERS_FILE).write_text(carryovers, encoding="utf-8")
        for segment in statements.segments:
            (folder / "segments" / f"{segment.key}.beancount").write_text(
                _segment_file(segment), encoding="utf-8"
            )

    create_directory_atomically(out, fill)


def _segment_file(segment: Segment) -> str:
    return (
        f"; {segment.name}: the year's budget (当初予算), each line against the cash.  The year\n"
        "; opens with no cash: last year's surplus (歳計剰余金) comes in as its 繰越金.\n"
        f"pushtag #{segment.key}\n\n"
        "; The year's budget goes here.\n\n"
        f"poptag #{segment.key}\n"
    )


def _carryovers(
    carried: tuple[Carryover, ...],
    statements: Statements,
    local: LocalGovernment,
    day: datetime.date,
    ledger: Path,
    title: str,
) -> str:
    """The carry-overs as next year's budget transactions: the spending, against the
    cash, and its funds, the revenue not yet received and the rest in 繰越金."""
    lines = [
        f"; 前年度繰越: what {title} carried into this year (its 翌年度繰越額), as budget\n",
        "; transactions: each line's spending authority, and its funds (the revenue it had\n",
        "; not yet received, the rest in 繰越金: 翌年度へ繰り越すべき財源).\n",
        f"; Written by yosan rollover from {ledger.name}.\n",
    ]
    if not carried:
        return "".join(lines) + "; Nothing was carried over.\n"
    layout = statements.layouts[statements.layouts.settlement or ""]
    accounts = statements.accounts.get(layout.cash or "", ())
    if len(accounts) != 1:
        raise CarryoverError(
            _(
                "the settlement statement's cash is fed by {count} accounts; a carry-over is "
                "written against one",
                count=len(accounts),
            )
        )
    (cash,) = accounts
    by_segment: dict[str, list[Carryover]] = defaultdict(list)
    for carryover in carried:
        by_segment[carryover.segment].append(carryover)
    names = [a for c in carried for a in (c.account, cash, *(f for f, _y in c.financing))]
    width = max(_width(a) for a in [*names, local.surplus or ""]) + 2
    for segment in (s.key for s in statements.segments):
        if segment not in by_segment:
            continue
        lines.append(f"\npushtag #{segment}\n")
        for carryover in by_segment[segment]:
            lines += [
                f'\n{day} * "前年度繰越（{carryover.kind}）"\n',
                f'  {CARRYOVER}: "{carryover.kind}"\n',
                f"  {_pad(carryover.account, width)}{carryover.amount:>16} {CURRENCY}\n",
                f"  {cash}\n",
                f'\n{day} * "前年度繰越（{carryover.kind}）の財源"\n',
                f'  {CARRYOVER}: "{carryover.kind}"\n',
                f"  {_pad(cash, width)}{carryover.amount:>16} {CURRENCY}\n",
                *(f"  {_pad(f, width)}{-y:>16} {CURRENCY}\n" for f, y in carryover.financing),
            ]
            if carryover.funds:
                if local.surplus is None:
                    raise CarryoverError(
                        _(
                            'no account has role: "繰越金": the funds the surplus keeps for a '
                            "carry-over come in on it"
                        )
                    )
                lines.append(f"  {_pad(local.surplus, width)}{-carryover.funds:>16} {CURRENCY}\n")
        lines.append(f"\npoptag #{segment}\n")
    return "".join(lines)


def _width(text: str) -> int:
    """Columns of text as an editor shows them (a kanji takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
