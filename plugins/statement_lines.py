"""Every account feeds exactly one line of the balance sheet or income statement.

An account says where it belongs with metadata on its Open directive:

    2016-03-31 open Assets:11-流動資産:111-現金及び預金  JPY
      line: "現金及び預金"

Balance-sheet accounts (Assets, Liabilities, Equity) name a row of 予定貸借対照表,
income-statement accounts (Income, Expenses) a row of 予定損益計算書, by label or by
``section/label`` where the label stands twice.  An account with no ``line``, with
two (``line: "建物, 備品"``), or with a line its statement does not have is an error
at its Open directive, and so is an account under a root other than the five
standard ones (Assets, Liabilities, Equity, Income, Expenses: the statements read
an account's side and sign from its root, so the ``name_…`` options are not used).
The 資金計画 is fed through these lines (layouts/cf.toml).

A ledger known only in totals (a previous year's budget, kept for comparison)
may instead name a total its account feeds directly, below the lines:

    2015-03-31 open Assets:19-内訳不明の資産  JPY
      total: "資産合計"

An account names a line or a total, never both.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable

from beancount.core import account_types, data

from plugins import walk
from plugins.layout import Layouts, default_layouts

__plugins__ = ("validate_statement_lines",)

StatementLineError = namedtuple("StatementLineError", "source message entry")

LINE = "line"
TOTAL = "total"  # a summary-level account feeds a total directly
ROOTS = tuple(account_types.DEFAULT_ACCOUNT_TYPES)


def statement_of(account: str) -> str:
    """``bs`` for balance-sheet accounts, ``pl`` for income-statement ones."""
    root = account_types.get_account_type(account)
    return "pl" if root in ("Income", "Expenses") else "bs"


def map_accounts(
    entries: Iterable[data.Directive], layouts: Layouts
) -> tuple[dict[str, str], list[StatementLineError]]:
    """Each opened account's row reference (``bs:現金及び預金``), and the errors."""
    mapping: dict[str, str] = {}
    errors: list[StatementLineError] = []
    for entry in walk.of_type(entries, data.Open):
        root = account_types.get_account_type(entry.account)
        if root not in ROOTS:
            errors.append(
                StatementLineError(
                    entry.meta,
                    f"Account {entry.account} stands under {root}, not under one of "
                    f"{', '.join(ROOTS)}; the statements read an account's side from its root",
                    entry,
                )
            )
            continue
        statement = statement_of(entry.account)
        value = entry.meta.get(LINE)
        summary = entry.meta.get(TOTAL)
        if summary is not None:
            error = _summary_error(entry, value, str(summary).strip(), statement, layouts)
            if error is not None:
                errors.append(error)
            else:
                mapping[entry.account] = layouts.find(statement, str(summary).strip()).ref
            continue
        if value is None:
            errors.append(
                StatementLineError(
                    entry.meta,
                    f"Account {entry.account} feeds no statement line: "
                    f'give its Open a `line: "…"` naming a row of {layouts[statement].title}',
                    entry,
                )
            )
            continue
        names = [n.strip() for n in str(value).replace("、", ",").split(",") if n.strip()]
        if len(names) != 1:
            errors.append(
                StatementLineError(
                    entry.meta,
                    f"Account {entry.account} feeds {len(names)} statement lines "
                    f"({', '.join(names) or 'none'}); an account feeds exactly one",
                    entry,
                )
            )
            continue
        row = layouts.find(statement, names[0])
        if row is None or row.kind != "line":
            errors.append(
                StatementLineError(
                    entry.meta,
                    f"Account {entry.account} names line {names[0]!r}, but "
                    f"{layouts[statement].title} has no line of that name fed by accounts",
                    entry,
                )
            )
            continue
        mapping[entry.account] = row.ref
    return mapping, errors


def _summary_error(
    entry: data.Open, line: object, name: str, statement: str, layouts: Layouts
) -> StatementLineError | None:
    if line is not None:
        return StatementLineError(
            entry.meta,
            f"Account {entry.account} names both a line ({line}) and a total ({name}); "
            "an account feeds one row",
            entry,
        )
    row = layouts.find(statement, name)
    if row is None or row.kind != "total":
        return StatementLineError(
            entry.meta,
            f"Account {entry.account} names total {name!r}, but "
            f"{layouts[statement].title} has no total of that name",
            entry,
        )
    return None


def validate_statement_lines(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[StatementLineError]]:
    _, errors = map_accounts(entries, default_layouts())
    return entries, errors
